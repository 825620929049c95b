"""Where rules, playbooks, hunts and notebooks are found: bundled with the package, and the workspace.

An installed wheel carries a copy under `workbench/bundled/<kind>` (populated at build time). A
source checkout or editable install has none and uses the repository's top-level folder of the
same name, so editing `rules/` in a checkout takes effect without a rebuild.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import workbench
from workbench.registry import unknown_name_message

if TYPE_CHECKING:
    from workbench.config import Settings

KINDS: tuple[str, ...] = ("rules", "playbooks", "hunts", "notebooks")
# Settings fields that add search folders for a kind.
_EXTRA_PATHS = {"rules": "rules_paths", "hunts": "hunts_paths"}


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(unknown_name_message("resource kind", kind, list(KINDS)))


def bundled_dir(kind: str) -> Path | None:
    """The bundled folder for `kind`, or None when neither a bundled copy nor a checkout has one."""
    _check_kind(kind)
    package = Path(workbench.__file__).resolve().parent
    for candidate in (package / "bundled" / kind, package.parent / kind):
        if candidate.is_dir():
            return candidate
    return None


def search_paths(kind: str, settings: Settings | None = None) -> list[Path]:
    """Workspace folder (if it exists), then configured extra paths, then the bundled copy.

    Configured paths are kept even when missing, so the loader can say they are missing; the
    same folder reached twice (a checkout used as its own workspace) appears once.
    """
    _check_kind(kind)
    candidates: list[Path] = []
    if settings is not None:
        workspace_dir = settings.workspace / kind
        if workspace_dir.is_dir():
            candidates.append(workspace_dir)
        field = _EXTRA_PATHS.get(kind)
        if field:
            candidates.extend(settings.resolve(Path(p)) for p in getattr(settings, field))
    bundled = bundled_dir(kind)
    if bundled is not None:
        candidates.append(bundled)
    out: list[Path] = []
    seen: set[Path] = set()
    for path in candidates:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            out.append(path)
    return out
