"""Request/response documents for the write calls that matter to security: IAM changes, S3 exposure,
logging tampering, instance launches, remote execution. Shaped as CloudTrail records them, so rules
that look inside `requestParameters` (policy ARNs, grantees, principals, instance types) see real data.

Each function returns `(requestParameters, responseElements, resources)`.
"""

from __future__ import annotations

import json
import random
from datetime import datetime

from workbench.synth import ids
from workbench.synth.calls import bucket_arn, s3_resources

Doc = tuple[dict | None, dict | None, list[dict] | None]
ADMIN_POLICY = "arn:aws:iam::aws:policy/AdministratorAccess"
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


def _aws_date(moment: datetime) -> str:
    """IAM's response date form: 'Nov 28, 2026, 10:15:02 AM'."""
    return moment.strftime("%b %-d, %Y, %-I:%M:%S %p")


def create_user(rng: random.Random, account_id: str, user: str, when: datetime) -> tuple[Doc, str]:
    user_id = ids.principal_id(rng, "AIDA")
    resp = {"user": {"path": "/", "userName": user, "userId": user_id,
                     "arn": f"arn:aws:iam::{account_id}:user/{user}", "createDate": _aws_date(when)}}
    return ({"userName": user}, resp, None), user_id


def attach_user_policy(user: str, policy_arn: str = ADMIN_POLICY) -> Doc:
    return {"userName": user, "policyArn": policy_arn}, None, None


def attach_role_policy(role: str, policy_arn: str) -> Doc:
    return {"roleName": role, "policyArn": policy_arn}, None, None


def put_user_policy(user: str, name: str, document: dict) -> Doc:
    return {"userName": user, "policyName": name, "policyDocument": json.dumps(document)}, None, None


def create_access_key(user: str, key_id: str, when: datetime) -> Doc:
    resp = {"accessKey": {"userName": user, "accessKeyId": key_id, "status": "Active",
                          "createDate": _aws_date(when)}}
    return {"userName": user}, resp, None


def update_access_key(user: str, key_id: str, status: str) -> Doc:
    return {"userName": user, "accessKeyId": key_id, "status": status}, None, None


def delete_access_key(user: str, key_id: str) -> Doc:
    return {"userName": user, "accessKeyId": key_id}, None, None


def create_login_profile(user: str, when: datetime) -> Doc:
    return ({"userName": user, "passwordResetRequired": False},
            {"loginProfile": {"userName": user, "createDate": _aws_date(when), "passwordResetRequired": False}},
            None)


def create_role(rng: random.Random, account_id: str, role: str, when: datetime, trusted_service: str) -> Doc:
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": trusted_service},
                                                     "Action": "sts:AssumeRole"}]}
    resp = {"role": {"path": "/", "roleName": role, "roleId": ids.principal_id(rng, "AROA"),
                     "arn": f"arn:aws:iam::{account_id}:role/{role}", "createDate": _aws_date(when),
                     "assumeRolePolicyDocument": json.dumps(trust)}}
    return {"roleName": role, "assumeRolePolicyDocument": json.dumps(trust)}, resp, None


def delete_public_access_block(account_id: str, bucket: str, region: str) -> Doc:
    return ({"publicAccessBlock": "", "bucketName": bucket, "Host": f"{bucket}.s3.{region}.amazonaws.com"},
            None, s3_resources(account_id, bucket))


def put_bucket_acl_public(account_id: str, bucket: str, region: str, owner_id: str) -> Doc:
    acl = {"AccessControlPolicy": {
        "AccessControlList": {"Grant": [
            {"Grantee": {"xsi:type": "CanonicalUser", "ID": owner_id,
                         "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance"}, "Permission": "FULL_CONTROL"},
            {"Grantee": {"xsi:type": "Group", "URI": ALL_USERS,
                         "xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance"}, "Permission": "READ"}]},
        "xmlns": "http://s3.amazonaws.com/doc/2006-03-01/", "Owner": {"ID": owner_id}},
        "bucketName": bucket, "Host": f"{bucket}.s3.{region}.amazonaws.com", "acl": ""}
    return acl, None, s3_resources(account_id, bucket)


def put_bucket_policy_public(account_id: str, bucket: str, region: str) -> Doc:
    policy = {"Version": "2012-10-17", "Statement": [{
        "Sid": "PublicRead", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
        "Resource": f"{bucket_arn(bucket)}/*"}]}
    return ({"bucketPolicy": policy, "bucketName": bucket, "Host": f"{bucket}.s3.{region}.amazonaws.com",
             "policy": ""}, None, s3_resources(account_id, bucket))


def trail_call(trail_arn: str) -> Doc:
    """StopLogging / DeleteTrail / GetTrailStatus take the trail's name or ARN."""
    return {"name": trail_arn}, None, [{"accountId": trail_arn.split(":")[4], "type": "AWS::CloudTrail::Trail",
                                        "ARN": trail_arn}]


def update_trail(trail_arn: str, bucket: str) -> Doc:
    resp = {"name": trail_arn.rsplit("/", 1)[1], "s3BucketName": bucket, "includeGlobalServiceEvents": False,
            "isMultiRegionTrail": False, "trailARN": trail_arn, "logFileValidationEnabled": False,
            "isOrganizationTrail": False}
    req = {"name": trail_arn, "s3BucketName": bucket, "includeGlobalServiceEvents": False,
           "isMultiRegionTrail": False, "enableLogFileValidation": False}
    return req, resp, None


def delete_detector(detector_id: str) -> Doc:
    return {"detectorId": detector_id}, None, None


def delete_flow_logs(rng: random.Random, flow_log_id: str) -> Doc:
    req = {"DeleteFlowLogsRequest": {"FlowLogId": {"content": flow_log_id, "tag": 1}}}
    resp = {"DeleteFlowLogsResponse": {"xmlns": "http://ec2.amazonaws.com/doc/2016-11-15/",
                                       "requestId": ids.uid(rng), "unsuccessful": ""}}
    return req, resp, None


def run_instances(rng: random.Random, account_id: str, region: str, instance_type: str, count: int,
                  when: datetime, key_name: str) -> tuple[Doc, list[str]]:
    image = f"ami-{ids.hexid(rng, 17)}"
    instance_ids = [ids.resource_id(rng, "i") for _ in range(count)]
    req = {"instancesSet": {"items": [{"imageId": image, "minCount": count, "maxCount": count,
                                       "keyName": key_name}]},
           "instanceType": instance_type, "blockDeviceMapping": {}, "monitoring": {"enabled": False},
           "disableApiTermination": False, "disableApiStop": False, "clientToken": ids.uid(rng)}
    items = [{"instanceId": iid, "imageId": image, "instanceState": {"code": 0, "name": "pending"},
              "privateDnsName": f"ip-172-31-{rng.randrange(0, 255)}-{rng.randrange(1, 255)}.{region}.compute.internal",
              "keyName": key_name, "amiLaunchIndex": n, "productCodes": {}, "instanceType": instance_type,
              "launchTime": int(when.timestamp() * 1000), "placement": {"availabilityZone": f"{region}a",
                                                                         "tenancy": "default"},
              "monitoring": {"state": "disabled"}, "subnetId": ids.resource_id(rng, "subnet"),
              "vpcId": ids.resource_id(rng, "vpc"), "architecture": "x86_64", "rootDeviceType": "ebs"}
             for n, iid in enumerate(instance_ids)]
    resp = {"requestId": ids.uid(rng), "reservationId": f"r-{ids.hexid(rng, 17)}", "ownerId": account_id,
            "groupSet": {}, "instancesSet": {"items": items}}
    return (req, resp, None), instance_ids


def send_command(rng: random.Random, instance_ids: list[str], when: datetime, arn: str) -> Doc:
    req = {"instanceIds": instance_ids, "documentName": "AWS-RunShellScript",
           "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS", "interactive": False}
    resp = {"command": {"commandId": ids.uid(rng), "documentName": "AWS-RunShellScript", "documentVersion": "$DEFAULT",
                        "parameters": "HIDDEN_DUE_TO_SECURITY_REASONS", "instanceIds": instance_ids,
                        "targets": [], "requestedDateTime": _aws_date(when), "status": "Pending",
                        "statusDetails": "Pending", "timeoutSeconds": 3600, "requestedBy": arn,
                        "targetCount": len(instance_ids), "interactive": False}}
    return req, resp, None


def start_session(rng: random.Random, region: str, instance_id: str, session_name: str) -> Doc:
    sid = f"{session_name}-{ids.hexid(rng, 17)}"
    return ({"target": instance_id},
            {"sessionId": sid, "tokenValue": "Value hidden due to security reasons.",
             "streamUrl": f"wss://ssmmessages.{region}.amazonaws.com/v1/data-channel/{sid}?role=publish_subscribe"},
            None)


def send_ssh_public_key(rng: random.Random, instance_id: str, os_user: str = "ec2-user") -> Doc:
    key = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI" + ids.alnum(rng, 43)
    return ({"instanceId": instance_id, "instanceOSUser": os_user, "sSHPublicKey": key},
            {"requestId": ids.uid(rng), "success": True}, None)
