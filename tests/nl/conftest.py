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
