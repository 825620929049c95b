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
        self._syncing = False
        self.mode = W.ToggleButtons(options=[*PRESETS, FIXED], value=None,
                                    description="window", style={"button_width": "56px"},
                                    tooltips=[f"the last {p}, ending when each query runs" for p in PRESETS]
                                    + ["a fixed start and end (UTC)"])
        self.start = W.Text(description="start (UTC)", placeholder="2026-11-18T00:00:00Z")
        self.end = W.Text(description="end (UTC)", placeholder="2026-11-20T00:00:00Z")
        self.apply = W.Button(description="Apply", button_style="primary", tooltip="use this start and end")
        self.status = W.HTML()
        self.fixed_row = W.HBox([self.start, self.end, self.apply])
        self.mode.observe(self._on_mode, names="value")
        self.apply.on_click(lambda _: self.set_fixed(self.start.value, self.end.value))
        super().__init__([self.mode, self.fixed_row, self.status])
        # `%wb window …` and other pickers change the same session: this one shows what is in force.
        session.on_window_change(self._sync)
        self._sync()

    # Public: what a click does, callable from code and tests alike.
    def set_rolling(self, duration: str) -> Window:
        return self.session.set_window(duration)  # the session calls _sync

    def set_fixed(self, start: str, end: str) -> Window | None:
        try:
            return self.session.set_window(start, end)
        except ValueError as exc:
            self.status.value = f'<span style="color:#C62828">{esc(exc)}</span>'
            return None

    @property
    def window(self) -> Window:
        return self.session.window()

    def _sync(self) -> None:
        """Show the session's window: its preset highlighted (none for another duration such as 3d, 'fixed'
        for a fixed window) and the start/end boxes holding exactly the window in force."""
        rolling = self.session.rolling()
        current = self.session.window()
        self._syncing = True
        try:
            self.mode.value = FIXED if rolling is None else (rolling if rolling in PRESETS else None)
            self.start.value, self.end.value = iso_z(current.start), iso_z(current.end)
        finally:
            self._syncing = False
        self.fixed_row.layout.display = "" if rolling is None else "none"
        self._report()

    def _on_mode(self, change: dict[str, Any]) -> None:
        if self._syncing:
            return
        if change["new"] in PRESETS:
            self.set_rolling(change["new"])
        elif change["new"] == FIXED:
            # Start from the window in force (rolling now, pinned): Apply keeps it, or edit the boxes first.
            current = self.session.window()
            self.start.value, self.end.value = iso_z(current.start), iso_z(current.end)
            self.fixed_row.layout.display = ""
            self.status.value = ("<span style='opacity:.8'>edit start and end, then Apply — until then the session "
                                 f"window stays <b>{esc(self.session.describe()['window'])}</b></span>")

    def _report(self) -> None:
        described = self.session.describe()["window"]
        self.status.value = (f"<span style='opacity:.8'>session window: <b>{esc(described)}</b> — "
                             "used by %%athena, %ask, %hunt and the triage widget's “session window” filter</span>")


def window_picker(session: Session | None = None, settings: Any = None) -> WindowPicker:
    from workbench.widgets.workspace import shared_session

    return WindowPicker(session or shared_session(settings))
