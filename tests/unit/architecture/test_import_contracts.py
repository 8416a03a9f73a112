"""The import contracts `make check` runs (pyproject.toml [tool.importlinter]) hold, and fail on a planted violation."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(layer: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(ROOT / "pyproject.toml")],
        cwd=layer,
        env={"PYTHONPATH": str(layer), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def layer_copy(tmp_path: Path) -> Path:
    """A copy of the core layer's package, to plant violations in."""
    shutil.copytree(ROOT / "layers/core/achievements", tmp_path / "achievements")
    return tmp_path


def test_the_layer_keeps_every_contract() -> None:
    # Given the layer as it is, When the contracts are checked
    result = lint_imports(ROOT / "layers/core")
    # Then all of them hold
    contracts = (ROOT / "pyproject.toml").read_text().count("[[tool.importlinter.contracts]]")
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{contracts} kept, 0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "planted", "contract"),
    [
        ("threads/rules.py", "import httpx", "Pure files"),
        ("kpi/texts.py", "import boto3", "Pure files"),
        ("prometheus/drafts.py", "from achievements.store import AchievementStore", "Pure files"),
        ("analysis/offline.py", "import openai", "Pure files"),
        ("kpi/service.py", "from achievements.threads.rules import is_viral", "Features reach each other"),
        ("store/reads.py", "from achievements.insights import models", "The kernel"),
        ("core/models.py", "from achievements.http import resolver", "The kernel"),
        ("github/settings.py", "from pydantic_settings import BaseSettings", "Settings import no"),
        ("render/charts.py", "import boto3", "Pure files"),
        ("reviews/summary.py", "import openai", "Pure files"),
        ("reviews/service.py", "from achievements.insights import portfolio", "Features reach each other"),
        ("render/page.py", "from achievements.reviews import models", "The kernel"),
    ],
    ids=[
        "rules-httpx",
        "texts-boto3",
        "drafts-store",
        "offline-openai",
        "feature-to-feature",
        "store-up",
        "core-up",
        "settings-library",
        "render-boto3",
        "summary-openai",
        "reviews-to-insights",
        "render-up",
    ],
)
def test_a_planted_violation_breaks_its_contract(layer_copy: Path, module: str, planted: str, contract: str) -> None:
    # Given one forbidden import planted in a copy of the layer
    path = layer_copy / "achievements" / module
    path.write_text(path.read_text() + f"\n{planted}  # planted by the test\n")
    # When the contracts are checked
    result = lint_imports(layer_copy)
    # Then the check fails, naming the broken contract
    assert result.returncode != 0
    broken = [line for line in result.stdout.splitlines() if line.endswith("BROKEN")]
    assert any(line.startswith(contract) for line in broken), result.stdout
