"""The JSON Schemas of the bus's events, generated from the code into shared/events/.

.venv/bin/python -m devstack.event_schemas           # (re)write shared/events/*.schema.json   (make schemas)
.venv/bin/python -m devstack.event_schemas --check   # exit 1 when a file is not what the code generates
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from devstack.template import ROOT

OUTPUT = ROOT / "shared" / "events"


def rendered() -> dict[str, str]:
    sys.path.insert(0, str(ROOT / "layers" / "core"))
    from achievements.pipeline.schemas import event_schemas

    return {name: json.dumps(schema, indent=2, sort_keys=True) + "\n" for name, schema in event_schemas().items()}


def stale(output: Path = OUTPUT) -> list[str]:
    """Files missing, different or extra in `output` compared with what the code generates."""
    expected = rendered()
    present = {path.name: path.read_text() for path in output.glob("*.schema.json")} if output.exists() else {}
    names = expected.keys() | present.keys()
    return sorted(name for name in names if expected.get(name) != present.get(name))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail when shared/events/ is out of date")
    args = parser.parse_args(argv)
    if args.check:
        drift = stale()
        for name in drift:
            print(f"shared/events/{name} differs from the code: run make schemas", file=sys.stderr)
        return 1 if drift else 0
    OUTPUT.mkdir(parents=True, exist_ok=True)
    for path in OUTPUT.glob("*.schema.json"):
        path.unlink()
    for name, text in rendered().items():
        (OUTPUT / name).write_text(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
