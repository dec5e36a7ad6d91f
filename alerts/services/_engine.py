"""The transition engine every alert service uses: the conditional update of one row of the
transition table (alerts.workflow), the refusal message a person reads when it does not apply, and
the people checks (agency member, the state's coordinator, a reason, two different people)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from agencies.permissions import can_coordinate_state
from core.exceptions import InvalidTransition

from .. import workflow
from ..models import Alert
from ..permissions import is_agency_member

if TYPE_CHECKING:
    from accounts.models import User


def refusal(alert: Alert, action: str) -> str:
    """Why `action` cannot happen, from the row as it is now: "Cannot approve: the alert is
    active. Carol Castillo decided at 14:53. Nothing was changed." One query."""
    current = Alert.objects.select_related("decided_by").filter(pk=alert.pk).first()
    label = workflow.TRANSITIONS[action].label
    if current is None:
        return "This alert no longer exists."
    status = current.get_status_display().lower()
    if current.update_state and current.status == Alert.Status.ACTIVE:
        status += f" ({current.get_update_state_display().lower()})"
    who = ""
    if current.decided_by is not None and current.status in workflow.DECISION_SHOWN and current.decided_at:
        when = timezone.localtime(current.decided_at)
        who = f" {current.decided_by.get_full_name()} decided at {when:%H:%M}."
    return f"Cannot {label}: the alert is {status}.{who} Nothing was changed."


def check(action: str, alert: Alert) -> None:
    """Refuse early (InvalidTransition) when the table does not allow `action` from the alert as
    loaded; `apply` checks again on the row itself."""
    if not workflow.allowed(action, alert):
        raise InvalidTransition(refusal(alert, action))


def apply(alert: Alert, action: str, **values: Any) -> None:
    """The conditional update of one transition, `filter(pk, <the row's sources>).update(<its
    targets>, **values)`; refreshes `alert`. A row count other than 1 (someone acted first)
    raises InvalidTransition and changes nothing."""
    values.update(workflow.target_values(action))
    values["updated_at"] = timezone.now()
    if Alert.objects.filter(workflow.source_q(action), pk=alert.pk).update(**values) != 1:
        raise InvalidTransition(refusal(alert, action))
    alert.refresh_from_db()


def require_agency_member(actor: User, alert: Alert) -> None:
    if not is_agency_member(actor, alert):
        raise PermissionDenied("Only staff of the alert's agency can do this.")


def require_reviewer(actor: User, alert: Alert) -> None:
    if not can_coordinate_state(actor, alert.state):
        raise PermissionDenied(f"Only a coordinator of {alert.state.name} can decide on this alert.")


def require_reason(reason: str, what: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({what: ["Give a reason; it is sent to the agency and kept in the history."]})
    return reason


def two_person(actor: User, *user_ids: int | None) -> None:
    """The approver is never the drafter or the submitter."""
    if actor.pk in {u for u in user_ids if u}:
        raise PermissionDenied(
            "Two-person rule: you drafted or submitted this, so another coordinator must approve it."
        )
