"""Cold start: import time of each function's handler module from `sam build` output, as Lambda loads it.

Each sample is a fresh interpreter without this venv's packages (`-S -s`; code + layer + the runtime's
boto3 only), median of N. Printed as a ratio to `import boto3` alone, measured in the same run, and
"before" (the same build with every .pyc removed and bytecode writing off, as on Lambda's read-only
code directory without precompiled bytecode) against "after" (the build as made: precompiled).

    .venv/bin/python -m bench.cold_start [--build-dir DIR] [--runs N]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from devstack.functions import lambda_runtime_dir, parameter_values, resolve_env
from devstack.template import ROOT, function_environment, resources

PROBE = (
    "import sys, time, importlib; t = time.perf_counter(); importlib.import_module({module!r}); "
    "print(time.perf_counter() - t, 'openai' in sys.modules)"
)


def build(target: Path) -> None:
    env = {
        **os.environ,
        "SAM_CLI_TELEMETRY": "0",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    sam = Path(sys.executable).parent / "sam"
    subprocess.run([str(sam), "build", "--build-dir", str(target)], cwd=ROOT, env=env, check=True, capture_output=True)


def probe(module: str, path: list[Path], env: dict[str, str], isolated: bool = True) -> tuple[float, bool]:
    """Seconds one fresh interpreter takes to import `module`, and whether that loaded openai.

    Isolated (the default), it sees only `path` and the Lambda runtime's own packages, as on Lambda.
    """
    search = [*path, lambda_runtime_dir()] if isolated else path
    full_env = {
        **env,
        "PYTHONPATH": os.pathsep.join(str(p) for p in search),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PATH": os.environ.get("PATH", ""),
    }
    flags = ["-S", "-s"] if isolated else []
    out = subprocess.run(
        [sys.executable, *flags, "-c", PROBE.format(module=module)],
        env=full_env,
        cwd=path[0],
        check=True,
        capture_output=True,
        text=True,
    )
    seconds, openai = out.stdout.strip().splitlines()[-1].split()
    return float(seconds), openai == "True"


def function_env(name: str) -> dict[str, str]:
    """The function's environment as the template sets it (resources named `bench-*`), plus what Lambda sets."""
    names = {
        logical: f"bench-{logical}"
        for kind in ("AWS::DynamoDB::Table", "AWS::SQS::Queue", "AWS::SecretsManager::Secret", "AWS::SSM::Parameter")
        for logical in resources(kind)
    }
    env = resolve_env(function_environment(name), names, parameter_values())
    if "ANALYSIS_QUEUE_URL" in env:
        env["ANALYSIS_QUEUE_URL"] = "https://sqs.us-east-1.amazonaws.com/123456789012/bench-AnalysisQueue"
    return {
        **env,
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_LAMBDA_FUNCTION_NAME": name,
        "CURSOR_SIGNING_KEY": "bench",
        # What Lambda itself sets: the X-Ray SDK then samples locally instead of building an X-Ray client.
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
        "AWS_XRAY_DAEMON_ADDRESS": "169.254.79.129:2000",
        "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
    }


def strip_bytecode(source: Path, target: Path) -> None:
    shutil.copytree(source, target, symlinks=True)
    for cache in target.rglob("__pycache__"):
        shutil.rmtree(cache)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--build-dir", type=Path, default=None, help="an existing `sam build` output (default: build now)"
    )
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        build_dir = args.build_dir
        if build_dir is None:
            build_dir = Path(scratch) / "build"
            print("sam build ...", flush=True)
            build(build_dir)
        layer = build_dir / "CoreLayer" / "python"
        no_pyc = Path(scratch) / "no-pyc"
        strip_bytecode(layer, no_pyc / "layer")

        # Interleaved: every round samples boto3, then each function before and after, so that the
        # machine's load drifts into all figures alike; medians of the rounds.
        functions = sorted(resources("AWS::Serverless::Function"))
        cases = {}
        for name in functions:
            handler = resources("AWS::Serverless::Function")[name]["Properties"].get("Handler", "app.lambda_handler")
            strip_bytecode(build_dir / name, no_pyc / name)
            env = {**function_env(name), "LAMBDA_TASK_ROOT": str(build_dir / name)}
            module = handler.rsplit(".", 1)[0]
            cases[name] = (module, env, [no_pyc / name, no_pyc / "layer"], [build_dir / name, layer])
        boto3_times: list[float] = []
        before: dict[str, list[float]] = {name: [] for name in functions}
        after: dict[str, list[float]] = {name: [] for name in functions}
        openai: dict[str, bool] = {}
        for _ in range(args.runs):
            boto3_times.append(probe("boto3", [Path(scratch)], {})[0])
            for name, (module, env, cold_path, built_path) in cases.items():
                before[name].append(probe(module, cold_path, env)[0])
                seconds, openai[name] = probe(module, built_path, env)
                after[name].append(seconds)
        boto3_alone = statistics.median(boto3_times)
        print(f"import boto3 alone: {boto3_alone * 1000:.0f} ms (median of {args.runs}, interleaved) = 1.00\n")
        print(f"{'function':34} {'before (no .pyc)':>18} {'after (.pyc)':>14} {'after/before':>13}  openai loaded")
        for name in functions:
            b, a = statistics.median(before[name]), statistics.median(after[name])
            print(f"{name:34} {b / boto3_alone:>16.2f}x {a / boto3_alone:>12.2f}x {a / b:>13.2f}  {openai[name]}")
        print("\nfigures: import time as a multiple of `import boto3` alone (lower is better)")


if __name__ == "__main__":
    main()
