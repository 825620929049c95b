"""One shape for every problem found in a rule, at load time or by lint."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

Level = Literal["error", "warning"]


@dataclass(frozen=True)
class LintIssue:
    """A problem in one rule file: where it is, which rule and field, and what to do."""

    path: Path | None
    line: int
    rule_id: str | None
    field: str
    message: str
    level: Level = "error"

    @property
    def location(self) -> str:
        return f"{display_path(self.path)}:{self.line}"

    def format(self) -> str:
        """`file:line: rule-id: field: message` — the form editors and CI logs link to."""
        prefix = "warning: " if self.level == "warning" else ""
        return f"{self.location}: {self.rule_id or '-'}: {self.field or '-'}: {prefix}{self.message}"

    def __str__(self) -> str:
        return self.format()


def display_path(path: Path | None) -> str:
    """Relative to the current folder when under it (shorter, clickable), else as given."""
    if path is None:
        return "<string>"
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if rel.startswith("..") else rel
