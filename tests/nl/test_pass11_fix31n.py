"""Pass 11, dev31's flows and findings: the end of a flow an address is when only the other end is asked, the
instance whose destination ports are asked, "targeted" as a traffic verb, and a GuardDuty finding's remote IP."""

from __future__ import annotations

import pytest

from workbench.nl.offline.translator import translate

from .conftest import DEMO_NOW, same_rows


@pytest.mark.parametrize(("question", "reference"), [
    # dev31 ag115, dev5 h073, dev19 v191, dev31 ag112: the destinations asked of an address are the ones it reached
    ("68.62.167.181 - which destination ports", "SELECT DISTINCT dstport FROM vpc_flow WHERE srcaddr = '68.62.167.181'"),
    ("which dst ports got accepted for 198.51.100.149",
     "SELECT DISTINCT dstport FROM vpc_flow WHERE srcaddr = '198.51.100.149' AND action = 'ACCEPT'"),
    ("for 198.51.100.149, the dst ports whose flows were ACCEPTed",
     "SELECT DISTINCT dstport FROM vpc_flow WHERE srcaddr = '198.51.100.149' AND action = 'ACCEPT'"),
    # dev11 n159: grouped by the destination address
    ("rejected flow count per destination address for 198.51.100.149",
     "SELECT dstaddr, count(*) AS n FROM vpc_flow WHERE srcaddr = '198.51.100.149' AND action = 'REJECT' "
     "GROUP BY dstaddr"),
    # dev30 af156: a port "on" a host is that host's, the flows it received
    ("which destination port on 10.10.1.171 sees the most flows?",
     "SELECT dstport, count(*) AS n FROM vpc_flow WHERE dstaddr = '10.10.1.171' GROUP BY dstport "
     "ORDER BY n DESC LIMIT 1"),
])
def test_destinations_asked_of_an_address_are_the_ones_it_reached(engine, question: str, reference: str) -> None:
    same_rows(engine, question, reference)


def test_the_sides_said_stay_either_end() -> None:
    sql = translate("flows to or from 10.10.0.69: which dst ports", DEMO_NOW)[0]
    assert "srcaddr = '10.10.0.69' OR dstaddr = '10.10.0.69'" in " ".join(sql.split())
    listing = translate("flows for 10.10.0.69", DEMO_NOW)[0]  # the listing shows both ends
    assert "OR dstaddr = '10.10.0.69'" in " ".join(listing.split())


def test_destination_ports_on_an_instance_say_no_side(engine) -> None:
    # dev31 ag146 as dev29 ae088 words it: the instance's interface records both directions
    question = "on i-acd3094be1cf81bab which destination ports got rejected"
    assert "flow_direction" not in translate(question, DEMO_NOW)[0]
    same_rows(engine, question, "SELECT DISTINCT dstport FROM vpc_flow WHERE instance_id = 'i-acd3094be1cf81bab' "
                                "AND action = 'REJECT'")


def test_an_address_that_targeted_others_is_their_source(engine) -> None:
    # dev31 ag110: "targeted" is a traffic verb like "scanned" or "connected to"
    question = "198.51.100.149 targeted which addresses"
    assert same_rows(engine, question, "SELECT DISTINCT dstaddr FROM vpc_flow WHERE srcaddr = '198.51.100.149'") > 0


@pytest.mark.parametrize(("question", "reference"), [
    # dev8 k125, dev15 r149: an API call finding's caller
    ("what remote ip is in the UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B finding?",
     "SELECT json_extract_scalar(service, '$.action.awsApiCallAction.remoteIpDetails.ipAddressV4') AS remote_ip "
     "FROM guardduty WHERE type = 'UnauthorizedAccess:IAMUser/ConsoleLoginSuccess.B'"),
    # dev28 ad080, dev30 af123: a port probe's peer
    ("which remote ips show up in the guardduty port probe findings?",
     "SELECT DISTINCT json_extract_scalar(service, '$.action.portProbeAction.portProbeDetails[0].remoteIpDetails."
     "ipAddressV4') AS remote_ip FROM guardduty WHERE type = 'Recon:EC2/PortProbeUnprotectedPort'"),
])
def test_a_findings_remote_ip_is_its_actions_peer(engine, question: str, reference: str) -> None:
    assert same_rows(engine, question, reference) > 0


def test_rejects_alone_are_their_number(engine) -> None:
    # dev31 ag145; "rejects per hour", "port 23 rejects, how many" are counts in five other sets
    question = "rejects on instance i-acd3094be1cf81bab"
    same_rows(engine, question, "SELECT count(*) AS rejects FROM vpc_flow WHERE instance_id = 'i-acd3094be1cf81bab' "
                                "AND action = 'REJECT'")


@pytest.mark.parametrize("question", ["show rejects from 198.51.100.149", "any rejects on i-acd3094be1cf81bab?"])
def test_rejects_asked_as_rows_stay_the_rows(question: str) -> None:
    assert "COUNT(" not in translate(question, DEMO_NOW)[0]
