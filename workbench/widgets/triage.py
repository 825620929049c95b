"""`workbench.triage()`: the alert table an analyst works from.

Filters (severity, status, rule, assignee, time range, text), sortable columns, and paging through
the store's page tokens (`list(limit, page_token)` → `Page.next_token`) and `count()`: a page costs
one page of reads whatever the number of alerts (an offset would make the store skip every alert
before it — on DynamoDB, read them). The widget keeps the token that starts each page it has shown,
so *prev* goes back without re-reading from the start; a filter or sort change starts over. The
row widgets are made once and reused for every page, which keeps redraws cheap in the browser.
Every action writes to the store with the analyst's name (JUPYTERHUB_USER or the OS user), then
the table and the open alert refresh.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import ipywidgets as W

from workbench.alerts import AlertStoreError
from workbench.investigate.html import esc, severity_badge, status_badge
from workbench.timewindow import iso_z, parse_duration

if TYPE_CHECKING:
    from workbench.alerts import Alert, AlertStore
    from workbench.config import Settings
    from workbench.engines import Engine
    from workbench.session import Session

# A Dropdown whose value is None shows an empty box, so "any" is the empty string, read back as None.
ANY = ""
SEVERITY_FILTERS = [("any", ANY), ("critical", "critical"), ("high and above", "high"),
                    ("medium and above", "medium"), ("low and above", "low")]
OPEN = ("new", "acknowledged", "investigating")
STATUS_FILTERS: list[tuple[str, Any]] = [("open", OPEN), ("any", ANY), ("new", "new"),
                                         ("acknowledged", "acknowledged"), ("investigating", "investigating"),
                                         ("resolved", "resolved"), ("false positive", "false_positive")]
PERIODS = [("any time", ANY), ("last 24h", "24h"), ("last 7d", "7d"), ("last 30d", "30d"),
           ("session window", "session")]
# (header, sort key or None, grid width). Sized for a notebook at 1280 px with the file browser open
# (about 900 px of output): the title takes what is left and wraps; times are short, ISO on hover.
COLUMNS = [("", None, "22px"), ("severity", "severity", "70px"), ("title", None, "minmax(200px, 3fr)"),
           ("status", "status", "94px"), ("assignee", None, "minmax(74px, .5fr)"), ("count", "count", "48px"),
           ("first seen", "first_seen", "62px"), ("last seen", "last_seen", "62px"),
           ("rule", "rule_id", "minmax(80px, 1fr)")]
LIST_HEIGHT = "360px"  # about ten rows: the detail pane below stays on the first screen
# Scoped to this widget. Titles wrap instead of being cut (six of the demo's start with an ARN), header
# cells stay in view while the list scrolls, and grid cells may shrink below their content's width.
STYLE = """<style>
.mw-triage .mw-grid > * { min-width: 0; }
.mw-triage .mw-grid .widget-html-content { min-width: 0; overflow: hidden; }
.mw-triage .mw-title { background-color: transparent; white-space: normal; width: 100%; height: auto; min-height: 26px; line-height: 1.25; text-align: left;
  overflow: visible; overflow-wrap: anywhere; padding: 3px 4px; }
.mw-triage .mw-head { position: sticky; top: 0; z-index: 2; background: var(--jp-layout-color1, #fff); }
.mw-triage .mw-grid .mw-head.widget-button { padding: 2px 3px; white-space: normal; height: auto; line-height: 1.15;
  text-align: left; overflow: visible; }
.mw-triage .mw-grid .mw-head { align-self: stretch; min-height: 36px; }
.mw-triage .mw-grid .mw-title.mw-open { background-color: rgba(30, 136, 229, .18); box-shadow: inset 4px 0 0 #1E88E5; }
</style>"""
ACTION_LABELS = {"acknowledge": "acknowledged", "investigating": "investigating", "resolve": "resolved",
                 "false_positive": "marked false positive", "assign": "assigned", "note": "noted"}


def _when(moment: datetime) -> str:
    """'Nov 19' over '16:16' (UTC): two short lines fit a narrow column; the full ISO time is the tooltip."""
    utc = moment.astimezone(UTC)
    return (f"<div style='line-height:1.2;font-variant-numeric:tabular-nums' title='{esc(iso_z(moment))}'>"
            f"{esc(utc.strftime('%b %d'))}<br>{esc(utc.strftime('%H:%M'))}</div>")


def _mark_open(row: _Row, is_open: bool) -> None:
    (row.title.add_class if is_open else row.title.remove_class)("mw-open")


def _clipped(text: str, style: str = "") -> str:
    """One line cut with … to the column's width; the whole text is the tooltip."""
    return (f"<div style='{style}white-space:nowrap;overflow:hidden;text-overflow:ellipsis' "
            f"title='{esc(text, limit=None)}'>{esc(text)}</div>")


class _Row:
    """The widgets of one table row; reused as pages change."""

    def __init__(self, on_open: Callable[[str], None], on_check: Callable[[str, bool], None]) -> None:
        self.alert_id: str | None = None
        self.check = W.Checkbox(value=False, indent=False, layout=W.Layout(width="20px"))
        # A button's label is drawn as a text node by ipywidgets, never as HTML; its tooltip is the
        # whole title, and the CSS above lets the label wrap instead of cutting it.
        self.title = W.Button(layout=W.Layout(width="auto", justify_content="flex-start"),
                              style={"font_weight": "bold"})
        self.title.add_class("mw-title")  # transparent, and tinted when open, by STYLE
        # The grid cell is a box around the button: Chromium sizes a grid row by a <button> item's
        # one-line height, so a wrapped title would spill over the next row; a box grows with it.
        self.title_cell = W.Box([self.title], layout=W.Layout(width="auto", overflow="visible"))
        self.cells = {name: W.HTML() for name in ("severity", "status", "assignee", "count", "first", "last", "rule")}
        self.title.on_click(lambda _: self.alert_id and on_open(self.alert_id))
        self.check.observe(lambda ch: self.alert_id and on_check(self.alert_id, ch["new"]), names="value")

    @property
    def widgets(self) -> list[W.Widget]:
        c = self.cells
        return [self.check, c["severity"], self.title_cell, c["status"], c["assignee"], c["count"], c["first"],
                c["last"], c["rule"]]

    def show(self, alert: Alert | None, checked: bool) -> None:
        self.alert_id = alert.id if alert else None
        for widget in [*self.widgets, self.title]:
            widget.layout.display = "" if alert else "none"
        if alert is None:
            return
        self.check.value = checked
        self.title.description = alert.title[:300]
        self.title.tooltip = alert.title
        c = self.cells
        c["severity"].value = severity_badge(alert.severity)
        c["status"].value = status_badge(alert.status)
        c["assignee"].value = _clipped(alert.assignee or "—")
        c["count"].value = f"<div style='text-align:right;padding-right:6px'>{esc(f'{alert.count:,}')}</div>"
        c["first"].value = _when(alert.first_seen)
        c["last"].value = _when(alert.last_seen)
        c["rule"].value = (f"<div style='opacity:.8;font-size:11px;line-height:1.25;overflow-wrap:anywhere' "
                           f"title='{esc(alert.rule_id)}'>{esc(alert.rule_id)}</div>")


class TriageWidget(W.VBox):
    def __init__(self, store: AlertStore, settings: Settings, session: Session | None = None,
                 page_size: int = 20, actor: str | None = None) -> None:
        from workbench.history import current_user
        from workbench.widgets.detail import AlertDetail

        self.store, self.settings, self.session = store, settings, session
        self.actor = actor or current_user()
        self.page_size, self.page, self.total = page_size, 0, 0
        self._tokens: list[str | None] = [None]  # the token that starts each page reached so far
        self.order_by = "-last_seen"
        self.selected: set[str] = set()
        self.alerts: list[Alert] = []  # the page shown
        self._engine: Engine | None = None
        self._updating = False
        # ---- filters
        self.severity = W.Dropdown(options=SEVERITY_FILTERS, value=ANY, description="severity")
        self.status = W.Dropdown(options=STATUS_FILTERS, value=OPEN, description="status")
        rule_ids = store.rule_ids()  # the rule menu, without reading any alert
        self.rule = W.Combobox(options=rule_ids, placeholder="any rule", description="rule", ensure_option=False)
        self.assignee = W.Combobox(options=["me", "unassigned"], placeholder="anyone", description="assignee")
        self.period = W.Dropdown(options=PERIODS, value=ANY, description="time")
        self.text = W.Text(placeholder="title, id, key…", description="search")
        for widget in (self.severity, self.status, self.rule, self.assignee, self.period, self.text):
            widget.style.description_width = "60px"
            widget.layout.width = "260px"
            widget.observe(lambda _: self._filters_changed(), names="value")
        # ---- table
        self.headers: dict[str, W.Button] = {}
        header_widgets: list[W.Widget] = []
        for label, key, _ in COLUMNS:
            if key is None:
                header_widgets.append(W.HTML(f"<b>{esc(label)}</b>"))
                continue
            button = W.Button(description=label, layout=W.Layout(width="auto"), tooltip=f"sort by {label}")
            button.on_click(lambda _, k=key: self.sort_by(k))
            self.headers[key] = button
            header_widgets.append(button)
        for widget in header_widgets:
            widget.add_class("mw-head")
        self.rows = [_Row(self.open_alert, self._check) for _ in range(page_size)]
        self.grid = W.GridBox(header_widgets + [w for row in self.rows for w in row.widgets],
                              layout=W.Layout(grid_template_columns=" ".join(w for _, _, w in COLUMNS),
                                              grid_gap="1px 6px", align_items="center", width="100%",
                                              # As tall as its rows, never stretched to the scrolling box's
                                              # height: a grid of definite height squeezes its auto rows
                                              # down to their minimum and wrapped titles spill over.
                                              flex="0 0 auto", align_self="flex-start", overflow="visible"))
        self.grid.add_class("mw-grid")
        self.listing = W.Box([self.grid], layout=W.Layout(max_height=LIST_HEIGHT, overflow="auto", width="100%",
                                                          border="1px solid rgba(128,128,128,0.25)"))
        self.prev = W.Button(description="◀ prev", layout=W.Layout(width="80px"))
        self.next = W.Button(description="next ▶", layout=W.Layout(width="80px"))
        self.page_label = W.HTML()
        self.prev.on_click(lambda _: self.go(self.page - 1))
        self.next.on_click(lambda _: self.go(self.page + 1))
        # ---- bulk actions on the checked rows
        def bulk(label: str, style: str = "", tip: str = "") -> W.Button:
            return W.Button(description=label, button_style=style, tooltip=tip, layout=W.Layout(width="auto"))

        self.select_page = bulk("Select page", tip="tick every alert on this page")
        self.clear_selection = bulk("Clear", tip="untick every alert")
        self.bulk_ack = bulk("Acknowledge", "info", "acknowledge the ticked alerts")
        self.bulk_assign = bulk("Assign to me", tip=f"assign the ticked alerts to {self.actor}")
        self.bulk_resolve = bulk("Resolve", "success", "resolve the ticked alerts")
        self.bulk_reason = W.Text(placeholder="why they are benign", layout=W.Layout(width="170px"))
        self.bulk_fp = bulk("False positive", "danger", "close the ticked alerts as benign, with the reason typed")
        self.select_page.on_click(lambda _: self._select_page())
        self.clear_selection.on_click(lambda _: self._clear_selection())
        self.bulk_ack.on_click(lambda _: self.act("acknowledge", sorted(self.selected)))
        self.bulk_assign.on_click(lambda _: self.act("assign", sorted(self.selected), assignee=self.actor))
        self.bulk_resolve.on_click(lambda _: self.act("resolve", sorted(self.selected)))
        self.bulk_fp.on_click(lambda _: self.act("false_positive", sorted(self.selected), reason=self.bulk_reason.value))
        self.message = W.HTML()
        self.detail = AlertDetail(self)
        super().__init__([
            W.HTML(STYLE),
            W.HBox([self.severity, self.status, self.rule, self.assignee, self.period, self.text],
                   layout=W.Layout(flex_flow="row wrap")),
            W.HBox([W.HTML("<b>ticked:</b>&nbsp;"), self.select_page, self.clear_selection, self.bulk_ack,
                    self.bulk_assign, self.bulk_resolve, self.bulk_reason, self.bulk_fp],
                   layout=W.Layout(flex_flow="row wrap", align_items="center")),
            self.message, self.listing, W.HBox([self.prev, self.page_label, self.next]), self.detail,
        ])
        self.add_class("mw-triage")
        self.refresh()

    # ---- querying -----------------------------------------------------------------------------
    def filter_kwargs(self) -> dict[str, Any]:
        """The store filters the widgets currently express."""
        kwargs: dict[str, Any] = {"status": self.status.value or None, "min_severity": self.severity.value or None,
                                  "rule_id": self.rule.value.strip() or None, "text": self.text.value.strip() or None}
        who = self.assignee.value.strip()
        if who == "me":
            kwargs["assignee"] = self.actor
        elif who == "unassigned":
            kwargs["unassigned"] = True
        elif who:
            kwargs["assignee"] = who
        if self.period.value == "session":
            window = self._session().window()
            kwargs["since"], kwargs["until"] = window.start, window.end
        elif self.period.value:
            kwargs["since"] = datetime.now(UTC) - parse_duration(self.period.value)
        return kwargs

    def refresh(self) -> None:
        kwargs = self.filter_kwargs()
        self.total = self.store.count(**kwargs)
        pages = max(1, -(-self.total // self.page_size))
        self.page = min(max(self.page, 0), len(self._tokens) - 1)
        listed = self.store.list(limit=self.page_size, order_by=self.order_by, page_token=self._tokens[self.page],
                                 **kwargs)
        self.alerts = list(listed)
        del self._tokens[self.page + 1:]  # the pages after this one may have moved (an action, new alerts)
        if listed.next_token is not None:
            self._tokens.append(listed.next_token)
        opened = self.detail.alert.id if self.detail.alert is not None else None
        for i, row in enumerate(self.rows):
            alert = self.alerts[i] if i < len(self.alerts) else None
            row.show(alert, alert is not None and alert.id in self.selected)
            _mark_open(row, alert is not None and alert.id == opened)
        self.page_label.value = (f"&nbsp;page {self.page + 1} of {pages} · {self.total:,} alerts · "
                                 f"{len(self.selected)} selected&nbsp;")
        self.prev.disabled, self.next.disabled = self.page == 0, len(self._tokens) <= self.page + 1
        key, descending = self.order_by.lstrip("-"), self.order_by.startswith("-")
        for name, button in self.headers.items():
            label = dict((k, lab) for lab, k, _ in COLUMNS if k)[name]
            button.description = label + ((" ▼" if descending else " ▲") if name == key else "")
        if self.detail.alert is not None:
            self.detail.show(self.store.get(self.detail.alert.id))

    def _filters_changed(self) -> None:
        self.page, self._tokens = 0, [None]  # a token only serves the listing it was made for
        self.refresh()

    def go(self, page: int) -> None:
        """Show page `page` (0-based). Pages are found one after another through their tokens, so a
        jump past the pages seen so far reads the pages between (prev/next read only their own);
        past the last page it stops at the last."""
        kwargs = self.filter_kwargs()
        while page > len(self._tokens) - 1 and self._tokens[-1] is not None and len(self._tokens) > self.page + 1:
            listed = self.store.list(limit=self.page_size, order_by=self.order_by, page_token=self._tokens[-1],
                                     **kwargs)
            if listed.next_token is None:
                break
            self._tokens.append(listed.next_token)
        self.page = min(max(page, 0), len(self._tokens) - 1)
        self.refresh()

    def sort_by(self, key: str) -> None:
        """Click a header: sort by it, descending first; a second click flips the direction."""
        self.order_by = key if self.order_by == f"-{key}" else f"-{key}"
        self.page, self._tokens = 0, [None]
        self.refresh()

    @property
    def page_ids(self) -> list[str]:
        return [a.id for a in self.alerts]

    # ---- selecting ----------------------------------------------------------------------------
    def open_alert(self, alert_id: str) -> Alert:
        alert = self.store.get(alert_id)
        self.detail.show(alert)
        for row in self.rows:  # the open alert stays marked in the list
            _mark_open(row, row.alert_id == alert_id)
        return alert

    def _check(self, alert_id: str, checked: bool) -> None:
        (self.selected.add if checked else self.selected.discard)(alert_id)
        self.page_label.value = self.page_label.value.rsplit("·", 1)[0] + f"· {len(self.selected)} selected&nbsp;"

    def _select_page(self) -> None:
        self.selected |= set(self.page_ids)
        self.refresh()

    def _clear_selection(self) -> None:
        self.selected.clear()
        self.refresh()

    # ---- acting -------------------------------------------------------------------------------
    def act(self, action: str, alert_ids: list[str], *, say: Callable[..., None] | None = None,
            **kwargs: Any) -> bool:
        """Apply one action to each alert as this analyst; failures are listed, the others still land.

        `say` shows the outcome where the click was (the detail pane reports its own actions beside its
        buttons); by default, above the list.
        """
        single = say is not None  # the detail pane acts on its one alert; the bulk bar on the ticked ones
        say = say or self._say
        if not alert_ids:
            say("tick the alerts to act on first (the boxes at the left of the list)", error=True)
            return False
        if action == "false_positive" and not (kwargs.get("reason") or "").strip():
            where = "in the box left of “False positive”" if single else "in the “why they are benign” box"
            say(f"a false positive needs a reason: type why it is benign {where}, then click False positive again",
                error=True)
            return False
        calls: dict[str, Callable[[str], Any]] = {
            "acknowledge": lambda i: self.store.acknowledge(i, actor=self.actor),
            "investigating": lambda i: self.store.set_status(i, "investigating", actor=self.actor),
            "resolve": lambda i: self.store.set_status(i, "resolved", actor=self.actor),
            "false_positive": lambda i: self.store.set_status(i, "false_positive", actor=self.actor,
                                                              reason=(kwargs.get("reason") or "").strip()),
            "assign": lambda i: self.store.assign(i, kwargs.get("assignee"), actor=self.actor),
            "note": lambda i: self.store.add_note(i, kwargs.get("text") or "", actor=self.actor),
        }
        failures: dict[str, str] = {}
        for alert_id in alert_ids:
            try:
                calls[action](alert_id)
            except (AlertStoreError, ValueError) as exc:
                failures[alert_id] = _without_id(str(exc), alert_id)
        done = len(alert_ids) - len(failures)
        text = f"{ACTION_LABELS[action]} {done} alert{'s' if done != 1 else ''} as {self.actor}"
        if single and failures:
            say(next(iter(failures.values())), error=True)  # the pane already names the alert
        else:
            say(text + ("" if not failures else f"; {len(failures)} refused:"),
                failures=[f"{i}: {why}" for i, why in failures.items()], error=bool(failures) and not done)
        if action != "note":
            self.selected -= set(alert_ids) - set(failures)
        self.refresh()
        return not failures

    def _say(self, text: str, failures: list[str] | None = None, error: bool = False) -> None:
        self.message.value = message_html(text, failures, error)

    # ---- engines ------------------------------------------------------------------------------
    def _session(self) -> Session:
        if self.session is None:
            from workbench.widgets.workspace import shared_session

            self.session = shared_session(self.settings)
        return self.session

    def engine(self) -> Engine:
        return self._session().engine()


def message_html(text: str, failures: list[str] | None = None, error: bool = False) -> str:
    colour = "#C62828" if error else "inherit"
    items = "".join(f"<li>{esc(f)}</li>" for f in failures or [])
    return f"<div style='color:{colour}'>{esc(text)}{f'<ul>{items}</ul>' if items else ''}</div>"


def _without_id(message: str, alert_id: str) -> str:
    """The store's message without the alert id it starts with (the row already says which alert)."""
    for prefix in (f"alert '{alert_id}': ", f"alert {alert_id}: ", f"{alert_id}: "):
        if message.startswith(prefix):
            return message[len(prefix):]
    return message


def triage(settings: Settings | None = None, *, store: AlertStore | None = None, session: Session | None = None,
           page_size: int = 20, actor: str | None = None) -> TriageWidget:
    from workbench.alerts import get_store
    from workbench.config import load_settings

    settings = settings or load_settings()
    return TriageWidget(store or get_store(settings), settings, session=session, page_size=page_size, actor=actor)
