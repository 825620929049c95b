"""The hunting magics: `%%athena`, `%ask`/`%%ask`, `%hunt`, `%wb` (loaded by `%load_ext workbench`).

Thin, as IPython's own display magics are: options through `@magic_arguments`, user mistakes as
one-line `UsageError`s, the work in `workbench.session.Session`. Nothing is written into the
user's namespace except the frame asked for with `-o NAME`.
"""

from __future__ import annotations

import shlex
from typing import Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, cell_magic, line_cell_magic, line_magic, magics_class
from IPython.core.magic_arguments import argument, magic_arguments, parse_argstring

from workbench.magics.binding import bind_from_namespace
from workbench.magics.display import show_outcome, show_table, show_text
from workbench.magics.errors import explain_sql_error
from workbench.session import Outcome, Session
from workbench.unsafe import UNSAFE_HELP

# Mistakes a person can fix from the message alone; anything else is a bug and keeps its traceback.
_USER_ERRORS: tuple[type[BaseException], ...] = (ValueError, KeyError, RuntimeError)


def _one_line(exc: BaseException) -> str:
    # A plain KeyError's str() is the repr of its key (quotes and all); subclasses may say better.
    plain_key_error = isinstance(exc, KeyError) and type(exc).__str__ is KeyError.__str__ and exc.args
    text = str(exc.args[0]) if plain_key_error else str(exc)
    return " ".join(text.split())


def _query_error(exc: BaseException, sql: str | None = None) -> UsageError:
    """A failed query as one line an Athena user recognises (see `errors`); other mistakes as they are."""
    from workbench.engines import EngineError
    from workbench.sqlguard import GuardError

    if isinstance(exc, GuardError | EngineError):
        return UsageError(explain_sql_error(exc, sql))
    return UsageError(_one_line(exc))


def _window_options(func: Any) -> Any:
    for decorator in reversed((
        argument("--engine", "-e", help="engine for this query (local, athena)"),
        argument("--window", "-w", help="time window ending now, e.g. 24h; default: the session window"),
        argument("--start", help="window start (ISO 8601)"),
        argument("--end", help="window end (ISO 8601, default now)"),
        argument("--limit", "-l", type=int, help="row limit (capped by guard.max_limit)"),
        argument("--dry-run", "-n", action="store_true", help="show the SQL as it would run; run nothing"),
        argument("-o", "--output", dest="output", metavar="NAME", help="store the DataFrame in this variable"),
    )):
        func = decorator(func)
    return func


@magics_class
class WorkbenchMagics(Magics):
    def __init__(self, shell: Any, session: Session | None = None) -> None:
        super().__init__(shell)
        self._session = session

    @property
    def session(self) -> Session:
        if self._session is None:
            try:
                self._session = Session()
            except _USER_ERRORS as exc:
                raise UsageError(_one_line(exc)) from None
        return self._session

    def _deliver(self, outcome: Outcome, output: str | None, show_sql: bool = False) -> None:
        show_outcome(outcome, show_sql=show_sql)
        if output and outcome.result is not None:
            self.shell.user_ns[output] = outcome.result.frame

    def _failed_sql(self) -> str | None:
        """The SQL of the query that just failed, as the history recorded it (hunts and %ask make their own)."""
        recent = self.session.history.recent(1)
        return recent[0].sql if recent and recent[0].status in ("error", "refused") else None

    def _window(self, args: Any) -> Any:
        if args.window or args.start or args.end:
            return self.session.window(args.window, args.start, args.end)
        return None

    @cell_magic
    @magic_arguments()
    @_window_options
    @argument("--unsafe", action="store_true", help=UNSAFE_HELP)
    def athena(self, line: str, cell: str) -> None:
        """Run the cell as Athena SQL; `:name` placeholders take values from the notebook's variables."""
        args = parse_argstring(self.athena, line)
        sql = cell
        try:
            sql = bind_from_namespace(cell, self.shell.user_ns)
            outcome = self.session.run_sql(sql, window=self._window(args), limit=args.limit, dry_run=args.dry_run,
                                           unsafe=args.unsafe, engine=args.engine)
        except _USER_ERRORS as exc:
            raise _query_error(exc, sql) from None
        self._deliver(outcome, args.output, show_sql=args.dry_run)

    @line_cell_magic
    @magic_arguments()
    @_window_options
    @argument("--explain", action="store_true",
              help="with a question: ask it, then show its intent; alone: explain the last query")
    @argument("question", nargs="*", help="the question in English")
    def ask(self, line: str, cell: str | None = None) -> None:
        """Ask in English: the SQL is shown with a one-line explanation, guarded, and run."""
        args = parse_argstring(self.ask, line)
        question = " ".join([*args.question, cell or ""]).strip()
        if args.explain and not question:
            self._explain_last()
            return
        if not question:
            raise UsageError('ask a question, e.g. %ask failed console logins in the last 24 hours')
        try:
            outcome = self.session.ask(question, window=self._window(args), dry_run=args.dry_run,
                                       engine=args.engine, limit=args.limit)
        except _USER_ERRORS as exc:
            raise _query_error(exc, self._failed_sql()) from None
        self._deliver(outcome, args.output, show_sql=True)
        if args.explain:
            self._explain_last()

    def _explain_last(self) -> None:
        from workbench.nl.explain import explain_outcome

        if self.session.last is None:
            raise UsageError("no query to explain yet: run %ask, %%athena or %hunt first")
        show_text(explain_outcome(self.session.last))

    @line_magic
    @magic_arguments()
    @_window_options
    @argument("name", nargs="?", help="the hunt; omit to list the library")
    @argument("params", nargs="*", help="parameters as key=value")
    def hunt(self, line: str) -> None:
        """Run a saved hunt: `%hunt suspicious_ip ip=203.0.113.42`; `%hunt` alone lists them."""
        args = parse_argstring(self.hunt, line)
        try:
            if not args.name:
                show_table(hunt_listing(self.session.hunts()), wrap=True)
                return
            values = parse_params(args.params)
            outcome = self.session.hunt(args.name, values, window=self._window(args), dry_run=args.dry_run,
                                        engine=args.engine, limit=args.limit)
        except _USER_ERRORS as exc:
            raise _query_error(exc, self._failed_sql()) from None
        self._deliver(outcome, args.output, show_sql=args.dry_run)

    @line_magic
    def wb(self, line: str) -> None:
        """The session: `%wb`, `%wb engine local`, `%wb window 24h | START END`, `%wb limit 500`,
        `%wb provider offline`, `%wb history [N]`."""
        try:
            words = shlex.split(line)
            wb_command(self.session, words)
        except _USER_ERRORS as exc:
            raise UsageError(_one_line(exc)) from None


def parse_params(words: list[str]) -> dict[str, str]:
    values: dict[str, str] = {}
    for word in words:
        key, sep, value = word.partition("=")
        if not sep or not key:
            raise ValueError(f"hunt parameters are key=value, got {word!r}: e.g. %hunt suspicious_ip ip=203.0.113.42")
        values[key] = value
    return values


def hunt_listing(hunts: dict[str, Any]) -> Any:
    import pandas as pd

    rows = [{"hunt": h.name, "title": h.title, "tables": ", ".join(h.tables),
             "parameters": ", ".join(f"{k}={p.example if p.example is not None else '…'}"
                                     + (f" (default {p.default})" if p.default is not None else "")
                                     for k, p in h.parameters.items()) or "—",
             "usage": f"%hunt {h.usage()}"} for h in hunts.values()]
    return pd.DataFrame(rows)


def wb_command(session: Session, words: list[str]) -> None:
    if not words:
        show_text("\n".join(f"{k:12} {v}" for k, v in session.describe().items()))
        return
    command, rest = words[0], words[1:]
    if command == "engine" and len(rest) == 1:
        session.set_engine(rest[0])
    elif command == "window" and len(rest) in (1, 2):
        session.set_window(rest[0], rest[1] if len(rest) == 2 else None)
    elif command == "limit" and len(rest) == 1 and rest[0].isdigit():
        session.set_row_limit(int(rest[0]))
    elif command == "provider" and len(rest) == 1:
        session.set_provider(None if rest[0] == "default" else rest[0])
    elif command == "history" and len(rest) <= 1 and all(r.isdigit() for r in rest):
        # Columns nobody filled (no NL provider, no cost on the local engine) are noise, not information.
        show_table(session.history.frame(int(rest[0]) if rest else 20).dropna(axis=1, how="all"),
                   wrap=("question", "sql", "error"))
        return
    else:
        raise ValueError(
            f"cannot read '%wb {' '.join(words)}': use %wb, %wb engine NAME, %wb window 24h | START END, "
            "%wb limit N, %wb provider offline|anthropic|default, %wb history [N]"
        )
    show_text("\n".join(f"{k:12} {v}" for k, v in session.describe().items()))


def load(shell: Any) -> WorkbenchMagics:
    from workbench.magics.questionmark import register

    magics = WorkbenchMagics(shell)
    shell.register_magics(magics)
    register(shell)  # `%ask … ?` is a question, not IPython's help syntax
    return magics


def unload(shell: Any) -> None:
    """Remove exactly the magics this extension registered (IPython has no public unregister)."""
    manager = shell.magics_manager
    for kind, names in (("line", ("ask", "hunt", "wb")), ("cell", ("athena", "ask"))):
        for name in names:
            bound = manager.magics[kind].get(name)
            if getattr(bound, "__self__", None).__class__ is WorkbenchMagics:
                del manager.magics[kind][name]
    manager.registry.pop("WorkbenchMagics", None)
    from workbench.magics.questionmark import unregister

    unregister(shell)
