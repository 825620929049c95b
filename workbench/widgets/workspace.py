"""Which workspace a notebook works in, and the one hunting session the widgets share with the magics."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from workbench.config import Settings
    from workbench.session import Session

_fallback: Session | None = None  # the session outside IPython (scripts, tests)


def use_workspace(workspace: str | Path | None = None) -> Settings:
    """Settings for a notebook: `workspace` if given, else MANTISSA_WORKSPACE or the nearest folder
    with mantissa.yaml, else the demo's folder (`demo/`, made by `mantissa demo`) here or above.

    The choice is exported as MANTISSA_WORKSPACE in this kernel, so the magics, widgets and
    playbooks started from this notebook all read the same lake and alert store.
    """
    from workbench.config import CONFIG_FILE, ConfigError, find_workspace, load_settings

    if workspace is not None:
        root = Path(workspace).expanduser().resolve()
        if not root.is_dir():
            raise ConfigError(f"workspace {root} does not exist: run `mantissa demo` or give an existing folder")
    elif os.environ.get("MANTISSA_WORKSPACE") or (find_workspace() / CONFIG_FILE).is_file():
        root = find_workspace()
    else:
        here = Path.cwd().resolve()
        demos = [folder / "demo" for folder in (here, *here.parents) if (folder / "demo" / CONFIG_FILE).is_file()]
        if not demos:
            raise ConfigError(f"no workspace found from {here}: run `mantissa demo` (makes ./demo), set "
                              "MANTISSA_WORKSPACE, or pass use_workspace('path/to/workspace')")
        root = demos[0]
    os.environ["MANTISSA_WORKSPACE"] = str(root)
    return load_settings(root)


def _magics(shell: Any) -> Any:
    return shell.magics_manager.registry.get("WorkbenchMagics") if shell is not None else None


def shared_session(settings: Settings | None = None) -> Session:
    """The session `%%athena`, `%ask` and `%hunt` use, so a window picked here applies to them.

    In IPython, that is the `%load_ext workbench` magics' session; the extension is loaded when it
    is not yet (it registers its magics and nothing else). Outside IPython, one session per process.
    """
    global _fallback
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:  # pragma: no cover - IPython is a dependency
        shell = None
    if shell is not None:
        if _magics(shell) is None:
            shell.extension_manager.load_extension("workbench")
        magics = _magics(shell)
        if magics is not None:
            return magics.session
    if _fallback is None or (settings is not None and _fallback.settings.workspace != settings.workspace):
        from workbench.session import Session

        _fallback = Session(settings)
    return _fallback


def lake_window(settings: Settings) -> tuple[str, str]:
    """(start, end) of the days the local lake holds, from its partition folders — where a replayed
    incident or the demo's synthetic week lies, so the session window can be pointed at it."""
    from datetime import date, timedelta

    days = []
    for folder in Path(settings.lake).glob("*/year=*/month=*/day=*"):
        try:
            y, m, d = (int(part.split("=", 1)[1]) for part in folder.parts[-3:])
            days.append(date(y, m, d))
        except ValueError:
            continue  # a stray folder is not a partition
    if not days:
        raise ValueError(f"no partitions under {settings.lake}: ingest logs (mantissa lake ingest) or run "
                         "`mantissa demo` first")
    return min(days).isoformat(), (max(days) + timedelta(days=1)).isoformat()
