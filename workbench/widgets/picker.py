"""`workbench.window_picker()`: choose the session window every later `%%athena`, `%ask` and `%hunt` uses.

A rolling preset (last 1h … 30d, ending whenever a query runs) or a fixed start/end in UTC, which is
what replaying an incident needs. The picker writes to the shared session (`Session.set_window`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import ipywidgets as W

from workbench.investigate.html import esc
from workbench.timewindow import Window, iso_z

if TYPE_CHECKING:
    from workbench.session import Session

PRESETS = ["1h", "6h", "24h", "7d", "30d"]
FIXED = "fixed"


class WindowPicker(W.VBox):
    def __init__(self, session: Session) -> None:
        self.session = session
        current = session.window()
        described = session.describe()["window"]  # "last 24h [...]" or "fixed [...]"
        rolling = described.split()[1] if described.startswith("last ") else None
        self.mode = W.ToggleButtons(options=[*PRESETS, FIXED], value=rolling if rolling in PRESETS else FIXED,
                                    description="window", style={"button_width": "56px"},
                                    tooltips=[f"the last {p}, ending when each query runs" for p in PRESETS]
                                    + ["a fixed start and end (UTC)"])
        self.start = W.Text(value=iso_z(current.start), description="start (UTC)", placeholder="2026-11-18T00:00:00Z")
        self.end = W.Text(value=iso_z(current.end), description="end (UTC)", placeholder="2026-11-20T00:00:00Z")
        self.apply = W.Button(description="Apply", button_style="primary", tooltip="use this start and end")
        self.status = W.HTML()
        self.fixed_row = W.HBox([self.start, self.end, self.apply])
        self.mode.observe(self._on_mode, names="value")
        self.apply.on_click(lambda _: self.set_fixed(self.start.value, self.end.value))
        super().__init__([self.mode, self.fixed_row, self.status])
        self._show_fixed(self.mode.value == FIXED)
        self._report()

    # Public: what a click does, callable from code and tests alike.
    def set_rolling(self, duration: str) -> Window:
        window = self.session.set_window(duration)
        self._report()
        return window

    def set_fixed(self, start: str, end: str) -> Window | None:
        try:
            window = self.session.set_window(start, end)
        except ValueError as exc:
            self.status.value = f'<span style="color:#C62828">{esc(exc)}</span>'
            return None
        self._report()
        return window

    @property
    def window(self) -> Window:
        return self.session.window()

    def _show_fixed(self, show: bool) -> None:
        self.fixed_row.layout.display = "" if show else "none"

    def _on_mode(self, change: dict[str, Any]) -> None:
        self._show_fixed(change["new"] == FIXED)
        if change["new"] in PRESETS:
            self.set_rolling(change["new"])

    def _report(self) -> None:
        described = self.session.describe()["window"]
        self.status.value = (f"<span style='opacity:.8'>session window: <b>{esc(described)}</b> — "
                             "used by %%athena, %ask, %hunt and the triage widget's “session window” filter</span>")


def window_picker(session: Session | None = None, settings: Any = None) -> WindowPicker:
    from workbench.widgets.workspace import shared_session

    return WindowPicker(session or shared_session(settings))
