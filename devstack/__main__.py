"""`python -m devstack`: run the whole app locally without Docker (see README, "Run it locally")."""

from __future__ import annotations

import argparse
import os
import signal
import threading
from pathlib import Path

from devstack.stack import DEFAULT_ADMIN_TOKEN, LocalStack
from devstack.template import ROOT


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m devstack", description=__doc__)
    parser.add_argument("--port", type=int, default=int(os.environ.get("DEVSTACK_PORT", 3000)))
    parser.add_argument(
        "--admin-token",
        default=os.environ.get("DEVSTACK_ADMIN_TOKEN", DEFAULT_ADMIN_TOKEN),
        help="the bootstrap admin token (the local AdminBootstrapTokenSecret); POST /tokens issues others",
    )
    parser.add_argument("--data-dir", type=Path, default=Path(os.environ.get("DEVSTACK_DATA_DIR", ROOT / ".local")))
    parser.add_argument(
        "--dynamodb-port",
        type=int,
        default=int(os.environ.get("DEVSTACK_DYNAMODB_PORT", 8000)),
        help="DynamoDB Local's port (env.json points `sam local invoke` at 8000)",
    )
    parser.add_argument(
        "--schedule-every",
        type=float,
        default=float(os.environ.get("DEVSTACK_SCHEDULE_EVERY", 0)) or None,
        help="fire the schedules every N seconds instead of the template's rate",
    )
    parser.add_argument("--built", action="store_true", help="run the functions from `sam build` output")
    parser.add_argument(
        "--parameter-overrides",
        nargs="*",
        default=os.environ.get("DEVSTACK_PARAMETER_OVERRIDES", "").split(),
        metavar="KEY=VALUE",
        help="template parameters, as `sam deploy` takes them (e.g. PrometheusUrl=http://127.0.0.1:9090)",
    )
    parser.add_argument(
        "--no-prometheus",
        action="store_true",
        default=os.environ.get("DEVSTACK_PROMETHEUS", "1") == "0",
        help="don't start the demo Prometheus + Threads-Agent exporter (env DEVSTACK_PROMETHEUS=0)",
    )
    parser.add_argument(
        "--no-threads-adaptor",
        action="store_true",
        default=os.environ.get("DEVSTACK_THREADS_ADAPTOR", "1") == "0",
        help="don't start the demo threads-adaptor the Threads-Agent sync pulls (env DEVSTACK_THREADS_ADAPTOR=0)",
    )
    args = parser.parse_args()
    overrides = dict(pair.split("=", 1) for pair in args.parameter_overrides if "=" in pair)

    stack = LocalStack(
        port=args.port,
        admin_token=args.admin_token,
        data_dir=args.data_dir,
        dynamodb_port=args.dynamodb_port,
        built=args.built,
        schedule_every=args.schedule_every,
        parameter_overrides=overrides,
        demo_prometheus=not args.no_prometheus,
        demo_threads_adaptor=not args.no_threads_adaptor,
    )
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    try:
        stack.start(log=lambda line: print(f"[devstack] {line}", flush=True))
        assert stack.gateway is not None
        assert stack.dynamodb is not None
        assert stack.services is not None
        print(
            "\n".join(
                [
                    "",
                    "  Achievement Collector is running locally",
                    f"  API       {stack.gateway.url}   (header Authorization: Bearer {args.admin_token})",
                    f"  admin     {args.admin_token}   (the bootstrap admin token; POST /tokens issues others)",
                    f"  data      {(args.data_dir / 'dynamodb').resolve()}   (kept between runs)",
                    f"  DynamoDB  {stack.dynamodb.endpoint}   (tables {', '.join(stack.table_names.values())})",
                    f"  SQS, Secrets Manager, SSM  {stack.services.endpoint}   (in memory)",
                    *(
                        [f"  Prometheus  {stack.prometheus.url}   (demo Threads-Agent metrics)"]
                        if stack.prometheus is not None
                        else []
                    ),
                    *(
                        [f"  threads-adaptor  {stack.threads_adaptor.url}   (demo posts; synced on schedule)"]
                        if stack.threads_adaptor is not None
                        else []
                    ),
                    "  stop      Ctrl-C",
                    "",
                ]
            ),
            flush=True,
        )
        stopping.wait()
    finally:
        print("[devstack] stopping...", flush=True)
        stack.stop()
        print("[devstack] stopped", flush=True)


if __name__ == "__main__":
    main()
