"""The workflow, written out by hand and driven through the real services from every state.

EXPECTED below is the README's state diagram as a table, typed literally: it is never computed
from alerts.workflow.TRANSITIONS or allowed(), so changing one row of the table (a new source, a
dropped source, another target) makes a case here fail. Each service is called from each of the
eleven states: where the table says yes it must succeed and leave the alert in the listed state;
everywhere else it must raise InvalidTransition and change nothing.
"""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied

from alerts import services
from alerts.models import Alert, Message
from alerts.workflow import TRANSITIONS
from audit.models import AuditEvent
from core.exceptions import InvalidTransition

from .conftest import fresh, make_active

pytestmark = pytest.mark.django_db

# Every (status, update state) an alert can be in: "status" alone means no update in progress.
STATES = [
    "draft",
    "pending",
    "returned",
    "denied",
    "active",
    "active/draft",
    "active/pending",
    "active/returned",
    "resolved",
    "cancelled",
    "expired",
]
LIVE = ("active", "active/draft", "active/pending", "active/returned")

# action -> {state it may start from: state it leads to}. Every state not listed refuses it.
EXPECTED = {
    # the working copy: a draft, a returned alert, an update being drafted or returned
    "save_draft": {
        "draft": "draft",
        "returned": "returned",
        "active/draft": "active/draft",
        "active/returned": "active/returned",
    },
    # criteria are attested before the first submission only
    "attest": {"draft": "draft", "returned": "returned"},
    "submit": {"draft": "pending", "returned": "pending"},
    "approve": {"pending": "active"},
    "return": {"pending": "returned"},
    "deny": {"pending": "denied"},
    "update_start": {"active": "active/draft"},
    "update_submit": {"active/draft": "active/pending", "active/returned": "active/pending"},
    "extend": {"active": "active/pending", "active/draft": "active/pending", "active/returned": "active/pending"},
    "update_approve": {"active/pending": "active"},
    "update_return": {"active/pending": "active/returned"},
    "request_resolve": {
        "active": "active",
        "active/draft": "active/draft",
        "active/pending": "active/pending",
        "active/returned": "active/returned",
    },
    "resolve": {
        "active": "resolved",
        "active/draft": "resolved",
        "active/pending": "resolved",
        "active/returned": "resolved",
    },
    "cancel": {
        "active": "cancelled",
        "active/draft": "cancelled",
        "active/pending": "cancelled",
        "active/returned": "cancelled",
    },
    "expire": {
        "active": "expired",
        "active/draft": "expired",
        "active/pending": "expired",
        "active/returned": "expired",
    },
}
# The actions that freeze a message, and its kind.
MESSAGE_KIND = {"approve": "Alert", "update_approve": "Update", "resolve": "Cancel", "cancel": "Cancel"}


def _expire(alert, alice, carol):
    if services.alerts_expire(now=alert.expires_at + timedelta(hours=1)) != 1:
        raise InvalidTransition("not expired")


CALLERS = {
    "save_draft": lambda a, alice, carol: services.alert_save_draft(actor=alice, alert=a, fields={"direction": "S"}),
    "attest": lambda a, alice, carol: services.alert_attest(actor=alice, alert=a, keys=[]),
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
# Which rows of the table each service runs (save_draft: "edit" on a draft, "update_edit" on a live alert).
ROWS_EXERCISED = {"save_draft": {"edit", "update_edit"}, "attest": {"edit"}}


def _split(state: str) -> tuple[str, str]:
    status, _, update_state = state.partition("/")
    return status, update_state


def _state_of(alert) -> str:
    return f"{alert.status}/{alert.update_state}" if alert.update_state else alert.status


def test_every_row_of_the_table_is_exercised_by_a_service_under_test():
    exercised = set().union(*(ROWS_EXERCISED.get(action, {action}) for action in EXPECTED))
    assert exercised == set(TRANSITIONS)
    assert set(CALLERS) == set(EXPECTED)


def test_the_written_out_table_covers_only_real_states():
    assert all(start in STATES and end in STATES for rows in EXPECTED.values() for start, end in rows.items())


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("action", list(EXPECTED))
def test_each_service_from_each_state_does_what_the_written_out_table_says(action, state, alice, agency_a, carol, cora):
    alert = make_active(alice, agency_a, cora)
    status, update_state = _split(state)
    # Put the alert in the state under test; the same people drafted and submitted it.
    Alert.objects.filter(pk=alert.pk).update(
        status=status, update_state=update_state, submitted_by=alice, update_submitted_by=alice
    )
    alert.refresh_from_db()
    updated_at = alert.updated_at
    events_before = AuditEvent.objects.count()
    messages_before = Message.objects.count()

    if state not in EXPECTED[action]:
        with pytest.raises(InvalidTransition):
            CALLERS[action](alert, alice, carol)
        alert.refresh_from_db()
        assert _state_of(alert) == state
        assert alert.updated_at == updated_at
        assert AuditEvent.objects.count() == events_before
        assert Message.objects.count() == messages_before
        return

    CALLERS[action](alert, alice, carol)
    alert.refresh_from_db()
    assert _state_of(alert) == EXPECTED[action][state]
    if action == "save_draft":
        assert alert.direction == "S"
    assert AuditEvent.objects.count() > events_before
    new_messages = list(Message.objects.order_by("id")[messages_before:].values_list("kind", flat=True))
    assert new_messages == ([MESSAGE_KIND[action]] if action in MESSAGE_KIND else [])


AGENCY_ACTIONS = ("save_draft", "attest", "submit", "update_start", "update_submit", "extend", "request_resolve")
# Where each action is allowed, so that only the person is wrong.
START = {
    "save_draft": "draft",
    "attest": "draft",
    "submit": "draft",
    "approve": "pending",
    "return": "pending",
    "deny": "pending",
    "update_start": "active",
    "update_submit": "active/draft",
    "extend": "active",
    "update_approve": "active/pending",
    "update_return": "active/pending",
    "request_resolve": "active",
    "resolve": "active",
    "cancel": "active",
}


# Expiry is the system's own action, never a person's.
@pytest.mark.parametrize("action", list(START))
def test_mallory_and_yves_are_refused_every_action_whatever_the_state(action, alice, agency_a, carol, mallory, yves):
    alert = make_active(alice, agency_a, carol)
    status, update_state = _split(START[action])
    Alert.objects.filter(pk=alert.pk).update(status=status, update_state=update_state)
    alert.refresh_from_db()
    before = (alert.status, alert.update_state, AuditEvent.objects.count(), Message.objects.count())
    outsider = mallory if action in AGENCY_ACTIONS else yves
    with pytest.raises(PermissionDenied):
        CALLERS[action](alert, outsider, outsider)
    alert.refresh_from_db()
    assert (alert.status, alert.update_state, AuditEvent.objects.count(), Message.objects.count()) == before
