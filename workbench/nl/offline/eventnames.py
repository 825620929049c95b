"""CloudTrail event names the workbench knows (its detection rules, playbooks and lake generator).

Used to read an API name typed in lower case ("sendcommand", "getsecretvalue") as the call it
names: CloudTrail's CamelCase cannot be rebuilt from lower case without knowing the name. Listed
once from the repository's rules and generator; a call not listed must be written in CamelCase.
"""

import re

# "billing-lambda was assumed", "… was first assumed", "… has ever been assumed": the name is the role assumed
ASSUMED = (r"(?:(?:was|were|is|got|gets?|getting|been|being|has|have|had)\s+){0,2}"
           r"(?:(?:first|last|ever|recently|most recently)\s+)?assumed\b")
# "which roles were assumed, other than X": the excepted name is one of the roles assumed
ASSUMED_EXCEPT = re.compile(rf"\broles?\s+{ASSUMED}\s*,?\s*(?:other than|except(?: for)?|excluding|besides|apart from|"
                            r"aside from|but not)\s+(?:the\s+)?(?:role\s+)?$")

EVENT_NAMES = frozenset({
    "AcceptVpcPeeringConnection", "AddLayerVersionPermission", "AddPermission", "AddUserToGroup",
    "AdminUserGlobalSignOut", "AssociateResolverQueryLogConfig", "AssumeRole", "AssumeRoleWithSAML",
    "AssumeRoleWithWebIdentity", "AttachGroupPolicy", "AttachRolePolicy", "AttachUserPolicy",
    "AuthorizeSecurityGroupIngress", "BatchDisableStandards", "BatchEnableStandards", "BatchGet", "BatchGetItem",
    "BatchGetSecretValue", "CancelKeyDeletion", "ChangePassword", "CheckMfa", "ConsoleBruteForce", "ConsoleLogin",
    "CopyDBSnapshot", "CopySource", "CreateAccessKey", "CreateChangeSet", "CreateDBSnapshot", "CreateFilter",
    "CreateFoundationModelAgreement", "CreateFunctionUrlConfig", "CreateKeyPair", "CreateLogStream",
    "CreateLoginProfile", "CreateNetworkAclEntry", "CreatePolicyVersion", "CreateRole", "CreateSAMLProvider",
    "CreateSecurityGroup", "CreateSession", "CreateTags", "CreateTrafficMirrorFilter",
    "CreateTrafficMirrorFilterRule", "CreateTrafficMirrorSession", "CreateTrafficMirrorTarget", "CreateTrustAnchor",
    "CreateUser", "CreateVpcPeeringConnection", "DeleteAccountPublicAccessBlock", "DeleteBackupPlan",
    "DeleteBackupVault", "DeleteBackupVaultLockConfiguration", "DeleteBucketEncryption", "DeleteBucketLifecycle",
    "DeleteBucketPolicy", "DeleteBucketPublicAccessBlock", "DeleteBucketReplication", "DeleteConfigRule",
    "DeleteConfigurationRecorder", "DeleteConformancePack", "DeleteDeliveryChannel", "DeleteDetector",
    "DeleteFilter", "DeleteFlowLogs", "DeleteFunctionUrlConfig", "DeleteGuardrail", "DeleteLoginProfile",
    "DeleteMembers", "DeleteModelInvocationLoggingConfiguration", "DeleteObject", "DeleteObjects",
    "DeleteOrganizationConfigRule", "DeleteOrganizationConformancePack", "DeletePublishingDestination",
    "DeleteRecoveryPoint", "DeleteResolverQueryLogConfig", "DeleteSAMLProvider", "DeleteTrail",
    "DeleteVpcPeeringConnection", "DescribeAddresses", "DescribeAlarms", "DescribeAvailabilityZones",
    "DescribeChangeSet", "DescribeDBInstances", "DescribeFlowLogs", "DescribeImages", "DescribeInstanceAttribute",
    "DescribeInstanceInformation", "DescribeInstanceStatus", "DescribeInstanceTypes", "DescribeInstances",
    "DescribeKeyPairs", "DescribeLaunchTemplates", "DescribeLogGroups", "DescribeNetworkAcls",
    "DescribeNetworkInterfaces", "DescribeOrganization", "DescribeParameters", "DescribeRegions",
    "DescribeRepositories", "DescribeRouteTables", "DescribeSecurityGroups", "DescribeSnapshots",
    "DescribeStackEvents", "DescribeStacks", "DescribeSubnets", "DescribeTable", "DescribeTags",
    "DescribeTrafficMirrorTargets", "DescribeTrails", "DescribeVolumes", "DescribeVpcs",
    "DisableEbsEncryptionByDefault", "DisableKey", "DisableRegion", "DisableSecurityHub",
    "DisableSerialConsoleAccess", "DisableTrustAnchor", "DisassociateFromAdministratorAccount",
    "DisassociateFromMasterAccount", "DisassociateMembers", "DisassociateResolverQueryLogConfig",
    "EnableEbsEncryptionByDefault", "EnableKey", "EnableRegion", "EnableSerialConsoleAccess", "ExecuteChangeSet",
    "FilterLogEvents", "FilterRule", "GenerateDataKey", "GetAccountAuthorizationDetails", "GetAccountSummary",
    "GetAuthorizationToken", "GetBucketAcl", "GetBucketEncryption", "GetBucketLocation", "GetBucketPolicy",
    "GetCallerIdentity", "GetCommandInvocation", "GetEbsEncryptionByDefault", "GetFederationToken",
    "GetFoundationModelAvailability", "GetMetricData", "GetObject", "GetParameter", "GetParameters",
    "GetParametersByPath", "GetPasswordData", "GetQueryExecution", "GetQueryResults", "GetSecretValue",
    "GetSerialConsoleAccessStatus", "GetSessionToken", "GetSigninToken", "GetTrailStatus", "ImportKeyPair",
    "InvokeModel", "InvokeModelWithResponseStream", "ListAccessKeys", "ListAccounts", "ListAliases",
    "ListAttachedRolePolicies", "ListAttachedUserPolicies", "ListBuckets", "ListDetectors", "ListFoundationModels",
    "ListGuardrails", "ListObjects", "ListPolicies", "ListRecoveryPointsByBackupVault", "ListRegions", "ListRoles",
    "ListSAMLProviders", "ListSecrets", "ListStacks", "ListTables", "ListTrustAnchors", "ListUsers", "LookupEvents",
    "ModifyDBCluster", "ModifyDBClusterSnapshotAttribute", "ModifyDBInstance", "ModifyDBSnapshotAttribute",
    "ModifyImageAttribute", "ModifyInstanceAttribute", "ModifySecurityGroupRules", "ModifySnapshotAttribute",
    "PublishLayerVersion", "PutAccountPublicAccessBlock", "PutBucketAcl", "PutBucketEncryption",
    "PutBucketLifecycle", "PutBucketLogging", "PutBucketPolicy", "PutBucketPublicAccessBlock",
    "PutBucketReplication", "PutBucketVersioning", "PutConfigRule", "PutEventSelectors",
    "PutFoundationModelEntitlement", "PutGroupPolicy", "PutMetricData", "PutModelInvocationLoggingConfiguration",
    "PutObject", "PutObjectAcl", "PutRolePolicy", "PutUseCaseForModelAccess", "PutUserPolicy", "QueryExecution",
    "ReceiveMessage", "RemoveAccountFromOrganization", "RestoreDBClusterFromSnapshot",
    "RestoreDBClusterToPointInTime", "RestoreDBInstanceFromDBSnapshot", "RestoreDBInstanceToPointInTime",
    "RevokeSecurityGroupIngress", "RunInstances", "RunPatchBaseline", "RunShellScript", "ScheduleKeyDeletion",
    "SendCommand", "SendSSHPublicKey", "SendSerialConsoleSSHPublicKey", "SetDefaultPolicyVersion",
    "StartConfigurationRecorder", "StartInstances", "StartLogging", "StartPortForwardingSessionToRemoteHost",
    "StartQueryExecution", "StartSession", "StopConfiguration", "StopConfigurationRecorder", "StopInstances",
    "StopLogging", "StopMonitoringMembers", "StopQueryExecution", "TerminateSession", "UpdateAccessKey",
    "UpdateAssumeRolePolicy", "UpdateDetector", "UpdateFilter", "UpdateFunctionCode", "UpdateFunctionConfiguration",
    "UpdateFunctionUrlConfig", "UpdateGuardrail", "UpdateLoginProfile", "UpdateMemberDetectors",
    "UpdateSAMLProvider", "UpdateTable", "UpdateTrail", "UpdateTrustAnchor"
})

# Lambda records most of its calls with the API version after the name ("UpdateFunctionCode20150331v2",
# "ListFunctions20150331"): the name an analyst types matches either form, never the bare name alone
LAMBDA_VERSIONED = frozenset({
    "AddLayerVersionPermission", "AddPermission", "CreateAlias", "CreateEventSourceMapping", "CreateFunction",
    "DeleteAlias", "DeleteEventSourceMapping", "DeleteFunction", "DeleteLayerVersion", "GetFunction",
    "GetFunctionConfiguration", "GetLayerVersion", "GetPolicy", "ListFunctions", "ListLayerVersions", "ListLayers",
    "ListVersionsByFunction", "PublishLayerVersion", "PublishVersion", "PutFunctionConcurrency", "RemovePermission",
    "UpdateAlias", "UpdateEventSourceMapping", "UpdateFunctionCode", "UpdateFunctionConfiguration",
})


def known_events() -> dict[str, str]:
    """Every call name the translator knows, by its lower case: "assumerole" is AssumeRole."""
    from workbench.nl.offline.actions import KNOWN
    from workbench.nl.offline.vocab import (
        CREDENTIAL_ACCESS,
        LOGGING_TAMPERING,
        MFA_CHANGES,
        POLICY_GRANTS,
        PRIVILEGE_ESCALATION,
        PUBLIC_EXPOSURE,
    )
    names = {*KNOWN, *CREDENTIAL_ACCESS, *LOGGING_TAMPERING, *MFA_CHANGES, *POLICY_GRANTS, *PRIVILEGE_ESCALATION,
             *PUBLIC_EXPOSURE, "AssumeRole", "AssumeRoleWithWebIdentity", "AssumeRoleWithSAML", "ConsoleLogin",
             "GetCallerIdentity", "GetObject", "PutObject", "ListBuckets", "DescribeInstances", "GenerateDataKey",
             "GetSessionToken", "GetFederationToken", "ListUsers", "ListRoles", "ListAccessKeys", "GetBucketAcl",
             "GetBucketPolicy", "PutBucketPolicy", "DeleteBucketPolicy", "StartSession", "SendSSHPublicKey",
             "AuthorizeSecurityGroupIngress", "AuthorizeSecurityGroupEgress", "RevokeSecurityGroupIngress"}
    return {n.lower(): n for n in (*names, *EVENT_NAMES, *LAMBDA_VERSIONED)}


# "List* and Describe* calls", "Delete* yesterday": every call whose name starts so. A word written with
# the star is never an English word or a request to act ("Delete*" asks about deletions, it orders none)
EVENT_PREFIX = re.compile(r"(?<![\w*])([A-Za-z][a-z]+(?:[A-Z][a-z0-9]*)*)\*(?![\w*])")


def is_prefix(value: str) -> bool:
    return value.endswith("*")
