"""Pass 12 (fix34): dev34's questions about numbers (counts, sums, thresholds, top N) that were answered wrong or
refused.

- "list the most severe findings": every finding at the top severity (ties kept), as the singular reads;
- "how many source ips have fewer than 3 flows": the number of groups that pass the condition;
- "top 3 instances by their single largest flow": the largest flow of each, max(bytes), never their total;
- "sum of the counts on X findings", "sum of severity scores": a finding's own numbers added up;
- "1,000,000 bytes", "how many ingress and how many egress", "a severity of exactly 2", "the single largest transfer",
  "either way", "findings per action type", "how many different ec2 instances", "the instance with the most …".
"""

from __future__ import annotations

import pytest

from workbench.nl.offline.translator import TranslationError, translate

from .conftest import DEMO_NOW, same_rows

_FINDINGS = "SELECT updatedat, severity, type, title, resourcetype, id FROM guardduty"
_FLOWS = ("SELECT start, srcaddr, srcport, dstaddr, dstport, protocol, packets, bytes, action, interface_id "
          "FROM vpc_flow")
_INSTANCE = "json_extract_scalar(resource, '$.instanceDetails.instanceId')"
_OCCURRENCES = "CAST(json_extract_scalar(service, '$.count') AS bigint)"


@pytest.mark.parametrize("question", ["list the most severe findings", "the worst findings",
                                      "highest severity findings", "most severe finding"])
def test_the_most_severe_findings_are_all_those_at_the_top(engine, question: str) -> None:
    reference = f"{_FINDINGS} WHERE severity = (SELECT max(severity) FROM guardduty)"
    assert "LIMIT" not in translate(question, DEMO_NOW)[0]
    assert same_rows(engine, question, reference) > 0


def test_a_number_of_most_severe_findings_or_a_top_stays_a_top_n() -> None:
    assert "LIMIT 3" in translate("the 3 most severe findings", DEMO_NOW)[0]
    assert "LIMIT 10" in translate("top findings by severity", DEMO_NOW)[0]


@pytest.mark.parametrize(("question", "reference"), [
    ("how many source ips have fewer than 3 flows",
     "SELECT count(*) FROM (SELECT srcaddr FROM vpc_flow GROUP BY srcaddr HAVING count(*) < 3)"),
    ("how many users made more than 100 calls",
     "SELECT count(*) FROM (SELECT useridentity.arn FROM cloudtrail GROUP BY useridentity.arn HAVING count(*) > 100)"),
    ("number of destination ports with at least 5 flows",
     "SELECT count(*) FROM (SELECT dstport FROM vpc_flow GROUP BY dstport HAVING count(*) >= 5)"),
])
def test_how_many_groups_pass_a_threshold_is_one_number(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) == 1


@pytest.mark.parametrize("question", ["which users made more than 100 calls",
                                      "how many users made more than 100 calls, and how many calls each",
                                      "users with more than 100 calls"])
def test_the_groups_themselves_asked_keep_their_counts(question: str) -> None:
    sql = translate(question, DEMO_NOW)[0]
    assert "HAVING" in sql and "AS matching" not in sql


def test_top_groups_by_their_single_largest_flow_rank_the_max(engine) -> None:
    question = "top 3 instances by their single largest flow"
    assert "MAX(bytes)" in translate(question, DEMO_NOW)[0]
    reference = "SELECT instance_id, max(bytes) AS m FROM vpc_flow GROUP BY instance_id ORDER BY m DESC LIMIT 3"
    assert same_rows(engine, question, reference) == 3


@pytest.mark.parametrize("question", ["biggest single flow", "show me the single largest transfer in the flow logs"])
def test_the_single_largest_flow_alone_is_that_row(engine, question: str) -> None:
    assert same_rows(engine, question, f"{_FLOWS} ORDER BY bytes DESC LIMIT 1") == 1


@pytest.mark.parametrize(("question", "reference"), [
    ("sum of the counts on Recon:EC2/PortProbeUnprotectedPort findings",
     f"SELECT sum({_OCCURRENCES}) FROM guardduty WHERE type = 'Recon:EC2/PortProbeUnprotectedPort'"),
    ("total event count summed over all guardduty findings (service.count)", f"SELECT sum({_OCCURRENCES}) FROM guardduty"),
    ("sum of the finding occurrence counts per instance",
     f"SELECT {_INSTANCE}, sum({_OCCURRENCES}) FROM guardduty WHERE {_INSTANCE} IS NOT NULL GROUP BY 1"),
    ("sum of severity scores per resource type", "SELECT resourcetype, sum(severity) FROM guardduty GROUP BY 1"),
])
def test_sums_over_findings_add_up_their_own_numbers(engine, question: str, reference: str) -> None:
    assert "COUNT(*)" not in translate(question, DEMO_NOW)[0]
    assert same_rows(engine, question, reference) > 0


def test_a_total_count_of_findings_stays_their_number() -> None:
    assert "COUNT(*)" in translate("total count of findings", DEMO_NOW)[0]


@pytest.mark.parametrize(("question", "reference"), [
    ("number of flows with at least 1,000,000 bytes", "SELECT count(*) FROM vpc_flow WHERE bytes >= 1000000"),
    ("how many ingress and how many egress flows", "SELECT flow_direction, count(*) FROM vpc_flow GROUP BY 1"),
    ("how many findings have a severity of exactly 2", "SELECT count(*) FROM guardduty WHERE severity = 2"),
    ("number of flow records involving 203.0.113.77 either way",
     "SELECT count(*) FROM vpc_flow WHERE srcaddr = '203.0.113.77' OR dstaddr = '203.0.113.77'"),
    ("findings broken down by action type",
     "SELECT json_extract_scalar(service, '$.action.actionType'), count(*) FROM guardduty GROUP BY 1"),
    ("how many different ec2 instances have guardduty findings", f"SELECT count(DISTINCT {_INSTANCE}) FROM guardduty"),
    ("instance with the highest number of port probe findings?",
     f"SELECT {_INSTANCE}, count(*) AS n FROM guardduty WHERE type = 'Recon:EC2/PortProbeUnprotectedPort' GROUP BY 1 "
     "ORDER BY n DESC LIMIT 1"),
    ("how many findings concern i-cab9541e488fe9331",
     f"SELECT count(*) FROM guardduty WHERE {_INSTANCE} = 'i-cab9541e488fe9331'"),
    ("how many guardduty findings fall in the low severity band",
     "SELECT count(*) FROM guardduty WHERE severity >= 1 AND severity < 4"),
])
def test_numbers_and_counts_as_written(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


def test_a_list_of_ports_keeps_its_commas() -> None:
    assert "dstport IN (22, 443)" in translate("flows to ports 22,443", DEMO_NOW)[0]


def test_either_way_beside_an_address_with_a_side_is_refused() -> None:
    with pytest.raises(TranslationError):
        translate("flows from 203.0.113.77 either way", DEMO_NOW)


@pytest.mark.parametrize(("question", "reference"), [
    ("which source talked to the most distinct destination ports",
     "SELECT srcaddr, count(DISTINCT dstport) AS n FROM vpc_flow GROUP BY srcaddr ORDER BY n DESC LIMIT 1"),
    ("which source ip has the highest number of distinct destination ports",
     "SELECT srcaddr, count(DISTINCT dstport) AS n FROM vpc_flow GROUP BY srcaddr ORDER BY n DESC LIMIT 1"),
    ("top 3 users with the most distinct source ips",
     "SELECT useridentity.arn, count(DISTINCT sourceipaddress) AS n FROM cloudtrail GROUP BY 1 ORDER BY n DESC, 1 LIMIT 3"),
])
def test_the_most_distinct_values_rank_one_grouping(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


def test_distinct_resource_types_the_findings_cover(engine) -> None:
    question = "how many distinct resource types do the findings cover"
    assert same_rows(engine, question, "SELECT count(DISTINCT resourcetype) FROM guardduty") == 1


@pytest.mark.parametrize(("question", "n"), [("which finding has the biggest occurrence count", 1),
                                             ("top 3 findings by occurrence count", 3)])
def test_findings_ranked_by_their_occurrence_count(engine, question: str, n: int) -> None:
    reference = f"{_FINDINGS.replace(' FROM', f', {_OCCURRENCES} AS o FROM')} ORDER BY o DESC LIMIT {n}"
    assert same_rows(engine, question, reference) == n
