"""Runs Debian's `prometheus` on loopback: a temporary TSDB (optionally backfilled), stopped by PID.

    with PrometheusServer(targets=["127.0.0.1:9500"]) as prometheus:
        prometheus.wait_for("up", timeout=30)         # the first scrape lands ~5 s after start
        httpx.get(prometheus.url + "/api/v1/query", params={"query": "up"})

History older than the server is written with `promtool tsdb create-blocks-from openmetrics` before it
starts (`backfill`), with one block per 31 days and a retention long enough to keep it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from devstack.dynamodb_local import free_port, stop_process

MAX_BLOCK_DURATION = "744h"


def _binary(name: str) -> str:
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"{name} not found: `make install` installs Debian's prometheus package")
    return found


def openmetrics(samples: Iterable[tuple[str, Mapping[str, str], float, float]], types: Mapping[str, str]) -> str:
    """OpenMetrics text of (metric, labels, value, unix time) samples, grouped by metric as promtool needs."""
    by_metric: dict[str, list[str]] = {}
    for name, labels, value, at in samples:
        rendered = ",".join(f'{key}="{val}"' for key, val in sorted(labels.items()))
        by_metric.setdefault(name, []).append(f"{name}{{{rendered}}} {value!r} {at:.3f}")
    lines: list[str] = []
    for name, rows in by_metric.items():
        lines.append(f"# TYPE {name} {types.get(name, 'gauge')}")
        lines.extend(rows)
    lines.append("# EOF")
    return "\n".join(lines) + "\n"


@dataclass
class PrometheusServer:
    """One Prometheus process scraping `targets` (host:port) every `scrape_interval`."""

    targets: Sequence[str] = ()
    scrape_interval: str = "1s"
    job: str = "threads-agent"
    port: int = field(default_factory=free_port)
    retention: str = "3650d"
    # user -> bcrypt hash: the web UI and API then need basic auth (Prometheus's --web.config.file)
    basic_auth_users: Mapping[str, str] = field(default_factory=dict)
    process: subprocess.Popen[bytes] | None = None
    workdir: Path | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def tsdb(self) -> Path:
        if self.workdir is None:
            self.workdir = Path(tempfile.mkdtemp(prefix="prometheus-"))
        return self.workdir / "tsdb"

    def backfill(self, openmetrics_text: str) -> None:
        """Write history into the TSDB (before `start`): promtool's OpenMetrics import."""
        if self.process is not None:
            raise RuntimeError("backfill before start: Prometheus loads blocks when it opens the TSDB")
        self.tsdb.mkdir(parents=True, exist_ok=True)
        source = self.tsdb.parent / "backfill.om"
        source.write_text(openmetrics_text)
        subprocess.run(
            [
                _binary("promtool"),
                "tsdb",
                "create-blocks-from",
                "openmetrics",
                f"--max-block-duration={MAX_BLOCK_DURATION}",
                "--quiet",
                str(source),
                str(self.tsdb),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )

    def _config(self) -> Path:
        assert self.workdir is not None
        config = {
            "global": {"scrape_interval": self.scrape_interval, "evaluation_interval": self.scrape_interval},
            "scrape_configs": [
                {"job_name": self.job, "static_configs": [{"targets": list(self.targets)}]},
            ]
            if self.targets
            else [],
        }
        path = self.workdir / "prometheus.yml"
        path.write_text(json.dumps(config))  # JSON is YAML
        return path

    def _web_config(self) -> list[str]:
        if not self.basic_auth_users:
            return []
        assert self.workdir is not None
        path = self.workdir / "web.yml"
        path.write_text(json.dumps({"basic_auth_users": dict(self.basic_auth_users)}))
        return [f"--web.config.file={path}"]

    def start(self, timeout: float = 30.0) -> PrometheusServer:
        self.tsdb.mkdir(parents=True, exist_ok=True)
        command = [
            _binary("prometheus"),
            f"--config.file={self._config()}",
            f"--storage.tsdb.path={self.tsdb}",
            f"--storage.tsdb.retention.time={self.retention}",
            f"--web.listen-address=127.0.0.1:{self.port}",
            "--log.level=warn",
            *self._web_config(),
        ]
        log = self.tsdb.parent / "prometheus.log"
        with log.open("wb") as output:  # a file, not a pipe: a chatty process never blocks on a full pipe
            # Its own session, as DynamoDB Local's: Ctrl-C stops the stack, and the stack stops this by PID.
            self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=output, start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                code, self.process = self.process.returncode, None
                raise RuntimeError(f"prometheus exited with {code}: {log.read_text()[-2000:]}")
            try:
                # /-/ready answers 401 when basic auth is on: listening is what counts here.
                if httpx.get(f"{self.url}/-/ready", timeout=1).status_code in (200, 401):
                    return self
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        self.stop()
        raise TimeoutError(f"prometheus not ready on {self.url} within {timeout}s")

    def query(self, promql: str, auth: httpx.Auth | None = None) -> list[dict[str, Any]]:
        answer = httpx.get(f"{self.url}/api/v1/query", params={"query": promql}, auth=auth, timeout=5)
        answer.raise_for_status()
        return list(answer.json()["data"]["result"])

    def wait_for(
        self,
        promql: str,
        ready: Callable[[list[dict[str, Any]]], bool] = bool,
        timeout: float = 30.0,
        auth: httpx.Auth | None = None,
    ) -> list[dict[str, Any]]:
        """Poll (bounded) until `promql`'s result satisfies `ready`: scrapes land seconds after start."""
        deadline = time.monotonic() + timeout
        result: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            result = self.query(promql, auth)
            if ready(result):
                return result
            time.sleep(0.25)
        raise TimeoutError(f"{promql!r} not ready within {timeout}s (last result: {result})")

    def stop(self) -> None:
        if self.process is not None:
            stop_process(self.process)
            self.process = None
        if self.workdir is not None:
            shutil.rmtree(self.workdir, ignore_errors=True)
            self.workdir = None

    def __enter__(self) -> PrometheusServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()


def main() -> None:
    """`python -m devstack.prometheus`: the Threads-Agent exporter and a Prometheus scraping it, until Ctrl-C."""
    import argparse
    import signal
    import threading

    from devstack.threads_exporter import ThreadsAgentExporter

    parser = argparse.ArgumentParser(prog="python -m devstack.prometheus", description=main.__doc__)
    parser.add_argument("--port", type=int, default=9090, help="Prometheus's port on 127.0.0.1 (default 9090)")
    parser.add_argument("--exporter-port", type=int, default=0, help="the exporter's port (default: a free one)")
    args = parser.parse_args()

    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    exporter = ThreadsAgentExporter(port=args.exporter_port or free_port())
    with exporter, PrometheusServer(targets=[exporter.target], port=args.port, scrape_interval="5s") as prometheus:
        print(f"  Prometheus  {prometheus.url}   (scraping the Threads-Agent exporter on {exporter.target})")
        print("  stop        Ctrl-C", flush=True)
        stopping.wait()


if __name__ == "__main__":
    main()
