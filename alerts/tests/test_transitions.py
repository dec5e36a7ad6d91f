"""Table-driven: every (status, update state, action) against TRANSITIONS, through the real services."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from alerts import services
from alerts.models import Alert, Message
from alerts.services import TRANSITIONS, allowed
from audit.models import AuditEvent

from .conftest import fresh, make_active

pytestmark = pytest.mark.django_db

S, U = Alert.Status, Alert.UpdateState

STATES = [(s, "") for s in S.values if s != S.ACTIVE] + [(S.ACTIVE, u) for u in ("", U.DRAFT, U.PENDING, U.RETURNED)]


def _expire(alert, alice, carol):
    if services.alerts_expire(now=alert.expires_at + timedelta(hours=1)) != 1:
        raise services.InvalidTransition("not expired")


CALLERS = {
    "edit": lambda a, alice, carol: services.alert_save_draft(actor=alice, alert=a, fields={"direction": "S"}),
    "update_edit": lambda a, alice, carol: services.alert_save_draft(actor=alice, alert=a, fields={"direction": "S"}),
    "submit": lambda a, alice, carol: services.alert_submit(actor=alice, alert=a),
    "approve": lambda a, alice, carol: services.alert_approve(actor=carol, alert=a, reauthenticated_at=fresh()),
    "return": lambda a, alice, carol: services.alert_return(actor=carol, alert=a, reason="Fix it"),
    "deny": lambda a, alice, carol: services.alert_deny(actor=carol, alert=a, reason="No", reauthenticated_at=fresh()),
    "update_start": lambda a, alice, carol: services.alert_update_start(actor=alice, alert=a),
    "update_submit": lambda a, alice, carol: services.alert_update_submit(actor=alice, alert=a, note="Changed"),
    "extend": lambda a, alice, carol: services.alert_extend_request(actor=alice, alert=a, hours=6),
    "update_approve": lambda a, alice, carol: services.alert_update_approve(
        actor=carol, alert=a, reauthenticated_at=fresh()
    ),
    "update_return": lambda a, alice, carol: services.alert_update_return(actor=carol, alert=a, reason="Fix it"),
    "request_resolve": lambda a, alice, carol: services.alert_request_resolve(
        actor=alice, alert=a, outcome="apprehended"
    ),
    "resolve": lambda a, alice, carol: services.alert_resolve(
        actor=carol, alert=a, outcome="apprehended", reauthenticated_at=fresh()
    ),
    "cancel": lambda a, alice, carol: services.alert_resolve(
        actor=carol, alert=a, outcome="issued_in_error", reauthenticated_at=fresh()
    ),
    "expire": _expire,
}

# save_draft is one service for both editing actions: it is allowed when either allows it.
EXPECTED = {
    "edit": lambda a: allowed("edit", a) or allowed("update_edit", a),
    "update_edit": lambda a: allowed("edit", a) or allowed("update_edit", a),
}


def test_every_action_of_the_table_has_a_service_under_test():
    assert set(CALLERS) == set(TRANSITIONS)


@pytest.mark.parametrize("status,update_state", STATES, ids=[f"{s}-{u or 'none'}" for s, u in STATES])
@pytest.mark.parametrize("action", list(TRANSITIONS))
def test_each_status_and_action_pair_follows_the_transition_table(
    action, status, update_state, alice, agency_a, carol, cora
):
    alert = make_active(alice, agency_a, cora)
    # Put the alert in the state under test; the same people drafted and submitted it.
    Alert.objects.filter(pk=alert.pk).update(
        status=status, update_state=update_state, submitted_by=alice, update_submitted_by=alice
    )
    alert.refresh_from_db()
    expected = EXPECTED.get(action, lambda a: allowed(action, a))(alert)
    events_before = AuditEvent.objects.count()
    messages_before = Message.objects.count()

    if not expected:
        with pytest.raises(services.InvalidTransition):
            CALLERS[action](alert, alice, carol)
        alert.refresh_from_db()
        assert (alert.status, alert.update_state) == (status, update_state)
        assert AuditEvent.objects.count() == events_before
        assert Message.objects.count() == messages_before
        return

    CALLERS[action](alert, alice, carol)
    alert.refresh_from_db()
    t = TRANSITIONS[action]
    if action == "update_edit" or action == "edit":
        assert alert.direction == "S"
    assert alert.status == (t.target or status)
    if t.update_target is not None:
        assert alert.update_state == t.update_target
    assert AuditEvent.objects.count() > events_before
    new_messages = Message.objects.count() - messages_before
    assert new_messages == (1 if action in ("approve", "update_approve", "resolve", "cancel") else 0)


AGENCY_ACTIONS = ("edit", "submit", "update_start", "update_submit", "extend", "request_resolve")


# Expiry is the system's own action, never a person's.
@pytest.mark.parametrize("action", [a for a in TRANSITIONS if a != "expire"])
def test_mallory_and_yves_are_refused_every_action_whatever_the_state(action, alice, agency_a, carol, mallory, yves):
    alert = make_active(alice, agency_a, carol)
    if action in ("edit", "submit", "approve", "return", "deny"):
        Alert.objects.filter(pk=alert.pk).update(
            status=S.PENDING if action in ("approve", "return", "deny") else S.DRAFT
        )
    if action in ("update_edit", "update_submit", "update_approve", "update_return"):
        Alert.objects.filter(pk=alert.pk).update(
            update_state=U.PENDING if action in ("update_approve", "update_return") else U.DRAFT
        )
    alert.refresh_from_db()
    before = (alert.status, alert.update_state, AuditEvent.objects.count(), Message.objects.count())
    outsider = mallory if action in AGENCY_ACTIONS or action == "update_edit" else yves
    with pytest.raises(PermissionDenied):
        CALLERS[action](alert, outsider, outsider)
    alert.refresh_from_db()
    assert (alert.status, alert.update_state, AuditEvent.objects.count(), Message.objects.count()) == before
