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
    "import time, importlib; t = time.perf_counter(); importlib.import_module({module!r}); "
    "print(time.perf_counter() - t)"
)


def build(target: Path) -> None:
    env = {
        **os.environ,
        "SAM_CLI_TELEMETRY": "0",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    sam = Path(sys.executable).parent / "sam"
    subprocess.run([str(sam), "build", "--build-dir", str(target)], cwd=ROOT, env=env, check=True, capture_output=True)


def sample(module: str, path: list[Path], env: dict[str, str], runs: int) -> float:
    times = []
    full_env = {
        **env,
        "PYTHONPATH": os.pathsep.join(str(p) for p in [*path, lambda_runtime_dir()]),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PATH": os.environ.get("PATH", ""),
    }
    for _ in range(runs):
        out = subprocess.run(
            [sys.executable, "-S", "-s", "-c", PROBE.format(module=module)],
            env=full_env,
            cwd=path[0],
            check=True,
            capture_output=True,
            text=True,
        )
        times.append(float(out.stdout.strip().splitlines()[-1]))
    return statistics.median(times)


def function_env(name: str) -> dict[str, str]:
    tables = {logical: f"bench-{logical}" for logical in resources("AWS::DynamoDB::Table")}
    others = {
        logical: f"bench-{logical}"
        for logical in resources("AWS::SQS::Queue") | resources("AWS::SecretsManager::Secret")
    }
    return {
        **resolve_env(function_environment(name), {**tables, **others}, parameter_values()),
        "AWS_REGION": "us-east-1",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "AWS_LAMBDA_FUNCTION_NAME": name,
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

        boto3_alone = sample("boto3", [Path(scratch)], {}, args.runs)
        print(f"import boto3 alone: {boto3_alone * 1000:.0f} ms (median of {args.runs}) = 1.00\n")
        print(f"{'function':34} {'before (no .pyc)':>18} {'after (.pyc)':>14} {'after/before':>13}")
        for name in sorted(resources("AWS::Serverless::Function")):
            code = build_dir / name
            module = resources("AWS::Serverless::Function")[name]["Properties"].get("Handler", "app.lambda_handler")
            module = module.rsplit(".", 1)[0]
            env = function_env(name)
            env["LAMBDA_TASK_ROOT"] = str(code)
            code_no_pyc = no_pyc / name
            strip_bytecode(code, code_no_pyc)
            before = sample(module, [code_no_pyc, no_pyc / "layer"], env, args.runs)
            after = sample(module, [code, layer], env, args.runs)
            print(f"{name:34} {before / boto3_alone:>16.2f}x {after / boto3_alone:>12.2f}x {after / before:>13.2f}")
        print("\nfigures: import time as a multiple of `import boto3` alone (lower is better)")


if __name__ == "__main__":
    main()
