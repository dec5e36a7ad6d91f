"""Every write to an alert and every workflow rule, by phase:

- `drafting`: start a draft, save the working copy with its criteria (one transaction), photos,
  and what a draft still needs before submission;
- `decisions`: submit, and the coordinator's approve, return and deny;
- `lifecycle`: an active alert's updates, extensions, the request to end it, resolve and cancel;
- `periodic`: the beat jobs (expire, remind before expiry, escalate waiting submissions);
- `criteria`: the states' checklists, edited in the admin;
- `_engine` (the conditional update of one row of alerts.workflow.TRANSITIONS, the refusal message,
  the people checks), `_mail` (workflow mail and its recipients), `_messages` (freezing a message).

Each transition is one service, one transaction, one conditional update on the table's sources (a
row count other than 1 raises core.exceptions.InvalidTransition, so two coordinators acting at
once end with exactly one transition), an audit row in the same transaction, and its side effects
(mail, publishing, distribution) after commit. Permission, two-person and re-authentication rules
live here, not in the pages, so the API and the HTML views cannot differ.

Callers use `from alerts import services; services.alert_approve(...)`.
"""

from .criteria import criterion_problems, criterion_save
from .decisions import DEFAULT_ALERT_HOURS, alert_approve, alert_deny, alert_return, alert_submit
from .drafting import (
    alert_attest,
    alert_create,
    alert_photo_add,
    alert_photo_remove,
    alert_save_draft,
    alert_submission_problems,
)
from .lifecycle import (
    MAX_EXTENSION_HOURS,
    alert_extend_request,
    alert_request_resolve,
    alert_resolve,
    alert_update_approve,
    alert_update_return,
    alert_update_start,
    alert_update_submit,
)
from .periodic import ESCALATE_AFTER, REMIND_BEFORE, alerts_escalate, alerts_expire, alerts_remind_expiry

__all__ = [
    "DEFAULT_ALERT_HOURS",
    "ESCALATE_AFTER",
    "MAX_EXTENSION_HOURS",
    "REMIND_BEFORE",
    "alert_approve",
    "alert_attest",
    "alert_create",
    "alert_deny",
    "alert_extend_request",
    "alert_photo_add",
    "alert_photo_remove",
    "alert_request_resolve",
    "alert_resolve",
    "alert_return",
    "alert_save_draft",
    "alert_submission_problems",
    "alert_submit",
    "alert_update_approve",
    "alert_update_return",
    "alert_update_start",
    "alert_update_submit",
    "alerts_escalate",
    "alerts_expire",
    "alerts_remind_expiry",
    "criterion_problems",
    "criterion_save",
]
