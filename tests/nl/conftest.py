from __future__ import annotations

from pathlib import Path

import pytest

from workbench.nl.evaluate import Question, load_questions
from workbench.timewindow import Window, parse_time

QUESTIONS_FILE = Path(__file__).parent / "questions.yaml"
DEMO_WINDOW = Window.between("2026-11-18T00:00:00Z", "2026-11-20T00:00:00Z")
DEMO_NOW = parse_time("2026-11-20T00:00:00Z")


@pytest.fixture(scope="session")
def questions() -> list[Question]:
    return load_questions(QUESTIONS_FILE)


@pytest.fixture()
def messages_api():
    from .messages_api import MessagesAPI

    with MessagesAPI() as api:
        yield api


@pytest.fixture()
def anthropic_settings(demo_lake_settings, messages_api, monkeypatch: pytest.MonkeyPatch):
    """Settings whose anthropic provider talks to the loopback server, with a test key."""
    monkeypatch.setenv("MANTISSA_TEST_ANTHROPIC_KEY", "test-key")
    monkeypatch.delenv("ANTHROPIC_BASE_URL", raising=False)
    nl = demo_lake_settings.nl.model_copy(update={
        "provider": "anthropic", "base_url": messages_api.url, "api_key_env": "MANTISSA_TEST_ANTHROPIC_KEY",
        "model": "claude-test", "timeout_s": 10.0})
    return demo_lake_settings.model_copy(update={"nl": nl})


@pytest.fixture(scope="module")
def engine(demo_lake):  # noqa: ANN001 - SimpleNamespace
    """The local engine over the session's demo lake, for tests that run translations."""
    from workbench.config import load_settings
    from workbench.engines import get_engine

    with get_engine("local", load_settings(demo_lake.workspace, environ={})) as eng:
        yield eng


def same_rows(engine, question: str, reference: str) -> int:  # noqa: ANN001
    """The translation, guarded and run, returns the reference's rows; how many there are."""
    from workbench.nl.evaluate import result_key
    from workbench.nl.offline.translator import translate
    from workbench.sqlguard import guard

    sql, _, window = translate(question, DEMO_NOW)
    window = window or DEMO_WINDOW
    ours = engine.run(guard(sql, window).sql, window).frame
    theirs = engine.run(guard(reference, window).sql, window).frame
    assert result_key(ours) == result_key(theirs), (question, sql)
    return len(theirs)
