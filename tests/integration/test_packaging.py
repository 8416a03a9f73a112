"""Every function, invoked from `sam build` output with its events, as Lambda would run it.

The functions run without this venv's packages (only code + layer + the runtime's boto3), so a missing
dependency in layers/core/requirements.txt or a module left out of a CodeUri fails here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from devstack.invoke import BuiltInvoker
from devstack.template import ROOT, resources

pytestmark = pytest.mark.integration
EVENTS = ROOT / "events"
INDEX = json.loads((EVENTS / "index.json").read_text())
FUNCTIONS = sorted(resources("AWS::Serverless::Function"))
CASES = [(function, event) for function in FUNCTIONS for event in INDEX.get(function, [])]


def test_every_function_has_an_event_and_every_event_a_function() -> None:
    # When events/index.json is compared with template.yaml's functions, Then it lists exactly those functions
    assert sorted(INDEX) == FUNCTIONS
    # And each function has at least one ready event
    assert all(INDEX[function] for function in FUNCTIONS)
    # And every event file in events/ (the index aside) is listed under some function
    listed = {event for events in INDEX.values() for event in events}
    assert listed == {path.name for path in EVENTS.glob("*.json") if path.name not in {"index.json"}}


@pytest.fixture(scope="module")
def build_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("sam-build")
    # `sam build` looks for python3.12 on PATH: the venv's interpreter is the runtime's version
    venv_bin = str(Path(sys.executable).parent)
    env = {**os.environ, "SAM_CLI_TELEMETRY": "0", "PATH": venv_bin + os.pathsep + os.environ.get("PATH", "")}
    subprocess.run(
        [str(Path(sys.executable).parent / "sam"), "build", "--build-dir", str(target)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=600,
    )
    return target


@pytest.fixture(scope="module")
def invoker(build_dir: Path) -> Iterator[BuiltInvoker]:
    with BuiltInvoker(build_dir=build_dir) as running:
        yield running


@pytest.mark.parametrize(("function", "event_file"), CASES, ids=[f"{f}-{e}" for f, e in CASES])
def test_function_runs_from_the_build_output(
    invoker: BuiltInvoker, build_dir: Path, function: str, event_file: str
) -> None:
    # Given the built function folder holds no third-party package of its own (they live in the layer)
    assert (build_dir / function / "app.py").is_file()
    assert (build_dir / "CoreLayer" / "python" / "achievements" / "__init__.py").is_file()

    # When it is invoked with its ready event
    event = json.loads((EVENTS / event_file).read_text())
    result = invoker.invoke(function, event)

    # Then it answers as it would on Lambda: the authorizer with a policy, API events with a non-5xx status,
    # others without error
    if event.get("type") == "REQUEST":
        assert isinstance(result, dict)
        assert result["policyDocument"]["Statement"][0]["Effect"] == "Allow", result
    elif "httpMethod" in event:
        assert isinstance(result, dict)
        assert 200 <= int(result["statusCode"]) < 500, result
    else:
        assert result is None or isinstance(result, dict)
        if isinstance(result, dict) and "batchItemFailures" in result:
            assert result["batchItemFailures"] == []
