"""Words that carry no condition of their own: what is left of a question after reading may only be these.

Anything else left over is a part of the question the translator did not understand, and the
answer would ignore it — so the question is refused with the word named (see translator.py).
"""

from __future__ import annotations

import re

from workbench.nl.offline.mentions import PLACEHOLDER

NEUTRAL = frozenset("""
a an the this that these those it its they them their there here of in on at to from by for with within into onto
over about as and or but nor then so if also too very just only ever still yet again already really
is are was were be been being am do does did done doing have has had having can could would should will shall may
might must get got gets getting give gives given show shows showing list lists listing find found tell me us we i
you our my your his her he she anyone someone anybody somebody everyone everybody any all some every each both
either none nothing anything something everything what which who whom whose when where why how many more most
less least per
made make makes making call calls called calling used use uses using come came comes go went goes gone send sent
sends sending talk talked talks talking touch touched touches operate operated act acted acting return returned
returns affect affected affects update updated updates probe probed probes happen happened happens occur occurred
see seen saw look looking looked want need please pls thanks hi hello ok okay happening going ongoing around
activity activities event events api apis call request requests action actions operation operations record records
entry entries log logs logged recorded log-in data info information detail details row rows result results line lines
pull grab dump grouped group split usage people folks work worked working through via hit hits hitting targeted receive received receives receiving connect connected connects connecting contact
contacted contacts reach reached reaches reaching communicate communicated communicating
traffic flow flows connection connections session sessions packet finding findings alert alerts item items thing
things ones time times seen
user users principal principals identity identities role roles key keys access account accounts port ports region
regions type types address addresses ip ips source sources destination destinations service services bucket buckets
secret secrets error errors code codes name names instance instances resource resources host hosts
count counts number numbers total amount attempt attempts aws amazon cloud cloudtrail trail guardduty vpc network
eventname eventsource assumed actor actually
active often frequently frequent common busiest noisiest loudest heaviest chattiest largest biggest rarest fewest
bytes volume
up down out off broken together overall altogether single individual each distinct unique different
s scan scanned scanning opened generate generated generating produce produced produces producing involving involve involved involves related
regarding concerning concern concerns fall falls cover covers mentioning mentions mention mentioned order ordered chronological chronologically sorted sort
appear appeared appears appearing show showed shown surface surfaced
happen display print return give list report summarize summary breakdown across between during since until before after
originating originated coming emanating taken take took performed under against among amongst signs sign evidence
indications indication traces trace timeline one ones including anywhere check whether attempted attempting try tried
trying tries
asking asked asks wondering wonder wondered curious ticket tickets
incident incidents says said writing write following follow followup fired paged page hey quick question questions
flag flags flagging ranked ranking run ran runs running execute executed raised reported stuff flagged say whole lake
think leaked open opening opens interface interfaces leaving naming accessed accessing accesses fine bit part confirm
verify know let lets i'm i'd we're we've you're can't cant u ur thx ty behind left leaves exited exiting invoked
invoke invokes issued point points pointed pointing
""".split()) | frozenset(PLACEHOLDER.values())


def unexplained(text: str) -> list[str]:
    """The words left in the working text that are not neutral. A snake-case word left whole ("port_probe") is a
    value or field typed as the logs write it, which no rule read: its parts may each be neutral, it is not."""
    snake = re.findall(r"[a-z0-9]+(?:_[a-z0-9]+)+", text)
    return snake + [w for w in re.findall(r"[a-z][a-z'-]*[a-z]|[a-z]", re.sub(r"[a-z0-9]+(?:_[a-z0-9]+)+", " ", text))
                    if w not in NEUTRAL and not w.endswith("'s") and w.removesuffix("s") not in NEUTRAL]


# "for ci role github-actions-deploy", "the build user svc-reporting": a word describing a role or user named by its
# name adds no condition to it; an environment does (one role name can live in a prod and a dev account)
_DESCRIBED = re.compile(r"\b(?!(?:prod|production|dev|development|staging|stage|test|qa|sandbox|not|no|non)\b)[a-z][a-z-]*"
                        r"(?=\s+(?:iam\s+)?(?:role|user)\s+(?:rolename|username)\b)")


# "full activity of X", "newest finding, full row": the whole of what a listing shows already, no condition
# (dev25 a036 and a154 read them as the plain listing); "full access" or "full admin" stays unread
_WHOLE = re.compile(r"\b(?:full|complete|entire)(?=\s+(?:activity|activities|rows?|records?|details?|events?|"
                    r"history|timeline)\b)")


def without_descriptions(text: str) -> str:
    return _WHOLE.sub(lambda m: " " * len(m.group(0)), _DESCRIBED.sub(lambda m: " " * len(m.group(0)), text))
