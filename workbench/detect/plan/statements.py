"""The executor contract between the pack plan and an engine.

A window of the rule pack is a handful of `Statement`s — Athena (Trino) SQL over the log tables,
each bounded by the engine to its `window` like any query — that an engine runs with
`Engine.run_plan(statements)`. The answer is one entry per statement, in order: its
`StatementResult` (the engine's `Result`: rows, query id, bytes scanned, cost, elapsed time) or
the exception it raised, so one failed statement fails only the rules it serves.

The default (`workbench.engines.base.Engine.run_plan`) hands them to the engine's `run_batch`
with a window each: one after another on the base engine, concurrently under a deadline per
statement on Athena (whose `run_batch` submits a batch at once). An engine may override `run_plan`
itself; the plan only assumes that statements given together do not depend on one another.
(The name is not `run_statements`: the Athena engine's lower-level `run_statements` takes
already-bound statements and returns its own per-statement records.)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from workbench.engines.base import Result
from workbench.timewindow import Window

if TYPE_CHECKING:
    from collections.abc import Sequence

StatementKind = Literal["census", "scan", "rule"]

StatementResult = Result
"""What an engine returns for a statement that ran (the same record as any query's)."""


@dataclass(frozen=True)
class Statement:
    """One statement of a window's plan.

    `sql` is Athena SQL over the catalog's log tables, not yet bounded: the engine adds the window
    (partition and time predicates) as it does for any query, so every engine prunes the same way.
    """

    sql: str
    window: Window | None
    kind: StatementKind
    table: str | None = None
    rules: tuple[str, ...] = ()
    """Ids of the rules whose answers come from this statement (for labels, deadlines and shares)."""

    @property
    def label(self) -> str:
        served = ", ".join(self.rules[:3]) + (f" and {len(self.rules) - 3} more" if len(self.rules) > 3 else "")  # noqa: PLR2004
        return f"{self.kind} of {self.table or 'several tables'} for {served or 'no rule'}"


class StatementExecutor(Protocol):
    """What the plan needs of an engine (every `Engine` is one)."""

    def run_plan(self, statements: Sequence[Statement]) -> list[StatementResult | Exception]:
        """One answer per statement, in order: its result, or the exception it raised."""
        ...
