"""The readings tests/nl/README.md decides, applied to an intent once the question is read.

Roles assumed are the roles in the request; a named role is assumed by any STS call; Identity Center
callers are their session names; console sign-in users are IAM user names; a listed or grouped attribute
keeps only the rows that have it; "counts for alice and bob" is one count per named value.
"""

from __future__ import annotations

import re
from dataclasses import replace

from sqlglot import exp

from workbench.nl.base import TranslationError
from workbench.nl.intent import (
    DIALECT,
    Dimension,
    Filter,
    Intent,
    Measure,
    Order,
    col,
    eq,
    is_null,
    like,
    literal,
    one_of,
)
from workbench.nl.offline.instances import event_names, instance_of_the_call
from workbench.nl.offline.mentions import Mentions
from workbench.nl.offline.rarecolumns import RARE_PRESENT_ONLY
from workbench.nl.offline.vocab import COUNT_ALIAS, DIMENSIONS

# Attributes only some rows carry: a row without one is not an answer to "which roles" or "top 5
# roles", so listing or ranking by them keeps the rows that have them (as the sets' gold SQL does).
PRESENT_ONLY = {
    "useridentity.sessioncontext.sessionissuer.username": (eq("useridentity.type", "AssumedRole"), "assumed-role sessions"),
    # AWS services' own calls carry an empty access key: not a key anyone used
    "useridentity.accesskeyid": (exp.NEQ(this=col("useridentity.accesskeyid"), expression=literal("")),
                                 "with an access key"),
    "json_extract_scalar(requestparameters, '$.bucketName')": (
        is_null("json_extract_scalar(requestparameters, '$.bucketName')", negate=True), "naming a bucket"),
    "useridentity.username": (is_null("useridentity.username", negate=True), "with a user name"),
    "json_extract_scalar(requestparameters, '$.s3BucketName')": (
        is_null("json_extract_scalar(requestparameters, '$.s3BucketName')", negate=True), "naming the trail's bucket"),
    # only AWS services' own calls name one: a person's assumption is not a service's
    "useridentity.invokedby": (is_null("useridentity.invokedby", negate=True), "made by an AWS service"),
    "json_extract_scalar(requestparameters, '$.secretId')": (
        is_null("json_extract_scalar(requestparameters, '$.secretId')", negate=True), "naming a secret"),
    "useridentity.sessioncontext.sessionissuer.arn": (eq("useridentity.type", "AssumedRole"), "assumed-role sessions"),
    "json_extract_scalar(requestparameters, '$.roleArn')": (
        is_null("json_extract_scalar(requestparameters, '$.roleArn')", negate=True), "naming a role"),
    "json_extract_scalar(requestparameters, '$.keyName')": (
        is_null("json_extract_scalar(requestparameters, '$.keyName')", negate=True), "naming a key pair"),
    "json_extract_scalar(requestparameters, '$.keyId')": (
        is_null("json_extract_scalar(requestparameters, '$.keyId')", negate=True), "naming a KMS key"),
    # Identity Center users act through the AWSReservedSSO_* roles; the session name is the user
    "regexp_extract(useridentity.arn, '[^/]+$')": (like("useridentity.arn", "%:assumed-role/AWSReservedSSO_%"),
                                                   "Identity Center sessions"),
    **RARE_PRESENT_ONLY,
}


# "each" of the values named, not each of a column ("each hour", "for each user" are groupings read already)
_EACH = (r"\b(?:did|do|does|have|has|had|were|was|they|them|username|rolename|ipaddr|bucketname)\s+each\b|"
         r"\beach\s+(?:of\s+(?:them|those|these|the\s+two|both)|one)\b|\b(?:for|from|by)\s+each\s*(?:[?.!]|$)")


def per_value(intent: Intent, found: Mentions, text: str) -> None:
    """'event counts for alice and bob': one count per named value, not their sum."""
    if found.compared and not intent.measures and not intent.groups:
        _compared_counts(intent, found.text)
    if found.compared and not intent.groups and not any(len(f.entities) > 1 and _listed_columns(f.condition)
                                                           for f in intent.filters):
        raise TranslationError("cannot set the values against each other ('vs') here: ask for a count per value, "
                               "e.g. 'events from 10.0.0.5 or 10.0.0.6, count per source ip'")
    if intent.distinct and intent.columns and not intent.groups and re.search(_EACH, found.text):
        # "which ips did alice and bob each come from": the values listed beside the name they belong to
        for item in intent.filters:
            if columns := _listed_columns(item.condition) if len(item.entities) > 1 else []:
                column = columns[0] if len(columns) == 1 else f"coalesce({', '.join(columns)})"
                if all(d.expression != column for d in intent.columns):
                    intent.columns.insert(0, Dimension(column, "name" if len(columns) > 1 else column.split(".")[-1],
                                                       column, item.words))
                    intent.order.insert(0, Order(column))
                return
    if not intent.measures or not (found.compared or re.search(
            r"\b(?:counts|each|respectively|separately|apiece|individually|per (?:user|ip|address|role))\b", found.text)
            or _leading_calls(intent, found.text)):
        return
    for item in intent.filters:
        columns = _listed_columns(item.condition) if len(item.entities) > 1 else []
        if columns:
            # a bare name is a user or a role: the one of the two columns that holds it
            column = columns[0] if len(columns) == 1 else f"coalesce({', '.join(columns)})"
            if any(d.expression == column for d in intent.groups):
                return
            named = Dimension(column, "name" if len(columns) > 1 else column.split(".")[-1], column, item.words)
            if intent.groups:
                # "StopInstances and StartInstances counts by day", "A vs B per hour": each value's own count
                # in each group, never the sum of both ("alice or bob, count per user" is grouped by them already)
                if not (found.compared or re.search(r"\b(?:counts|each|respectively|separately|apiece|individually)\b",
                                                    found.text) or _leading_calls(intent, found.text)) or "useridentity" in column and any(
                        d.expression.startswith("useridentity") for d in intent.groups):
                    return
                intent.group_by.append(named)
                intent.order.append(Order(column))
            else:
                intent.group_by, intent.order = [named], [Order(column)]
            return


def _leading_calls(intent: Intent, text: str) -> bool:
    """'StartInstances and StopInstances per day' (dev32 ah186, as dev20 r062's 'counts by day'): the calls named
    as the whole subject, over time, are each counted; a concept they explain ('iam enumeration (ListUsers, …) per
    day') is one count. (The text has each named call as its column's name.)"""
    return bool(intent.table == "cloudtrail" and any(g.alias in ("day", "hour", "week", "minute") for g in intent.groups)
                and re.match(r"\s*(?:(?:count|number)\s+of\s+)?eventname(?:\s*(?:,|/|&|\band\b|\bor\b)?\s*eventname)+"
                             r"(?:\s+(?:calls|events|api\s+calls))?\s+(?:per|by|each|a)\s+(?:day|hour|week|minute)\b", text))


def _compared_counts(intent: Intent, text: str) -> None:
    """'s3 calls in A vs B': two values set against each other are compared by their counts; the rows of both
    side by side would not compare them."""
    if intent.distinct and re.search(r"\b(?:which|what|distinct|unique|list)\b", text):
        raise TranslationError("cannot set the values against each other ('vs') in a listing: ask for a count per "
                               "value, e.g. 'event count per account for 776471095852 vs 426676542884', or ask "
                               "about one value at a time")
    intent.columns, intent.distinct, intent.order = [], False, []
    intent.measures = [Measure("count", COUNT_ALIAS[intent.table], "number of " + {
        "cloudtrail": "events", "vpc_flow": "flows", "guardduty": "findings"}[intent.table])]


def _listed_columns(condition: exp.Expression) -> list[str]:
    """The columns a list of values is matched on: 'x IN (a, b)', or 'x = a OR x = b' (an address's one side)."""
    if lists := list(condition.find_all(exp.In)):
        return list(dict.fromkeys(node.this.sql(DIALECT) for node in lists))
    root = condition.unnest()
    leaves = [leaf.unnest() for leaf in root.flatten()] if isinstance(root, exp.Or) else []
    if leaves and all(isinstance(leaf, exp.EQ) for leaf in leaves):
        columns = list(dict.fromkeys(leaf.this.sql(DIALECT) for leaf in leaves))
        return columns if len(columns) == 1 else []
    return []


def _assumed_roles(intent: Intent) -> None:
    """With AssumeRole calls, 'roles' are the roles assumed (in the request), not the callers' sessions."""
    issuer = "useridentity.sessioncontext.sessionissuer.username"
    if not any(f.condition.sql(DIALECT) in {f"eventname = '{call}'" for call in _ASSUME_CALLS} for f in intent.filters):
        return
    arn = "json_extract_scalar(requestparameters, '$.roleArn')"
    swap = {issuer: Dimension(arn, "role", "assumed role"),
            "useridentity.sessioncontext.sessionissuer.arn": Dimension(arn, "role", "assumed role"),
            "json_extract_scalar(requestparameters, '$.roleName')": Dimension(arn, "role", "assumed role")}
    intent.group_by = [swap.get(d.expression, d) for d in intent.group_by]
    intent.columns = [swap.get(d.expression, d) for d in intent.columns] if intent.distinct else intent.columns
    intent.measures = [Measure(m.func, m.alias, m.description, arn, m.words) if m.column == issuer else m
                       for m in intent.measures]
    intent.order = [Order(arn, o.descending) if o.expression in swap else o for o in intent.order]


# IAM calls that act on a role named in the request: "CreateRole calls by dave - which roles" asks for those roles
_ROLE_CALLS = re.compile(r"(?:Create|Delete|Update|Tag|Untag|Attach|Detach|Put|Get)Role(?:Policy|Description|"
                         r"PermissionsBoundary)?|UpdateAssumeRolePolicy|(?:Add|Remove)RoleToInstanceProfile")


def _roles_acted_on(intent: Intent) -> None:
    """With only role-management calls and the caller named or asked for, 'which roles' are the roles in the request."""
    issuer = "useridentity.sessioncontext.sessionissuer.username"
    calls = event_names(intent)
    caller = any("useridentity" in f.condition.sql(DIALECT) and "eventname" not in f.condition.sql(DIALECT)
                 for f in intent.filters)
    # "CreateRole events - who made which role": the caller asked for beside it, so the role is the one acted on
    caller |= any(d.alias == "principal" and re.search(r"\b(?:who|whom)\b", d.words.lower())
                  for d in intent.group_by + intent.columns)
    if not calls or not caller or not all(_ROLE_CALLS.fullmatch(c) for c in calls):
        return
    name = Dimension("json_extract_scalar(requestparameters, '$.roleName')", "role_name", "role acted on")
    swap = lambda d: Dimension(name.expression, name.alias, name.description, d.words) if d.expression == issuer else d  # noqa: E731
    intent.group_by = [swap(d) for d in intent.group_by]
    intent.columns = [swap(d) for d in intent.columns]
    intent.order = [Order({issuer: name.expression, "role": name.alias}.get(o.expression, o.expression), o.descending)
                    for o in intent.order]


def _sso_who(intent: Intent) -> None:
    """'which people used an sso role': an Identity Center session's caller is the user its session name carries."""
    if not any(f.description == "Identity Center sessions" for f in intent.filters):
        return
    # "who used the ReadOnlyAccess permission set" asks for the principals, as "who" does everywhere: their ARNs
    if any(d.alias == "principal" and re.search(r"\b(?:who|whom|whose|principals?)\b", d.words.lower())
           for d in intent.group_by + intent.columns):
        return
    expr, alias, description = DIMENSIONS["cloudtrail"]["identity center user"]
    swap = lambda d: Dimension(expr, alias, description, d.words) if d.alias == "principal" else d  # noqa: E731
    intent.group_by = [swap(d) for d in intent.group_by]
    intent.columns = [swap(d) for d in intent.columns]
    # "how many people used the ReadOnlyAccess sso roles": the people counted, not their per-account ARNs
    counted = {m.alias: f"distinct_{alias}" for m in intent.measures
               if m.func == "count_distinct" and m.column == "useridentity.arn"}
    intent.measures = [Measure(m.func, counted[m.alias], f"number of distinct {description}", expr, m.words)
                       if m.alias in counted else m for m in intent.measures]
    intent.order = [Order(alias if o.expression == "principal" else expr if o.expression == "useridentity.arn"
                          else counted.get(o.expression, o.expression), o.descending) for o in intent.order]


_ASSUME_CALLS = ("AssumeRole", "AssumeRoleWithWebIdentity", "AssumeRoleWithSAML")


def _assumed_by_any_means(intent: Intent) -> None:
    """'when was github-actions-deploy assumed': a named role is assumed by any of the three STS calls.

    Only when the verb said it ('assumed'), not the call's name ('AssumeRole calls into X' keeps that call).
    """
    arn = "json_extract_scalar(requestparameters, '$.roleArn')"
    named = any(f.description.startswith("assuming role ") for f in intent.filters)
    # "how many times was each role assumed", "most assumed roles": the roles in the requests, whichever call
    # assumed them (the verb, never the call's name: "AssumeRole calls per target role arn" keeps that call)
    listed = arn in {d.expression for d in intent.group_by + intent.columns} | {m.column for m in intent.measures}
    for i, item in enumerate(intent.filters):
        words = item.words.lower()
        # "how many times were roles assumed": the verb on the noun is every assumption too, whichever call
        said = re.search(r"\b(?:roles?\s+(?:\w+\s+)?assumed|assumed\s+(?:an?\s+|the\s+|any\s+)?roles?|"
                         r"role assumptions?)\b", words)
        if item.condition.sql(DIALECT) == "eventname = 'AssumeRole'" and "assumerole" not in words \
                and (named or said or listed and re.search(r"\bassum(?:ed|ptions?)\b", words)):
            intent.filters[i] = Filter(one_of("eventname", _ASSUME_CALLS), item.words, "role assumptions (any STS call)",
                                       item.entities)


def _console_users(intent: Intent) -> None:
    """'console sign-ins per user', 'which users logged in': sign-ins are IAM users', named by their user name.

    So is any question already restricted to IAM users ('calls by iam users, per user'): every row has one."""
    named = {"eventname = 'ConsoleLogin'", "useridentity.type = 'IAMUser'"}
    if intent.table != "cloudtrail" or not any(f.condition.sql(DIALECT) in named for f in intent.filters):
        return
    expr, alias, description = DIMENSIONS["cloudtrail"]["user name"]

    def swap(dim: Dimension) -> Dimension:
        said_user = re.search(r"\busers?\b", dim.words) and not re.search(r"\b(?:who|whom|principals?)\b", dim.words)
        return Dimension(expr, alias, description, dim.words) if dim.alias == "principal" and said_user else dim

    before = [d.expression for d in intent.group_by + intent.columns]
    intent.group_by = [swap(d) for d in intent.group_by]
    intent.columns = [swap(d) for d in intent.columns]
    if before != [d.expression for d in intent.group_by + intent.columns]:
        intent.order = [Order(alias if o.expression == "principal" else expr if o.expression == "useridentity.arn"
                              else o.expression, o.descending) for o in intent.order]


def _only_present(intent: Intent) -> None:
    listed = intent.groups + (intent.columns if intent.distinct else [])
    for dim in listed:
        if dim.alias == "session_name" and intent.table == "cloudtrail":
            # any role's sessions have a name, not only Identity Center's (the same column, another kind)
            intent.add(Filter(eq("useridentity.type", "AssumedRole"), dim.words or dim.description,
                              "assumed-role sessions"))
        elif dim.expression in PRESENT_ONLY and intent.table == "cloudtrail":
            condition, description = PRESENT_ONLY[dim.expression]
            intent.add(Filter(condition.copy(), dim.words or dim.description, description))


def _other_end(intent: Intent) -> None:
    """'which hosts does 10.0.0.5 talk to on 5432': an address pinned to one value is never what is listed or
    grouped — the hosts asked for are the other end of its connections."""
    counted = [m for m in intent.measures if m.func == "count_distinct"]
    if intent.table != "vpc_flow" or not (intent.distinct or intent.group_by or counted):
        return  # a listing shows both ends anyway
    pinned = {f.condition.this.sql(DIALECT) for f in intent.filters
              if isinstance(f.condition, exp.EQ) and f.condition.this.sql(DIALECT) in {"srcaddr", "dstaddr"}}
    other = {"srcaddr": "dstaddr", "dstaddr": "srcaddr"}
    if len(pinned) != 1:
        return
    side = pinned.pop()
    swap = Dimension(other[side], other[side], "destination address" if side == "srcaddr" else "source address")

    def turned(dims: list[Dimension]) -> list[Dimension]:
        # only a noun that names no side ("hosts", "ips"); "per source" asked for that side, however odd
        return [swap if d.expression == side and not re.search(r"\b(?:source|src|destination|dst|dest|sender|target)",
                                                               d.words or "") else d for d in dims]

    columns, group_by = turned(intent.columns), turned(intent.group_by)
    # "how many hosts did 10.0.0.5 ssh into": counting the pinned address's own distinct values would always say 1
    measures = [replace(m, alias=f"distinct_{swap.alias}", description=f"number of distinct {swap.description}",
                        column=swap.expression)
                if m.func == "count_distinct" and m.column == side and not re.search(
                    r"\b(?:source|src|destination|dst|dest|sender|target)", m.words or "") else m
                for m in intent.measures]
    if columns == intent.columns and group_by == intent.group_by and measures == intent.measures:
        return
    renamed = {m.alias: n.alias for m, n in zip(intent.measures, measures, strict=True)}
    intent.columns, intent.group_by, intent.measures = columns, group_by, measures
    intent.order = [Order(other[side], o.descending) if o.expression in {side, swap.alias}
                    else Order(renamed.get(o.expression, o.expression), o.descending) for o in intent.order]


_BUCKET = "json_extract_scalar(requestparameters, '$.bucketName')"
_TRAIL_BUCKET = "json_extract_scalar(requestparameters, '$.s3BucketName')"


def _trail_bucket(intent: Intent) -> None:
    """'what bucket did the UpdateTrail call point the trail at': a trail's calls name its bucket s3BucketName."""
    names = {c.this for f in intent.filters for c in f.condition.find_all(exp.Literal)
             if c.is_string and isinstance(c.parent, (exp.EQ, exp.In)) and c.parent.this.sql() == "eventname"}
    if intent.table != "cloudtrail" or not names or not all(n in {"CreateTrail", "UpdateTrail"} for n in names):
        return
    swap = lambda d: Dimension(_TRAIL_BUCKET, d.alias, "trail bucket", d.words) if d.expression == _BUCKET else d  # noqa: E731
    intent.columns = [swap(d) for d in intent.columns]
    intent.group_by = [swap(d) for d in intent.group_by]
    intent.order = [Order(_TRAIL_BUCKET if o.expression == _BUCKET else o.expression, o.descending) for o in intent.order]


def _calling_services(intent: Intent) -> None:
    """'AssumeRole calls made by aws services, by service': when the callers are AWS services, the service asked
    for is the caller (`invokedby`); the one called (`eventsource`) only when named so ('per event source')."""
    # "which services assumed roles": every STS call's event source is sts, so the services asked for are the callers
    assumed = bool(names := event_names(intent)) and set(names) <= set(_ASSUME_CALLS)
    if intent.table != "cloudtrail" or not assumed and not any(
            f.condition.sql(DIALECT) == "useridentity.type = 'AWSService'" for f in intent.filters):
        return
    caller = Dimension("useridentity.invokedby", "invoked_by", "calling service")

    def swap(dim: Dimension) -> Dimension:
        said = dim.expression == "eventsource" and not re.search(r"\b(?:event\s*source|called|target)", dim.words or "") \
            and (not assumed or re.search(r"\bservices?\b", dim.words or ""))  # a listing's own column stays
        return Dimension(caller.expression, caller.alias, caller.description, dim.words) if said else dim

    intent.group_by, intent.columns = [swap(d) for d in intent.group_by], [swap(d) for d in intent.columns]
    intent.order = [Order(caller.alias if o.expression == "eventsource" and caller.alias in
                          {d.alias for d in intent.group_by + intent.columns} else o.expression, o.descending)
                    for o in intent.order]


def apply_conventions(intent: Intent) -> None:
    """The column each convention names, in the order they depend on each other."""
    instance_of_the_call(intent)  # before _only_present keeps the rows that have the call's own field
    _other_end(intent)
    _calling_services(intent)
    _assumed_roles(intent)
    _roles_acted_on(intent)
    _assumed_by_any_means(intent)
    _sso_who(intent)
    _console_users(intent)
    _trail_bucket(intent)
    _only_present(intent)
