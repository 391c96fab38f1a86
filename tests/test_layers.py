"""The apps keep their layers: `lint-imports` checks the contract in pyproject.toml, and
fails as soon as a lower app imports a higher one."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def contract():
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return config["root_packages"], config["contracts"][0]["layers"]


def lint_imports(where):
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=where,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_layers_run_from_live_at_the_bottom_to_demo_at_the_top():
    """Eight apps, each in its own layer, in the order the architecture gives."""
    packages, layers = contract()
    assert layers == [
        "demo",
        "facilitation",
        "synthesis",
        "participants",
        "workshops",
        "pillars",
        "accounts",
        "live",
    ]
    assert sorted(packages) == sorted(layers)


def test_the_apps_keep_the_contract():
    """No app imports one above it today."""
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 kept, 0 broken" in result.stdout


@pytest.fixture
def copy_of_the_apps(tmp_path):
    """The contract's packages and pyproject.toml, copied to a folder of their own."""
    packages, _ = contract()
    for package in packages:
        shutil.copytree(
            ROOT / package,
            tmp_path / package,
            ignore=shutil.ignore_patterns("__pycache__", "templates", "content"),
        )
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


@pytest.mark.parametrize(
    ("lower", "higher"),
    [
        ("live", "facilitation.renderers"),
        ("accounts", "workshops.models"),
        ("workshops", "participants.models"),
        ("participants", "synthesis.selectors"),
        ("synthesis", "facilitation.selectors"),
    ],
)
def test_an_upward_import_breaks_the_contract(copy_of_the_apps, lower, higher):
    """A module of a lower app that imports a higher one fails the check, named in its output."""
    (copy_of_the_apps / lower / "upward.py").write_text(f"import {higher}  # noqa: F401\n")
    result = lint_imports(copy_of_the_apps)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout
    assert f"{lower}.upward -> {higher}" in result.stdout
