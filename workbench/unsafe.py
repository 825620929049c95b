"""What `--unsafe` (on `%%athena` and `mantissa query`) skips and keeps, said once for every face.

A module of its own outside `workbench.sqlguard`, so the CLI can show the help without importing
the guard (and with it sqlglot and pandas) for `mantissa --help`.
"""

UNSAFE_HELP = (
    "skip the guard's shape and cost checks (LIMIT cap, scan budget, WITH RECURSIVE, cross joins, "
    "sequence()/repeat() sizes); never skipped: the read boundary (one read-only SELECT over log tables "
    "and CTEs in scope, no file or network function), the window and guard.max_window, and the local "
    "engine's sandbox"
)
UNSAFE_NOTE = "--unsafe: the guard's shape and cost checks were skipped (the read boundary, window and sandbox were not)"
