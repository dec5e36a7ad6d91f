"""Every live approval and cancellation also emails the operations (on-call) address."""

import pytest

from alerts import services
from alerts.tests.conftest import fresh, make_pending, run_mail
from core.exceptions import InvalidTransition

pytestmark = pytest.mark.django_db
ONCALL = "oncall@bluealert.example.gov"


def _oncall_mail(mailoutbox):
    return [m for m in mailoutbox if m.to == [ONCALL]]


def test_a_live_approval_and_its_cancellation_reach_the_on_call_desk(
    settings, alice, agency_a, carol, mailoutbox, django_capture_on_commit_callbacks
):
    settings.OPERATIONS_EMAIL = ONCALL
    alert = make_pending(alice, agency_a)
    with django_capture_on_commit_callbacks() as callbacks:
        services.alert_approve(actor=carol, alert=alert, reauthenticated_at=fresh())
    run_mail(callbacks)
    assert [m.subject for m in _oncall_mail(mailoutbox)] == [
        "ON-CALL: Blue Alert activated – TX – Austin Police Department"
    ]
    assert carol.email in _oncall_mail(mailoutbox)[0].body
    mailoutbox.clear()
    alert.refresh_from_db()
    with django_capture_on_commit_callbacks() as callbacks:
        services.alert_resolve(
            actor=carol, alert=alert, outcome="apprehended", note="In custody.", reauthenticated_at=fresh()
        )
    run_mail(callbacks)
    assert [m.subject for m in _oncall_mail(mailoutbox)] == [
        "ON-CALL: Blue Alert ended – TX – Austin Police Department"
    ]


def test_exercises_and_unset_addresses_send_nothing_to_on_call(
    settings, alice, agency_a, carol, mailoutbox, django_capture_on_commit_callbacks
):
    settings.OPERATIONS_EMAIL = ONCALL
    exercise = make_pending(alice, agency_a, exercise=True)
    with django_capture_on_commit_callbacks() as callbacks:
        services.alert_approve(actor=carol, alert=exercise, reauthenticated_at=fresh())
    run_mail(callbacks)
    settings.OPERATIONS_EMAIL = ""
    live = make_pending(alice, agency_a, plate="XYZ9876", name="Rick Roe")
    with django_capture_on_commit_callbacks() as callbacks:
        services.alert_approve(actor=carol, alert=live, reauthenticated_at=fresh())
    run_mail(callbacks)
    assert _oncall_mail(mailoutbox) == []


def test_a_mallory_approval_attempt_sends_nothing_to_on_call(
    settings, alice, agency_a, yves, mailoutbox, django_capture_on_commit_callbacks
):
    from django.core.exceptions import PermissionDenied

    settings.OPERATIONS_EMAIL = ONCALL
    alert = make_pending(alice, agency_a)
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises((PermissionDenied, InvalidTransition)):
        services.alert_approve(actor=yves, alert=alert, reauthenticated_at=fresh())
    run_mail(callbacks)
    assert _oncall_mail(mailoutbox) == []
