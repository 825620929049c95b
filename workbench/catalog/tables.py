"""The three log tables as data: columns with their Athena types, partition keys, event-time column.

CloudTrail follows AWS's documented Athena CloudTrail table (lower-case names, `useridentity` a
struct, the free-form request/response documents kept as JSON strings). VPC Flow Logs carry the
version 2 default fields plus the version 3–5 fields. GuardDuty carries the finding's top level,
with `resource` and `service` kept as JSON strings.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

PARTITION_KEYS: tuple[str, ...] = ("year", "month", "day")

# Fields a record carries that the catalog does not know land here as one JSON object.
EXTRA_COLUMN = "extra"


class TimeFormat(StrEnum):
    """How a table's event-time column stores time; the window rewrite compares in this form."""

    ISO8601 = "iso8601"  # string 'YYYY-MM-DDTHH:MM:SSZ', compares lexicographically
    EPOCH_SECONDS = "epoch_seconds"  # bigint seconds since 1970


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # Athena (Hive DDL) type, e.g. "string", "bigint", "struct<arn:string>"
    comment: str = ""


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    time_column: str
    time_format: TimeFormat
    description: str = ""
    partition_keys: tuple[str, ...] = field(default=PARTITION_KEYS)

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        from workbench.registry import unknown_name_message

        raise KeyError(unknown_name_message(f"column of {self.name}", name, self.column_names))

    @property
    def all_column_names(self) -> list[str]:
        """Data columns then partition keys: what `SELECT *` returns on either engine."""
        return self.column_names + list(self.partition_keys)


def _cols(spec: str) -> tuple[Column, ...]:
    """Parse 'name type' lines; struct types may span a line."""
    out = []
    for line in spec.strip().splitlines():
        line = line.strip()
        if not line:
            continue
        name, _, typ = line.partition(" ")
        out.append(Column(name, typ.strip()))
    return tuple(out)


SESSION_CONTEXT = (
    "struct<attributes:struct<mfaauthenticated:string,creationdate:string>,"
    "sessionissuer:struct<type:string,principalid:string,arn:string,accountid:string,username:string>,"
    "ec2roledelivery:string,"
    "webidfederationdata:struct<federatedprovider:string,attributes:map<string,string>>,"
    "sourceidentity:string>"
)

USER_IDENTITY = (
    "struct<type:string,principalid:string,arn:string,accountid:string,invokedby:string,"
    "accesskeyid:string,username:string,onbehalfof:struct<userid:string,identitystorearn:string>,"
    f"sessioncontext:{SESSION_CONTEXT},identityprovider:string,credentialid:string>"
)

CLOUDTRAIL = Table(
    name="cloudtrail",
    description="AWS CloudTrail management and data events",
    time_column="eventtime",
    time_format=TimeFormat.ISO8601,
    columns=_cols(
        f"""
        eventversion string
        useridentity {USER_IDENTITY}
        eventtime string
        eventsource string
        eventname string
        awsregion string
        sourceipaddress string
        useragent string
        errorcode string
        errormessage string
        requestparameters string
        responseelements string
        additionaleventdata string
        requestid string
        eventid string
        readonly string
        resources array<struct<arn:string,accountid:string,type:string>>
        eventtype string
        apiversion string
        managementevent string
        recipientaccountid string
        serviceeventdetails string
        sharedeventid string
        vpcendpointid string
        vpcendpointaccountid string
        eventcategory string
        addendum struct<reason:string,updatedfields:string,originalrequestid:string,originaleventid:string>
        sessioncredentialfromconsole string
        edgedevicedetails string
        tlsdetails struct<tlsversion:string,ciphersuite:string,clientprovidedhostheader:string>
        insightdetails string
        {EXTRA_COLUMN} string
        """
    ),
)

# CloudTrail fields whose value is a free-form document: stored as a JSON string, as Athena does.
CLOUDTRAIL_JSON_COLUMNS = frozenset(
    {"requestparameters", "responseelements", "additionaleventdata", "serviceeventdetails",
     "edgedevicedetails", "insightdetails"}
)

VPC_FLOW = Table(
    name="vpc_flow",
    description="VPC Flow Logs, version 2 default fields plus versions 3-5",
    time_column="start",
    time_format=TimeFormat.EPOCH_SECONDS,
    columns=_cols(
        f"""
        version int
        account_id string
        interface_id string
        srcaddr string
        dstaddr string
        srcport int
        dstport int
        protocol bigint
        packets bigint
        bytes bigint
        start bigint
        end bigint
        action string
        log_status string
        vpc_id string
        subnet_id string
        instance_id string
        tcp_flags int
        type string
        pkt_srcaddr string
        pkt_dstaddr string
        region string
        az_id string
        sublocation_type string
        sublocation_id string
        pkt_src_aws_service string
        pkt_dst_aws_service string
        flow_direction string
        traffic_path int
        ecs_cluster_arn string
        ecs_cluster_name string
        ecs_container_instance_arn string
        ecs_container_instance_id string
        ecs_container_id string
        ecs_second_container_id string
        ecs_service_name string
        ecs_task_definition_arn string
        ecs_task_arn string
        ecs_task_id string
        reject_reason string
        {EXTRA_COLUMN} string
        """
    ),
)

GUARDDUTY = Table(
    name="guardduty",
    description="Amazon GuardDuty findings",
    time_column="updatedat",
    time_format=TimeFormat.ISO8601,
    columns=_cols(
        f"""
        schemaversion string
        accountid string
        region string
        partition string
        id string
        arn string
        type string
        severity double
        title string
        description string
        createdat string
        updatedat string
        resourcetype string
        resource string
        service string
        {EXTRA_COLUMN} string
        """
    ),
)

GUARDDUTY_JSON_COLUMNS = frozenset({"resource", "service"})

TABLES: dict[str, Table] = {t.name: t for t in (CLOUDTRAIL, VPC_FLOW, GUARDDUTY)}


def get_table(name: str) -> Table:
    try:
        return TABLES[name.lower()]
    except KeyError:
        from workbench.registry import unknown_name_message

        raise KeyError(unknown_name_message("table", name, list(TABLES))) from None
