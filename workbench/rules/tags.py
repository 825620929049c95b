"""MITRE ATT&CK tags in one canonical form: Sigma's, lower case.

Canonical forms (what a loaded rule holds):
- techniques and sub-techniques: `attack.t1078`, `attack.t1078.004`;
- tactics: `attack.initial-access` (Sigma 2 spelling, hyphenated names);
- other Sigma namespaces pass through lower-cased: `cve.2021-44228`, `car.2013-05-004`,
  `d3fend.*`, `detection.*`, `tlp.*` — Sigma import produces them.

Accepted and normalised: `T1078.004`, `attack.T1078`, `TA0001`, `initial_access`,
`Initial Access`, `attack.initial_access`.
"""

from __future__ import annotations

import re

from workbench.registry import closest

# Enterprise ATT&CK tactics: id → Sigma name.
TACTICS: dict[str, str] = {
    "ta0043": "reconnaissance",
    "ta0042": "resource-development",
    "ta0001": "initial-access",
    "ta0002": "execution",
    "ta0003": "persistence",
    "ta0004": "privilege-escalation",
    "ta0005": "defense-evasion",
    "ta0006": "credential-access",
    "ta0007": "discovery",
    "ta0008": "lateral-movement",
    "ta0009": "collection",
    "ta0011": "command-and-control",
    "ta0010": "exfiltration",
    "ta0040": "impact",
}
TACTIC_NAMES = frozenset(TACTICS.values())
OTHER_NAMESPACES = ("cve.", "car.", "d3fend.", "detection.", "tlp.", "stp.")

_TECHNIQUE = re.compile(r"^t\d{4}(\.\d{3})?$")


def normalize_tag(tag: str) -> str:
    """The canonical form of `tag`; ValueError naming the accepted forms when it is not one."""
    raw = str(tag).strip()
    text = raw.lower()
    if text.startswith(OTHER_NAMESPACES) and len(text.split(".", 1)[1]) > 0:
        return text
    body = text[len("attack."):] if text.startswith("attack.") else text
    if _TECHNIQUE.match(body):
        return f"attack.{body}"
    if body in TACTICS:
        return f"attack.{TACTICS[body]}"
    name = re.sub(r"[\s_]+", "-", body)
    if name in TACTIC_NAMES:
        return f"attack.{name}"
    guess = closest(name, TACTIC_NAMES)
    hint = f" — did you mean 'attack.{guess}'?" if guess and not re.match(r"^t\d", body) else ""
    raise ValueError(
        f"'{raw}' is not an ATT&CK tag{hint} (use a technique like attack.t1078.004 or T1078, "
        f"or a tactic like attack.initial-access)"
    )
