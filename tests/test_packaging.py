"""The conda environment and pyproject name the same dependencies; the console script exists."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[\s<>=!~;\[]", requirement.strip(), maxsplit=1)[0].lower().replace("_", "-")


def test_environment_yml_names_every_pyproject_dependency() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_name(r) for r in project["dependencies"]}
    for extra in project.get("optional-dependencies", {}).values():
        wanted |= {_name(r) for r in extra}

    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    named = {_name(r) for r in pip_section if not r.startswith("-")}
    conda_python = [d for d in env["dependencies"] if isinstance(d, str) and d.startswith("python")]

    assert conda_python == ["python=3.11"]
    assert wanted - named == set(), f"environment.yml lacks: {sorted(wanted - named)}"
    assert named - wanted == set(), f"environment.yml names packages pyproject does not: {sorted(named - wanted)}"


def test_console_script_is_mantissa() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["mantissa"] == "workbench.cli:app"
    assert project["name"] == "mantissa-workbench"
