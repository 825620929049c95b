"""Sigma import: AWS CloudTrail Sigma rules → our rule format, with pySigma and a backend of our own.

- `convert_sigma(paths) -> list[SigmaOutcome]`: convert, write nothing.
- `import_sigma(paths, out_dir) -> list[SigmaOutcome]`: convert and write one YAML per converted
  rule to `out_dir/<id>.yaml` (`outcome.written`).

pySigma is optional (`pip install 'mantissa-workbench[sigma]'`); it is imported only here, when a
function is called, and its absence raises `SigmaUnavailable` saying what to install.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from workbench.rules.sigma.convert import SigmaOutcome

INSTALL_HINT = "pip install 'mantissa-workbench[sigma]'"


class SigmaUnavailable(ImportError):
    """pySigma is not installed."""


def _convert_module():  # type: ignore[no-untyped-def]
    try:
        import sigma.conversion.base  # noqa: F401
    except ImportError as exc:
        raise SigmaUnavailable(f"Sigma import needs pySigma, which is not installed ({exc}); "
                               f"run: {INSTALL_HINT}") from None
    from workbench.rules.sigma import convert

    return convert


def convert_sigma(paths: Iterable[Path | str]) -> list[SigmaOutcome]:
    """One outcome per Sigma rule found under `paths` (files, or folders searched for .yml/.yaml)."""
    return _convert_module().convert_paths(paths)


def import_sigma(paths: Iterable[Path | str], out_dir: Path | str) -> list[SigmaOutcome]:
    """Convert and write each converted rule to `out_dir/<id>.yaml`; skipped rules say why."""
    from workbench.rules.sigma.output import dump_rule

    outcomes = convert_sigma(paths)
    out = Path(out_dir)
    for outcome in outcomes:
        if outcome.status != "converted" or outcome.rule is None:
            continue
        out.mkdir(parents=True, exist_ok=True)
        target = out / f"{outcome.rule['id']}.yaml"
        target.write_text(dump_rule(outcome.rule), encoding="utf-8")
        outcome.written = target
    return outcomes


__all__ = ["INSTALL_HINT", "SigmaUnavailable", "convert_sigma", "import_sigma"]
