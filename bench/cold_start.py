"""Cold start: import time of each function's handler module from `sam build` output, as Lambda loads it.

Each sample is a fresh interpreter without this venv's packages (`-S -s`; code + layer + the runtime's
boto3 only), the CPU time of its import, median of N, interleaved. Printed as a ratio to `import boto3`
alone and beside THE FLOOR, both measured in the same run: what an API function cannot do without
(boto3 and one client, a pydantic model, Powertools Logger/Metrics/Tracer and the REST resolver), with
the function's own environment.
`function / floor` is the gap to close (docs/quality.md: within 1.05). Also in the same run: `import openai`
alone (DeepAnalysisFunction's SDK), and one function with tracing off (the Tracing parameter's cost).

`--no-pyc` adds "before": the same build with every .pyc removed and bytecode writing off, as on Lambda's
read-only code directory without precompiled bytecode.

    .venv/bin/python -m bench.cold_start [--build-dir DIR] [--runs N] [--no-pyc]
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

# CPU seconds of the import (process_time): on a shared machine the wall time also counts other processes'
# load, which can swamp the differences measured here; an import is CPU-bound (no I/O past the file reads).
PROBE = (
    "import sys, time, importlib; t = time.process_time(); importlib.import_module({module!r}); "
    "print(time.process_time() - t, 'openai' in sys.modules)"
)


# The floor of an API function: only what every one of them needs, used as they use it.
FLOOR = """
import boto3
from botocore.config import Config
from pydantic import BaseModel
from aws_lambda_powertools import Logger, Metrics, Tracer
from aws_lambda_powertools.event_handler import APIGatewayRestResolver

class Item(BaseModel):
    id: int
    title: str

Logger(); Metrics(namespace="Floor"); Tracer(patch_modules=["botocore"])
boto3.client("dynamodb", config=Config(connect_timeout=1, read_timeout=2))
app = APIGatewayRestResolver(enable_validation=True)

@app.post("/items")
def create(item: Item) -> Item:
    return item
"""
FLOOR_MODULE = "bench_floor"
OPENAI_MODULE = "openai"
TRACED_SAMPLE = "ThreadsWebhookFunction"


def build(target: Path) -> None:
    env = {
        **os.environ,
        "SAM_CLI_TELEMETRY": "0",
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    sam = Path(sys.executable).parent / "sam"
    subprocess.run([str(sam), "build", "--build-dir", str(target)], cwd=ROOT, env=env, check=True, capture_output=True)


def probe(module: str, path: list[Path], env: dict[str, str], isolated: bool = True) -> tuple[float, bool]:
    """CPU seconds one fresh interpreter takes to import `module`, and whether that loaded openai.

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
    parser.add_argument("--no-pyc", action="store_true", help="also time the build without .pyc files")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as scratch:
        build_dir = args.build_dir
        if build_dir is None:
            build_dir = Path(scratch) / "build"
            print("sam build ...", flush=True)
            build(build_dir)
        layer = build_dir / "CoreLayer" / "python"
        no_pyc = Path(scratch) / "no-pyc"
        if args.no_pyc:
            strip_bytecode(layer, no_pyc / "layer")
        floor_dir = Path(scratch) / "floor"
        floor_dir.mkdir()
        (floor_dir / f"{FLOOR_MODULE}.py").write_text(FLOOR)

        # Interleaved: every round samples boto3, the floor, then each function, so that the machine's load
        # drifts into all figures alike; medians of the rounds.
        functions = sorted(resources("AWS::Serverless::Function"))
        cases: dict[str, tuple[str, dict[str, str], list[Path], list[Path]]] = {}
        for name in functions:
            handler = resources("AWS::Serverless::Function")[name]["Properties"].get("Handler", "app.lambda_handler")
            if args.no_pyc:
                strip_bytecode(build_dir / name, no_pyc / name)
            env = {**function_env(name), "LAMBDA_TASK_ROOT": str(build_dir / name)}
            module = handler.rsplit(".", 1)[0]
            cases[name] = (module, env, [no_pyc / name, no_pyc / "layer"], [build_dir / name, layer])
        floor_env = {**cases[TRACED_SAMPLE][1], "LAMBDA_TASK_ROOT": str(floor_dir)}
        untraced_env = {**cases[TRACED_SAMPLE][1], "POWERTOOLS_TRACE_DISABLED": "true"}
        samples: dict[str, list[float]] = {"boto3": [], "floor": [], "openai": [], "untraced": []}
        before: dict[str, list[float]] = {name: [] for name in functions}
        after: dict[str, list[float]] = {name: [] for name in functions}
        openai: dict[str, bool] = {}
        for _ in range(args.runs):
            samples["boto3"].append(probe("boto3", [Path(scratch)], {})[0])
            samples["floor"].append(probe(FLOOR_MODULE, [floor_dir, layer], floor_env)[0])
            samples["openai"].append(probe(OPENAI_MODULE, [layer], {})[0])
            traced = cases[TRACED_SAMPLE]
            samples["untraced"].append(probe(traced[0], traced[3], untraced_env)[0])
            for name, (module, env, cold_path, built_path) in cases.items():
                if args.no_pyc:
                    before[name].append(probe(module, cold_path, env)[0])
                seconds, openai[name] = probe(module, built_path, env)
                after[name].append(seconds)
        medians = {key: statistics.median(values) for key, values in samples.items()}
        boto3_alone, floor = medians["boto3"], medians["floor"]
        print(f"import boto3 alone: {boto3_alone * 1000:.0f} ms CPU (median of {args.runs}, interleaved) = 1.00")
        print(f"the floor (boto3 + client, pydantic, Logger/Metrics/Tracer, REST resolver): {floor / boto3_alone:.2f}x")
        print(f"import openai alone (no boto3): {medians['openai'] / boto3_alone:.2f}x\n")
        head = f"{'function':34} {'import':>8} {'floor':>7} {'/floor':>7}"
        print(head + (f" {'no .pyc':>9} {'.pyc/no':>8}" if args.no_pyc else "") + "  openai loaded")
        for name in functions:
            a = statistics.median(after[name])
            row = f"{name:34} {a / boto3_alone:>7.2f}x {floor / boto3_alone:>6.2f}x {a / floor:>7.2f}"
            if args.no_pyc:
                b = statistics.median(before[name])
                row += f" {b / boto3_alone:>8.2f}x {a / b:>8.2f}"
            print(f"{row}  {openai[name]}")
        traced_time = statistics.median(after[TRACED_SAMPLE])
        print(
            f"\ntracing: {TRACED_SAMPLE} with POWERTOOLS_TRACE_DISABLED (Tracing=PassThrough) "
            f"{medians['untraced'] / boto3_alone:.2f}x vs traced {traced_time / boto3_alone:.2f}x "
            f"= {medians['untraced'] / traced_time:.2f} of it"
        )
        print("figures: import time as a multiple of `import boto3` alone (lower is better); /floor = function / floor")


if __name__ == "__main__":
    main()
