"""The system prompt for model-backed providers: the catalog, its conventions, worked examples.

Built only from the catalog and the session's frame (window, row limit). Log data never goes in:
the model writes SQL against the schema; the engine runs it here.
"""

from __future__ import annotations

from workbench.catalog import CLOUDTRAIL_JSON_COLUMNS, GUARDDUTY_JSON_COLUMNS, TABLES
from workbench.nl.base import NLContext
from workbench.timewindow import iso_z

EXAMPLES: tuple[tuple[str, str], ...] = (
    ("All activity from 203.0.113.42",
     "SELECT eventtime, useridentity.arn AS principal, sourceipaddress, eventsource, eventname, errorcode, eventid\n"
     "FROM cloudtrail\nWHERE sourceipaddress = '203.0.113.42'\nORDER BY eventtime"),
    ("Failed console logins without MFA",
     "SELECT eventtime, useridentity.arn AS principal, sourceipaddress\nFROM cloudtrail\n"
     "WHERE eventname = 'ConsoleLogin'\n  AND json_extract_scalar(responseelements, '$.ConsoleLogin') = 'Failure'\n"
     "  AND json_extract_scalar(additionaleventdata, '$.MFAUsed') = 'No'\nORDER BY eventtime"),
    ("Top 10 principals by AccessDenied errors",
     "SELECT useridentity.arn AS principal, COUNT(*) AS denied\nFROM cloudtrail\nWHERE errorcode = 'AccessDenied'\n"
     "GROUP BY useridentity.arn\nORDER BY denied DESC\nLIMIT 10"),
    ("High-severity GuardDuty findings by type",
     "SELECT type, COUNT(*) AS findings, MAX(severity) AS max_severity\nFROM guardduty\nWHERE severity >= 7\n"
     "GROUP BY type\nORDER BY findings DESC"),
    ("Top 5 sources of rejected traffic to port 22",
     "SELECT srcaddr, COUNT(*) AS flows\nFROM vpc_flow\nWHERE dstport = 22 AND action = 'REJECT'\n"
     "GROUP BY srcaddr\nORDER BY flows DESC\nLIMIT 5"),
)

CONVENTIONS = """\
Conventions:
- Write Amazon Athena (Trino) SQL: exactly one read-only SELECT over the tables below. Nothing else
  runs: no DDL, DML, UNLOAD, CTAS, information_schema or system tables, no table functions.
- Do not filter on time or on the partition columns year/month/day: the engine bounds every scan by
  the session window. Never invent a time range the question does not ask for.
- CloudTrail `useridentity` is a struct: useridentity.arn, useridentity.username,
  useridentity.accesskeyid, useridentity.type, useridentity.sessioncontext.sessionissuer.username.
- JSON documents are strings: read them with json_extract_scalar(column, '$.path'). JSON columns: {json}.
- eventtime, GuardDuty createdat/updatedat are ISO-8601 strings ('2026-11-18T14:00:00Z'); VPC flow
  start/end are epoch seconds (bigint).
- errorcode is NULL for successful calls. readonly is the string 'true' or 'false'.
- Console logins: eventname = 'ConsoleLogin'; the outcome is
  json_extract_scalar(responseelements, '$.ConsoleLogin') ('Success' | 'Failure'); MFA use is
  json_extract_scalar(additionaleventdata, '$.MFAUsed') ('Yes' | 'No').
- GuardDuty severity is a double: low < 4, medium 4-6.9, high >= 7.
- VPC flow action is 'ACCEPT' or 'REJECT'; protocol is the IANA number (6 TCP, 17 UDP).
- Every value the question names (IP, user, role, ARN, access key, event name, port, bucket, secret…)
  must be a condition in WHERE or HAVING; an IAM user named in the question is
  useridentity.username = '<name>'. If a named value cannot be placed, reply "Cannot:" instead.
"""

REPLY_FORMAT = """\
Reply with one line starting "Explanation:" saying in plain words what the query returns, then the
query in a ```sql fenced block. If the question cannot be answered from these tables, reply with one
line starting "Cannot:" saying why and what could be asked instead."""


def catalog_text() -> str:
    lines = []
    for table in TABLES.values():
        lines.append(f"Table {table.name} — {table.description}; event time column {table.time_column} "
                     f"({table.time_format.value}); partitions {', '.join(table.partition_keys)}")
        for column in table.columns:
            lines.append(f"  {column.name} {column.type}")
    return "\n".join(lines)


def system_prompt(context: NLContext) -> str:
    json_columns = ", ".join(sorted({f"cloudtrail.{c}" for c in CLOUDTRAIL_JSON_COLUMNS}
                                    | {f"guardduty.{c}" for c in GUARDDUTY_JSON_COLUMNS}))
    examples = "\n\n".join(f"Question: {q}\n```sql\n{sql}\n```" for q, sql in EXAMPLES)
    return (
        "You translate a security analyst's question about AWS logs into one Amazon Athena SQL query.\n\n"
        f"{catalog_text()}\n\n{CONVENTIONS.format(json=json_columns)}\n"
        f"The session window is [{iso_z(context.window.start)}, {iso_z(context.window.end)}); now is "
        f"{iso_z(context.now)}. Results are capped at {context.row_limit:,} rows.\n\n"
        f"Examples:\n\n{examples}\n\n{REPLY_FORMAT}"
    )
