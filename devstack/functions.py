"""Local Lambda functions: a pool of worker processes per function, with the template's environment."""

from __future__ import annotations

import json
import os
import queue
import select
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devstack.template import ROOT, condition_holds, load_template

LAYER_SOURCE = ROOT / "layers" / "core"
BUILD_DIR = ROOT / ".aws-sam" / "build"


class InvocationError(RuntimeError):
    """The function failed as Lambda reports it: unhandled error, init error or timeout."""

    def __init__(self, text: str, error_message: str | None = None) -> None:
        super().__init__(text)
        self.error_message = error_message  # the function's own error message (an authorizer's "Unauthorized")


def parameter_values(overrides: dict[str, str] | None = None) -> dict[str, str]:
    params = {name: str(p.get("Default", "")) for name, p in load_template().get("Parameters", {}).items()}
    params.update({"AWS::Region": os.environ.get("AWS_REGION", "us-east-1"), "AWS::StackName": "local"})
    params.update(overrides or {})
    return params


NO_VALUE = "\x00AWS::NoValue"  # what !Ref AWS::NoValue resolves to: the property is left out


def resolve(value: Any, names: dict[str, str], params: dict[str, str]) -> str:
    """A template value as the deployed stack would see it.

    `names` maps a logical id to what `!Ref` gives locally (table name, queue URL, secret name) and
    `<LogicalId>.<Attribute>` to what `!GetAtt` gives (e.g. a queue's Arn).
    """
    if isinstance(value, dict) and "Fn::If" in value:
        condition, when_true, when_false = value["Fn::If"]
        return resolve(when_true if condition_holds(condition, params) else when_false, names, params)
    if isinstance(value, dict) and "Ref" in value:
        ref = value["Ref"]
        if ref == "AWS::NoValue":
            return NO_VALUE
        if ref in names:
            return names[ref]
        return str(params.get(ref, ref))  # a parameter may be "" (e.g. an optional list)
    if isinstance(value, dict) and "Fn::GetAtt" in value:
        logical_id, attribute = value["Fn::GetAtt"][0], value["Fn::GetAtt"][-1]
        return names.get(f"{logical_id}.{attribute}") or names.get(logical_id, logical_id)
    if isinstance(value, dict) and "Fn::Sub" in value:
        text = value["Fn::Sub"] if isinstance(value["Fn::Sub"], str) else value["Fn::Sub"][0]
        for key, replacement in {**params, **names}.items():
            text = text.replace("${" + key + "}", replacement)
        return text
    return str(value)


def resolve_env(env: dict[str, Any], names: dict[str, str], params: dict[str, str]) -> dict[str, str]:
    """A function's environment as deployed; a variable that resolves to AWS::NoValue is not set."""
    resolved = {key: resolve(value, names, params) for key, value in env.items()}
    return {key: value for key, value in resolved.items() if value is not NO_VALUE}


# What the Lambda Python runtime itself provides besides the standard library.
RUNTIME_PACKAGES = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six.py", "urllib3")
RUNTIME_DIR = ROOT / ".local" / "lambda-runtime"
WORKER = Path(__file__).resolve().parent / "worker.py"


def lambda_runtime_dir() -> Path:
    """A folder holding only the runtime-provided packages (links into this venv), like /var/runtime."""
    import boto3

    site = Path(boto3.__file__).resolve().parent.parent
    RUNTIME_DIR.mkdir(parents=True, exist_ok=True)
    for name in RUNTIME_PACKAGES:
        link = RUNTIME_DIR / name
        if not link.exists() and (site / name).exists():
            link.symlink_to(site / name)
    return RUNTIME_DIR


@dataclass
class FunctionSpec:
    name: str
    code_dir: Path
    layer_dir: Path
    handler: str
    env: dict[str, str]
    timeout: float = 15.0
    max_concurrency: int = 4
    isolated: bool = False  # only the code, the layer and the runtime's packages: a packaging check

    @classmethod
    def from_template(
        cls, name: str, env: dict[str, str], built: bool = False, max_concurrency: int = 4, build_dir: Path = BUILD_DIR
    ) -> FunctionSpec:
        template = load_template()
        props = template["Resources"][name]["Properties"]
        timeout = float(props.get("Timeout", template.get("Globals", {}).get("Function", {}).get("Timeout", 3)))
        if built:
            code_dir, layer_dir = build_dir / name, build_dir / "CoreLayer" / "python"
        else:
            code_dir, layer_dir = ROOT / props["CodeUri"], LAYER_SOURCE
        handler = props.get("Handler", "app.lambda_handler")
        return cls(name, code_dir, layer_dir, handler, env, timeout, max_concurrency, isolated=built)


@dataclass
class _Worker:
    process: subprocess.Popen[str]

    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        if self.alive():
            self.process.kill()
        self.process.wait(timeout=5)


def _read_line(process: subprocess.Popen[str], timeout: float) -> dict[str, Any]:
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], max(timeout, 0))
    if not ready:
        raise TimeoutError
    line = process.stdout.readline()
    if not line:
        raise InvocationError(f"worker exited with {process.wait(timeout=5)}")
    return dict(json.loads(line))


@dataclass
class LocalFunction:
    """Invokes one function like Lambda: up to `max_concurrency` warm instances, each one event at a time."""

    spec: FunctionSpec
    base_env: dict[str, str] = field(default_factory=dict)
    quiet: bool = False
    _idle: queue.LifoQueue[_Worker] = field(default_factory=queue.LifoQueue)
    _count: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _workers: list[_Worker] = field(default_factory=list)
    _closed: bool = False

    def _spawn(self) -> _Worker:
        path = [self.spec.code_dir, self.spec.layer_dir]
        if self.spec.isolated:
            # As on Lambda: no site-packages of this venv, only code, layer and the runtime's own packages.
            command = [sys.executable, "-S", "-s", str(WORKER)]
            path.append(lambda_runtime_dir())
        else:
            command = [sys.executable, str(WORKER)]
        env = {
            **os.environ,
            **self.base_env,
            **self.spec.env,
            "PYTHONPATH": os.pathsep.join(str(entry) for entry in path),
            "DEVSTACK_HANDLER": self.spec.handler,
            "DEVSTACK_TIMEOUT": str(self.spec.timeout),
            "AWS_LAMBDA_FUNCTION_NAME": self.spec.name,
            "PYTHONUNBUFFERED": "1",
        }
        process = subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL if self.quiet else None,
            text=True,
            env=env,
            cwd=self.spec.code_dir,
        )
        worker = _Worker(process)
        with self._lock:
            self._workers.append(worker)  # listed while it initialises, so `close` stops it too
            closed = self._closed
        if closed:
            worker.kill()
            raise InvocationError(f"{self.spec.name}: the local stack is stopping")
        first = _read_line(process, 60)
        if "init_error" in first:
            process.wait(timeout=5)
            raise InvocationError(f"{self.spec.name} failed to initialise: {first['init_error']}\n{first['trace']}")
        return worker

    def _acquire(self, deadline: float) -> _Worker:
        while True:
            if self._closed:
                raise InvocationError(f"{self.spec.name}: the local stack is stopping")
            try:
                worker = self._idle.get_nowait()
            except queue.Empty:
                with self._lock:
                    if self._count < self.spec.max_concurrency:
                        self._count += 1
                        break
                try:
                    worker = self._idle.get(timeout=max(0.01, deadline - time.monotonic()))
                except queue.Empty as error:
                    raise InvocationError(f"{self.spec.name}: no instance free (throttled)") from error
            if worker.alive():
                return worker
            with self._lock:
                self._count -= 1
        try:
            return self._spawn()
        except BaseException:
            with self._lock:
                self._count -= 1
            raise

    def invoke(self, event: dict[str, Any]) -> Any:
        deadline = time.monotonic() + self.spec.timeout + 60
        worker = self._acquire(deadline)
        request = {"event": event, "request_id": str(uuid.uuid4())}
        try:
            assert worker.process.stdin is not None
            worker.process.stdin.write(json.dumps(request) + "\n")
            worker.process.stdin.flush()
            answer = _read_line(worker.process, self.spec.timeout)
        except TimeoutError as error:
            self._discard(worker)
            raise InvocationError(f"{self.spec.name} timed out after {self.spec.timeout}s") from error
        except (OSError, InvocationError):
            self._discard(worker)
            raise
        self._idle.put(worker)
        if "error" in answer:
            raise InvocationError(f"{self.spec.name} raised {answer['type']}: {answer['error']}", str(answer["error"]))
        return answer["result"]

    def _discard(self, worker: _Worker) -> None:
        worker.kill()
        with self._lock:
            self._count -= 1

    def warm(self) -> None:
        """Start one instance now (its init done), idle for the first invocation."""
        deadline = time.monotonic() + 60
        self._idle.put(self._acquire(deadline))

    def close(self) -> None:
        """Stop every instance; an invocation after this fails instead of starting a new one."""
        with self._lock:
            self._closed = True
            workers, self._workers = self._workers, []
        for worker in workers:
            worker.kill()
