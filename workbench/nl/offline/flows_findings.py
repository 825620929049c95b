"""The analysts' vocabulary for VPC flow logs and GuardDuty findings → filters (concepts.py holds CloudTrail's).

Rejected/accepted traffic, directions, well-known ports, private ranges, protocols; GuardDuty severities
(AWS's bands) and finding families. Each rule adds filters tied to the words it read and blanks them.
"""

from __future__ import annotations

import re

from sqlglot import exp

from workbench.nl.base import TranslationError
from workbench.nl.intent import (
    any_of,
    compare,
    eq,
    like,
)
from workbench.nl.offline.findingsums import finding_sums
from workbench.nl.offline.reading import PROTOCOLS, UNIT, Reading
from workbench.nl.offline.splitwords import finding_words, flow_splits
from workbench.nl.offline.vocab import (
    FINDING_FAMILIES,
    RESOURCE_TYPES,
    WELL_KNOWN_PORTS,
)


def vpc_concepts(reading: Reading) -> None:
    flow_splits(reading)  # "split by accept/reject action": the grouping, its values said again
    # "our machines", "servers", "boxes" in traffic are the addresses at the ends of a flow; asked for or grouped by
    # ("which machines", "per server") they may as well be the instances (instance_id), so those stay unread
    machines = r"\b(?:(machine)s?|(server)s?|box)(?=(es|s)?\b)(?:es|s)?"
    if not re.search(r"\b(?:which|what)\s+(?:of\s+)?(?:our\s+|the\s+)?(?:own\s+)?(?:internal\s+|external\s+)?(?:machines?|"
                     r"servers?|boxes)\b|\b(?:per|by|each)\s+(?:machine|server|box)\b", reading.text) or \
            re.search(r"\b(?:addresses|ips|address|ip)\b", reading.text):
        reading.text = re.sub(machines, lambda m: ("hosts" if m.group(0).endswith("s") else "host").ljust(len(m.group(0))),
                              reading.text)
    # "which hosts received ssh attempts", "ips that were scanned": a noun that names no side, as the subject of a
    # receiving verb, is the destination (read first: "ips" grows to "dsts" before any filter's place is kept;
    # "address" is one, so "which address received the most bytes" is the one top destination)
    received = (r"(?:(?:that|which)\s+)?(?:(?:have|has|had)\s+)?(?:receiv(?:e|es|ed|ing)\b|(?:were|was|got|get|gets|"
                r"been|being|are|is)\s+(?:\w+\s+)?(?:contacted|targeted|scanned|probed|attacked|hit|reached|accessed|"
                r"connected to)\b)")
    reading.text = re.sub(rf"\b(?:destination\s+)?(?:hosts?|ips?|addresses|address|machines?|servers?|instances?)\s"
                          rf"(?=\s*{received})",
                          lambda m: (("dsts" if re.search(r"[^s]s$", m.group(0).rstrip()) else "dst") + " ").ljust(len(m.group(0))),
                          reading.text)
    # "ssh traffic between A and B": either end may be the client, so the service's port is on either side
    between = reading.has(r"\bbetween\s+ipaddr\s+(?:and|&)\s+ipaddr\b")
    for name, port in WELL_KNOWN_PORTS.items():
        if match := reading.find(rf"\b{name}\b"):
            if between:
                reading.add(any_of(eq("srcport", port), eq("dstport", port)), reading.consume(match),
                            f"{name.upper()} (port {port}, either side)")
            else:
                reading.add(eq("dstport", port), reading.consume(match), f"to {name.upper()} (port {port})")
    if between and (match := reading.find(r"\b(?:(?:in|for)\s+)?(?:each|per|by)\s+directions?\b")):
        # "bytes between A and B, each direction": A→B and B→A; flow_direction is each interface's own view, and a
        # flow between two watched hosts is logged once on each side
        reading.text = reading.text[:match.start()] + "by src and dst".ljust(len(match.group(0))) + \
            reading.text[match.end():]
    if match := reading.find(r"\b(?:inbound|incoming|ingress)\s+(?:vs\.?|versus|and|or|/)\s+(?:outbound|outgoing|egress)\b|"
                             r"\b(?:outbound|outgoing|egress)\s+(?:vs\.?|versus|and|or|/)\s+(?:inbound|incoming|ingress)\b"):
        # "ingress vs egress bytes": one row per direction
        _as_grouping(reading, match, "direction")
    if match := reading.find(r"\b(?:inbound|incoming|ingress)\b"):
        reading.add(eq("flow_direction", "ingress"), reading.consume(match), "inbound")
    elif match := reading.find(r"\b(?:outbound|outgoing|egress)\b"):
        reading.add(eq("flow_direction", "egress"), reading.consume(match), "outbound")
    if match := reading.find(r"\b(?:(to|for|towards|into|reaching|from|out of)\s+)?(?:the\s+)?(?:amazon\s+|aws\s+)?"
                             r"(s3|dynamodb|cloudfront|route ?53)(?:\s+(?:service|endpoints?))?\b"):
        # "bytes that left the vpcs for s3": the AWS service at the far end of the flow, the destination unless "from"
        side = "pkt_src_aws_service" if match.group(1) in {"from", "out of"} else "pkt_dst_aws_service"
        service = match.group(2).upper().replace(" ", "")
        reading.add(eq(side, service), reading.consume(match), f"{'from' if 'src' in side else 'to'} AWS service {service}")
    # "how many were let in and how many blocked": both outcomes asked, one row per action
    # "which ports let it through": the object between the verb and its particle is the traffic itself
    let_in, kept_out = r"(?:accepted|allowed|let (?:(?:it|them|him|her)\s+)?(?:in|through)|let(?=\s+ipaddr\s+(?:in|through)\b)|(?:got|gets?|getting) through)", r"(?:rejected|blocked|denied|turned away)"
    many = r"how many\s+(?:were\s+|got\s+)?"
    pair = rf"\s*(?:(?:vs\.?|versus|and|or|/|,)\s*(?:and\s+)?(?:{many})?|{many})"
    if match := reading.find(rf"\b{let_in}{pair}{kept_out}\b|\b{kept_out}{pair}{let_in}\b"):
        # "accepted vs rejected flows per day": one row per action
        _as_grouping(reading, match, "action")
    if match := reading.find(r"\b(?:rejected|blocked|denied|dropped|refused|reject|rejects|rejecting|blocking|dropping|"
                             r"failed|turned away)\b"):
        reading.add(eq("action", "REJECT"), reading.consume(match), "rejected")
    elif match := reading.find(r"\b(?:accepted|allowed|permitted|successful(?:ly)?|succeeded|accept|accepts|accepting|allowing|established|"
                               r"let (?:(?:it|them|him|her)\s+)?(?:in|through)|let(?=\s+ipaddr\s+(?:in|through)\b)|(?:got|gets?|getting) through)\b"):
        reading.add(eq("action", "ACCEPT"), reading.consume(match), "accepted")
        if again := reading.find(rf"\b{let_in}\b"):
            reading.consume(again)  # "which ports did X get through on (accepted)": the same outcome said twice
    if reading.has(rf"\b{let_in}\b") and any("REJECT" in f.condition.sql() for f in reading.filters):
        # both outcomes written but not read as a pair: one filter would silently drop the other
        raise TranslationError("both accepted and rejected traffic are asked: say 'accepted vs rejected' for one row "
                               "per action, or ask for one of them")
    if match := reading.find(r"\b(?:(source|src|destination|dst|dest)\s+)?ports?\s+(above|over|greater than|higher than|"
                             r"below|under|less than|lower than)\s+(\d{1,5})\b"):
        # "flows to ports above 1023": a comparison on the port, the destination's unless the source is said
        column = "srcport" if match.group(1) in {"source", "src"} else "dstport"
        op = ">" if match.group(2) in {"above", "over", "greater than", "higher than"} else "<"
        # "distinct dst ports under 1024": the ports are also what is asked, so the noun stays for the shape to list
        asked = re.search(r"\b(?:distinct|unique|different|which|what)\s+$", reading.text[:match.start()])
        words = reading.consume_span(match.start(2), match.end()) if asked else reading.consume(match)
        reading.add(compare(column, op, int(match.group(3))), words,
                    f"{'source ' if column == 'srcport' else ''}port {op} {match.group(3)}")
    bytes_ = (r"\b(more than|over|above|greater than|at least|larger than|bigger than|less than|under|below|fewer than)"
              r"\s+([\d.,]+)\s*(bytes|b|kb|mb|gb|packets)\b")
    if match := reading.find(bytes_):
        words = reading.consume(match)
        column = "packets" if match.group(3) == "packets" else "bytes"
        amount = int(float(match.group(2).replace(",", "")) * UNIT.get(match.group(3), 1))
        op = {"at least": ">=", "less than": "<", "under": "<", "below": "<", "fewer than": "<"}.get(match.group(1), ">")
        # "sent at least 1 MB to it in total", "a total of more than 500 packets": the sum per group, not each flow
        total = re.search(r"^(?:\s+\S+){0,3}?\s+(in total|total|combined|altogether|overall|summed|all together)\b",
                          reading.text[match.end():]) or re.search(r"\b(?:a\s+)?total(?:\s+of)?\s*$", reading.text[:match.start()])
        if total:
            span = (match.end() + total.start(1), match.end() + total.end(1)) if total.re.pattern.startswith("^") \
                else total.span()
            reading.text = reading.text[:span[0]] + " " * (span[1] - span[0]) + reading.text[span[1]:]
            reading.total = (op, amount, words, column)
        else:
            reading.add(compare(column, op, amount), words, f"{column} {op} {amount}")
    if match := reading.find(r"\b(?:on|at|via|over)\s+(\d{2,5})\b(?!\s*(?:bytes|b|kb|mb|gb|packets|flows|times))"):
        if int(match.group(1)) <= 65535:  # "talking to 203.0.113.171 on 5432": a destination port
            reading.add(eq("dstport", int(match.group(1))), reading.consume(match), f"to port {match.group(1)}")
    for name, number in PROTOCOLS.items():
        if match := reading.find(rf"\b{name}\b"):
            reading.add(eq("protocol", number), reading.consume(match), name.upper())
            # "udp flows (protocol 17)": the number the logs write for the protocol named, said aside: the same filter
            if aside := reading.find(rf"\(\s*(?:ip\s+)?proto(?:col)?\s*(?:=|number|no\.?|#)?\s*{number}\s*\)"):
                reading.consume(aside)
    # "protocol 17 flows", "protocol = 6": the IANA number as the logs write it
    if match := reading.find(r"\b(?:ip\s+)?proto(?:col)?\s*(?:=|number|no\.?|#)?\s*(\d{1,3})\b(?!\s*(?:bytes|packets|%))"):
        if int(match.group(1)) <= 255:
            reading.add(eq("protocol", int(match.group(1))), reading.consume(match), f"protocol {match.group(1)}")
    scope = r"(internal|private|rfc ?1918|in-?vpc|external|public|internet|outside)"
    nouns = r"(?:hosts?|addresses|address|ips?|destinations?|sources?|networks?|peers?|machines?|servers?)"
    # "which of our hosts", "our servers": the organisation's own addresses, the private ranges
    reading.text = re.sub(r"\b(?:(which|what)\s+of\s+)?our\s+(?:own\s+)?(?=(?:hosts?|ips?|dsts?|addresses|machines?|servers?|"
                          r"boxes|instances)\b)",
                          lambda m: ((m.group(1) + " " if m.group(1) else "") + "internal ").ljust(len(m.group(0))),
                          reading.text)
    # both ends may be scoped ("internal hosts … to external addresses"): each is read, never the second dropped
    while match := reading.find(rf"\b(to|towards|into|from)\s+(?:an?\s+|the\s+|any\s+)?{scope}\s+{nouns}\b|"
                                rf"\b(to|towards|into|from)\s+(?:the\s+)?(internet|outside(?:\s+(?:the\s+)?(?:vpc|network))?)|"
                                rf"\b{scope}(?=\s+({nouns}|dsts?)\b)"):
        # "internal destinations": the scope is on the side the noun names
        bare = "to" if re.match(r"dst|destination", match.group(6) or "") else "from"
        if match.group(5) and re.search(r"\b(?:which|what|how\s+many)\s+(?:of\s+the\s+)?$", reading.text[:match.start()]) and \
                re.match(rf"\s+{nouns}\s+(?:did|does|do|has|have|had)\s+(?:ipaddr|it|they|he|she|(?:the|that|this)\s+\w+)\s+"
                         r"(?!(?:receive|get|got|accept|hear|see))",
                         reading.text[match.end():]):
            bare = "to"  # "which external ips did 10.0.0.5 connect to": the noun is the object of the address's verb
        elif match.group(5) and re.match(rf"\s+{nouns}\s+(?:that|which)\s+ipaddr\s+(?!(?:receiv|get|got|accept|hear|saw|see))\w",
                                         reading.text[match.end():]):
            bare = "to"  # "internal hosts that 10.0.0.5 opened connections to": the same object, in a relative clause
        side, kind = (match.group(1) or match.group(3), match.group(2) or match.group(4)) if (
            match.group(1) or match.group(3)) else (bare, match.group(5))
        column = "dstaddr" if side in {"to", "towards", "into"} else "srcaddr"
        inside = _private(column)
        outside = not re.match(r"internal|private|rfc|in-?vpc", kind)
        # "distinct external sources": the scope word is read, the noun stays for the shape to list
        reading.add(exp.Not(this=inside) if outside else inside, reading.consume(match),
                    f"{'to' if column == 'dstaddr' else 'from'} {'outside' if outside else 'inside'} the private ranges")


def _private(column: str) -> exp.Expression:
    """RFC 1918 addresses: 10/8, 172.16/12, 192.168/16."""
    ranges = ["10.%", "192.168.%", *(f"172.{n}.%" for n in range(16, 32))]
    return exp.Paren(this=exp.or_(*(like(column, r) for r in ranges)))


_COUNT_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "ten": 10}
_N = r"(\d+\s+|(?:one|two|three|four|five|ten)\s+)?"
_MOST_SEVERE = re.compile(
    rf"\b(?:the\s+)?(?:top\s+)?{_N}(?:most\s+severe|most\s+critical|most\s+serious|worst|highest[- ]sev(?:erity)?|severest)\s+"
    r"(?:guardduty\s+|gd\s+)?(findings?|alerts?)\b|"
    rf"\b(?:the\s+)?(?:top\s+)?{_N}(?:guardduty\s+)?(findings?)\s+(?:with|of)\s+the\s+(?:highest|worst)\s+severit(?:y|ies)\b|"
    rf"\b(?:top|first)\s+{_N}(?:guardduty\s+)?(findings?)\s+(?:by|sorted by|ordered by|ranked by)\s+severity\b")


def guardduty_concepts(reading: Reading) -> None:
    finding_sums(reading)  # "sum of the counts on X findings": the findings' occurrences added up, not a count
    finding_words(reading)  # "mean guardduty severity", "which finding came first": words the readers below know
    # "gd findings by severity, highest first": the findings in severity order, as "sorted by severity" reads; the
    # counts per severity ordered by how many (or the high band, for "severe") answered another question
    if not re.search(r"\b(?:count|counts|how many|number|total|tally)\b", reading.text):
        reading.text = re.sub(r"\b(findings?|alerts?)\s+by\s+severity\s*[,;-]?\s*(?:(?:highest|most\s+severe|worst|"
                              r"most\s+critical)\s+first|desc(?:ending)?|high(?:est)?\s+to\s+low(?:est)?)\b",
                              r"\1 sorted by severity", reading.text)
    # "the most severe finding", "top 3 findings by severity": findings ranked by severity, each one a row — never
    # the high band ("severe") nor the finding types counted
    if ranked := _MOST_SEVERE.search(reading.text):
        count = next((g for g in ranked.group(1, 3, 5) if g), None)
        noun = next(g for g in ranked.group(2, 4, 6) if g)
        count = count and count.strip()
        reading.most_severe = (int(count) if count.isdigit() else _COUNT_WORDS[count]) if count else \
            1 if not noun.endswith("s") else 10
        # "the highest severity finding", "list the most severe findings": one of several tied at the top would be
        # picked at random, and a top 10 would reach below the top; all of them at the top severity are (dev34 aj068,
        # as dev24 v092 reads the singular). "top findings by severity" asks for a top N, the first rows
        reading.severest_tied = count is None and (not noun.endswith("s") or not re.search(r"\btop\b", ranked.group(0)))
        reading.text = reading.text[:ranked.start()] + "findings".ljust(len(ranked.group(0))) + reading.text[ranked.end():]
    if match := reading.find(r"\bseverity (?:bands?|levels?|buckets?)\s*(?:\(?\s*low\s*[/,]\s*medium\s*[/,]\s*high"
                             r"(?:\s*[/,]\s*critical)?\s*\)?)?"):
        # "by severity band (low/medium/high/critical)": the bands named, not four filters on them
        reading.text = reading.text[:match.start()] + "severity band".ljust(len(match.group(0))) + \
            reading.text[match.end():]
    if match := reading.find(r"\b(?:severity|sev)\s+(?:of\s+|is\s+|score\s+)?(?:between|from)\s+(\d+(?:\.\d+)?)\s+"
                             r"(?:and|to|-)\s+(\d+(?:\.\d+)?)\b"):
        # "severity between 4 and 7": both ends included, as an analyst reads a range of scores
        low, high = sorted((float(match.group(1)), float(match.group(2))))
        words = reading.consume(match)
        reading.add(compare("severity", ">=", low), words, f"severity >= {low}")
        reading.add(compare("severity", "<=", high), words, f"severity <= {high}")
    # "findings above sev 7": the comparison said before the word, as "severity above 7" reads it
    reading.text = re.sub(r"\b(above|over|greater than|more than|at least|below|under|less than)\s+(severity|sev)(?=\s+\d)",
                          lambda m: f"{m.group(2)} {m.group(1)}", reading.text)
    severity = (r"\b(?:severity|sev)\s+(?:of\s+|is\s+|score\s+)?(above|over|greater than|more than|at least|below|under|"
                r"less than|>=|>|<=|<|=|of|equal to|)\s*(\d+(?:\.\d+)?)(?!\s*(?:\+|or\s))")
    or_more = reading.find(r"\b(?:severity|sev)\s+(?:of\s+|is\s+)?(\d+(?:\.\d+)?)\s*(?:\+|or (?:higher|above|more|greater|worse))")
    if or_more:
        reading.add(compare("severity", ">=", float(or_more.group(1))), reading.consume(or_more),
                    f"severity >= {or_more.group(1)}")
    elif match := reading.find(severity):
        words = reading.consume(match)
        op = {"at least": ">=", "below": "<", "under": "<", "less than": "<", ">=": ">=", "<=": "<=", "<": "<",
              "=": "=", "of": "=", "equal to": "=", "": "="}.get(match.group(1), ">")
        reading.add(compare("severity", op, float(match.group(2))), words, f"severity {op} {match.group(2)}")
    elif match := reading.find(r"\b(?:(low|medium|high)(?:[- ]sev(?:erity)?)?\s*(?:\+|and (?:above|up|higher|over|worse)|"
                               r"or (?:above|higher|worse|more|greater|up)|(?:severity )?or worse)|"
                               r"at least (low|medium|high))\b(?:[- ]sev(?:erity)?)?"):
        # "medium or worse", "at least high": the band's floor and everything above it
        floor = {"low": 1, "medium": 4, "high": 7}[match.group(1) or match.group(2)]
        reading.add(compare("severity", ">=", floor), reading.consume(match), f"of severity {floor} or more")
    elif match := reading.find(r"\b(?:low|medium|high|critical)(?:\s*(?:,|or|and|&|/)\s*(?:low|medium|high|critical))+\b"
                               r"(?:[- ]sev(?:erity)?)?"):
        # "medium or high findings": AWS's bands (low 1-3.9, medium 4-6.9, high 7-8.9, critical 9-10), any of them
        bands = {"low": (0, 4), "medium": (4, 7), "high": (7, 9), "critical": (9, None)}
        named = sorted({bands[b] for b in re.findall(r"low|medium|high|critical", match.group(0))}, key=lambda r: r[0])
        ranges: list[tuple[int, int | None]] = []
        for low, high in named:  # adjacent bands make one range
            if ranges and ranges[-1][1] == low:
                ranges[-1] = (ranges[-1][0], high)
            else:
                ranges.append((low, high))
        conditions = [compare("severity", ">=", lo) if hi is None else exp.and_(
            compare("severity", ">=", lo), compare("severity", "<", hi)) for lo, hi in ranges]
        reading.add(any_of(*(exp.Paren(this=c) if isinstance(c, exp.And) and len(conditions) > 1 else c
                             for c in conditions)), reading.consume(match), f"of {match.group(0).strip()} severity")
    elif match := reading.find(r"\b(?:high\s*(?:\+|and (?:above|up|higher|critical)|or (?:above|higher|critical)|and over)|"
                               r"(?:critical|high)\s+(?:and|or|&|/)\s+(?:critical|high)|high or worse)"
                               r"(?:[- ]sev(?:erity)?)?"):
        reading.add(compare("severity", ">=", 7), reading.consume(match), "of high severity or worse (7 or more)")
    elif match := reading.find(r"\b(?:critical)(?:[- ]sev(?:erity)?)?\b"):
        reading.add(compare("severity", ">=", 9), reading.consume(match), "of critical severity (9 or more)")
    elif match := reading.find(r"(?<!\bhow )\b(?:high|severe)(?:[- ]sev(?:erity)?)?\b"):
        # "how severe" asks the severity, never the high band (dev29 ae143): left unread, it is refused
        # AWS bands GuardDuty severity: low 1-3.9, medium 4-6.9, high 7-8.9, critical 9-10
        words = reading.consume(match)
        reading.add(compare("severity", ">=", 7), words, "of high severity (7 to 9)")
        reading.add(compare("severity", "<", 9), words, "below critical")
    elif match := reading.find(r"\bmedium(?:[- ]severity)?\b"):
        words = reading.consume(match)
        reading.add(compare("severity", ">=", 4), words, "of medium severity (4 to 7)")
        reading.add(compare("severity", "<", 7), words, "below high")
    elif match := reading.find(r"\blow(?:[- ]severity)?\b"):
        reading.add(compare("severity", "<", 4), reading.consume(match), "of low severity (below 4)")
    families: list[tuple[str, str]] = []
    for word, pattern in FINDING_FAMILIES.items():
        if match := reading.find(rf"\b{word}(?:e?s)?\b"):
            words = reading.consume(match)
            if all(p != pattern for _, p in families):
                families.append((words, pattern))
    if families:
        reading.add(any_of(*(like("type", p) for _, p in families)), " ".join(w for w, _ in families),
                    " or ".join(w for w, _ in families) + " findings")
    if match := reading.find(r"(?<!\bor )(?<!\band )\biam\s+(?=users?\b(?!\s+(?:or|and)\b))"):
        # "which iam users appear in access key findings": a key's owner can be a role session too; the kind is asked
        # ("access keys or iam users" says the resource again, in other words: no kind of owner is asked)
        reading.add(eq("json_extract_scalar(resource, '$.accessKeyDetails.userType')", "IAMUser"), reading.consume(match),
                    "on the access keys of IAM users")
    # "ec2 instances", "s3 buckets": the service says again what the resource noun says
    reading.text = re.sub(r"\b(?:ec2|s3|iam)\s+(?=(?:instances?|buckets?|access keys?|users?)\b)",
                          lambda m: " " * len(m.group(0)), reading.text)
    for word, resource in RESOURCE_TYPES.items():
        if match := reading.find(rf"\b{word}s?\b"):
            asked = re.search(r"\b(?:which|what|per|by|each|distinct|unique|different|top(?:\s+\d+)?|bottom(?:\s+\d+)?)\s+"
                              r"(?:\w+\s+)?$", reading.text[:match.start()]) or re.match(r"\s*ids?\b", reading.text[match.end():]) \
                or re.match(r"\s+(?:with|having|that\s+(?:has|had))\s+the\s+(?:most|fewest|least)\b", reading.text[match.end():])
            # "the instance with the most port probe findings": the instances ranked, as "which instance has the most"
            # "which instances had findings": the filter, and the word left for the shape to list
            words = match.group(0) if asked else reading.consume(match)
            reading.add(eq("resourcetype", resource), words, f"on {resource} resources")
            break


def _as_grouping(reading: Reading, match: re.Match[str], column: str) -> None:
    """Reword "A vs B" as "by <column>" in place, padded so later matches keep their offsets."""
    reading.text = reading.text[:match.start()] + f"by {column}".ljust(len(match.group(0))) + reading.text[match.end():]
