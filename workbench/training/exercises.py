"""The exercises: for each synthetic scenario, the tasks a trainee answers and the hints they may ask for.

A task's name is a key of the scenario's ground-truth `answers`; only the meaningful ones are asked
(an incidental detail such as the number of the attacker's GPU instances is not). Hints go from a
nudge to the hunt or query that shows the answer, never to the answer itself.
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


def _first_call(where: str) -> Task:
    return Task("first_malicious_call", "api_call",
                "What was the first API call of the malicious activity (its event name)?",
                (f"Start from {where}; sort what it did by eventtime.",
                 "`%hunt suspicious_ip ip=…` lists every call from one address, oldest first."))


_add(Exercise("leaked-key", "A leaked access key", (
    Task("initial_access_ip", "ip", "From which IP address did the attacker use the leaked key?",
         ("A key used from an address its owner never used before is the classic sign.",
          "`%hunt first_seen_ips` shows, per principal, the addresses it was seen from and when.",
          "Look for an address that made a burst of discovery calls (List*, Describe*, Get*).")),
    Task("compromised_principal", "principal", "Whose access key leaked (the IAM user)?",
         ("The GuardDuty finding and the recon-burst alert both name a principal.",
          "`%hunt suspicious_ip ip=…` with the attacker's address shows `principal`.")),
    _first_call("the attacker's IP"),
    Task("privilege_escalation", "api_call", "Which call gave the attacker administrator rights?",
         ("`%hunt privilege_escalation` lists IAM calls that change who may do what.",
          "An AWS managed policy named AdministratorAccess was attached to someone.")),
    Task("backdoor_user", "principal", "Which IAM user did the attacker create for themselves?",
         ("`%hunt privilege_escalation`: look at CreateUser and its target_user.",)),
    Task("persistence_mechanism", "api_call",
         "Which call gave the attacker credentials of their own that survive rotating the leaked key?",
         ("The backdoor user needed a way to call the API without the leaked key.",
          "`%hunt new_access_keys` lists every CreateAccessKey.")),
    Task("exfiltrated_bucket", "bucket", "From which S3 bucket did the attacker download data?",
         ("Data events: many GetObject calls from one principal in a short time.",
          "`%hunt trace_principal principal=<backdoor user>`, then read requestparameters.bucketName.")),
)))

_add(Exercise("console-brute-force", "Console password guessing", (
    Task("initial_access_ip", "ip", "From which IP address were the passwords guessed?",
         ("Failed console sign-ins are ConsoleLogin events whose responseelements say Failure.",
          "`%hunt failed_console_logins min_failures=10` groups them by user and address.")),
    Task("compromised_principal", "principal", "Which IAM user's password was guessed?",
         ("The same hunt shows `username` beside the address.",)),
    Task("first_malicious_call", "api_call", "What was the attacker's first call (its event name)?",
         ("A password guess is itself a call, recorded by CloudTrail (signin.amazonaws.com).",)),
    Task("mfa_used", "yes_no", "Did the successful sign-in use MFA?",
         ("`%hunt console_login_without_mfa` lists successful sign-ins without MFA.",
          "additionaleventdata.MFAUsed says it.")),
    Task("persistence_mechanism", "api_call", "Which call did the attacker make to keep access after a password reset?",
         ("Long-term credentials outlive a password.", "`%hunt new_access_keys`.")),
    Task("persistence_target", "principal", "For which IAM user were those credentials created?",
         ("`%hunt new_access_keys`: the `for_user` column.",)),
)))

_add(Exercise("logging-tampering", "Lights out: logging switched off", (
    Task("initial_access_ip", "ip", "From which IP address did the stolen session act?",
         ("`%hunt cloudtrail_tampering` lists StopLogging, DeleteTrail, DeleteDetector, DeleteFlowLogs…",
          "Its sourceipaddress column.")),
    Task("compromised_principal", "principal", "Whose session was used (the person behind the SSO role)?",
         ("An Identity Center role session is named after the person: the last part of the assumed-role ARN.",)),
    _first_call("the attacker's IP (it looked before it touched anything)"),
    Task("logging_disabled_call", "api_call", "Which call stopped the account trail from recording?",
         ("The trail was not deleted first.",)),
    Task("trail", "resource", "Which trail was tampered with (its name)?",
         ("requestparameters.name of the trail calls; the hunt shows it as `trail`.",)),
    Task("detectors_deleted", "list", "Which GuardDuty detectors were deleted (all of their ids)?",
         ("DeleteDetector, one per region; requestparameters.detectorId.",
          "%%athena: SELECT json_extract_scalar(requestparameters, '$.detectorId') FROM cloudtrail "
          "WHERE eventname = 'DeleteDetector'")),
    Task("flow_log_deleted", "resource", "Which VPC flow log was deleted (its id)?",
         ("DeleteFlowLogs; its requestparameters hold the flow log id (fl-…).",
          "The dev VPC's flow records stop right after it.")),
)))

_add(Exercise("public-bucket", "A bucket open to the world", (
    Task("exposed_bucket", "bucket", "Which bucket was made public?",
         ("`%hunt s3_public_access` lists policy, ACL and public-access-block changes.",)),
    Task("responsible_principal", "principal", "Who made it public (the person behind the SSO role)?",
         ("The same hunt's `principal`: the last part of the assumed-role ARN is the person.",)),
    Task("first_malicious_call", "api_call", "Which call began the exposure (its event name)?",
         ("Before a public policy can work, a guard has to go.",)),
    Task("exposure_mechanism", "api_call", "Which call granted everyone read access to the objects by policy?",
         ("A bucket policy with Principal \"*\".",)),
    Task("initial_access_ip", "ip", "Which internet address was the first stranger to read the bucket?",
         ("Anonymous requests have useridentity.type AWSAccount and accountid 'anonymous'.",
          "%%athena: SELECT eventtime, sourceipaddress, eventname FROM cloudtrail "
          "WHERE useridentity.accountid = 'anonymous' ORDER BY eventtime")),
)))

_add(Exercise("port-scan", "Knocking on every door", (
    Task("scanner_ip", "ip", "Which address scanned our instance?",
         ("VPC flow records: many REJECTed destination ports from one source.", "`%hunt vpc_port_scan`.")),
    Task("target_instance", "resource", "Which EC2 instance was scanned (its id)?",
         ("vpc_flow has instance_id and interface_id columns.",
          "%%athena: SELECT instance_id, COUNT(DISTINCT dstport) FROM vpc_flow WHERE srcaddr = '…' GROUP BY 1")),
    Task("ports_scanned", "number", "How many distinct destination ports did the scanner try?",
         ("COUNT(DISTINCT dstport), accepted and rejected together.",)),
)))

_add(Exercise("crypto-mining", "Somebody else's GPUs", (
    Task("initial_access_ip", "ip", "From which IP address did the attacker launch instances?",
         ("RunInstances from an address the account never used.", "`%hunt first_seen_ips`.")),
    Task("compromised_principal", "principal", "Whose long-term key was used?",
         ("A machine user: its keys sit in config files and CI secrets.",)),
    _first_call("the attacker's IP"),
    Task("execution_call", "api_call", "Which call started the mining machines?",
         ("The one that was refused first for exceeding the vCPU quota.",)),
    Task("regions", "list", "In which regions were instances launched or attempted (all of them)?",
         ("The organisation works in us-east-1, us-west-2 and eu-west-1.",
          "%%athena: SELECT DISTINCT awsregion FROM cloudtrail WHERE eventname = 'RunInstances' AND …")),
    Task("instance_types", "list", "Which instance types were launched successfully (all of them)?",
         ("requestparameters.instanceType of the RunInstances calls without an errorcode.",)),
)))

_add(Exercise("lateral-movement", "Moving through SSM and Instance Connect", (
    Task("initial_access_ip", "ip", "From which IP address did the stolen session act?",
         ("SendCommand, StartSession and SendSSHPublicKey are rare calls; look for who made them.",)),
    Task("compromised_principal", "principal", "Whose session was stolen (the person behind the SSO role)?",
         ("The last part of the assumed-role ARN is the person.",)),
    _first_call("the attacker's IP"),
    Task("execution_call", "api_call", "Which call ran shell commands on instances?",
         ("Systems Manager (ssm.amazonaws.com) has a call for exactly that.",)),
    Task("pivot_instance", "resource", "Through which instance did the attacker reach the internal hosts (its id)?",
         ("EC2 Instance Connect pushes an SSH key to one instance: requestparameters.instanceId.",
          "VPC flow: port 22 from that instance to the app and db hosts.")),
)))
