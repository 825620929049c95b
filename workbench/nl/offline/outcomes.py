"""Console sign-ins and the outcome of CloudTrail calls → filters: sign-ins and their MFA and result; denied,
failed, succeeded, changed or read-only calls; the service called.

Read after the security vocabulary (concepts.py), so "failed logins" stays with the sign-ins and a
sign-in's outcome is read from its response, not from an error code.
"""

from __future__ import annotations

import re

from workbench.nl.base import TranslationError
from workbench.nl.intent import eq, is_null, one_of
from workbench.nl.offline.listing import asked_columns
from workbench.nl.offline.reading import Reading
from workbench.nl.offline.vocab import DENIED_CODES, SERVICES

LOGIN_OUTCOME = "json_extract_scalar(responseelements, '$.ConsoleLogin')"
MFA_USED = "json_extract_scalar(additionaleventdata, '$.MFAUsed')"
SESSION_MFA = "useridentity.sessioncontext.attributes.mfaauthenticated"
# "… and whether they used mfa": the flag asked as a column or grouping, not one of its values
# "successes and failures together": both outcomes in one count, the opposite of "separately" (one row per outcome)
_BOTH_TOGETHER = (r"\b(?:(?:success\w*|succeeded)\s+(?:and|&|\+|plus)\s+(?:fail\w*|unsuccessful)|(?:fail\w*|unsuccessful)\s+"
                  r"(?:and|&|\+|plus)\s+(?:success\w*|succeeded))(?:\s+(?:ones\s+)?(?:alike))?\s+(?:together|combined|"
                  r"alike|lumped\s+together|in\s+one\s+count)\b")
_NOT_ASKED = r"(?<!\bwhether they )(?<!\bwhether he )(?<!\bwhether she )(?<!\bif they )"


# "did X log in with mfa every time?": a question about all of the sign-ins, which a filter on MFA would hide
_EVERY_TIME = re.compile(r"\b(?:mfa|2fa|multi-factor\w*)\b.*\b(?:every\s+(?:single\s+)?time|each\s+time|all\s+the\s+time|"
                         r"always|every\s+(?:single\s+)?(?:console\s+)?(?:log-?in|sign-?in)s?)\b|\b(?:always|every\s+time)\b"
                         r".*\b(?:mfa|2fa|multi-factor\w*)\b", re.IGNORECASE)


def console_logins(reading: Reading) -> None:
    if _EVERY_TIME.search(reading.text):
        raise TranslationError("whether MFA was used every time needs all the sign-ins, and a filter on MFA would hide "
                               "the ones without it: ask for the counts either way, e.g. 'console logins by "
                               "<user> with vs without mfa'")
    if brute := reading.find(r"\b(?:brute[- ]?forc\w*|password[- ]spray\w*|credential stuffing)(?:\s+(?:attacks?|attempts?))?"
                             r"(?:(?:\s+(?:against|on|of))?\s+(?:the\s+)?(?:aws\s+)?(?:console|logins?|sign-?ins?))?"):
        reading.add(eq("eventname", "ConsoleLogin"), reading.consume(brute), "console logins", "console")
        reading.add(eq(LOGIN_OUTCOME, "Failure"), brute.group(0), "that failed")
        if reading.has(r"^\s*who\b(?!\s+(?:was|were|got|has been)\b)"):
            # the failed sign-ins' principal is the one attacked: the attacker is known by address only
            raise TranslationError("the attacker in a brute force is known only by source IP (the sign-ins' user is the "
                                   "one attacked): ask 'which ips brute-forced heidi.smith'")
    if got_in := reading.find(r"\b(?:(?:ever|actually|really)\s+)*(?:(?:get|got|gets|getting|break|broke)\s+"
                              r"(?:it\s+)?|(?:make|made|makes)\s+it\s+)in\b(?!\s*(?:to|touch|the|an?)\b)|"
                              r"\b(?:get|got|gets|getting|break|broke)\s+into\s+(?:the\s+)?(?:aws\s+|web\s+|"
                              r"management\s+)*console\b"):
        # "did 192.0.2.88 ever get in", "who made it in": a sign-in that worked, the console being the way in
        reading.add(eq("eventname", "ConsoleLogin"), reading.consume(got_in), "console logins", "console")
        reading.add(eq(LOGIN_OUTCOME, "Success"), got_in.group(0), "that succeeded")
        # "did X ever get in? successful console logins from that ip", "… - list those logins": the same sign-ins
        # said again; one said to have failed is a different question, left unread so it is refused
        while again := reading.find(r"(?<!fail)(?<!failed )(?<!unsuccessful )\b(?:(?:successful|succeeded)\s+)?"
                                    r"(?:console\s+)?(?:log[- ]?ins?|sign[- ]?ins?)\b"):
            if re.search(r"\b(?:list|show)\s+(?:me\s+)?(?:those|these)\s+$", reading.text[:again.start()]):
                # "who got in - list those logins": 'those' is not read as the rows yet; left unread, refused
                break
            if re.search(r"\b(?:list|show)\s+(?:me\s+)?(?:the|all|all the)\s+$", reading.text[:again.start()]):
                # "who got in - list those logins": the rows asked for, as 'list the events' asks them
                reading.text = reading.text[:again.start()] + "events".ljust(len(again.group(0))) + \
                    reading.text[again.end():]
                continue
            reading.consume(again)
        # "who got into the console w/o mfa": the sign-ins' own MFA flag, as for 'console logins without mfa'
        if match := reading.find(r"\b(?:without|no|not using|missing|w/o)\s+(?:an?\s+)?(?:mfa|multi-factor\w*|2fa)\b"):
            reading.add(eq(MFA_USED, "No"), reading.consume(match), "without MFA", "MFA")
        return
    if not reading.has(r"\b(?:log-?ins?|sign-?ins?|logged|signed|logons?|log (?:in|on)|sign (?:in|on))\b") and \
            (wrong := reading.find(r"\b(?:(?:typ\w*|enter\w*|put|used?|gave|giv\w*|tried)\s+(?:in\s+)?)?(?:the\s+|an?\s+)?"
                             r"(?:wrong|bad|incorrect|invalid)\s+passwords?\b(?!\s*(?:on|at|for)?\s*(?:the\s+)?"
                             r"(?:console|log-?ins?|sign-?ins?)\b)")):
        # "how many times did X type the wrong password": a console sign-in that failed, the console's password
        reading.add(eq("eventname", "ConsoleLogin"), reading.consume(wrong), "console logins", "console")
        reading.add(eq(LOGIN_OUTCOME, "Failure"), wrong.group(0), "that failed")
        return
    login = reading.find(r"\b(?:(?:logged|signed|log|sign)\s+(?:in|on)\s*to|(?:logged|signed|log|sign)\s+into)\s+"
                         r"(?:the\s+|an?\s+|aws\s+)*(?:console|web console|management console|aws)\b|"
                         r"\b(?:console\s+)?(?:log[- ]?ins?|sign[- ]?ins?|logged (?:in|on)|signed (?:in|on)|"
                         r"logons?|log on|sign on|console access)\b")
    if not login:
        # API calls carry MFA in the session context; only sign-ins (ConsoleLogin named) carry MFAUsed
        column, no, yes = (MFA_USED, "No", "Yes") if reading.console else (SESSION_MFA, "false", "true")
        if match := reading.find(r"\b(?:without|no|not using|missing|w/o)\s+(?:an?\s+)?(?:mfa|multi-factor\w*|2fa)\b"):
            reading.add(eq(column, no), reading.consume(match), "without MFA", "MFA")
        elif match := reading.find(rf"{_NOT_ASKED}\b(?:with|using|used)\s+(?:mfa|multi-factor\w*|2fa)\b"):
            reading.add(eq(column, yes), reading.consume(match), "with MFA", "MFA")
        return
    before = reading.text[:login.start()]
    # "mfa console logins", "mfa-less sign-ins": the word before the sign-ins says whether MFA was used
    without = re.search(r"\b(?:non[- ]?mfa|mfa[- ]?less|(?:without|no|not using|missing|w/o)\s+(?:an?\s+)?(?:mfa|2fa))"
                        r"\s+(?:console\s+)?$", before)
    with_mfa = None if without else re.search(r"\b(?:mfa|2fa)(?:[- ](?:authenticated|protected|backed|enabled))?\s+"
                                               r"(?:console\s+)?$", before)
    reading.add(eq("eventname", "ConsoleLogin"), reading.consume(login), "console logins", "console")
    if without or with_mfa:
        said = without or with_mfa
        reading.add(eq(MFA_USED, "No" if without else "Yes"), reading.consume(said),  # type: ignore[arg-type]
                    "without MFA" if without else "with MFA", "MFA")
    if match := reading.find(r"\b(?:with\s+(?:vs\.?|versus|and|or)\s+without|mfa\s+(?:vs\.?|versus)\s+no)\s+(?:mfa|2fa)?\b"):
        # "with vs without MFA": one row per MFAUsed value, for the shape to group by
        reading.text = reading.text[:match.start()] + "by mfa" + " " * (len(match.group(0)) - 6) + reading.text[match.end():]
    if match := reading.find(_BOTH_TOGETHER):
        reading.consume(match)  # "successes and failures together": every sign-in, one count, no outcome split
        return
    if match := reading.find(r"\b(?:(?:success\w*|succeeded)\s+(?:vs\.?|versus|and|or|&|/)\s+(?:fail\w*|unsuccessful)|"
                             r"(?:fail\w*|unsuccessful)\s+(?:vs\.?|versus|and|or|&|/)\s+(?:success\w*|succeeded))\b"):
        # "successes vs failures": one row per outcome, for the shape to group by — never both filters at once
        _refuse_both(reading, match, "console logins per user and login outcome")
        said = "by login outcome"
        reading.text = reading.text[:match.start()] + said.ljust(len(match.group(0))) + reading.text[match.end():]
        if noun := reading.find(r"\b(?:outcomes|results)\b"):
            reading.consume(noun)  # "login outcomes - success vs failure": the same grouping, named
        return
    one_outcome = r"\b(?:fail\w*|unsuccessful|bad|wrong password|rejected|denied|success\w*|succeeded|worked)\b"
    if not reading.has(one_outcome) and (match := reading.find(
            r"\b(?:per|by|for each|grouped by|broken down by)\s+(?:the\s+)?(?:login\s+|sign-?in\s+)?"
            r"(?:outcome|result|status)\b|\boutcomes\b")):
        # "console logins per outcome", "sign-in outcomes": one row per outcome, as "successes vs failures"
        said = "by login outcome"
        reading.text = reading.text[:match.start()] + " " + said + " " + reading.text[match.end():]
        return
    if match := reading.find(r"\b(?:failed|fail|fails|failures?|unsuccessful|bad|wrong password|failing|rejected|"
                             r"denied)\b"):
        reading.add(eq(LOGIN_OUTCOME, "Failure"), reading.consume(match), "that failed")
    elif match := reading.find(r"\b(?:successful\w*|succeeded|success|worked)\b"):
        reading.add(eq(LOGIN_OUTCOME, "Success"), reading.consume(match), "that succeeded")
    elif re.search(r"\b(?:logged|signed|log|sign)\s+(?:in|on)\b(?!\s*(?:attempts?|events?|tries|records?|failures?)\b)",
                   login.group(0)) and not re.search(r"\b(?:tr(?:y|ied|ies|ying)|attempt\w*)\b", reading.text) and \
            re.search(r"\b(?:without|no|not using|missing|w/o)\s+(?:an?\s+)?(?:mfa|multi-factor\w*|2fa)\b", reading.text):
        # "which users signed in w/o mfa": a failed sign-in never reached MFA, so "signed in without it" is one that
        # worked; the noun ("sign-ins without mfa") is every one, and the bare verb too (questions.yaml's gold)
        reading.add(eq(LOGIN_OUTCOME, "Success"), login.group(0), "that succeeded")
    if match := reading.find(r"\b(?:without|no|not using|missing|w/o)\s+(?:an?\s+)?(?:mfa|multi-factor\w*|2fa)\b"):
        reading.add(eq(MFA_USED, "No"), reading.consume(match), "without MFA", "MFA")
    elif match := reading.find(rf"{_NOT_ASKED}\b(?:with|using|used)\s+(?:mfa|multi-factor\w*|2fa)\b"):
        reading.add(eq(MFA_USED, "Yes"), reading.consume(match), "with MFA", "MFA")


def _error_column(text: str, at: int) -> bool:
    """'who deleted flow logs, when, and the error': the error of each row, asked beside the others, not a filter
    on failures ('… with errors' and 'the errors yesterday' still are)."""
    return bool(re.search(r"(?:\band|&|\bwith|\bplus|w/)\s+(?:the|its|their)\s+$", text[:at])
                and re.match(r"errors?\b\s*(?:$|[?.]|\band\b)", text[at:]))


def _asked_column(reading: Reading, at: int) -> bool:
    """'RunInstances calls - time, region and error code': the error code is a column asked of every row, which
    succeeded calls show empty; read as a filter it would drop them."""
    listed, start = asked_columns(reading.text, "cloudtrail")
    return 0 <= start <= at and any(d.expression == "errorcode" for d in listed)


def cloudtrail_outcomes(reading: Reading, error_codes_named: bool, console_named: bool = False) -> None:
    """Denied / failed / changed / read-only: after the concepts, so 'failed logins' stays with logins."""
    if console_named and not any("ConsoleLogin" in f.condition.sql() for f in reading.filters) and (
            match := reading.find(r"\b(?:failed|fail|fails|failures?|unsuccessful|failing|successful\w*|succeeded|"
                                  r"success(?:es)?)\b")):
        # "ConsoleLogin failures": a sign-in's outcome is in its response, not in an error code
        outcome = "Success" if match.group(0).startswith("succ") else "Failure"
        reading.add(eq(LOGIN_OUTCOME, outcome), reading.consume(match), f"that {'succeeded' if outcome == 'Success' else 'failed'}")
    if match := reading.find(r"\b(?:incl\.?|including|inclusive of|even|plus|as well as)\s+(?:the\s+)?(?:failures?|"
                             r"failed(?: ones| calls)?|errors?|unsuccessful(?: ones)?)\b"):
        reading.consume(match)  # "RunInstances per region, incl. failures": every outcome, so no outcome filter
    if error_codes_named and (match := reading.find(r"\b(?:failed|failing|fails|errored)\b(?=\s+(?:with|on|due to)\b)")):
        reading.consume(match)  # "event names failing with AccessDenied": the code named is the failure, one filter
    if match := reading.find(_BOTH_TOGETHER):
        reading.consume(match)  # "successes and failures combined": every outcome in one count, no filter, no split
    elif match := reading.find(r"\b(?:(?:success\w*|succeeded)\s+(?:vs\.?|versus|and|or|&|/)\s+(?:fail\w*|unsuccessful)|"
                               r"(?:fail\w*|unsuccessful)\s+(?:vs\.?|versus|and|or|&|/)\s+(?:success\w*|succeeded))\b"):
        # "successful and failed AssumeRole calls": one row per outcome, for the shape to group by — never both
        # filters at once (no row both succeeds and fails)
        _refuse_both(reading, match, "AssumeRole calls per principal and call outcome")
        reading.text = reading.text[:match.start()] + "by call outcome".ljust(len(match.group(0))) + reading.text[match.end():]
        return
    # "the most access denied errors": the errors are the denials themselves, never a grouping by error code
    if match := reading.find(r"\b(?:(?:access[- ]denied|denied|unauthori[sz]ed|forbidden|not authori[sz]ed)"
                             r"(?:\s+(?:errors?|failures?|exceptions?)(?=\s*$|\s+(?:in|on|from|for|yesterday|today|"
                             r"per|by|and|with|over|during|last|past|since)\b|[?,.]))?|permission errors?)\b"):
        reading.add(one_of("errorcode", DENIED_CODES), reading.consume(match), "that were denied")
        _said_again(reading, r"denied|denials?")
    elif (match := reading.find(r"\b(?:failed|fail|fails|failures?|(?<!without )(?<!without an )(?<!no )errors?(?! codes?\b)|"
                                r"errored|unsuccessful(?:ly)?|failing)\b")) and not _asked_column(reading, match.start()) \
            and not _error_column(reading.text, match.start()):
        asked = re.search(r"\b(?:which|what|most common|most frequent|top(?: \d+)?|distinct|unique|different|kinds? of|"
                          r"types? of)\s+(?:\w+\s+)?$", reading.text[:match.start()])
        if not error_codes_named and asked and match.group(0).startswith("error"):
            # "the most common errors", "which errors": failed calls, and the error code is what is listed,
            # so the noun stays for the shape to read as the error-code dimension
            reading.add(is_null("errorcode", negate=True), match.group(0), "that failed")
        elif not error_codes_named:
            reading.add(is_null("errorcode", negate=True), reading.consume(match), "that failed")
            if re.fullmatch(r"fail\w*|unsuccessful\w*", match.group(0)):
                _said_again(reading, r"fail(?:ed|s|ing|ures?)?|unsuccessful(?:ly)?")
    elif match := reading.find(r"\b(?:succeeded|successful(?:ly)?|without (?:an? )?errors?|no errors?)\b"):
        reading.add(is_null("errorcode"), reading.consume(match), "that succeeded")
    if not error_codes_named and (said := reading.find(r"\berror codes?\b")) and not _asked_column(reading, said.start()):
        # "error codes for ivan.patel": the codes are listed, so only calls that have one
        reading.add(is_null("errorcode", negate=True), "error codes", "that failed")
    if match := reading.find(r"\b(?:non[- ]read[- ]only|not read[- ]only)\b"):
        reading.add(eq("readonly", "false"), reading.consume(match), "that changed something")
        if write := reading.find(r"\bwrites?\b"):
            reading.consume(write)
    elif match := reading.find(r"\b(?:changes?|changed|modifications?|modified|writes?|mutating|non-read-only|"
                             r"write (?:calls|events|actions))\b"):
        reading.add(eq("readonly", "false"), reading.consume(match), "that changed something")
    elif match := reading.find(r"\bread[- ]only\b(?!\s+(?:roles?|sessions?|permission|access)\b)"):
        # "the read-only role" names a role (a permission set), not the read-only calls: left unread, refused
        reading.add(eq("readonly", "true"), reading.consume(match), "read-only")
    spans, text = [], reading.text
    for word, service in sorted(SERVICES.items(), key=lambda item: -len(item[0])):  # "ec2-instance-connect" before "ec2"
        # "in cloudtrail", "ips that hit cloudtrail" name the log; "calls to cloudtrail", "cloudtrail apis" the service
        pattern = r"\b(?:to|against|on)\s+(?:the\s+)?cloud ?trail(?:\s+apis?)?\b|\bcloud ?trail(?:'s)?\s+apis\b" \
            if word == "cloudtrail" else rf"(?<![\w-])\b{re.escape(word)}\b(?![\w-])"
        if match := re.search(pattern, text):
            spans.append((match.start(), match.end(), word, service))
            text = text[:match.start()] + " " * (match.end() - match.start()) + text[match.end():]
    # read in the order written: "except s3 and kms" negates the first, and the list carries it to the next
    for start, end, word, service in sorted(spans):
        reading.add(eq("eventsource", f"{service}.amazonaws.com"), reading.consume_span(start, end), f"in {word.upper()}")


def _said_again(reading: Reading, words: str) -> None:
    """'who got denied the most? top 1 arn by denied calls', 'was ivan.patel ever denied? count the denials', 'api calls
    that fail most often - name and failure count': the outcome already read, said once more where the question restates
    itself; the same filter, not a word left unread (dev29 ae077, ae037, dev31 ag009). Never after a negation or beside
    another outcome ('failed but not denied', 'denied vs allowed'): those are other questions, left to be refused."""
    if re.search(r"\b(?:not|never|non|no|without|except|excluding|other\s+than|vs\.?|versus|allowed|accepted|"
                 r"succe\w+)\b|n't\b", reading.text):
        return
    while match := reading.find(rf"\b(?:{words})\b"):
        reading.consume(match)


def _refuse_both(reading: Reading, match: re.Match[str], instead: str) -> None:
    """'users that had both failed and successful console logins': the subjects with each outcome, which one row per
    outcome does not answer (it lists every user with either); refused, never answered as the grouping (dev27)."""
    if re.search(r"\bboth\s+(?:(?:a|the)\s+)?$", reading.text[:match.start()]):
        raise TranslationError(f"'both {' '.join(match.group(0).split())}' asks for those that had each outcome, which "
                               f"one answer here cannot show: ask '{instead}' and read the pairs")
