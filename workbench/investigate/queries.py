"""The Athena SQL an investigation runs. Values are bound as quoted literals (sqlglot), never spliced,
because principals, keys and IPs come from logs an attacker can write into. Every query reads its
tables through the engine, which bounds the scan by the window and its partitions."""

from __future__ import annotations

from workbench.investigate.subjects import Subjects
from workbench.sqlparams import literal

MAX_TERMS = 20  # GuardDuty's text match grows one predicate per value


def _values(values: list[str]) -> str:
    return ", ".join(literal(v).sql(dialect="athena") for v in values)


def principal_condition(subjects: Subjects, with_ips: bool = True) -> str:
    """Events by the principals (as ARN, user name or the role behind a session), their keys, or IPs."""
    parts = []
    if subjects.principals:
        names = _values(subjects.principals)
        parts += [f"useridentity.arn IN ({names})", f"useridentity.username IN ({names})",
                  f"useridentity.sessioncontext.sessionissuer.arn IN ({names})"]
    if subjects.access_keys:
        parts.append(f"useridentity.accesskeyid IN ({_values(subjects.access_keys)})")
    if with_ips and subjects.ips:
        parts.append(f"sourceipaddress IN ({_values(subjects.ips)})")
    return " OR ".join(parts)


CLOUDTRAIL_COLUMNS = """eventtime, eventsource, eventname, awsregion, sourceipaddress, useragent, errorcode,
       errormessage, useridentity.arn AS principal, useridentity.username AS username,
       useridentity.accesskeyid AS accesskeyid, useridentity.type AS identitytype,
       useridentity.sessioncontext.sessionissuer.arn AS issuer, requestparameters, resources,
       recipientaccountid, eventid"""


def cloudtrail_activity(subjects: Subjects, limit: int) -> str | None:
    condition = principal_condition(subjects)
    if not condition:
        return None
    return f"SELECT {CLOUDTRAIL_COLUMNS}\nFROM cloudtrail\nWHERE {condition}\nORDER BY eventtime\nLIMIT {int(limit)}"


def evidence_keys(event_ids: list[str]) -> str | None:
    """The access keys and principals behind the evidence events (rules often keep only the ARN)."""
    if not event_ids:
        return None
    return ("SELECT DISTINCT useridentity.arn AS principal, useridentity.accesskeyid AS accesskeyid\n"
            f"FROM cloudtrail\nWHERE eventid IN ({_values(event_ids)})")


def vpc_flows(subjects: Subjects, limit: int) -> str | None:
    parts = []
    if subjects.ips:
        ips = _values(subjects.ips)
        parts += [f"srcaddr IN ({ips})", f"dstaddr IN ({ips})"]
    if subjects.instances:
        parts.append(f"instance_id IN ({_values(subjects.instances)})")
    if not parts:
        return None
    return ("SELECT start, \"end\", srcaddr, dstaddr, srcport, dstport, protocol, packets, bytes, action,\n"
            "       interface_id, instance_id, account_id\n"
            f"FROM vpc_flow\nWHERE {' OR '.join(parts)}\nORDER BY start\nLIMIT {int(limit)}")


def guardduty_findings(subjects: Subjects, limit: int) -> str | None:
    """Findings whose resource or service document names one of the subjects."""
    terms = [*subjects.access_keys, *subjects.ips, *subjects.instances, *subjects.principals,
             *subjects.user_names][:MAX_TERMS]
    if not terms:
        return None
    parts = []
    for term in dict.fromkeys(terms):
        value = literal(term).sql(dialect="athena")
        parts += [f"strpos(resource, {value}) > 0", f"strpos(service, {value}) > 0"]
    return ("SELECT updatedat, type, severity, title, resourcetype, region, accountid, id\n"
            f"FROM guardduty\nWHERE {' OR '.join(parts)}\nORDER BY updatedat\nLIMIT {int(limit)}")


def history(subjects: Subjects) -> str | None:
    """What the principals did before the alert, one row per (who, IP, call, region) with its count."""
    condition = principal_condition(subjects, with_ips=False)
    if not condition:
        return None
    return ("SELECT useridentity.arn AS principal, useridentity.username AS username,\n"
            "       useridentity.sessioncontext.sessionissuer.arn AS issuer,\n"
            "       useridentity.accesskeyid AS accesskeyid, sourceipaddress, eventsource, eventname, awsregion,\n"
            "       min(eventtime) AS first_time, count(*) AS calls\n"
            f"FROM cloudtrail\nWHERE {condition}\nGROUP BY 1, 2, 3, 4, 5, 6, 7, 8")
