"""A terminal's Ctrl-C (SIGINT to the foreground process group) reaches the stack, not the servers it runs.

The stack stops DynamoDB Local and Prometheus itself, by PID, after what is in flight has ended; if Ctrl-C
killed them first, a scheduled sync running at that moment would fail against a vanished DynamoDB.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap

import pytest

from devstack.template import ROOT

pytestmark = pytest.mark.integration

SCRIPT = textwrap.dedent(
    """
    import signal, sys, threading, time, urllib.error, urllib.request
    from devstack.dynamodb_local import DynamoDBLocal
    from devstack.prometheus import PrometheusServer

    def answers(url):
        try:
            urllib.request.urlopen(url, timeout=5)
        except urllib.error.HTTPError:
            return True  # DynamoDB Local answers a bare GET with 400: it is up
        except OSError:
            return False
        return True

    interrupted = threading.Event()
    signal.signal(signal.SIGINT, lambda *_: interrupted.set())
    servers = [DynamoDBLocal().start()]
    if sys.argv[1] == "prometheus":
        servers.append(PrometheusServer().start())
    print("ready", flush=True)
    interrupted.wait(60)
    time.sleep(1)  # what the stack's shutdown takes at least: a server that got the SIGINT is gone by now
    try:
        for server in servers:
            url = getattr(server, "endpoint", None) or server.url + "/-/healthy"
            alive = server.process.poll() is None and answers(url)
            print(type(server).__name__, "alive" if alive else "killed by Ctrl-C", flush=True)
    finally:
        for server in servers:
            server.stop()
    """
)


def test_ctrl_c_leaves_dynamodb_local_and_prometheus_to_the_stack() -> None:
    # Given a process in a terminal's foreground group that runs DynamoDB Local (and Prometheus, if installed)
    which = "prometheus" if shutil.which("prometheus") else "dynamodb"
    process = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, which],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        assert process.stdout.readline().strip() == "ready"

        # When Ctrl-C is pressed: SIGINT to the whole group
        os.killpg(process.pid, signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)

    # Then the servers were still up for the stack to finish its work, and it stopped them
    assert "DynamoDBLocal alive" in output, output
    if which == "prometheus":
        assert "PrometheusServer alive" in output, output
    assert process.returncode == 0, output
