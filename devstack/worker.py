"""One local 'Lambda instance': imports a handler once, then answers events read from stdin.

Protocol: one JSON line in ({"event": ..., "request_id": ...}), one JSON line out
({"result": ...} or {"error": ..., "type": ...}). Logs go to stderr, as on Lambda.
"""

from __future__ import annotations

import importlib
import json
import os
import signal
import sys
import time
import traceback
from dataclasses import dataclass, field
from typing import Any


@dataclass
class LocalContext:
    """The parts of Lambda's context object that handlers and Powertools read."""

    function_name: str
    memory_limit_in_mb: int = 512
    timeout_seconds: float = 15.0
    aws_request_id: str = "local"
    function_version: str = "$LATEST"
    log_group_name: str = "local"
    log_stream_name: str = "local"
    started: float = field(default_factory=time.monotonic)

    @property
    def invoked_function_arn(self) -> str:
        return f"arn:aws:lambda:{os.environ.get('AWS_REGION', 'us-east-1')}:000000000000:function:{self.function_name}"

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self.timeout_seconds - (time.monotonic() - self.started)) * 1000))


def main() -> None:
    # Ctrl-C in `make local` reaches the whole process group; the stack stops its workers itself (stdin closed,
    # then killed), so a worker ignores SIGINT instead of printing a KeyboardInterrupt traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    handler_path = os.environ["DEVSTACK_HANDLER"]
    function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "local")
    timeout = float(os.environ.get("DEVSTACK_TIMEOUT", "15"))
    module_name, _, attribute = handler_path.rpartition(".")
    out = sys.stdout
    sys.stdout = sys.stderr  # handler prints (EMF metrics, logs) must not corrupt the protocol
    try:
        handler = getattr(importlib.import_module(module_name), attribute)
    except Exception as error:  # noqa: BLE001 - reported to the caller as an init error, as on Lambda
        out.write(json.dumps({"init_error": repr(error), "trace": traceback.format_exc()}) + "\n")
        out.flush()
        return
    out.write(json.dumps({"ready": True}) + "\n")
    out.flush()
    for line in sys.stdin:
        request = json.loads(line)
        context = LocalContext(function_name, timeout_seconds=timeout, aws_request_id=request["request_id"])
        try:
            answer: dict[str, Any] = {"result": handler(request["event"], context)}
        except Exception as error:  # noqa: BLE001 - an unhandled error is the invocation's result
            if str(error) != "Unauthorized":  # an authorizer's documented answer for 401, not a failure
                traceback.print_exc()
            answer = {"error": str(error), "type": type(error).__name__}
        out.write(json.dumps(answer, default=str) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
