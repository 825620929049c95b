"""Classes of questions the offline translator learned from the development set (issue 25).

Each test is a class, not a question: negation, a bare name that may be a user or a role, verb +
object calls, counts per named value, aggregates of a number, bare ports, severity bands, and the
refusals that keep a word from being dropped. The new query shapes also go through the SQL guard
and the local engine, including hostile values, so a name can never become SQL.
"""

from __future__ import annotations

import pytest
import sqlglot
from sqlglot import exp

from workbench.nl import TranslationError
from workbench.nl.offline.translator import translate
from workbench.sqlguard import guard

from .conftest import DEMO_NOW, DEMO_WINDOW


def _sql(question: str) -> str:
    return translate(question, DEMO_NOW)[0]


def _tree(question: str) -> exp.Select:
    tree = sqlglot.parse_one(_sql(question), read="athena")
    assert isinstance(tree, exp.Select)
    return tree


@pytest.mark.parametrize(
    ("question", "negated"),
    [("events from users other than dave.kowalski", "dave.kowalski"),
     ("failed logins except for mallory.reyes", "mallory.reyes"),
     ("events excluding AssumeRole", "AssumeRole"),
     ("calls not from 10.10.0.139", "10.10.0.139"),
     ("flows not to port 443", "443")],
    ids=["other-than", "except", "excluding", "not-from", "not-port"],
)
def test_a_negated_value_is_excluded_never_included(question: str, negated: str) -> None:
    nots = [n for n in _tree(question).find_all(exp.Not) if negated in n.sql()]
    assert nots, _sql(question)


def test_mixed_include_and_exclude_of_one_kind_is_refused() -> None:
    with pytest.raises(TranslationError, match="include and which to exclude"):
        translate("events from dave.kowalski and not bob.byrne", DEMO_NOW)


def test_a_bare_name_matches_a_user_or_a_role_and_a_typed_one_only_its_kind() -> None:
    bare = _sql("how many calls did github-actions-deploy make")
    assert "useridentity.username = 'github-actions-deploy'" in bare
    assert "sessionissuer.username = 'github-actions-deploy'" in bare
    typed = _sql("what did user dave.kowalski do")
    assert "sessionissuer" not in typed and "useridentity.username = 'dave.kowalski'" in typed


@pytest.mark.parametrize(
    ("question", "event"),
    [("who created a user", "CreateUser"), ("roles deleted yesterday", "DeleteRole"),
     ("new iam roles", "CreateRole"), ("who launched instances", "RunInstances"),
     ("who removed the public access block on tyrell-backups-33c922", "DeleteBucketPublicAccessBlock"),
     ("when was tyrell-dev-trail stopped", "StopLogging")],
)
def test_a_verb_and_its_object_name_the_call(question: str, event: str) -> None:
    assert f"'{event}'" in _sql(question)


def test_a_verb_object_pair_cloudtrail_has_no_call_for_is_refused() -> None:
    with pytest.raises(TranslationError, match="did not understand"):
        translate("who rebooted the buckets", DEMO_NOW)


def test_counts_for_two_named_values_are_one_count_each() -> None:
    tree = _tree("event counts for alice.nguyen and bob.byrne")
    assert tree.args.get("group") is not None and "COUNT" in tree.sql().upper()


@pytest.mark.parametrize(
    ("question", "func"),
    [("max severity per finding type", exp.Max), ("avg bytes per flow to port 443", exp.Avg),
     ("average severity of findings", exp.Avg)],
)
def test_a_function_of_a_number_the_table_holds(question: str, func: type[exp.Expression]) -> None:
    assert _tree(question).find(func) is not None


@pytest.mark.parametrize(
    ("question", "port"),
    [("mysql traffic (3306) sources", 3306), ("10.10.17.92 destinations on 443", 443),
     ("rejected elasticsearch (9200) connections, count", 9200)],
)
def test_a_port_written_without_the_word(question: str, port: int) -> None:
    assert f"dstport = {port}" in _sql(question)


@pytest.mark.parametrize(
    ("question", "condition"),
    [("high sev gd findings", "severity >= 7 AND severity < 9"), ("critical guardduty findings", "severity >= 9"),
     ("high and critical findings", "severity >= 7"), ("gd findings with severity 8", "severity = 8")],
)
def test_guardduty_severity_bands(question: str, condition: str) -> None:
    assert condition in " ".join(_sql(question).split())


@pytest.mark.parametrize(
    "question",
    # "which users logged in from more than one IP" is answered since pass 4 (test_pass4_classes: counts of values)
    ["which principals were quickly deleted by other users", "events from a different ip than last time",
     "how many?", "pull AdministratorAccess off terraform-runner-aed5"],
    ids=["unknown-adverb", "different-than", "bare-count", "pull-off"],
)
def test_what_the_translator_cannot_place_is_refused(question: str) -> None:
    with pytest.raises(TranslationError):
        translate(question, DEMO_NOW)


@pytest.mark.parametrize(
    "question",
    ["events from users other than o'brien'); DROP TABLE cloudtrail; --",
     "what did user x' OR '1'='1 do",
     "event counts for alice.nguyen and bob'); DELETE FROM cloudtrail; -- "],
    ids=["negated-quote", "or-injection", "per-value-quote"],
)
def test_hostile_values_in_the_new_shapes_are_refused(question: str) -> None:
    with pytest.raises(TranslationError):
        translate(question, DEMO_NOW)


@pytest.mark.parametrize(
    "question",
    ["events from users other than dave.kowalski", "avg bytes per flow to port 443", "max severity per finding type",
     "event counts for alice.nguyen and bob.byrne", "unique sources per hour on eni-48c937d2827e0322e",
     "ssh from 10.10.0.69 to internal hosts", "how many calls did github-actions-deploy make"],
    ids=["negated", "avg", "max", "coalesce-group", "count-distinct-bucket", "private-ranges", "user-or-role"],
)
def test_new_shapes_pass_the_guard_and_run(question: str, engine) -> None:
    """Every new shape is accepted by the guard unchanged in meaning and runs on the local engine."""
    sql = _sql(question)
    guarded = guard(sql, DEMO_WINDOW).sql
    tree = sqlglot.parse_one(guarded, read="athena")
    assert not list(tree.find_all(exp.Drop, exp.Delete, exp.Insert))
    frame = engine.run(guarded, DEMO_WINDOW).frame
    assert len(frame.columns) >= 1
