"""Who is taking the exercise: asked once, never guessed from the OS login.

In a container every trainee's login is `root`, so the login says nothing about who answered. The
name comes, first found, from: the notebook's `trainee` parameter (papermill, an instructor's run),
JupyterHub's `JUPYTERHUB_USER` (the hub already knows who logged in), or the name the trainee typed
once (`ex.start(name=...)` or the name box) and saved in the workspace's `trainee.json` so a
restarted kernel does not ask again. With none of these the attempt has no name, and says so
wherever a name would appear; it never falls back to `getpass.getuser()`.

Not a `MANTISSA_*` variable: those are settings overrides, and settings refuse keys they do not know.
"""

from __future__ import annotations

import json
import os
import unicodedata
from pathlib import Path

from workbench.training.workspace import TrainingError

NAME_FILE = "trainee.json"
HUB_VARIABLE = "JUPYTERHUB_USER"
MAX_LENGTH = 80
SAVED = "saved in this workspace"
TYPED = "typed here"


def clean_name(name: object, where: str = "trainee name") -> str:
    """A name fit for a score table: one line of printable text, 1-80 characters."""
    text = " ".join(str(name if name is not None else "").split())
    if not text:
        raise TrainingError(f"{where}: empty; type the name your instructor knows you by")
    if len(text) > MAX_LENGTH:
        raise TrainingError(f"{where}: {len(text)} characters; keep it under {MAX_LENGTH + 1}")
    if any(unicodedata.category(ch).startswith("C") for ch in text):
        raise TrainingError(f"{where}: holds control characters; type it again as plain text")
    return text


def saved_name(root: Path) -> str:
    """The name saved in the workspace, or "" (a missing or unreadable file asks again)."""
    try:
        data = json.loads((root / NAME_FILE).read_text())
        return clean_name(data.get("name") if isinstance(data, dict) else None)
    except (OSError, ValueError):  # TrainingError is a ValueError: a damaged name is asked again
        return ""


def save_name(root: Path, name: str) -> None:
    (root / NAME_FILE).write_text(json.dumps({"name": name}) + "\n")


def resolve(explicit: str, root: Path, environ: dict[str, str] | None = None) -> tuple[str, str]:
    """(name, where it came from); ("", "") when nobody has said who the trainee is."""
    environ = dict(os.environ if environ is None else environ)
    if explicit and explicit.strip():
        return clean_name(explicit, "the `trainee` parameter"), "the notebook's trainee parameter"
    if environ.get(HUB_VARIABLE, "").strip():
        return clean_name(environ[HUB_VARIABLE], HUB_VARIABLE), "JupyterHub"
    if name := saved_name(root):
        return name, SAVED
    return "", ""
