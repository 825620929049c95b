"""'who called SendSSHPublicKey and for which instance', 'StopInstances calls per instance id': in CloudTrail the
instance is the one a call's request names, and each call names it in its own field: EC2 Instance Connect's
`instanceId`, Session Manager's `target`, the EC2 state calls' first `instancesSet` item (dev9 l100, dev12 o083,
dev17 t046, dev25 a088 / a089 read them so). Beside any other call, or none, the instance is not in the request
the way one column could read, and the question is refused rather than answered from the wrong field."""

from __future__ import annotations

from sqlglot import exp

from workbench.nl.base import TranslationError
from workbench.nl.intent import DIALECT, Dimension, Filter, Intent, Order
from workbench.nl.offline.vocab import DIMENSIONS

# the vocabulary's column for "instance" in CloudTrail (vocab.DIMENSIONS), swapped here for the call's own field
INSTANCE = "json_extract_scalar(requestparameters, '$.instanceId')"
_STATE_CALLS = ("StartInstances", "StopInstances", "RebootInstances", "TerminateInstances")
_FIELD = {
    "SendSSHPublicKey": (INSTANCE, "instance_id"),
    "SendSerialConsoleSSHPublicKey": (INSTANCE, "instance_id"),
    "StartSession": ("json_extract_scalar(requestparameters, '$.target')", "target"),
    **dict.fromkeys(_STATE_CALLS, ("json_extract_scalar(requestparameters, '$.instancesSet.items[0].instanceId')",
                                   "instance")),
}
INSTANCE_CALLS = tuple(_FIELD)  # the calls whose request names the instance they act on


def event_names(intent: Intent) -> list[str]:
    """The calls the filters name, positively ('eventname = X', 'eventname IN (…)')."""
    return named_calls(intent.filters)


def named_calls(filters: list[Filter]) -> list[str]:
    names: list[str] = []
    for item in filters:
        node = item.condition.unnest()
        if isinstance(node, (exp.EQ, exp.In)) and node.this.sql(DIALECT) == "eventname":
            values = node.expressions if isinstance(node, exp.In) else [node.expression]
            names += [v.name for v in values if isinstance(v, exp.Literal)]
    return names


def own_columns(filters: list[Filter], table: str) -> set[str]:
    """The columns a table's vocabulary has for this question: CloudTrail's instance only beside a call that names
    one ("api calls made by instance i-…" is the instance's role sessions, no request's field: refused as before)."""
    own = set(DIMENSIONS[table])
    if table == "cloudtrail" and not set(named_calls(filters)) & set(_FIELD):
        own -= {"instance", "instance id", "target instance"}
    return own


def instance_of_the_call(intent: Intent) -> None:
    """The instance asked beside the calls named: their request's own field, one field for all of them."""
    dims = intent.group_by + intent.columns
    if not any(d.expression == INSTANCE for d in dims) and not any(o.expression == INSTANCE for o in intent.order):
        return
    fields = {_FIELD.get(call) for call in event_names(intent)}
    if len(fields) != 1 or None in fields:
        raise TranslationError("the instance is read only beside the calls that name one in their request "
                               "(SendSSHPublicKey, StartSession, StartInstances / StopInstances …): name the call, "
                               "e.g. 'who called SendSSHPublicKey and for which instance'")
    expression, alias = fields.pop()

    def swap(dim: Dimension) -> Dimension:
        return Dimension(expression, alias, dim.description, dim.words) if dim.expression == INSTANCE else dim

    intent.group_by, intent.columns = [swap(d) for d in intent.group_by], [swap(d) for d in intent.columns]
    intent.order = [Order(expression if o.expression == INSTANCE else alias if o.expression == "instance_id"
                          else o.expression, o.descending) for o in intent.order]
