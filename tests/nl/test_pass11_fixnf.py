"""Pass 11 (fixnf): flow and finding questions the blind-style sets refused.

- a finding's remote IP, wherever its action records it (an API call, a connection, a port probe);
- a grouping beside its own values ("split by accept/reject action", "per direction (ingress/egress)");
- "guardduty severity", "severity value": the severity column; "which finding came first": the earliest row;
- "findings with severity 5 or more, highest severity first": the listing in severity order.
"""

from __future__ import annotations

import pytest

from workbench.nl.offline.translator import TranslationError, translate

from .conftest import DEMO_NOW, same_rows

_API_IP = "json_extract_scalar(service, '$.action.awsApiCallAction.remoteIpDetails.ipAddressV4')"
_PROBE_IP = "json_extract_scalar(service, '$.action.portProbeAction.portProbeDetails[0].remoteIpDetails.ipAddressV4')"
_LISTING = "SELECT updatedat, severity, type, title, resourcetype, id FROM guardduty"


@pytest.mark.parametrize(("question", "reference"), [
    ("what remote ip is in the UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B finding",
     f"SELECT DISTINCT {_API_IP} FROM guardduty WHERE type = 'UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B'"),
    ("remote ip in the Stealth:IAMUser/CloudTrailLoggingDisabled finding",
     f"SELECT DISTINCT {_API_IP} FROM guardduty WHERE type = 'Stealth:IAMUser/CloudTrailLoggingDisabled'"),
    ("which remote ip addresses are in the port probe findings",
     f"SELECT DISTINCT {_PROBE_IP} FROM guardduty WHERE type = 'Recon:EC2/PortProbeUnprotectedPort'"),
])
def test_a_findings_remote_ip_is_read_from_its_action(engine, question: str, reference: str) -> None:
    assert "remoteIpDetails" in translate(question, DEMO_NOW)[0]
    assert same_rows(engine, question, reference) > 0


def test_remote_ip_of_ssh_brute_force_is_the_connections_peer(engine) -> None:
    # the demo window holds no brute-force finding: the rows agree (none), and the connection's peer is read
    question = "which remote ips are in the ssh brute force findings"
    reference = ("SELECT DISTINCT json_extract_scalar(service, '$.action.networkConnectionAction.remoteIpDetails."
                 "ipAddressV4') FROM guardduty WHERE type = 'UnauthorizedAccess:EC2/SSHBruteForce'")
    assert "networkConnectionAction" in translate(question, DEMO_NOW)[0]
    same_rows(engine, question, reference)


@pytest.mark.parametrize(("question", "reference"), [
    ("flow count split by accept/reject action", "SELECT action, count(*) FROM vpc_flow GROUP BY action"),
    ("flows by action (accept vs reject), just the counts", "SELECT action, count(*) FROM vpc_flow GROUP BY action"),
    ("can you count flows per direction (ingress/egress) for instance i-9bb7939b0bfe31f31",
     "SELECT flow_direction, count(*) FROM vpc_flow WHERE instance_id = 'i-9bb7939b0bfe31f31' GROUP BY flow_direction"),
    ("total bytes per flow direction (ingress vs egress)",
     "SELECT flow_direction, sum(bytes) FROM vpc_flow GROUP BY flow_direction"),
])
def test_a_grouping_beside_its_values_is_the_grouping(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) == 2


def test_one_direction_named_stays_a_filter() -> None:
    sql = translate("ingress flows per action", DEMO_NOW)[0]
    assert "flow_direction = 'ingress'" in sql and "GROUP BY" in sql


@pytest.mark.parametrize(("question", "reference"), [
    ("gd findings per severity value", "SELECT severity, count(*) FROM guardduty GROUP BY severity"),
    ("number of findings at each severity value", "SELECT severity, count(*) FROM guardduty GROUP BY severity"),
    ("mean guardduty severity for each finding type", "SELECT type, avg(severity) FROM guardduty GROUP BY type"),
    ("which guardduty finding came first", f"{_LISTING} ORDER BY updatedat, id LIMIT 1"),
    ("findings with severity 5 or more, highest severity first", f"{_LISTING} WHERE severity >= 5"),
])
def test_finding_words_said_otherwise(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


def test_highest_severity_first_orders_the_listing() -> None:
    sql = translate("findings with severity 5 or more, highest severity first", DEMO_NOW)[0]
    assert "ORDER BY\n  severity DESC" in sql


def test_remote_ip_outside_findings_stays_refused() -> None:
    with pytest.raises(TranslationError):
        translate("which remote ips called DeleteTrail", DEMO_NOW)


@pytest.mark.parametrize(("question", "reference"), [
    ("the two most rejected destination ports in vpc flow, with reject counts",
     "SELECT dstport, count(*) FROM vpc_flow WHERE action = 'REJECT' GROUP BY dstport ORDER BY 2 DESC, 1 LIMIT 2"),
    ("earliest ssh connection start out of 10.10.0.69",
     "SELECT min(start) FROM vpc_flow WHERE srcaddr = '10.10.0.69' AND dstport = 22"),
    ("earliest flow start time for src 198.51.100.149", "SELECT min(start) FROM vpc_flow WHERE srcaddr = '198.51.100.149'"),
])
def test_flow_words_said_again(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


def test_a_reject_count_alone_is_still_the_rejected_flows() -> None:
    assert "action = 'REJECT'" in translate("destination ports with reject counts", DEMO_NOW)[0]


@pytest.mark.parametrize(("question", "condition"), [
    ("flows where 10.20.0.161 is the dst and port is 3389", "dstaddr = '10.20.0.161' AND dstport = 3389"),
    ("flows where 10.10.0.69 was the source", "srcaddr = '10.10.0.69'"),
    ("flows where dst port is 22", "dstport = 22"),
])
def test_a_side_or_port_said_as_a_sentence(engine, question: str, condition: str) -> None:
    assert condition in translate(question, DEMO_NOW)[0]
    same_rows(engine, question, f"SELECT start, srcaddr, srcport, dstaddr, dstport, protocol, packets, bytes, action, "
                                f"interface_id FROM vpc_flow WHERE {condition}")


@pytest.mark.parametrize(("question", "condition"), [
    ("instance ids named in high-severity findings", "severity >= 7 AND severity < 9"),
    ("instance ids mentioned in port probe findings", "type = 'Recon:EC2/PortProbeUnprotectedPort'"),
])
def test_ids_named_in_described_findings(engine, question: str, condition: str) -> None:
    same_rows(engine, question, "SELECT DISTINCT json_extract_scalar(resource, '$.instanceDetails.instanceId') FROM "
                                f"guardduty WHERE resourcetype = 'Instance' AND {condition}")


@pytest.mark.parametrize(("question", "reference"), [
    ("resource types with findings + count", "SELECT resourcetype, count(*) FROM guardduty GROUP BY resourcetype"),
    ("regions with findings and counts", "SELECT region, count(*) FROM guardduty GROUP BY region"),
])
def test_with_findings_beside_a_count_is_the_count_per_value(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


@pytest.mark.parametrize("question", ["how many findings have 198.51.100.149 as the remote ip",
                                      "count of findings where the remote ip is 198.51.100.149"])
def test_an_address_said_to_be_the_remote_ip_is_the_address_in_the_finding(engine, question: str) -> None:
    assert same_rows(engine, question, "SELECT count(*) FROM guardduty WHERE service LIKE "
                                       "'%\"ipAddressV4\":\"198.51.100.149\"%'") == 1


@pytest.mark.parametrize(("question", "condition"), [
    ("on the access key findings, which user names does guardduty list?", "resourcetype = 'AccessKey'"),
    ("which user name is in the Discovery:IAMUser/AnomalousBehavior finding", "type = 'Discovery:IAMUser/AnomalousBehavior'"),
])
def test_a_findings_user_name_is_the_access_keys_user(engine, question: str, condition: str) -> None:
    assert same_rows(engine, question, "SELECT DISTINCT json_extract_scalar(resource, '$.accessKeyDetails.userName') "
                                       f"FROM guardduty WHERE {condition}") > 0
