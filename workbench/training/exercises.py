"""The exercises: for each synthetic scenario, the tasks a trainee answers and the hints they may ask for.

A task's name is a key of the scenario's ground-truth `answers`; only the meaningful ones are asked
(an incidental detail such as the number of the attacker's GPU instances is not).

Every task has three hints, each a step further than the last: a nudge (what to think about), where
to look (the table, column, function or hunt), and an almost-complete query with a blank `____` left
for what an earlier task found. None names an answer of the exercise, not even another task's (a
test checks that against two variants), and none repeats a starter cell of the notebook.
"""

from __future__ import annotations

from dataclasses import dataclass

from workbench.registry import Registry
from workbench.training.tasks import Task


@dataclass(frozen=True)
class Exercise:
    scenario: str  # the workbench.synth scenario it is built on
    title: str
    tasks: tuple[Task, ...]

    def task(self, name: str) -> Task:
        for task in self.tasks:
            if task.name == name:
                return task
        from workbench.registry import unknown_name_message

        raise KeyError(unknown_name_message(f"task of exercise '{self.scenario}'", name,
                                            [t.name for t in self.tasks]))

    @property
    def task_names(self) -> list[str]:
        return [t.name for t in self.tasks]


EXERCISES: Registry[Exercise] = Registry("training scenario")


def _add(exercise: Exercise) -> None:
    EXERCISES.register(exercise.scenario, exercise)


def _hints(nudge: str, where: str, query: str) -> tuple[str, str, str]:
    return (nudge, where, query)


def _first_call(where: str) -> Task:
    return Task("first_malicious_call", "api_call",
                "What was the first API call of the malicious activity (its event name)?",
                _hints(f"Attackers look around before they act. Start from {where}.",
                       "Everything one address did is in cloudtrail, by sourceipaddress; sort it by eventtime.",
                       "%%athena: SELECT eventtime, eventname, eventsource FROM cloudtrail "
                       "WHERE sourceipaddress = '____' ORDER BY eventtime LIMIT 5"))


_add(Exercise("leaked-key", "A leaked access key", (
    Task("initial_access_ip", "ip", "From which IP address did the attacker use the leaked key?",
         _hints("A key used from an address its owner never used before is the classic sign.",
                "`%hunt first_seen_ips` gives, per principal, each sourceipaddress and its first_seen time; "
                "the alerts in workbench.triage() point at the right principal.",
                "%%athena: SELECT sourceipaddress, MIN(eventtime) AS first_seen, COUNT(*) AS calls FROM cloudtrail "
                "WHERE useridentity.type = 'IAMUser' AND eventname LIKE 'List%' GROUP BY 1 ORDER BY calls DESC")),
    Task("compromised_principal", "principal", "Whose access key leaked (the IAM user)?",
         _hints("The address from task 1 did not invent its credentials: they belong to someone.",
                "useridentity.arn (or useridentity.username) of the calls from that sourceipaddress; "
                "a GuardDuty finding names it too.",
                "%%athena: SELECT useridentity.arn, useridentity.accesskeyid, MIN(eventtime) FROM cloudtrail "
                "WHERE sourceipaddress = '____' GROUP BY 1, 2 ORDER BY 3")),
    _first_call("the attacker's IP (task 1)"),
    Task("privilege_escalation", "api_call", "Which call gave the attacker administrator rights?",
         _hints("Having a key is not having every right: something changed what the key may do.",
                "IAM calls (eventsource 'iam.amazonaws.com'); requestparameters.policyArn says which policy "
                "was involved — `%hunt privilege_escalation` collects them.",
                "%%athena: SELECT eventtime, eventname, json_extract_scalar(requestparameters, '$.policyArn') "
                "FROM cloudtrail WHERE eventsource = 'iam.amazonaws.com' AND sourceipaddress = '____' "
                "ORDER BY eventtime")),
    Task("backdoor_user", "principal", "Which IAM user did the attacker create for themselves?",
         _hints("A careful attacker does not rely on someone else's key for long.",
                "The IAM call that makes a user carries the new name in requestparameters.userName "
                "(`%hunt privilege_escalation` shows it as target_user).",
                "%%athena: SELECT eventtime, eventname, json_extract_scalar(requestparameters, '$.userName') "
                "AS target_user FROM cloudtrail WHERE eventsource = 'iam.amazonaws.com' "
                "AND sourceipaddress = '____' ORDER BY eventtime")),
    Task("persistence_mechanism", "api_call",
         "Which call gave the attacker credentials of their own that survive rotating the leaked key?",
         _hints("The user from task 5 needed a way to call the API without the leaked key.",
                "Long-term API credentials are access keys; responseelements.accessKey holds a new one "
                "(`%hunt new_access_keys`).",
                "%%athena: SELECT eventtime, eventname, json_extract_scalar(requestparameters, '$.userName') "
                "FROM cloudtrail WHERE json_extract_scalar(requestparameters, '$.userName') = '____' "
                "ORDER BY eventtime")),
    Task("exfiltrated_bucket", "bucket", "From which S3 bucket did the attacker download data?",
         _hints("Data leaves an account in many small reads, close together, by one principal.",
                "S3 data events: eventname 'GetObject', the bucket in requestparameters.bucketName; "
                "`%hunt trace_principal principal=…` follows one principal.",
                "%%athena: SELECT json_extract_scalar(requestparameters, '$.bucketName') AS bucket, COUNT(*) "
                "FROM cloudtrail WHERE eventname = 'GetObject' AND useridentity.username = '____' "
                "GROUP BY 1 ORDER BY 2 DESC")),
)))

_add(Exercise("console-brute-force", "Console password guessing", (
    Task("initial_access_ip", "ip", "From which IP address were the passwords guessed?",
         _hints("Guessing means failing, many times, from one place.",
                "Sign-ins are recorded with eventsource 'signin.amazonaws.com'; "
                "responseelements says Success or Failure — `%hunt failed_console_logins` counts the failures.",
                "%%athena: SELECT sourceipaddress, COUNT(*) AS failures FROM cloudtrail "
                "WHERE eventsource = 'signin.amazonaws.com' AND errormessage IS NOT NULL "
                "GROUP BY 1 ORDER BY failures DESC")),
    Task("compromised_principal", "principal", "Which IAM user's password was guessed?",
         _hints("The guesses were aimed at one account, and one of them worked.",
                "useridentity.username of the sign-ins from the address of task 1.",
                "%%athena: SELECT useridentity.username, json_extract_scalar(responseelements, '$.ConsoleLogin') "
                "AS outcome, COUNT(*) FROM cloudtrail WHERE eventsource = 'signin.amazonaws.com' "
                "AND sourceipaddress = '____' GROUP BY 1, 2")),
    Task("first_malicious_call", "api_call", "What was the attacker's first call (its event name)?",
         _hints("A password guess is itself a call, and CloudTrail records it.",
                "The eventname of the earliest event from the address of task 1.",
                "%%athena: SELECT eventtime, eventsource, eventname FROM cloudtrail "
                "WHERE sourceipaddress = '____' ORDER BY eventtime LIMIT 3")),
    Task("mfa_used", "yes_no", "Did the successful sign-in use MFA?",
         _hints("A second factor would have stopped a guessed password.",
                "additionaleventdata.MFAUsed of the successful sign-in (`%hunt console_login_without_mfa`).",
                "%%athena: SELECT eventtime, json_extract_scalar(additionaleventdata, '$.MFAUsed') AS mfa "
                "FROM cloudtrail WHERE eventsource = 'signin.amazonaws.com' AND sourceipaddress = '____' "
                "AND json_extract_scalar(responseelements, '$.ConsoleLogin') = 'Success'")),
    Task("persistence_mechanism", "api_call", "Which call did the attacker make to keep access after a password reset?",
         _hints("A password can be reset; some credentials outlive it.",
                "IAM calls (eventsource 'iam.amazonaws.com') made after the successful sign-in; "
                "`%hunt new_access_keys`.",
                "%%athena: SELECT eventtime, eventname, requestparameters FROM cloudtrail "
                "WHERE eventsource = 'iam.amazonaws.com' AND sourceipaddress = '____' ORDER BY eventtime")),
    Task("persistence_target", "principal", "For which IAM user were those credentials created?",
         _hints("The attacker need not keep the account they broke into.",
                "requestparameters.userName of the call from task 5 (the for_user column of "
                "`%hunt new_access_keys`).",
                "%%athena: SELECT eventtime, json_extract_scalar(requestparameters, '$.userName') AS for_user "
                "FROM cloudtrail WHERE eventname = '____' AND sourceipaddress = '____'")),
)))

_add(Exercise("logging-tampering", "Lights out: logging switched off", (
    Task("initial_access_ip", "ip", "From which IP address did the stolen session act?",
         _hints("Someone who switches logging off wants to go unseen; the switching is still recorded.",
                "Calls to cloudtrail.amazonaws.com, guardduty.amazonaws.com and ec2 flow-log calls that change "
                "settings; their sourceipaddress (`%hunt cloudtrail_tampering`).",
                "%%athena: SELECT sourceipaddress, eventname, COUNT(*) FROM cloudtrail "
                "WHERE eventname LIKE 'Delete%' OR eventname LIKE 'Stop%' GROUP BY 1, 2")),
    Task("compromised_principal", "principal", "Whose session was used (the person behind the SSO role)?",
         _hints("An SSO role is shared; its sessions are not.",
                "useridentity.arn of an assumed role ends with the session name: the person.",
                "%%athena: SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE sourceipaddress = '____'")),
    _first_call("the attacker's IP (task 1): it looked before it touched anything"),
    Task("logging_disabled_call", "api_call", "Which call stopped the account trail from recording?",
         _hints("The trail was not deleted first: there is a gentler switch.",
                "eventsource 'cloudtrail.amazonaws.com', the trail in requestparameters.name.",
                "%%athena: SELECT eventtime, eventname, json_extract_scalar(requestparameters, '$.name') "
                "FROM cloudtrail WHERE eventsource = 'cloudtrail.amazonaws.com' AND sourceipaddress = '____' "
                "ORDER BY eventtime")),
    Task("trail", "resource", "Which trail was tampered with (its name)?",
         _hints("The call of task 4 says which trail it stopped.",
                "requestparameters.name of the trail calls (the trail column of `%hunt cloudtrail_tampering`).",
                "%%athena: SELECT DISTINCT json_extract_scalar(requestparameters, '$.name') FROM cloudtrail "
                "WHERE eventname = '____'")),
    Task("detectors_deleted", "list", "Which GuardDuty detectors were deleted (all of their ids)?",
         _hints("GuardDuty runs one detector per region; more than one went.",
                "eventsource 'guardduty.amazonaws.com'; requestparameters.detectorId of each deletion.",
                "%%athena: SELECT awsregion, json_extract_scalar(requestparameters, '$.detectorId') FROM cloudtrail "
                "WHERE eventsource = 'guardduty.amazonaws.com' AND eventname LIKE '____%'")),
    Task("flow_log_deleted", "resource", "Which VPC flow log was deleted (its id)?",
         _hints("The network's own records were switched off too; watch which VPC goes quiet.",
                "eventsource 'ec2.amazonaws.com'; requestparameters holds the flow log id (fl-…).",
                "%%athena: SELECT eventtime, eventname, requestparameters FROM cloudtrail "
                "WHERE eventname LIKE '%FlowLogs' AND sourceipaddress = '____'")),
)))

_add(Exercise("public-bucket", "A bucket open to the world", (
    Task("exposed_bucket", "bucket", "Which bucket was made public?",
         _hints("Opening a bucket to everyone takes configuration changes, not data uploads.",
                "S3 control calls (policy, ACL, public access block) and requestparameters.bucketName; "
                "`%hunt s3_public_access` collects them.",
                "%%athena: SELECT eventtime, eventname, json_extract_scalar(requestparameters, '$.bucketName') "
                "FROM cloudtrail WHERE eventsource = 's3.amazonaws.com' AND readonly = 'false' "
                "AND eventname NOT LIKE '%Object' ORDER BY eventtime")),
    Task("responsible_principal", "principal", "Who made it public (the person behind the SSO role)?",
         _hints("Someone made those changes, from a role session of their own.",
                "useridentity.arn of the changes: the last part of an assumed-role ARN is the person.",
                "%%athena: SELECT eventtime, eventname, useridentity.arn FROM cloudtrail "
                "WHERE json_extract_scalar(requestparameters, '$.bucketName') = '____' "
                "AND readonly = 'false' AND eventname NOT LIKE '%Object' ORDER BY eventtime")),
    Task("first_malicious_call", "api_call", "Which call began the exposure (its event name)?",
         _hints("Before a public policy can work, a guard has to go.",
                "The earliest of the bucket's configuration calls; S3 Block Public Access is the guard.",
                "%%athena: SELECT eventtime, eventname FROM cloudtrail "
                "WHERE json_extract_scalar(requestparameters, '$.bucketName') = '____' "
                "AND readonly = 'false' AND eventname NOT LIKE '%Object' ORDER BY eventtime LIMIT 3")),
    Task("exposure_mechanism", "api_call", "Which call granted everyone read access to the objects by policy?",
         _hints("A resource policy can name everyone as its principal.",
                "requestparameters of the bucket's configuration calls: look for Principal \"*\".",
                "%%athena: SELECT eventtime, eventname, requestparameters FROM cloudtrail "
                "WHERE json_extract_scalar(requestparameters, '$.bucketName') = '____' "
                "AND requestparameters LIKE '%\"*\"%'")),
    Task("initial_access_ip", "ip", "Which internet address was the first stranger to read the bucket?",
         _hints("A stranger has no identity in your account.",
                "Anonymous requests have useridentity.accountid 'anonymous'; order them by eventtime.",
                "%%athena: SELECT eventtime, sourceipaddress, eventname FROM cloudtrail "
                "WHERE useridentity.accountid = '____' ORDER BY eventtime LIMIT 5")),
)))

_add(Exercise("port-scan", "Knocking on every door", (
    Task("scanner_ip", "ip", "Which address scanned our instance?",
         _hints("Knocking on every door means many different destination ports, mostly refused.",
                "vpc_flow: srcaddr, dstport and action = 'REJECT'; COUNT(DISTINCT dstport) per source "
                "(`%hunt vpc_port_scan`).",
                "%%athena: SELECT srcaddr, COUNT(DISTINCT dstport) AS ports FROM vpc_flow "
                "WHERE action = '____' GROUP BY 1 ORDER BY ports DESC LIMIT 5")),
    Task("target_instance", "resource", "Which EC2 instance was scanned (its id)?",
         _hints("The flows of task 1's address all went to one machine.",
                "vpc_flow records carry instance_id (and interface_id) of the instance that logged them.",
                "%%athena: SELECT instance_id, COUNT(*) FROM vpc_flow WHERE srcaddr = '____' GROUP BY 1")),
    Task("ports_scanned", "number", "How many distinct destination ports did the scanner try?",
         _hints("Count ports, not packets or flows; a port tried twice counts once.",
                "COUNT(DISTINCT dstport) over the scanner's flows, accepted and rejected together.",
                "%%athena: SELECT COUNT(DISTINCT dstport) FROM vpc_flow WHERE srcaddr = '____'")),
)))

_add(Exercise("crypto-mining", "Somebody else's GPUs", (
    Task("initial_access_ip", "ip", "From which IP address did the attacker launch instances?",
         _hints("Launching machines from an address the account never used is worth a look.",
                "eventsource 'ec2.amazonaws.com' calls that start instances, by sourceipaddress; "
                "`%hunt first_seen_ips` shows new addresses.",
                "%%athena: SELECT sourceipaddress, useridentity.arn, COUNT(*) FROM cloudtrail "
                "WHERE eventsource = 'ec2.amazonaws.com' AND eventname LIKE '____%' GROUP BY 1, 2")),
    Task("compromised_principal", "principal", "Whose long-term key was used?",
         _hints("A machine user: its keys sit in config files and CI secrets.",
                "useridentity.arn and useridentity.accesskeyid of the calls from the address of task 1.",
                "%%athena: SELECT DISTINCT useridentity.arn, useridentity.accesskeyid FROM cloudtrail "
                "WHERE sourceipaddress = '____'")),
    _first_call("the attacker's IP (task 1)"),
    Task("execution_call", "api_call", "Which call started the mining machines?",
         _hints("The one that was refused first for exceeding the vCPU quota.",
                "errorcode of the attacker's EC2 calls; the same call also succeeded, in other regions.",
                "%%athena: SELECT eventname, errorcode, COUNT(*) FROM cloudtrail "
                "WHERE sourceipaddress = '____' AND eventsource = 'ec2.amazonaws.com' GROUP BY 1, 2")),
    Task("regions", "list", "In which regions were instances launched or attempted (all of them)?",
         _hints("The organisation works in us-east-1, us-west-2 and eu-west-1; the attacker did not.",
                "awsregion of the call from task 4, failed attempts included.",
                "%%athena: SELECT DISTINCT awsregion FROM cloudtrail WHERE eventname = '____' "
                "AND sourceipaddress = '____'")),
    Task("instance_types", "list", "Which instance types were launched successfully (all of them)?",
         _hints("A refused launch started nothing.",
                "requestparameters.instanceType of the launches whose errorcode IS NULL.",
                "%%athena: SELECT DISTINCT json_extract_scalar(requestparameters, '$.instanceType') FROM cloudtrail "
                "WHERE eventname = '____' AND sourceipaddress = '____' AND errorcode IS NULL")),
)))

_add(Exercise("lateral-movement", "Moving through SSM and Instance Connect", (
    Task("initial_access_ip", "ip", "From which IP address did the stolen session act?",
         _hints("Running commands on servers from the control plane is rare; look for who did it.",
                "eventsource 'ssm.amazonaws.com' and 'ec2-instance-connect.amazonaws.com', by sourceipaddress.",
                "%%athena: SELECT sourceipaddress, eventsource, eventname, COUNT(*) FROM cloudtrail "
                "WHERE eventsource IN ('ssm.amazonaws.com', 'ec2-instance-connect.amazonaws.com') "
                "GROUP BY 1, 2, 3")),
    Task("compromised_principal", "principal", "Whose session was stolen (the person behind the SSO role)?",
         _hints("An SSO role is shared; its sessions are not.",
                "useridentity.arn of an assumed role ends with the session name: the person.",
                "%%athena: SELECT DISTINCT useridentity.arn FROM cloudtrail WHERE sourceipaddress = '____'")),
    _first_call("the attacker's IP (task 1)"),
    Task("execution_call", "api_call", "Which call ran shell commands on instances?",
         _hints("Systems Manager can run a document on many instances at once.",
                "eventsource 'ssm.amazonaws.com'; requestparameters.documentName says which document ran.",
                "%%athena: SELECT eventtime, eventname, json_extract_scalar(requestparameters, '$.documentName') "
                "FROM cloudtrail WHERE eventsource = 'ssm.amazonaws.com' AND sourceipaddress = '____'")),
    Task("pivot_instance", "resource", "Through which instance did the attacker reach the internal hosts (its id)?",
         _hints("To reach hosts without a public address, go through one that has one.",
                "EC2 Instance Connect pushes an SSH key to one instance: requestparameters.instanceId; "
                "vpc_flow then shows port 22 from it to the internal hosts.",
                "%%athena: SELECT eventtime, json_extract_scalar(requestparameters, '$.instanceId') FROM cloudtrail "
                "WHERE eventsource = 'ec2-instance-connect.amazonaws.com' AND sourceipaddress = '____'")),
)))
