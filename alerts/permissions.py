"""Who may do what with an alert. Predicates only; the services ask them again before any write.

Rights come from memberships (agencies.permissions): agency staff and administrators draft for
their agency; a state's coordinators review that state's alerts; a national administrator sees
everything and approves nothing (national_admin grants no coordinate_state permission).
"""

from agencies.permissions import can_coordinate_state, can_draft_for_agency, is_national_admin

from .models import Alert

EDITABLE_STATUSES = (Alert.Status.DRAFT, Alert.Status.RETURNED)
EDITABLE_UPDATE_STATES = (Alert.UpdateState.DRAFT, Alert.UpdateState.RETURNED)
# An alert seen by the coordinators of a state it asked to join: only once it has been published.
PUBLISHED_STATUSES = (Alert.Status.ACTIVE, Alert.Status.RESOLVED, Alert.Status.CANCELLED, Alert.Status.EXPIRED)


def is_agency_member(user, alert: Alert) -> bool:
    """Staff or administrator of the alert's agency (verified agency, active membership)."""
    return can_draft_for_agency(user, alert.agency)


def is_editable(alert: Alert) -> bool:
    return alert.status in EDITABLE_STATUSES or (
        alert.status == Alert.Status.ACTIVE and alert.update_state in EDITABLE_UPDATE_STATES
    )


def can_edit_alert(user, alert: Alert) -> bool:
    """Agency staff/admin of that agency, on a draft, a returned alert, or an active alert's update draft."""
    return is_editable(alert) and is_agency_member(user, alert)


def can_submit_alert(user, alert: Alert) -> bool:
    return can_edit_alert(user, alert)


def can_start_update(user, alert: Alert) -> bool:
    return alert.status == Alert.Status.ACTIVE and alert.update_state == "" and is_agency_member(user, alert)


def can_request_resolve(user, alert: Alert) -> bool:
    return alert.status == Alert.Status.ACTIVE and is_agency_member(user, alert)


def can_review_alert(user, alert: Alert) -> bool:
    """A coordinator of the alert's own state. Never a national administrator as such."""
    return can_coordinate_state(user, alert.state)


def can_view_alert(user, alert: Alert) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    if is_national_admin(user) or user.has_perm("agencies.draft_alert", alert.agency):
        return True
    if can_coordinate_state(user, alert.state):
        return True
    return alert.status in PUBLISHED_STATUSES and any(can_coordinate_state(user, s) for s in alert.extra_states.all())
