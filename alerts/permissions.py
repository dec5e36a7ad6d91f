"""Who may do what with an alert. Predicates only; the services ask them again before any write.

Rights come from memberships (agencies.permissions): agency staff and administrators draft for
their agency; a state's coordinators review that state's alerts; a national administrator sees
everything and approves nothing (national_admin grants no coordinate_state permission). Whether
the alert's state allows an action is the transition table's answer (alerts.workflow), never
restated here.

What each predicate queries is said in its docstring: "the permission check" is django-guardian's
object-permission lookup for the user (one or two queries, not cached between calls), plus the
alert's agency or state row when the alert was loaded without them (the selectors join both).
Who may see an alert at all is not a predicate: alerts.selectors.alerts_visible_to is that rule.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from agencies.permissions import can_coordinate_state, can_draft_for_agency

from . import workflow
from .models import Alert

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


def is_agency_member(user: User | AnonymousUser, alert: Alert) -> bool:
    """Staff or administrator of the alert's agency (verified agency, active membership).
    Queries: the permission check on the agency."""
    return can_draft_for_agency(user, alert.agency)


def is_editable(alert: Alert) -> bool:
    """A draft, a returned alert, or an active alert's update draft (the table's edit rows). No query."""
    return workflow.is_editable(alert)


def can_edit_alert(user: User | AnonymousUser, alert: Alert) -> bool:
    """Agency staff/admin of that agency, while the table allows editing. Queries: the permission
    check on the agency, only when the alert is editable."""
    return is_editable(alert) and is_agency_member(user, alert)


def can_submit_alert(user: User | AnonymousUser, alert: Alert) -> bool:
    """As can_edit_alert: what can be edited can be submitted (the service lists what is missing)."""
    return can_edit_alert(user, alert)


def can_start_update(user: User | AnonymousUser, alert: Alert) -> bool:
    """An agency member, on an active alert with no update in progress. Queries: the permission
    check on the agency, only when the table allows it."""
    return workflow.allowed("update_start", alert) and is_agency_member(user, alert)


def can_request_resolve(user: User | AnonymousUser, alert: Alert) -> bool:
    """An agency member, on an alert that may still be ended. Queries: the permission check on the
    agency, only when the table allows it."""
    return workflow.allowed("request_resolve", alert) and is_agency_member(user, alert)


def can_review_alert(user: User | AnonymousUser, alert: Alert) -> bool:
    """A coordinator of the alert's own state. Never a national administrator as such.
    Queries: the permission check on the state."""
    return can_coordinate_state(user, alert.state)
