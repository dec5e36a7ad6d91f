"""Periodic work: expiry, the reminder an hour before, escalation after 10 minutes; each exactly once."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from alerts import services, tasks
from alerts.models import Alert
from alerts.selectors import alert_history

from .conftest import make_active, make_pending

pytestmark = pytest.mark.django_db


def events(alert, action):
    return alert_history(alert).filter(action=action)


def test_the_beat_schedule_runs_the_three_alert_tasks():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "alerts.tasks.alerts_expire",
        "alerts.tasks.alerts_remind_expiry",
        "alerts.tasks.alerts_escalate",
    } <= scheduled


def test_an_alert_past_its_expiry_expires_once_without_a_message(
    alice, agency_a, carol, django_capture_on_commit_callbacks, mailoutbox
):
    alert = make_active(alice, agency_a, carol)
    later = alert.expires_at + timedelta(minutes=1)
    assert services.alerts_expire(now=alert.expires_at - timedelta(minutes=1)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.alerts_expire(now=later) == 1
    assert services.alerts_expire(now=later) == 0
    alert.refresh_from_db()
    assert alert.status == Alert.Status.EXPIRED and alert.ended_at == later
    assert alert.messages.count() == 1  # CAP has no message for expiry
    event = events(alert, "alert.expired").get()
    assert event.actor is None and event.actor_label == ""
    assert "carol@dps.texas.example" in {m.to[0] for m in mailoutbox}
    assert "alice@austin.example" in {m.to[0] for m in mailoutbox}


def test_the_expire_task_runs_the_service(alice, agency_a, carol):
    alert = make_active(alice, agency_a, carol)
    Alert.objects.filter(pk=alert.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert tasks.alerts_expire.delay().get() == 1
    assert Alert.objects.get(pk=alert.pk).status == Alert.Status.EXPIRED


def test_the_agency_and_coordinators_are_reminded_once_an_hour_before_expiry(
    alice, agency_a, carol, cora, django_capture_on_commit_callbacks, mailoutbox
):
    alert = make_active(alice, agency_a, carol)
    assert services.alerts_remind_expiry(now=alert.expires_at - timedelta(hours=2)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.alerts_remind_expiry(now=alert.expires_at - timedelta(minutes=59)) == 1
    assert services.alerts_remind_expiry(now=alert.expires_at - timedelta(minutes=30)) == 0
    assert events(alert, "alert.expiry_reminded").count() == 1
    assert {m.to[0] for m in mailoutbox} == {
        "alice@austin.example",
        "carol@dps.texas.example",
        "cora@dps.texas.example",
    }
    assert "expires within the hour" in mailoutbox[0].subject


def test_an_approved_extension_allows_a_new_reminder(alice, agency_a, carol):
    alert = make_active(alice, agency_a, carol)
    services.alerts_remind_expiry(now=alert.expires_at - timedelta(minutes=30))
    services.alert_extend_request(actor=alice, alert=alert, hours=4)
    services.alert_update_approve(actor=carol, alert=alert, reauthenticated_at=timezone.now())
    alert.refresh_from_db()
    assert alert.expiry_reminded_at is None
    assert services.alerts_remind_expiry(now=alert.expires_at - timedelta(minutes=30)) == 1


def test_a_submission_pending_over_ten_minutes_is_escalated_once_to_all_coordinators_and_national_admins(
    alice, agency_a, carol, cora, nora, yves, django_capture_on_commit_callbacks, mailoutbox
):
    alert = make_pending(alice, agency_a)
    assert services.alerts_escalate(now=alert.submitted_at + timedelta(minutes=9)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.alerts_escalate(now=alert.submitted_at + timedelta(minutes=11)) == 1
    assert services.alerts_escalate(now=alert.submitted_at + timedelta(minutes=20)) == 0
    alert.refresh_from_db()
    assert alert.escalated_at is not None
    assert events(alert, "alert.escalated").get().actor is None
    assert {m.to[0] for m in mailoutbox} == {
        "carol@dps.texas.example",
        "cora@dps.texas.example",
        "nora@cops.example",
    }  # never yves (New York)
    assert "more than 10 minutes" in mailoutbox[0].subject


def test_a_pending_update_is_escalated_too(alice, agency_a, carol):
    alert = make_active(alice, agency_a, carol)
    services.alert_update_start(actor=alice, alert=alert)
    services.alert_update_submit(actor=alice, alert=alert, note="Direction")
    alert.refresh_from_db()
    assert services.alerts_escalate(now=alert.update_submitted_at + timedelta(minutes=11)) == 1


def test_a_resubmission_can_be_escalated_again(alice, agency_a, carol):
    alert = make_pending(alice, agency_a)
    services.alerts_escalate(now=alert.submitted_at + timedelta(minutes=11))
    services.alert_return(actor=carol, alert=alert, reason="More detail")
    services.alert_submit(actor=alice, alert=alert)
    alert.refresh_from_db()
    assert alert.escalated_at is None
    assert services.alerts_escalate(now=alert.submitted_at + timedelta(minutes=11)) == 1


def test_mallory_s_state_alerts_never_escalate_to_texas_coordinators(
    mallory, agency_b, yves, carol, django_capture_on_commit_callbacks, mailoutbox
):
    alert = make_pending(mallory, agency_b)
    with django_capture_on_commit_callbacks(execute=True):
        services.alerts_escalate(now=alert.submitted_at + timedelta(minutes=11))
    assert {m.to[0] for m in mailoutbox} == {"yves@nysp.example"}
