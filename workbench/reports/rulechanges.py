"""New and changed rules in a period: from git history when the rule files are in a git checkout,
else from file modification times.

Git (one `git log` per rule folder): a commit in the period that adds a rule's file marks it *new*,
one that modifies it marks it *changed* (author and commit shown). Outside git, mtimes cannot tell
new from changed, so every rule file modified in the period is listed as *modified*; the `source`
column says which method was used. Uncommitted edits in a checkout show up as *modified (uncommitted)*.
"""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

COLUMNS = ["rule", "change", "when", "who", "commit", "file", "source"]
_CHANGES = {"A": "new", "M": "changed", "R": "changed", "C": "new"}


def _git(folder: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, timeout=60,
                              check=False)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return done.stdout if done.returncode == 0 else None


def _git_log(folder: Path, start: datetime, end: datetime) -> list[dict[str, Any]] | None:
    """Changes under `folder` in [start, end) as rows keyed by absolute file; None when not in git."""
    if _git(folder, "rev-parse", "--is-inside-work-tree") is None:
        return None
    out = _git(folder, "log", "--relative", "--format=%x00%at%x09%an%x09%h", "--name-status",
               f"--since={start.timestamp():.0f}", f"--until={end.timestamp():.0f}", "--", ".")
    rows: list[dict[str, Any]] = []
    for block in (out or "").split("\x00")[1:]:
        lines = [line for line in block.splitlines() if line.strip()]
        if not lines:
            continue
        stamp, author, sha = (lines[0].split("\t") + ["", ""])[:3]
        when = datetime.fromtimestamp(int(stamp), UTC)
        if not start <= when < end:
            continue
        for line in lines[1:]:
            parts = line.split("\t")
            code, name = parts[0][:1], parts[-1]
            if code in _CHANGES:
                rows.append({"file": (folder / name).resolve(), "change": _CHANGES[code], "when": when,
                             "who": author, "commit": sha})
    dirty = _git(folder, "status", "--porcelain", "--", ".")
    top = _git(folder, "rev-parse", "--show-toplevel")
    for line in (dirty or "").splitlines():
        if top and len(line) > 3:
            path = (Path(top.strip()) / line[3:].strip()).resolve()
            if path.is_file():
                modified = datetime.fromtimestamp(path.stat().st_mtime, UTC)
                if start <= modified < end:
                    rows.append({"file": path, "change": "modified (uncommitted)", "when": modified, "who": None,
                                 "commit": None})
    return rows


def rule_changes(rules: list[Any], roots: list[Path], start: datetime, end: datetime,
                 only_roots: bool = False) -> pd.DataFrame:
    """One row per change to a rule's file in [start, end) (a rule changed twice has two rows).
    `roots` are the rule folders (`search_paths("rules")`): their history is read once each. With
    `only_roots`, rules whose file lies outside every root (the bundled pack) are left out."""
    roots = [Path(r).resolve() for r in roots]
    logs: dict[Path, list[dict[str, Any]] | None] = {}
    rows: list[dict[str, Any]] = []
    for rule in rules:
        path = getattr(rule, "source_path", None)
        if path is None or not Path(path).is_file():
            continue
        path = Path(path).resolve()
        folder = next((r for r in roots if r in path.parents), None)
        if folder is None:
            if only_roots:
                continue
            folder = path.parent
        if folder not in logs:
            logs[folder] = _git_log(folder, start, end)
        changes = logs[folder]
        if changes is not None:
            rows += [{**c, "rule": rule.id, "file": str(path), "source": "git"} for c in changes if c["file"] == path]
            continue
        modified = datetime.fromtimestamp(path.stat().st_mtime, UTC)
        if start <= modified < end:
            rows.append({"rule": rule.id, "change": "modified", "when": modified, "who": None, "commit": None,
                         "file": str(path), "source": "mtime"})
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return frame.sort_values(["when", "rule"]).reset_index(drop=True) if not frame.empty else frame
