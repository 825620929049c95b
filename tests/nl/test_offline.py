"""The offline translator: every question in questions.yaml answered with the reference's result set."""

from __future__ import annotations

import pytest

from workbench.config import Settings
from workbench.nl import NLContext, TranslationError, default_provider_name, get_provider
from workbench.nl.evaluate import evaluate, load_questions
from workbench.nl.offline.translator import translate
from workbench.sqlguard import guard
from workbench.timewindow import Window

from .conftest import DEMO_NOW, DEMO_WINDOW, QUESTIONS_FILE

QUESTIONS = load_questions(QUESTIONS_FILE)


def test_there_are_enough_questions() -> None:
    assert len(QUESTIONS) >= 80


@pytest.mark.parametrize("item", QUESTIONS, ids=[q.question[:60] for q in QUESTIONS])
def test_question_gives_the_reference_result(item, engine, demo_lake_settings: Settings) -> None:
    provider = get_provider("offline", demo_lake_settings)
    report = evaluate(provider, [item], engine, DEMO_WINDOW, DEMO_NOW)
    verdict = report.verdicts[0]
    assert verdict.correct, f"{verdict.error}\n{verdict.sql}"
    assert verdict.silent_drop is None
    if item.expect == "answer":
        assert len(engine.run(item.sql, item.window or DEMO_WINDOW).frame) > 0, "reference returns no rows"


@pytest.mark.parametrize(
    "question",
    ["what is the meaning of life", "tell me a story", "", "show me everything interesting",
     "top results please"],
    ids=["nonsense", "story", "empty", "vague", "top-what"],
)
def test_cannot_translate_says_so_and_suggests(question: str) -> None:
    with pytest.raises(TranslationError) as info:
        translate(question, DEMO_NOW)
    message = str(info.value)
    assert "e.g." in message or "Try:" in message


@pytest.mark.parametrize(
    ("phrase", "start", "end"),
    [
        ("in the last hour", "2026-11-19T23:00:00Z", "2026-11-20T00:00:00Z"),
        ("past 3 days", "2026-11-17T00:00:00Z", "2026-11-20T00:00:00Z"),
        ("yesterday", "2026-11-19T00:00:00Z", "2026-11-20T00:00:00Z"),
        ("since Monday", "2026-11-16T00:00:00Z", "2026-11-20T00:00:00Z"),
        ("since 2026-11-18", "2026-11-18T00:00:00Z", "2026-11-20T00:00:00Z"),
        ("between 2026-11-18 and 2026-11-18", "2026-11-18T00:00:00Z", "2026-11-19T00:00:00Z"),
        ("between 2026-11-18T10:00 and 2026-11-18T11:30", "2026-11-18T10:00:00Z", "2026-11-18T11:30:00Z"),
        ("on 2026-11-19", "2026-11-19T00:00:00Z", "2026-11-20T00:00:00Z"),
        ("last 90m", "2026-11-19T22:30:00Z", "2026-11-20T00:00:00Z"),
        ("over the past two weeks", "2026-11-06T00:00:00Z", "2026-11-20T00:00:00Z"),
    ],
)
def test_time_phrases(phrase: str, start: str, end: str) -> None:
    _, _, window = translate(f"failed calls {phrase}", DEMO_NOW)
    assert window == Window.between(start, end)


def test_today_before_it_starts_is_refused_not_guessed() -> None:
    with pytest.raises(TranslationError, match="has not started"):
        translate("failed calls today", DEMO_NOW)


@pytest.mark.parametrize(
    "question",
    ["what did user bob'; DROP TABLE cloudtrail; -- do", "activity in bucket backups' OR '1'='1",
     "events from 10.0.0.1' UNION SELECT * FROM information_schema.tables --"],
    ids=["user", "bucket", "ip"],
)
def test_injection_in_a_question_never_becomes_sql(question: str) -> None:
    try:
        sql, _, _ = translate(question, DEMO_NOW)
    except TranslationError as exc:  # refused: SQL syntax outright, or a stray value it cannot place
        assert "\n" not in str(exc) and ("contains SQL syntax" in str(exc) or "cannot place" in str(exc))
        return
    guarded = guard(sql, DEMO_WINDOW)  # still exactly one read-only SELECT over a log table
    assert "DROP" not in guarded.sql and "information_schema" not in guarded.sql and "UNION" not in guarded.sql
    assert "'1'='1'" not in sql.replace(" ", "")


def test_offline_is_deterministic() -> None:
    # Speed is measured by benchmarks/nl_accuracy.py (median translation time), not asserted here.
    first = [_attempt(q.question) for q in QUESTIONS]
    assert first == [_attempt(q.question) for q in QUESTIONS]


def _attempt(question: str) -> object:
    try:
        return translate(question, DEMO_NOW)
    except TranslationError as exc:
        return str(exc)


def test_default_provider_follows_the_key(demo_lake_settings: Settings) -> None:
    assert default_provider_name(demo_lake_settings, environ={}) == "offline"
    assert default_provider_name(demo_lake_settings, environ={"ANTHROPIC_API_KEY": "k"}) == "anthropic"
    pinned = demo_lake_settings.model_copy(update={"nl": demo_lake_settings.nl.model_copy(update={"provider": "offline"})})
    assert default_provider_name(pinned, environ={"ANTHROPIC_API_KEY": "k"}) == "offline"


@pytest.mark.parametrize("name", ["offline", "anthropic"])
def test_every_provider_is_reachable_by_name(name: str, demo_lake_settings: Settings) -> None:
    assert get_provider(name, demo_lake_settings).name == name


def test_unknown_provider_suggests_the_closest(demo_lake_settings: Settings) -> None:
    with pytest.raises(KeyError, match="did you mean 'offline'"):
        get_provider("ofline", demo_lake_settings)


def test_translation_carries_provider_and_window(demo_lake_settings: Settings) -> None:
    translation = get_provider("offline", demo_lake_settings).translate(
        "failed console logins yesterday", NLContext(window=DEMO_WINDOW, now=DEMO_NOW))
    assert translation.provider == "offline" and translation.window is not None
    assert "failed" in translation.explanation.lower()


def test_question_files_say_what_is_wrong_with_an_entry(tmp_path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("- id: x1\n  question: who did it\n  expect: answer\n")
    with pytest.raises(ValueError, match=r"bad.yaml: entry 1 \(x1\) expects an answer and needs its reference 'sql'"):
        load_questions(bad)
    bad.write_text("- question: who did it\n  expect: maybe\n")
    with pytest.raises(ValueError, match="expect must be 'answer' or 'refuse'"):
        load_questions(bad)


def test_benchmark_counts_wrong_refused_and_dropped(engine, demo_lake_settings: Settings, tmp_path) -> None:
    from workbench.nl.evaluate import Question, judge

    provider = get_provider("offline", demo_lake_settings)
    gold = "SELECT DISTINCT sourceipaddress FROM cloudtrail WHERE useridentity.username = 'dave.kowalski'"
    right = judge(provider, Question("which addresses did dave.kowalski use", gold, entities=("dave.kowalski",)),
                  engine, DEMO_WINDOW, DEMO_NOW)
    assert right.outcome == "right" and right.silent_drop is None
    # a reference that names a user the question does not: the answer is wrong and dropped that value
    wrong = judge(provider, Question("which addresses were used", gold, entities=("dave.kowalski",)),
                  engine, DEMO_WINDOW, DEMO_NOW)
    assert wrong.outcome == "wrong" and wrong.silent_drop == "no filter on dave.kowalski"
    lost = judge(provider, Question("source IPs by number of calls",
                                    "SELECT sourceipaddress, count(*) AS n FROM cloudtrail GROUP BY 1 "
                                    "ORDER BY n DESC LIMIT 5"), engine, DEMO_WINDOW, DEMO_NOW)
    assert lost.outcome == "wrong" and lost.silent_drop == "LIMIT 5"
    refused = judge(provider, Question("block 192.0.2.238", expect="refuse", refuse="action"), engine,
                    DEMO_WINDOW, DEMO_NOW)
    assert refused.correct and refused.outcome == "refused"
    answered = judge(provider, Question("what did 192.0.2.238 do", expect="refuse", refuse="ambiguous"), engine,
                     DEMO_WINDOW, DEMO_NOW)
    assert not answered.correct and answered.outcome == "wrong"


def test_time_buckets_compare_by_instant_not_spelling(engine, demo_lake_settings: Settings) -> None:
    from workbench.nl.evaluate import Question, judge

    provider = get_provider("offline", demo_lake_settings)
    for gold in ("SELECT date_trunc('hour', from_iso8601_timestamp(eventtime)), count(*) FROM cloudtrail "
                 "WHERE eventname = 'GetSecretValue' GROUP BY 1",
                 "SELECT substr(eventtime, 1, 13), count(*) FROM cloudtrail WHERE eventname = 'GetSecretValue' "
                 "GROUP BY 1"):
        verdict = judge(provider, Question("GetSecretValue calls per hour", gold), engine, DEMO_WINDOW, DEMO_NOW)
        assert verdict.correct, (gold, verdict.error)
    # a different bucket is still a different answer
    wrong = judge(provider, Question("GetSecretValue calls per hour",
                                     "SELECT substr(eventtime, 1, 10), count(*) FROM cloudtrail "
                                     "WHERE eventname = 'GetSecretValue' GROUP BY 1"), engine, DEMO_WINDOW, DEMO_NOW)
    assert not wrong.correct


@pytest.mark.parametrize(
    "question",
    ["principals with more than 100 AccessDenied errors", "IPs with at least 50 rejected flows",
     "number of distinct users per region", "rejected telnet attempts per hour",
     "who opened SSH to the world", "which instances have guardduty findings"],
)
def test_new_query_shapes_pass_the_guard_and_run(question: str, engine) -> None:
    sql, _, window = translate(question, DEMO_NOW)
    guarded = guard(sql, window or DEMO_WINDOW)
    assert engine.run(guarded.sql, window or DEMO_WINDOW).frame is not None


def test_a_threshold_is_only_ever_a_number() -> None:
    # the count a HAVING compares with is read as digits; anything else around it stays words
    with pytest.raises(TranslationError):
        translate("principals with more than 1; DROP TABLE cloudtrail errors", DEMO_NOW)
    sql, _, _ = translate("principals with more than 0100 AccessDenied errors", DEMO_NOW)
    assert "HAVING COUNT(*) > 100" in " ".join(sql.split())
