"""Writes environment.yml from requirements/dev.lock, so conda installs the same versions as `make test`.

`make lock` runs it after re-resolving; tests/test_packaging.py checks that the two agree.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*(?:\[[^\]]*\])?)==([^\s;\\]+)")

HEADER = """\
# Generated from requirements/dev.lock by requirements/write_environment.py (`make lock`): do not edit.
# The same exact versions as `make test` installs: `conda env create -f environment.yml`.
name: mantissa
channels:
  - conda-forge
dependencies:
  - python=3.11
  - pip
  - pip:
"""


def locked_pins(lock: Path) -> list[tuple[str, str]]:
    """(name, version) for every package the lock pins, in the lock's order."""
    return [(m.group(1), m.group(2)) for line in lock.read_text().splitlines() if (m := PIN.match(line))]


def render(pins: list[tuple[str, str]]) -> str:
    lines = [f"      - {name}=={version}" for name, version in pins]
    lines.append("      # the workbench itself, from this checkout")
    lines.append("      - -e .")
    return HEADER + "\n".join(lines) + "\n"


def main() -> None:
    (ROOT / "environment.yml").write_text(render(locked_pins(ROOT / "requirements" / "dev.lock")))


if __name__ == "__main__":
    main()
