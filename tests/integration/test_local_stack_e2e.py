"""The README's run command, as a user runs it: start, drive over HTTP, Ctrl-C, start again, data still there."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path
from typing import IO

import httpx
import pytest

from devstack.dynamodb_local import free_port
from devstack.template import ROOT
from tests.conftest import load_event

pytestmark = pytest.mark.integration
KEY = "e2e-key"


def wait_for(stream: IO[str], text: str, process: subprocess.Popen[str], timeout: float = 120) -> list[str]:
    """Read the command's output until `text` shows (bounded); returns the lines read."""
    deadline = time.monotonic() + timeout
    lines: list[str] = []
    while time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            if process.poll() is not None:
                raise AssertionError(f"exited with {process.returncode}:\n{''.join(lines)}")
            continue
        lines.append(line)
        if text in line:
            return lines
    raise AssertionError(f"{text!r} not seen within {timeout}s:\n{''.join(lines)}")


def start(data_dir: Path, port: int, dynamodb_port: int) -> tuple[subprocess.Popen[str], list[str]]:
    env = {
        **os.environ,
        "DEVSTACK_PORT": str(port),
        "DEVSTACK_DYNAMODB_PORT": str(dynamodb_port),
        "DEVSTACK_DATA_DIR": str(data_dir),
        "DEVSTACK_ADMIN_TOKEN": KEY,
    }
    process = subprocess.Popen(
        ["make", "--no-print-directory", "local"],
        cwd=ROOT,
        env=env,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    assert process.stdout is not None
    return process, wait_for(process.stdout, "stop      Ctrl-C", process)


def ctrl_c(process: subprocess.Popen[str]) -> str:
    """What a terminal's Ctrl-C does: SIGINT to the whole foreground process group."""
    os.killpg(process.pid, signal.SIGINT)
    output, _ = process.communicate(timeout=60)
    return output


def test_run_command_serves_the_api_stops_on_ctrl_c_and_keeps_the_data(tmp_path: Path) -> None:
    port, dynamodb_port = free_port(), free_port()
    post = json.loads(load_event("threads_track.json")["body"])
    headers = {"Authorization": f"Bearer {KEY}"}

    # Given the stack started with the README's command
    process, banner = start(tmp_path, port, dynamodb_port)
    try:
        text = "".join(banner)
        assert f"http://127.0.0.1:{port}" in text
        assert f"Authorization: Bearer {KEY}" in text
        assert str(tmp_path / "dynamodb") in text

        # When a viral post is tracked over plain HTTP
        created = httpx.post(f"http://127.0.0.1:{port}/threads/track", json=post, headers=headers, timeout=30)
        assert created.status_code == 201
        achievement_id = created.json()["achievement_id"]
    finally:
        output = ctrl_c(process)

    # Then Ctrl-C stops everything it started, quietly: no worker prints a KeyboardInterrupt traceback
    assert "[devstack] stopped" in output
    assert "KeyboardInterrupt" not in output
    assert "Traceback" not in output
    assert process.returncode is not None
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{dynamodb_port}/", timeout=2)

    # And a second start finds the data still there: the same post is the same achievement
    process, _ = start(tmp_path, port, dynamodb_port)
    try:
        again = httpx.post(f"http://127.0.0.1:{port}/threads/track", json=post, headers=headers, timeout=30)
        assert (again.status_code, again.json()) == (200, {"status": "unchanged", "achievement_id": achievement_id})
    finally:
        ctrl_c(process)
