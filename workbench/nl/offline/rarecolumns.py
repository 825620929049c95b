"""Columns analysts name less often, kept apart from vocab.DIMENSIONS (which it joins at import) so the main
vocabulary stays readable: CloudTrail's principal id, error message, event type, TLS details and VPC endpoint,
the instance details GuardDuty's findings carry in their resource, and the flow logs' VPC and availability zone.
"""

from __future__ import annotations

from workbench.nl.intent import is_null

# GetParameter names one parameter, GetParameters a list (shown as the list read: a read of each would need unnesting)
_SSM_NAME = ("CASE WHEN eventsource = 'ssm.amazonaws.com' THEN coalesce(json_extract_scalar(requestparameters, '$.name'), "
             "json_format(json_extract(requestparameters, '$.names'))) END")
_INSTANCE = "json_extract_scalar(resource, '$.instanceDetails.{}')"
# a finding's remote address sits under the action its type records (an API call, a connection, a port probe: the
# first prober, as the findings' own titles name one); one column whichever it is
_REMOTE_IP = ("coalesce(" + ", ".join(
    f"json_extract_scalar(service, '$.action.{path}.remoteIpDetails.ipAddressV4')"
    for path in ("awsApiCallAction", "networkConnectionAction", "portProbeAction.portProbeDetails[0]")) + ")")

RARE_COLUMNS: dict[str, dict[str, tuple[str, str, str]]] = {
    "cloudtrail": {
        **dict.fromkeys(("principal id", "principalid"), ("useridentity.principalid", "principal_id", "principal id")),
        **dict.fromkeys(("error message", "errormessage", "error msg"), ("errormessage", "errormessage", "error message")),
        # the account that received the event; "account" alone reads so already
        **dict.fromkeys(("recipient account", "recipient account id", "recipientaccountid"),
                        ("recipientaccountid", "recipientaccountid", "account")),
        **dict.fromkeys(("event type", "eventtype"), ("eventtype", "eventtype", "event type")),
        **dict.fromkeys(("tls version", "tlsversion"), ("tlsdetails.tlsversion", "tls_version", "TLS version")),
        **dict.fromkeys(("cipher suite", "ciphersuite", "tls cipher suite"),
                        ("tlsdetails.ciphersuite", "cipher_suite", "TLS cipher suite")),
        **dict.fromkeys(("vpc endpoint", "vpc endpoint id", "vpcendpointid"),
                        ("vpcendpointid", "vpcendpointid", "VPC endpoint")),
        **dict.fromkeys(("readonly", "read only flag", "readonly flag"), ("readonly", "readonly", "read-only flag")),
        # "totals by eventcategory": Management / Data / Insight, as CloudTrail records it
        **dict.fromkeys(("event category", "eventcategory"), ("eventcategory", "eventcategory", "event category")),
        # an SSM parameter's name: only on SSM's calls, where other services' requests name other things (a trail)
        **dict.fromkeys(("parameter", "ssm parameter", "parameter name", "ssm parameter name"),
                        (_SSM_NAME, "parameter", "SSM parameter")),
    },
    "guardduty": {
        "finding title": ("title", "title", "title"),
        **dict.fromkeys(("availability zone", "az"), (_INSTANCE.format("availabilityZone"), "availability_zone",
                                                     "availability zone")),
        **dict.fromkeys(("public ip", "public ip address"), (_INSTANCE.format("networkInterfaces[0].publicIp"),
                                                             "public_ip", "public IP")),
        **dict.fromkeys(("private ip", "private ip address"), (_INSTANCE.format("networkInterfaces[0].privateIpAddress"),
                                                               "private_ip", "private IP")),
        "instance type": (_INSTANCE.format("instanceType"), "instance_type", "instance type"),
        # an access key finding's user, as "user" reads it here: CloudTrail's "user name" column is no finding's
        # ("username" is not one: it stands for a user's name the question gave, in every table's questions)
        "user name": ("json_extract_scalar(resource, '$.accessKeyDetails.userName')", "user_name", "user"),
        **dict.fromkeys(("remote ip", "remote ip address", "remote address", "remote ips", "remote ip addresses",
                         "remote addresses"), (_REMOTE_IP, "remote_ip", "remote IP")),
        "severity score": ("severity", "severity", "severity"),  # the number itself, 1 to 10 (the band is its level)
        # what the finding saw (a port probe, an API call, a connection): its action's type (dev34 aj140; dev28 ad170
        # filters on it), never CloudTrail's "action"
        **dict.fromkeys(("action type", "actiontype", "action_type"),
                        ("json_extract_scalar(service, '$.action.actionType')", "action_type", "action type")),
    },
    "vpc_flow": {
        "vpc id": ("vpc_id", "vpc_id", "VPC"),
        # the flow's zone is recorded by its ID ("use1-az1", dev26 ab151, dev28 ad027); "availability zone" alone stays
        # GuardDuty's instance detail ("which availability zones are the probed instances in")
        **dict.fromkeys(("availability zone id", "az id", "az_id", "zone id"), ("az_id", "az_id", "availability zone id")),
    },
}

# Only some events carry these: a row without one is not an error message, TLS version or endpoint anyone used
RARE_PRESENT_ONLY = {column: (is_null(column, negate=True), f"with {description}") for column, description in (
    ("errormessage", "an error message"), ("tlsdetails.tlsversion", "TLS details"),
    ("tlsdetails.ciphersuite", "TLS details"), ("vpcendpointid", "a VPC endpoint"), (_SSM_NAME, "an SSM parameter"))}
