"""Every named value of a question placed as a filter on the chosen table — or refused.

Each mention (an address, a user, an event, a bucket…) becomes one filter tied to the words it came
from; negated mentions are excluded NULL-safely; a mention the table cannot hold is refused with the
table that holds it (translator.py reads the question; this module only places what was found).
"""

from __future__ import annotations

import re

from sqlglot import exp

from workbench.nl.base import TranslationError
from workbench.nl.intent import (
    DIALECT,
    Filter,
    Intent,
    any_of,
    contains,
    eq,
    like,
    negate,
    one_of,
)
from workbench.nl.offline.accounting import SOURCE_OF
from workbench.nl.offline.eventnames import ASSUMED, LAMBDA_VERSIONED, is_prefix
from workbench.nl.offline.findingtypes import is_tail, tail_condition
from workbench.nl.offline.mentions import Mention, Mentions


def _ip_condition(column: str, ip: str) -> exp.Expression:
    if "/" not in ip:
        return eq(column, ip)
    address, bits = ip.split("/")
    if bits == "32":
        return eq(column, address)
    if bits not in {"8", "16", "24"}:
        raise TranslationError(f"cannot filter on {ip}: only /8, /16, /24 and /32 ranges are understood; "
                               "name the addresses or a /24")
    keep = int(bits) // 8
    return like(column, ".".join(address.split(".")[:keep]) + ".%")


def _add(intent: Intent, mentions: list[Mention], condition: exp.Expression, description: str) -> None:
    negated = {m.negated for m in mentions}
    if len(negated) > 1:
        raise TranslationError(
            f"cannot tell which of {', '.join(repr(m.words) for m in mentions)} to include and which to exclude: "
            "ask with one list, e.g. 'events from alice or bob', or 'events not from carol'")
    if negated == {True}:
        condition, description = negate(condition), "not " + description
    intent.add(Filter(condition, ", ".join(m.words for m in mentions), description,
                      tuple(m.value for m in mentions)))
    for mention in mentions:
        mention.placed = True


def _values(mentions: list[Mention]) -> list[str]:
    return list(dict.fromkeys(m.value for m in mentions))


def _assumed_role_arn(arn: Mention) -> bool:
    """A role's ARN with the verb on it ('was arn:…:role/x assumed', 'who assumed arn:…:role/x'), as a role named by
    its name: the STS calls that assume it carry the ARN in the request. The one acting keeps its own ARN
    ('which roles did arn:…:role/x assume')."""
    return re.search(r":role/", arn.value) is not None and (
        re.search(r"\b(?:assum\w*|into)\s+(?:the\s+|a\s+)?(?:role\s+)?$", arn.before) is not None
        or re.match(rf"\s*(?:role\s+)?{ASSUMED}", arn.after) is not None)


def place_cloudtrail(intent: Intent, found: Mentions, intent_concepts: list[str] = (),  # type: ignore[assignment]
                     intent_concepts_filters: list[Filter] = ()) -> None:  # type: ignore[assignment]
    if ips := found.of("ip"):
        _add(intent, ips, any_of(*(_ip_condition("sourceipaddress", v) for v in _values(ips))),
             "from " + " or ".join(_values(ips)))
    for arn in found.of("arn"):
        if _assumed_role_arn(arn):  # "how many times was arn:…:role/billing-lambda assumed": the role in the request
            _add(intent, [arn], eq("json_extract_scalar(requestparameters, '$.roleArn')", arn.value),
                 f"assuming role {arn.value}")
            continue
        _add(intent, [arn], any_of(eq("useridentity.arn", arn.value),
                                   eq("useridentity.sessioncontext.sessionissuer.arn", arn.value)), f"by {arn.value}")
    if keys := found.of("access_key"):
        _add(intent, keys, one_of("useridentity.accesskeyid", _values(keys)), "with access key " + ", ".join(_values(keys)))
    targeted = {"CreateAccessKey", "DeleteAccessKey", "UpdateAccessKey", "CreateLoginProfile", "UpdateLoginProfile",
                "DeleteLoginProfile", "AttachUserPolicy", "DetachUserPolicy", "PutUserPolicy", "AddUserToGroup",
                "CreateUser", "DeleteUser"}
    said = " ".join(f.condition.sql(DIALECT) for f in intent_concepts_filters) if intent_concepts_filters else ""
    for user in [u for u in found.of("user") if u.target and any(f"'{e}'" in said for e in targeted)]:
        # "access keys created for lena.garcia": the user the call acted on, named in its request
        _add(intent, [user], eq("json_extract_scalar(requestparameters, '$.userName')", user.value), f"for user {user.value}")
    assuming = bool({"AssumeRole", "AssumeRoleWithWebIdentity", "AssumeRoleWithSAML"} & {e.value for e in found.of("event")}
                    or "role assumptions" in " ".join(intent_concepts))
    for name in [u for u in found.of("user") if assuming and u.target and not u.typed and not u.placed]:
        name.kind = "role"  # "AssumeRoleWithWebIdentity into github-actions-deploy": the role assumed, by its name
    if users := [u for u in found.of("user") if not u.placed]:
        names = _values(users)
        plain = [n for n in names if "@" not in n]
        conditions = ([one_of("useridentity.username", plain)] if plain else []) + [
            like("useridentity.arn", f"%/{n}") for n in names if "@" in n]
        # A bare name ("how many calls did github-actions-deploy make") may be an IAM user or a role: it is
        # matched as either, which returns exactly one's rows (no role carries an IAM user's name)
        untyped = [n for n in plain if any(u.value == n and not u.typed for u in users)]
        if untyped:
            conditions.append(one_of("useridentity.sessioncontext.sessionissuer.username", untyped))
        _add(intent, users, any_of(*conditions), "by user " + " or ".join(names)
             + (" (or role " + " or ".join(untyped) + ")" if untyped else ""))
    assumed = [r for r in found.of("role") if r.target] if assuming else []
    made = [r for r in found.of("role") if r.target and not assuming
            and any(f"'{e}'" in said for e in ("CreateRole", "DeleteRole"))]
    for role in made:  # "who created the role metrics-319c-role": the role made, named in the request, not the caller
        _add(intent, [role], eq("json_extract_scalar(requestparameters, '$.roleName')", role.value),
             f"for role {role.value}")
    for role in assumed:  # "AssumeRole calls for the orders-api-ec2 role": the role assumed, not the caller's
        _add(intent, [role], like("json_extract_scalar(requestparameters, '$.roleArn')", f"%/{role.value}"),
             f"assuming role {role.value}")
    if roles := [r for r in found.of("role") if r not in assumed and r not in made]:
        issuer = "useridentity.sessioncontext.sessionissuer.username"
        # SSO roles are named AWSReservedSSO_<permission set>_<hash>: a permission set name matches inside
        conditions = [like(issuer, f"%{v}%") if re.fullmatch(r"[A-Z]\w+", v) else eq(issuer, v) for v in _values(roles)]
        _add(intent, roles, any_of(*conditions), "in role " + " or ".join(_values(roles)))
    if events := found.of("event"):
        exact = [v for v in _values(events) if not is_prefix(v)]
        starts = [like("eventname", v[0].upper() + v[1:-1] + "%") for v in _values(events) if is_prefix(v)]
        starts += [like("eventname", f"{v}20%") for v in exact if v in LAMBDA_VERSIONED]  # ...Code20150331v2
        _add(intent, events, any_of(*([one_of("eventname", exact)] if exact else []), *starts),
             "calls to " + ", ".join(_values(events)))
    if codes := found.of("error_code"):
        values = _values(codes)
        values += [f"Client.{c}" for c in values if not c.startswith("Client.") and c[0].isupper()
                   and c in {"UnauthorizedOperation", "VcpuLimitExceeded", "InvalidParameterValue"}]
        _add(intent, codes, one_of("errorcode", values), "refused with " + ", ".join(_values(codes)))
    if buckets := found.of("bucket"):
        _add(intent, buckets, one_of("json_extract_scalar(requestparameters, '$.bucketName')", _values(buckets)),
             "on bucket " + ", ".join(_values(buckets)))
    if secrets := found.of("secret"):
        _add(intent, secrets, any_of(*(like("json_extract_scalar(requestparameters, '$.secretId')", f"%{v}%")
                                       for v in _values(secrets))), "secret " + ", ".join(_values(secrets)))
    if parameters := found.of("parameter"):
        # GetParameter names one ("name"), GetParameters a list ("names"): the quoted path in the request is either
        _add(intent, parameters, any_of(*(contains("requestparameters", f'"{v}"') for v in _values(parameters))),
             "parameter " + ", ".join(_values(parameters)))
    if policies := found.of("policy"):
        _add(intent, policies, any_of(*(like("json_extract_scalar(requestparameters, '$.policyArn')", f"%/{v}")
                                        for v in _values(policies))), "policy " + ", ".join(_values(policies)))
    if accounts := found.of("account"):
        _add(intent, accounts, one_of("recipientaccountid", _values(accounts)), "in account " + ", ".join(_values(accounts)))
    if regions := found.of("region"):
        _add(intent, regions, one_of("awsregion", [v.lower() for v in _values(regions)]), "in " + ", ".join(_values(regions)))
    for host in found.of("service_host"):
        # CloudTrail records a call an AWS service makes with the service as sourceIPAddress
        # unless it is called the event source: "eventsource = iam.amazonaws.com", "event source kms.amazonaws.com"
        source = re.search(r"\b(?:event ?source|event_source|eventsource|event\.provider)\s*(?:=|:|is|of)?\s*$", host.before) \
            or re.search(r"\b(?:on|in|against|into|via|through)\s+(?:the\s+)?$", host.before)  # "agents on signin…": the service called
        # "guardduty api calls (guardduty.amazonaws.com)": the host in brackets glosses the rows' service (dev27)
        source = source or re.search(r"\b(?:events?|calls?|requests?|activity|apis?)\s*\(\s*$", host.before)
        # "kms.amazonaws.com events", "sts.amazonaws.com calls": the host as the rows' adjective names the service
        # called, as "s3 events" does; a caller is said with a word ("calls from/by config.amazonaws.com")
        source = source or (re.match(r"\s*(?:(?:api|write|read|management)\s+)?(?:events?|calls?|requests?|activity)\b",
                                     host.after) and not re.search(r"\b(?:from|by)\s+(?:the\s+)?$", host.before))
        column = "eventsource" if host.direction == "to" or source else "sourceipaddress"
        _add(intent, [host], eq(column, host.value.lower()), f"{'to' if column == 'eventsource' else 'from'} {host.value}")
    for trail in found.of("trail"):  # trail calls name the trail (or its ARN) in the request
        _add(intent, [trail], contains("requestparameters", trail.value), f"trail {trail.value}")
    named = []
    for resource in found.of("resource_id"):
        if _role_session(resource):
            # an EC2 instance's role credentials carry the instance id as the session name: the one acting
            _add(intent, [resource], like("useridentity.arn", f"%/{resource.value}"), f"by role session {resource.value}")
            continue
        named.append(resource)
    if named:  # "calls naming i-1 or i-2": a list of resources is any of them
        _add(intent, named, any_of(*(any_of(contains("requestparameters", v), contains("responseelements", v))
                                     for v in _values(named))), "naming " + " or ".join(_values(named)))


def _role_session(resource: Mention) -> bool:
    """'the i-… instance role session', 'session i-…': the instance as the actor, not a resource acted on."""
    return resource.value.lower().startswith("i-") and bool(
        re.match(r"\s*(?:instance\s+)?(?:(?:iam\s+)?role\s+)?(?:credentials?|sessions?)\b", resource.after)
        or re.search(r"\b(?:role\s+)?sessions?\s+(?:of\s+|for\s+|named\s+)?(?:the\s+)?(?:instance\s+)?$", resource.before)
        # "api calls made by instance i-… (its instance role sessions)": the gloss says who acted (dev20 v024, dev31 ag147)
        or re.search(r"\(\s*(?:its|the|their)\s+(?:instance\s+)?(?:iam\s+)?role\s+sessions?\s*\)", resource.after))


def place_vpc(intent: Intent, found: Mentions) -> None:
    ips = found.of("ip")
    for direction, column, said in (("from", "srcaddr", "from"), ("to", "dstaddr", "to")):
        if chosen := [m for m in ips if m.direction == direction]:
            _add(intent, chosen, any_of(*(_ip_condition(column, v) for v in _values(chosen))),
                 f"{said} " + " or ".join(_values(chosen)))
    for mention in (m for m in ips if m.direction == "any"):
        _add(intent, [mention], any_of(_ip_condition("srcaddr", mention.value), _ip_condition("dstaddr", mention.value)),
             f"to or from {mention.value}")
    ports = found.of("port")
    if len([m for m in ips if m.direction == "any"]) >= 2 and re.search(r"\bbetween\b", found.text):
        # "ssh traffic between A and B": either end may be the client, so the service port is on either side
        for port in ports:
            if not re.search(r"\b(?:dest\w*|dst|src|source|from|to)\b", port.words.lower()):
                port.direction = "any"
    if either := [m for m in ports if m.direction == "any"]:
        values = [int(v) for v in _values(either)]
        _add(intent, either, any_of(one_of("srcport", values), one_of("dstport", values)),
             "on port " + ", ".join(_values(either)) + " (either side)")
    for direction, column, said in (("from", "srcport", "from port"), ("to", "dstport", "to port")):
        if chosen := [m for m in ports if m.direction == direction]:
            _add(intent, chosen, one_of(column, [int(v) for v in _values(chosen)]), f"{said} " + ", ".join(_values(chosen)))
    if accounts := found.of("account"):
        _add(intent, accounts, one_of("account_id", _values(accounts)), "in account " + ", ".join(_values(accounts)))
    if regions := found.of("region"):
        _add(intent, regions, one_of("region", [v.lower() for v in _values(regions)]), "in " + ", ".join(_values(regions)))
    columns = {"eni": "interface_id", "i": "instance_id", "vpc": "vpc_id", "subnet": "subnet_id"}
    resources = [r for r in found.of("resource_id") if r.value.split("-")[0].lower() in columns]
    for prefix in dict.fromkeys(r.value.split("-")[0].lower() for r in resources):
        same = [r for r in resources if r.value.split("-")[0].lower() == prefix]
        if len(same) > 1 and len({r.direction for r in same}) == 1:  # "flows on eni-1 or eni-2": either one
            _add(intent, same, one_of(columns[prefix], _values(same)), f"{columns[prefix]} " + " or ".join(_values(same)))
            _flow_side(intent, same[0], prefix, " or ".join(_values(same)))
    for resource in resources:
        prefix = resource.value.split("-")[0].lower()
        if not resource.placed:
            _add(intent, [resource], eq(columns[prefix], resource.value), f"{columns[prefix]} {resource.value}")
            _flow_side(intent, resource, prefix, resource.value)


def _flow_side(intent: Intent, resource: Mention, prefix: str, named: str) -> None:
    if prefix in {"i", "eni"} and re.search(r"\b(?:hit|hits|hitting|reach|reaches|reaching|reached)\s+(?:the\s+)?"
                                             r"(?:instance\s+|interface\s+|eni\s+)?$", resource.before):
        # an interface's records hold both directions; "hitting" it reads as what came in or as all its traffic
        raise TranslationError(f"cannot tell whether flows reaching {named} are its inbound flows or all of its flows: say "
                               f"'inbound flows to {named}' or 'flows on {named}'")
    if prefix in {"i", "eni"} and resource.direction != "any":
        # a flow log record is kept per interface: "traffic to i-…" is what came in to it
        side = "ingress" if resource.direction == "to" else "egress"
        intent.add(Filter(eq("flow_direction", side), resource.words, f"{side} at {named}"))


# a host name: two dots or more, or one before a top-level domain ("evil.com"), never a person's first.last
_DOMAIN = re.compile(r"[a-z0-9-]+(?:\.[a-z0-9-]+){2,}|[a-z0-9-]+\.(?:com|net|org|io|ru|cn|xyz|info|biz|top|onion|cc|su)")


def place_guardduty(intent: Intent, found: Mentions) -> None:
    if types := found.of("finding_type"):
        full, tails = [v for v in _values(types) if not is_tail(v)], [v for v in _values(types) if is_tail(v)]
        _add(intent, types, any_of(*([one_of("type", full)] if full else []), *([tail_condition(tails)] if tails else [])),
             "of type " + ", ".join(_values(types)))
    for mention in found.of("ip"):
        _add(intent, [mention], contains("service", mention.value.split("/")[0]), f"involving {mention.value}")
    # an IAM user is on a finding only as the owner of the access key it used; elsewhere in the resource
    # the name can be a tag, a role session or a bucket prefix
    key_owner = re.search(r"\baccess ?keys?\b|\bkeys? of\b|\biam users?\b", found.text)
    for mention in found.of("user", "bucket"):
        if mention.kind == "user" and key_owner:  # a finding on an access key names its IAM user
            _add(intent, [mention], eq("json_extract_scalar(resource, '$.accessKeyDetails.userName')", mention.value),
                 f"on the access key of {mention.value}")
        elif _DOMAIN.fullmatch(mention.value):
            # "a finding mentioning xmr.pool.minergate.com": a domain is what was looked up or called (the finding's
            # service.action), or a resource's DNS name
            _add(intent, [mention], any_of(contains("service", mention.value), contains("resource", mention.value)),
                 f"mentioning {mention.value}")
        else:
            _add(intent, [mention], contains("resource", mention.value), f"on resource {mention.value}")
    if resources := found.of("resource_id", "access_key"):
        # "findings for i-1 or i-2": a list of resources is any of them ("both" is refused before this)
        _add(intent, resources, any_of(*(contains("resource", v) for v in _values(resources))),
             "on resource " + " or ".join(_values(resources)))
    if accounts := found.of("account"):
        _add(intent, accounts, one_of("accountid", _values(accounts)), "in account " + ", ".join(_values(accounts)))
    if regions := found.of("region"):
        _add(intent, regions, one_of("region", [v.lower() for v in _values(regions)]), "in " + ", ".join(_values(regions)))
    if trails := found.of("trail"):  # "the finding for tyrell-dev-trail": a trail is named only in the finding's title
        _add(intent, trails, any_of(*(contains("title", v) for v in _values(trails))), "about trail " + ", ".join(_values(trails)))


def refuse_unplaced(found: Mentions, table: str) -> None:
    left = found.unplaced()
    if not left:
        return
    mention = left[0]
    if mention.kind == "unknown":
        raise TranslationError(
            f"cannot place {mention.words!r}: it is not an API call, error code, policy or finding type I know. "
            "Quote it as it appears in the logs, or name what it is, e.g. 'user alice', 'role deploy', "
            "'bucket logs-archive', 'calls to CreateUser'")
    kind = mention.kind.replace("_", " ")
    holder = {"port": "VPC flow logs", "finding_type": "GuardDuty", "user": "CloudTrail", "role": "CloudTrail",
              "event": "CloudTrail", "error_code": "CloudTrail", "bucket": "CloudTrail", "secret": "CloudTrail",
              "policy": "CloudTrail", "arn": "CloudTrail", "access_key": "CloudTrail"}.get(mention.kind, "another table")
    raise TranslationError(
        f"cannot filter {SOURCE_OF[table]} on the {kind} {mention.words!r} ({holder} holds it): ask about one "
        f"log source at a time, e.g. first find the addresses in {holder}, then ask about them in {SOURCE_OF[table]}")
