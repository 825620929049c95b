"""Mantissa workbench: hunt, detect and investigate over AWS security logs.

Heavy pieces (DuckDB, pandas, boto3, IPython) are imported only when used, so
`import workbench` stays cheap for the CLI and for papermill kernels.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from workbench.detect.backtest import Backtest


def backtest(rule: Any, start: Any, end: Any, engine: Any = None, max_threshold: int | None = None) -> Backtest:
    """Run a rule (a Rule, a rule id or a YAML path) over history without writing alerts."""
    from pathlib import Path

    from workbench.detect.backtest import backtest as run_backtest
    from workbench.rules import Rule, RuleLoadError, load_rules

    if not isinstance(rule, Rule):
        if Path(str(rule)).suffix in {".yaml", ".yml"}:
            # Through the loader, so the tuning files that apply to the path bind the rule's
            # allowlists and overrides, as they do for `mantissa detect`.
            loaded = load_rules([rule])
            if not loaded.rules:
                raise RuleLoadError(loaded.errors)
            rule = loaded.rules[0]
        else:
            from workbench.config import load_settings
            from workbench.resources import search_paths

            ruleset = load_rules(search_paths("rules", load_settings()))
            by_id = {r.id: r for r in ruleset.rules}
            if rule not in by_id:
                from workbench.registry import unknown_name_message

                raise KeyError(unknown_name_message("rule", str(rule), list(by_id)))
            rule = by_id[rule]
    return run_backtest(rule, start, end, engine=engine, max_threshold=max_threshold)


def triage(settings: Any = None, **options: Any) -> Any:
    """The alert triage widget: filter, sort, page, open an alert, act on it (ipywidgets)."""
    from workbench.widgets import triage as make_triage

    return make_triage(settings, **options)


def window_picker(session: Any = None, settings: Any = None) -> Any:
    """A widget that sets the session window %%athena, %ask and %hunt use."""
    from workbench.widgets import window_picker as make_picker

    return make_picker(session, settings)


def load_ipython_extension(ipython: Any) -> None:
    """`%load_ext workbench`: register %%athena, %ask, %hunt and %wb (IPython imported only here)."""
    from workbench.magics import load

    load(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    """`%unload_ext workbench`: remove the magics this extension registered, and nothing else."""
    from workbench.magics import unload

    unload(ipython)
