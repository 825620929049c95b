"""The lock covers pyproject's dependencies inside their ranges; conda installs the lock; the CLI exists."""

from __future__ import annotations

import importlib.util
import tomllib
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements" / "dev.lock"


def _writer():  # noqa: ANN202 - a module loaded from its path
    spec = importlib.util.spec_from_file_location("write_environment", ROOT / "requirements" / "write_environment.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _locked() -> dict[str, str]:
    return {canonicalize_name(name.split("[")[0]): version for name, version in _writer().locked_pins(LOCK)}


def _pyproject_requirements() -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    named = list(project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        named += extra
    return [Requirement(r) for r in named]


def test_lock_pins_every_pyproject_dependency_inside_its_range() -> None:
    locked = _locked()
    missing = [str(r) for r in _pyproject_requirements() if canonicalize_name(r.name) not in locked]
    assert missing == [], f"requirements/dev.lock lacks {missing}: run `make lock` and commit the lock"
    outside = [f"{r} (locked {locked[canonicalize_name(r.name)]})" for r in _pyproject_requirements()
               if not r.specifier.contains(locked[canonicalize_name(r.name)], prereleases=True)]
    assert outside == [], f"locked versions outside pyproject's ranges: {outside}: run `make lock`"


def test_lock_has_hashes_for_every_pin() -> None:
    text = LOCK.read_text()
    blocks = [b for b in text.split("\n") if "==" in b and not b.startswith(("#", " "))]
    assert len(blocks) == len(_locked()) > 50
    assert text.count("--hash=sha256:") >= len(blocks)


def test_environment_yml_is_generated_from_the_lock() -> None:
    writer = _writer()
    expected = writer.render(writer.locked_pins(LOCK))
    assert (ROOT / "environment.yml").read_text() == expected, (
        "environment.yml differs from the lock: run `python requirements/write_environment.py`")


def test_console_script_is_mantissa() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["scripts"]["mantissa"] == "workbench.cli:app"
    assert project["name"] == "mantissa-workbench"


def test_locked_botocore_and_moto_agree_on_athenas_protocol() -> None:
    from tests.conftest import athena_protocol_mismatch

    assert athena_protocol_mismatch() is None


def test_a_protocol_moto_cannot_serve_is_named_in_one_line(monkeypatch) -> None:  # noqa: ANN001
    import botocore.session

    from tests.conftest import athena_protocol_mismatch

    real = botocore.session.Session.get_service_model

    def rest_json_athena(self, name, api_version=None):  # noqa: ANN001, ANN202
        model = real(self, name, api_version)
        if name == "athena":
            model.metadata["protocol"] = "rest-json"
        return model

    monkeypatch.setattr(botocore.session.Session, "get_service_model", rest_json_athena)
    message = athena_protocol_mismatch()
    assert message is not None and "\n" not in message
    assert "rest-json" in message and "moto" in message and "dev.lock" in message
