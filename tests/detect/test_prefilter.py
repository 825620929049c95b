"""The threshold prefilter is invisible: the matcher finds the same bursts in the rows the wrapped
query returns as in every row the rule's query matches — same ids, members, times and rows —
while the engine returns fewer rows. The events are built to hit the corners of the argument in
workbench/detect/plan/prefilter.py: ties at one second, two runs split by one cold row far later,
bursts that only a distinct count keeps from firing, and groups that never come near."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

import pytest

from tests.detect.events import BURST_RULE, T0, api_call, console_failure, rule
from workbench.detect.matching import candidates
from workbench.detect.plan.prefilter import prefiltered
from workbench.detect.plan.shareable import Shareable, analyse
from workbench.lake import write_records
from workbench.timewindow import Window

WINDOW = Window(T0 - timedelta(hours=1), T0 + timedelta(hours=6))
DISTINCT_RULE = {
    "id": "distinct-apis", "title": "many APIs", "severity": "low",
    "query": "SELECT eventtime, eventid, eventname, useridentity.username AS username FROM cloudtrail "
             "WHERE eventsource = 'iam.amazonaws.com'",
    "threshold": {"count": 4, "window": "1m", "distinct": "eventname", "group_by": ["username"]},
    "alert": {"title": "{username}"},
}


def _failures(rng: random.Random) -> list[dict[str, Any]]:
    events = []
    for user in ("ann", "bob", "cy", "dee"):
        # Background: a failure now and then, never ten in five minutes.
        events += [console_failure(user, T0 + timedelta(minutes=rng.randrange(0, 300)), ip=f"10.0.0.{i}")
                   for i in range(12)]
    # bob: a burst, one cold failure two hours later, then another burst right after it — the cold
    # row is all that keeps the two bursts apart.
    events += [console_failure("bob", T0 + timedelta(minutes=30, seconds=10 * i), ip=f"10.1.0.{i}") for i in range(11)]
    events.append(console_failure("bob", T0 + timedelta(hours=3), ip="10.2.0.1"))
    events += [console_failure("bob", T0 + timedelta(hours=3, minutes=2, seconds=5 * i), ip=f"10.3.0.{i}")
               for i in range(10)]
    # eli: the same, with the cold row far (more than a window) from both bursts.
    events += [console_failure("eli", T0 + timedelta(minutes=20, seconds=10 * i), ip=f"10.5.0.{i}") for i in range(12)]
    events.append(console_failure("eli", T0 + timedelta(hours=2), ip="10.5.1.1"))
    events += [console_failure("eli", T0 + timedelta(hours=4, seconds=10 * i), ip=f"10.5.2.{i}") for i in range(12)]
    # cy: ties — twelve failures in the same second, beside quieter seconds.
    events += [console_failure("cy", T0 + timedelta(hours=1), ip=f"10.4.0.{i}") for i in range(12)]
    events += [console_failure("cy", T0 + timedelta(hours=1, seconds=s), ip="10.4.1.1") for s in (1, 2, 299, 301)]
    return events


def _apis(rng: random.Random) -> list[dict[str, Any]]:
    names = ["ListUsers", "ListRoles", "GetUser", "GetRole", "ListPolicies"]
    events = []
    for i in range(40):  # eve polls one API fast: many events, one distinct name
        events.append(api_call("ListUsers", "iam.amazonaws.com", T0 + timedelta(seconds=3 * i), user="eve"))
    for i in range(25):  # fay sweeps several APIs, in two bursts
        when = T0 + timedelta(minutes=10 if i < 12 else 40, seconds=4 * (i % 12))
        events.append(api_call(names[rng.randrange(len(names))], "iam.amazonaws.com", when, user="fay",
                               eventID=f"fay-{i}"))
    for i in range(6):  # gus calls now and then: the prefilter drops him
        events.append(api_call(names[i % len(names)], "iam.amazonaws.com", T0 + timedelta(minutes=7 * i), user="gus"))
    return events


def _roles(rng: random.Random) -> list[dict[str, Any]]:
    """hal touches three roles and makes many calls that name none: the matcher counts the missing
    name as a value of its own, so only a bound that counts NULLs keeps his burst."""
    events = []
    for i in range(30):
        params = {"roleName": f"role-{i % 3}"} if i % 10 == 0 or i in (1, 2) else None
        events.append(api_call("GetRole", "iam.amazonaws.com", T0 + timedelta(seconds=2 * i), user="hal",
                               eventID=f"hal-{i}", requestParameters=params))
    for i in range(5):  # ivy: a few calls, far apart
        events.append(api_call("GetRole", "iam.amazonaws.com", T0 + timedelta(minutes=9 * i + rng.randrange(3)),
                               user="ivy", eventID=f"ivy-{i}", requestParameters={"roleName": f"r{i}"}))
    return events


NULL_DISTINCT_RULE = {
    **DISTINCT_RULE, "id": "null-distinct",
    "query": "SELECT eventtime, eventid, useridentity.username AS username, "
             "json_extract_scalar(requestparameters, '$.roleName') AS role FROM cloudtrail "
             "WHERE eventsource = 'iam.amazonaws.com'",
    "threshold": {"count": 4, "window": "1m", "distinct": "role", "group_by": ["username"]},
}


def _key(cands: list) -> list:
    return [(c.alert_id, c.group_keys, c.bucket_start, c.first_seen, c.last_seen, sorted(c.event_ids),
             [r["eventid"] for r in c.rows]) for c in cands]


JSON_KEY_QUERY = """
    SELECT eventtime, eventid, useridentity.username AS username, sourceipaddress,
           json_extract_scalar(additionaleventdata, '$.MFAUsed') AS mfa,
           json_extract_scalar(requestparameters, '$.absent') AS nothing
    FROM cloudtrail WHERE eventname = 'ConsoleLogin'
"""
UNNEST_QUERY = """
    SELECT eventtime, eventid, useridentity.username AS username, ip
    FROM cloudtrail CROSS JOIN UNNEST(ARRAY[sourceipaddress]) AS t(ip)
    WHERE eventname = 'ConsoleLogin'
"""
# Two rows per event, a condition and a key on the unnested value (dropped from the cells), and
# an event whose array is empty (no row): the cells weigh each event by its array's length.
UNNEST_WEIGHTED_QUERY = """
    SELECT eventtime, eventid, useridentity.username AS username, ip
    FROM cloudtrail
    CROSS JOIN UNNEST(CASE WHEN sourceipaddress LIKE '%.1' THEN ARRAY[]
                           ELSE ARRAY[sourceipaddress, 'any'] END) AS t(ip)
    WHERE eventname = 'ConsoleLogin' AND ip <> '10.0.0.3'
"""
SELF_JOIN_QUERY = """
    SELECT a.eventtime, a.eventid, a.useridentity.username AS username, a.sourceipaddress
    FROM cloudtrail a JOIN cloudtrail b ON a.eventid = b.eventid
    WHERE a.eventname = 'ConsoleLogin' AND b.eventname = 'ConsoleLogin'
"""


@pytest.mark.parametrize(("data", "make"), [
    (BURST_RULE, _failures),
    ({**BURST_RULE, "id": "burst-by-ip", "threshold": {"count": 3, "window": "2m", "group_by": ["username"]}},
     _failures),
    ({**BURST_RULE, "id": "burst-no-groups", "threshold": {"count": 12, "window": "1m"}}, _failures),
    (DISTINCT_RULE, _apis),
    # A JSON group key: the buckets count by the cheap key (username) alone, a looser bound.
    ({**BURST_RULE, "id": "json-key", "query": JSON_KEY_QUERY,
      "threshold": {"count": 10, "window": "5m", "group_by": ["username", "mfa"]}}, _failures),
    # Only a key that is always NULL: groups must still match NULL to NULL.
    ({**BURST_RULE, "id": "null-key", "query": JSON_KEY_QUERY,
      "threshold": {"count": 12, "window": "1m", "group_by": ["nothing"]}}, _failures),
    (NULL_DISTINCT_RULE, _roles),
    ({**BURST_RULE, "id": "unnest", "query": UNNEST_QUERY}, _failures),
    ({**BURST_RULE, "id": "unnest-weighted", "query": UNNEST_WEIGHTED_QUERY,
      "threshold": {"count": 10, "window": "5m", "group_by": ["username", "ip"]}}, _failures),
    # More rows than events: a burst only the unnested rows reach.
    ({**BURST_RULE, "id": "unnest-rows", "query": UNNEST_WEIGHTED_QUERY,
      "threshold": {"count": 16, "window": "5m", "group_by": ["username"]}}, _failures),
    ({**BURST_RULE, "id": "unnest-distinct", "query": UNNEST_WEIGHTED_QUERY,
      "threshold": {"count": 11, "window": "5m", "group_by": ["username"], "distinct": "ip"}}, _failures),
    # A join of the table with itself keeps the sliding-window shape.
    ({**BURST_RULE, "id": "self-join", "query": SELF_JOIN_QUERY}, _failures),
], ids=["count-10-in-5m", "count-3-in-2m", "no-group-by", "distinct", "json-key", "null-key", "null-distinct",
        "unnest", "unnest-weighted", "unnest-rows", "unnest-distinct", "self-join"])
def test_prefiltered_rows_give_the_same_candidates(env, data: dict[str, Any], make) -> None:
    settings, engine, _ = env
    write_records("cloudtrail", make(random.Random(7)), settings.lake)
    r = rule(data)
    wrapped = prefiltered(r)
    assert wrapped != r.query
    # Queries that join slide a window; the others (UNNEST included) count rows per time bucket.
    assert ("RANGE" in wrapped) == (r.id == "self-join")
    everything = engine.run(r.query, WINDOW).frame
    kept = engine.run(wrapped, WINDOW).frame
    assert 0 < len(kept) < len(everything)
    expected = candidates(r, everything)
    assert expected, "the events must hold at least one burst"
    assert _key(candidates(r, kept)) == _key(expected)
    # Shuffled input (Athena returns rows in no order) changes nothing either.
    assert _key(candidates(r, kept.sample(frac=1, random_state=3))) == _key(expected)


def test_the_wrapped_query_answers_the_same_in_a_batch(env) -> None:
    """The bucket shape reads the table twice (count and fetch), each time through the rule's own
    WHERE, so the local engine answers it from the shared scan of the plain rules' candidates
    and its own; it must answer there exactly as alone."""
    settings, engine, _ = env
    write_records("cloudtrail", _failures(random.Random(7)), settings.lake)
    r = rule(BURST_RULE)
    wrapped = prefiltered(r)
    plan = analyse(wrapped)
    assert isinstance(plan, Shareable)
    # No candidate, no burst: a run with none answers it without running it.
    assert plan.columns_out == ("eventtime", "eventid", "username", "sourceipaddress")
    plain = "SELECT eventid, eventtime FROM cloudtrail WHERE eventname = 'ConsoleLogin'"
    alone = engine.run(wrapped, WINDOW).frame
    batch = engine.run_batch([wrapped, plain, plain], WINDOW)
    key = ["eventid"]
    assert len(alone) > 0
    assert batch[0].extra["shared_scan"]["queries"] == 3
    assert batch[0].frame.sort_values(key).reset_index(drop=True).equals(alone.sort_values(key).reset_index(drop=True))


@pytest.mark.parametrize(("changes", "why"), [
    ({"threshold": {"count": 1, "window": "5m"}}, "a count of one keeps every row"),
    ({"query": "SELECT * FROM cloudtrail WHERE eventname = 'ConsoleLogin'"}, "output columns unknown"),
    ({"query": "SELECT eventid, useridentity.username AS username FROM cloudtrail"}, "no time column"),
    ({"threshold": {"count": 5, "window": "1.5s", "group_by": ["username"]}}, "fractional window"),
], ids=["count-1", "star", "no-time", "fractional-window"])
def test_queries_it_cannot_wrap_run_as_written(changes: dict[str, Any], why: str) -> None:
    r = rule({**BURST_RULE, **changes})
    assert prefiltered(r) == r.query, why
