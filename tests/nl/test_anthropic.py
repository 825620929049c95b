"""The anthropic provider end to end: the real SDK against a loopback Messages API server."""

from __future__ import annotations

import json

import pytest

from workbench.config import Settings
from workbench.engines import EngineError
from workbench.nl import NLContext, TranslationError, get_provider
from workbench.nl.anthropic import parse_reply
from workbench.session import Session
from workbench.sqlguard import GuardError

from .conftest import DEMO_NOW, DEMO_WINDOW
from .messages_api import sql_reply

ATTACKER = "192.0.2.238"
GOOD = f"SELECT eventtime, eventname, eventid FROM cloudtrail WHERE sourceipaddress = '{ATTACKER}'"


def _session(settings: Settings) -> Session:
    session = Session(settings)
    session.set_window(DEMO_WINDOW)
    return session


def test_guard_rejection_is_repaired(anthropic_settings: Settings, messages_api) -> None:
    messages_api.replies = [
        sql_reply(f"SELECT eventname FROM cloudtrial WHERE sourceipaddress = '{ATTACKER}'"),
        sql_reply(GOOD, "Every call from the address, oldest first."),
    ]
    outcome = _session(anthropic_settings).ask(f"what did {ATTACKER} do?")
    assert outcome.result is not None and outcome.result.rows > 0
    assert outcome.translation.provider == "anthropic"
    assert "answered by anthropic" in outcome.status_line()
    assert outcome.translation.rejected and "did you mean 'cloudtrail'" in outcome.translation.rejected[0]
    first, second = messages_api.requests
    assert first["model"] == "claude-test"
    assert "Table cloudtrail" in first["system"] and "json_extract_scalar" in first["system"]
    assert first["messages"] == [{"role": "user", "content": f"what did {ATTACKER} do?"}]
    repair = second["messages"][-1]["content"]
    assert "rejected" in repair and "cloudtrial" in repair
    assert [m["role"] for m in second["messages"]] == ["user", "assistant", "user"]
    sent_key = messages_api.headers[0].get("x-api-key") or messages_api.headers[0]["authorization"]
    assert sent_key.endswith("test-key")
    # No log data ever goes to the model: none of the result's event ids appear in any request.
    sent = json.dumps(messages_api.requests)
    assert not any(event_id in sent for event_id in outcome.result.frame["eventid"])


def test_engine_rejection_is_repaired(anthropic_settings: Settings, messages_api) -> None:
    messages_api.replies = [sql_reply("SELECT eventnam FROM cloudtrail"), sql_reply("SELECT eventname FROM cloudtrail")]
    session = _session(anthropic_settings)
    outcome = session.ask("which calls were made")
    assert outcome.result.rows > 0
    assert "eventname" in messages_api.requests[1]["messages"][-1]["content"]  # the engine's suggestion went back
    statuses = [r.status for r in reversed(session.history.recent(5))]
    assert statuses == ["error", "ok"]


def test_repairs_stop_after_the_configured_number(anthropic_settings: Settings, messages_api) -> None:
    messages_api.replies = [sql_reply("DROP TABLE cloudtrail")] * 3
    session = _session(anthropic_settings)
    with pytest.raises(GuardError, match="read-only SELECT"):
        session.ask("delete everything")
    assert len(messages_api.requests) == 3  # the answer and two repairs
    assert [r.status for r in session.history.recent(10)] == ["refused"] * 3


def test_time_phrase_sets_the_window_locally(anthropic_settings: Settings, messages_api) -> None:
    messages_api.replies = [sql_reply(GOOD)]
    outcome = _session(anthropic_settings).ask(f"what did {ATTACKER} do yesterday")
    assert str(outcome.window) == "[2026-11-19T00:00:00Z, 2026-11-20T00:00:00Z)"
    assert "2026-11-19T00:00:00Z" in messages_api.requests[0]["system"]


def test_cannot_reply_is_a_translation_error(anthropic_settings: Settings, messages_api) -> None:
    messages_api.replies = ["Cannot: the logs hold no HR data; ask about CloudTrail, VPC flows or GuardDuty."]
    provider = get_provider(None, anthropic_settings)
    with pytest.raises(TranslationError, match="no HR data"):
        provider.translate("who got a raise", NLContext(window=DEMO_WINDOW, now=DEMO_NOW))


def test_missing_key_says_what_to_set(anthropic_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MANTISSA_TEST_ANTHROPIC_KEY")
    with pytest.raises(TranslationError, match="set MANTISSA_TEST_ANTHROPIC_KEY"):
        get_provider("anthropic", anthropic_settings).translate("x", NLContext(window=DEMO_WINDOW, now=DEMO_NOW))


def test_wrong_key_is_one_clear_error(anthropic_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MANTISSA_TEST_ANTHROPIC_KEY", "wrong")
    with pytest.raises(TranslationError, match="refused the key"):
        get_provider("anthropic", anthropic_settings).translate("x", NLContext(window=DEMO_WINDOW, now=DEMO_NOW))


def test_unreachable_api_is_one_clear_error(anthropic_settings: Settings) -> None:
    nl = anthropic_settings.nl.model_copy(update={"base_url": "http://127.0.0.1:9", "timeout_s": 2.0})
    provider = get_provider("anthropic", anthropic_settings.model_copy(update={"nl": nl}))
    with pytest.raises(TranslationError, match="cannot reach"):
        provider.translate("x", NLContext(window=DEMO_WINDOW, now=DEMO_NOW))


@pytest.mark.parametrize(
    ("reply", "sql"),
    [
        ("Explanation: x\n```sql\nSELECT 1 FROM cloudtrail;\n```", "SELECT 1 FROM cloudtrail"),
        ("SELECT eventname FROM cloudtrail", "SELECT eventname FROM cloudtrail"),
        ("Here you go:\n```\nWITH a AS (SELECT 1 AS x FROM cloudtrail) SELECT * FROM a\n```",
         "WITH a AS (SELECT 1 AS x FROM cloudtrail) SELECT * FROM a"),
    ],
    ids=["fenced", "bare", "unlabelled-fence"],
)
def test_parse_reply(reply: str, sql: str) -> None:
    assert parse_reply(reply)[0] == sql


def test_reply_without_sql_is_refused() -> None:
    with pytest.raises(TranslationError, match="held no SQL"):
        parse_reply("I think you should look at the logs.")


def test_engine_error_type_is_a_rejection() -> None:
    assert issubclass(EngineError, RuntimeError)


def test_answer_that_drops_a_named_value_is_repaired(anthropic_settings: Settings, messages_api) -> None:
    user = "dave.kowalski"
    messages_api.replies = [
        sql_reply("SELECT DISTINCT sourceipaddress FROM cloudtrail"),  # every address in the lake
        sql_reply(f"SELECT DISTINCT sourceipaddress FROM cloudtrail WHERE useridentity.username = '{user}'"),
    ]
    outcome = _session(anthropic_settings).ask(f"which addresses did {user} use?")
    assert outcome.result is not None and outcome.result.rows > 0
    assert f"'{user}'" in outcome.sql
    assert outcome.translation.rejected and "does not filter on 'dave.kowalski'" in outcome.translation.rejected[0]
    repair = messages_api.requests[1]["messages"][-1]["content"]
    assert "dave.kowalski" in repair and "WHERE" in repair


def test_named_value_only_in_select_is_still_a_drop(anthropic_settings: Settings, messages_api) -> None:
    ip = "192.0.2.238"
    messages_api.replies = [
        sql_reply(f"SELECT '{ip}' AS asked, eventname FROM cloudtrail"),
        sql_reply(f"SELECT eventname FROM cloudtrail WHERE sourceipaddress = '{ip}'"),
    ]
    translation = get_provider("anthropic", anthropic_settings).translate(
        f"what did {ip} call", NLContext(window=DEMO_WINDOW, now=DEMO_NOW))
    assert "WHERE sourceipaddress" in translation.sql and len(messages_api.requests) == 2


def test_model_that_keeps_dropping_is_refused_after_the_repairs(anthropic_settings: Settings, messages_api) -> None:
    messages_api.replies = [sql_reply("SELECT eventname, count(*) FROM cloudtrail GROUP BY eventname")] * 3
    session = _session(anthropic_settings)
    with pytest.raises(TranslationError, match=r"does not filter on 'CreateAccessKey', '22'.*after 2 repair"):
        session.ask("did anyone call CreateAccessKey right after opening port 22")
    assert len(messages_api.requests) == 3  # the answer and two repairs, then refused; nothing ran
    assert [r.status for r in session.history.recent(5)] == ["untranslated"]
