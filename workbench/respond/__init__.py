"""Containment (`workbench.respond`): dry-run by default, the exact API calls shown, every action
recorded in the alert's audit trail with the actor.

    from workbench.respond import Responder
    r = Responder(store=get_store(), actor="ana")          # endpoint_url=/region= for a stand-in
    print(r.disable_access_keys("build-bot", alert_id=a.id))   # DRY RUN: iam.UpdateAccessKey(...)
    r.disable_access_keys("build-bot", alert_id=a.id, confirm=True)

Actions: `disable_access_keys`, `deny_all` (user or role), `revoke_role_sessions`
(AWSRevokeOlderSessions: deny on aws:TokenIssueTime), `block_cidr` (network ACL deny entries),
`cognito_sign_out` (AdminUserGlobalSignOut). Audit actions: containment-dry-run, containment-executed,
containment-failed, each with the calls in `changes["containment"]`.
"""

from workbench.respond.actions import (
    DENY_ALL_POLICY,
    REVOKE_POLICY,
    ContainmentError,
    Responder,
    deny_all_document,
    revoke_sessions_document,
)
from workbench.respond.calls import ActionResult, ApiCall

__all__ = ["DENY_ALL_POLICY", "REVOKE_POLICY", "ActionResult", "ApiCall", "ContainmentError", "Responder",
           "deny_all_document", "revoke_sessions_document"]
