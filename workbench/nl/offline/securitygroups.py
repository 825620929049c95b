"""A security group's rules said in a firewall's words: "firewall openings", "inbound rules added to security groups".

The readers know a group's rules as ingress and egress rules and a group opened as an ingress rule added to it; the
words an auditor uses for the same calls are rewritten to those before the reading.
"""

from __future__ import annotations

import re

_GROUP = r"(?:security\s+groups?|sgs?)"
# "firewall (security group)": the aside names what the firewall is
_FIREWALL_ASIDE = re.compile(rf"\bfirewalls?\s*\(\s*({_GROUP})\s*\)")
# a VPC's firewall is its security groups; AWS Network Firewall and a WAF are services of their own
_FIREWALL = re.compile(r"(?<!network )(?<!web application )\bfirewall(s?)\b(?!\s+manager)")
# "security group openings": each opening is an ingress rule added, as "security groups opened" reads
_OPENINGS = re.compile(rf"\b{_GROUP}\s+openings?\b|\bopenings?\s+(?:of|on|in)\s+(?:the\s+|our\s+|any\s+)?{_GROUP}")
# a network ACL has inbound and outbound rules too: its entries are other calls
_NETWORK_ACL = re.compile(r"\b(?:n?acls?|network\s+acl\w*)\b")
_DIRECTED_RULES = re.compile(r"\b(inbound|outbound)(\s+(?:sg\s+|security\s+group\s+)?rules?)\b")
# "ingress rules added to security groups": the rule belongs to a group, which says nothing more
_RULES_OF_GROUPS = re.compile(rf"\b((?:ingress|egress)\s+rules?(?:\s+(?:that\s+|which\s+)?(?:(?:were|was|got|been)\s+)?(?:added|authori[sz]ed|"
                              rf"created))?)\s+(?:to|on|in|for|of|into)\s+(?:the\s+|our\s+|any\s+|all\s+)?"
                              rf"{_GROUP}\b")


def security_group_words(question: str) -> str:
    """The question with firewall wording as the security-group calls the readers know."""
    text = _FIREWALL_ASIDE.sub(r"\1", question)
    text = _FIREWALL.sub(r"security group\1", text)
    text = _OPENINGS.sub("ingress rules added", text)
    if not _NETWORK_ACL.search(text):
        text = _DIRECTED_RULES.sub(lambda m: ("ingress" if m.group(1) == "inbound" else "egress") + m.group(2), text)
    return _RULES_OF_GROUPS.sub(r"\1", text)
