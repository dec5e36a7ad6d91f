"""Every transition of the workflow and every refusal, asserting the database and the audit rows after."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.reauth import ReauthRequired
from alerts import services
from alerts.models import Alert, Attestation, Message
from alerts.selectors import alert_history, alerts_possible_duplicates
from audit.models import AuditEvent
from core.exceptions import InvalidTransition

from .conftest import fresh, make_active, make_draft, make_pending, publishing_callbacks, run_mail, stale

pytestmark = pytest.mark.django_db


def actions(alert) -> list[str]:
    return list(alert_history(alert).values_list("action", flat=True))


def last_event(alert) -> AuditEvent:
    event = alert_history(alert).last()
    assert event is not None, "the alert has no audit event"
    return event


# --- drafting -------------------------------------------------------------------------------


def test_agency_staff_creates_a_draft_with_the_agency_defaults(alice, agency_a):
    alert = services.alert_create(actor=alice, agency=agency_a, trigger="missing")
    alert.refresh_from_db()
    assert alert.status == Alert.Status.DRAFT and alert.state == agency_a.state and not alert.is_exercise
    assert alert.tip_line == agency_a.tip_line and alert.officer_release == Alert.OfficerRelease.PRIVATE
    assert actions(alert) == ["alert.created"]
    assert last_event(alert).actor == alice


def test_mallory_cannot_draft_for_another_agency(mallory, agency_a):
    with pytest.raises(PermissionDenied):
        services.alert_create(actor=mallory, agency=agency_a, trigger="killed")
    assert not Alert.objects.exists()


def test_a_coordinator_cannot_draft_for_an_agency(carol, agency_a):
    with pytest.raises(PermissionDenied):
        services.alert_create(actor=carol, agency=agency_a, trigger="killed")


def test_a_draft_is_saved_and_resumed_with_suspects_and_vehicles(draft, alice):
    assert draft.suspects.count() == 1 and draft.vehicles.count() == 1
    suspect = draft.suspects.get()
    services.alert_save_draft(
        actor=alice,
        alert=draft,
        fields={"direction": "S", "wea_short_en": "BLUE ALERT: Austin TX. “Call” 911 — now"},
        suspects=[{"id": suspect.pk, "name": "John Q Doe"}, {"name": "", "sex": "Female"}],
        vehicles=[{"id": draft.vehicles.get().pk, "DELETE": True}],
    )
    draft.refresh_from_db()
    assert draft.direction == "S"
    assert draft.wea_short_en == 'BLUE ALERT: Austin TX. "Call" 911 - now'  # typography replaced
    assert [s.name for s in draft.suspects.all()] == ["John Q Doe", ""]
    assert draft.suspects.get(name="John Q Doe").pk == suspect.pk  # the same row, photos stay linked
    assert not draft.vehicles.exists()
    event = last_event(draft)
    assert event.action == "alert.draft_saved" and "direction" in event.changes["fields"]


def test_mallory_cannot_save_alice_s_draft(draft, mallory):
    with pytest.raises(PermissionDenied):
        services.alert_save_draft(actor=mallory, alert=draft, fields={"direction": "S"})
    draft.refresh_from_db()
    assert draft.direction == "N"
    assert not alert_history(draft).filter(actor=mallory).exists()


def test_the_drafter_cannot_set_the_officer_release_or_the_exercise_flag(draft, alice):
    with pytest.raises(ValidationError):
        services.alert_save_draft(actor=alice, alert=draft, fields={"officer_release": "public"})
    with pytest.raises(ValidationError):
        services.alert_save_draft(actor=alice, alert=draft, fields={"is_exercise": True})
    draft.refresh_from_db()
    assert draft.officer_release == "private" and not draft.is_exercise


def test_attestations_record_who_and_when_and_can_be_withdrawn(draft, albert):
    services.alert_attest(actor=albert, alert=draft, keys={"trigger"})
    assert list(draft.attestations.values_list("criterion__key", flat=True)) == ["trigger"]
    att = draft.attestations.get()
    assert att.attested_by.email == "alice@austin.example"  # alice attested it first; kept
    assert att.attested_at is not None
    event = last_event(draft)
    assert event.action == "alert.criteria_attested" and event.actor == albert
    assert "suspect_at_large" in event.changes["withdrawn"]


# --- submit ---------------------------------------------------------------------------------


def test_submit_moves_a_complete_draft_to_pending_and_mails_the_coordinators(
    draft, alice, carol, cora, yves, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.alert_submit(actor=alice, alert=draft)
    run_mail(callbacks)
    draft.refresh_from_db()
    assert draft.status == Alert.Status.PENDING and draft.submitted_by == alice and draft.submitted_at
    assert last_event(draft).action == "alert.submitted"
    assert last_event(draft).changes == {"status": ["draft", "pending"]}
    assert sorted(m.to[0] for m in mailoutbox) == ["carol@dps.texas.example", "cora@dps.texas.example"]
    assert "awaiting your approval" in mailoutbox[0].subject
    assert str(draft.public_id) in mailoutbox[0].body


def test_submit_is_refused_until_every_required_criterion_is_attested(draft, alice):
    services.alert_attest(actor=alice, alert=draft, keys={"trigger"})
    with pytest.raises(ValidationError) as exc:
        services.alert_submit(actor=alice, alert=draft)
    assert "criteria" in exc.value.message_dict
    draft.refresh_from_db()
    assert draft.status == Alert.Status.DRAFT
    assert "alert.submitted" not in actions(draft)


def test_submit_is_refused_for_an_over_long_wea_text(draft, alice):
    # 46 extension characters fit the column but take 92 septets on a phone.
    Alert.objects.filter(pk=draft.pk).update(wea_short_en="[" * 46, wea_long_en="x" * 360)
    draft.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.alert_submit(actor=alice, alert=draft)
    assert "92 characters; the limit is 90" in exc.value.message_dict["wea_short_en"][0]
    assert "wea_long_en" not in exc.value.message_dict
    draft.refresh_from_db()
    assert draft.status == Alert.Status.DRAFT
    assert "alert.submitted" not in actions(draft)


def test_submit_is_refused_for_a_non_gsm_wea_text(draft, alice):
    Alert.objects.filter(pk=draft.pk).update(wea_long_es="ALERTA AZUL: Llame al 911 ahora mismo, policía.")
    draft.refresh_from_db()
    with pytest.raises(ValidationError) as exc:
        services.alert_submit(actor=alice, alert=draft)
    assert "GSM" in exc.value.message_dict["wea_long_es"][0]
    assert Alert.objects.get(pk=draft.pk).status == Alert.Status.DRAFT
    assert "alert.submitted" not in actions(draft)


def test_submit_is_refused_without_a_suspect(alice, agency_a):
    alert = make_draft(alice, agency_a)
    services.alert_save_draft(
        actor=alice, alert=alert, fields={}, suspects=[{"id": alert.suspects.get().pk, "DELETE": True}]
    )
    with pytest.raises(ValidationError) as exc:
        services.alert_submit(actor=alice, alert=alert)
    assert "suspects" in exc.value.message_dict


def test_a_state_requiring_ncic_and_a_warrant_refuses_without_them(alice, agency_a, state_x):
    state_x.criteria.filter(key__in=["ncic_entry", "arrest_warrant"]).update(required=True)
    alert = make_draft(alice, agency_a)
    with pytest.raises(ValidationError) as exc:
        services.alert_submit(actor=alice, alert=alert)
    assert {"ncic_number", "warrant_status"} <= set(exc.value.message_dict)
    services.alert_save_draft(
        actor=alice, alert=alert, fields={"ncic_number": "W123456789", "warrant_status": "issued"}
    )
    services.alert_submit(actor=alice, alert=alert)
    assert Alert.objects.get(pk=alert.pk).status == Alert.Status.PENDING


def test_mallory_cannot_submit_alice_s_draft(draft, mallory):
    with pytest.raises(PermissionDenied):
        services.alert_submit(actor=mallory, alert=draft)
    assert Alert.objects.get(pk=draft.pk).status == Alert.Status.DRAFT
    assert "alert.submitted" not in actions(draft)


def test_submit_shows_active_alerts_sharing_a_plate_or_a_suspect_name(alice, agency_a, carol):
    first = make_active(alice, agency_a, carol, plate="XYZ9876", name="Jane Smith")
    same_plate = make_draft(alice, agency_a, plate="xyz 9876", name="Someone Else")
    same_name = make_draft(alice, agency_a, plate="", name="JANE SMITH")
    unrelated = make_draft(alice, agency_a, plate="QQQ1111", name="Nobody")
    assert alerts_possible_duplicates(same_plate) == [first]
    assert alerts_possible_duplicates(same_name) == [first]
    assert alerts_possible_duplicates(unrelated) == []


# --- decisions ------------------------------------------------------------------------------


def test_approve_makes_the_alert_active_and_freezes_message_one(
    pending, carol, alice, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = services.alert_approve(actor=carol, alert=pending, reauthenticated_at=fresh(), note="Meets criteria")
    pending.refresh_from_db()
    assert pending.status == Alert.Status.ACTIVE and pending.decided_by == carol
    assert abs((pending.expires_at - timezone.now()) - timedelta(hours=24)) < timedelta(minutes=1)
    assert message.kind == Message.Kind.ALERT and message.sequence == 1 and message.approved_by == carol
    assert message.sent_at.microsecond == 0 and not message.is_exercise
    assert message.snapshot["status"] == "active" and message.snapshot["texts"]["wea_short_en"] == pending.wea_short_en
    assert message.snapshot["expires_at"] == pending.expires_at.isoformat()
    assert len(publishing_callbacks(callbacks)) == 2  # alert_publish and message_distribute after commit
    event = last_event(pending)
    assert event.action == "alert.approved" and event.actor == carol
    assert event.changes["message"] == str(message.message_id)
    run_mail(callbacks)
    assert [m.to for m in mailoutbox] == [["alice@austin.example"]] and "approved" in mailoutbox[0].subject


def test_approval_uses_the_state_default_duration(pending, carol, state_x):
    state_x.default_alert_hours = 6
    state_x.save()
    pending.refresh_from_db()
    services.alert_approve(actor=carol, alert=pending, reauthenticated_at=fresh())
    pending.refresh_from_db()
    assert abs((pending.expires_at - timezone.now()) - timedelta(hours=6)) < timedelta(minutes=1)


def test_approve_can_release_the_officer_details(pending, carol):
    message = services.alert_approve(actor=carol, alert=pending, reauthenticated_at=fresh(), officer_release="public")
    assert message.snapshot["officer"]["release"] == "public"
    assert Alert.objects.get(pk=pending.pk).officer_release == "public"


def test_the_drafter_cannot_approve_their_own_alert_even_as_a_coordinator(alice, agency_a, state_x, carol):
    from agencies.services import membership_grant

    membership_grant(actor=None, user=alice, role="state_coordinator", state=state_x)
    alert = make_pending(alice, agency_a)
    with pytest.raises(PermissionDenied, match="Two-person rule"):
        services.alert_approve(actor=alice, alert=alert, reauthenticated_at=fresh())
    alert.refresh_from_db()
    assert alert.status == Alert.Status.PENDING and not alert.messages.exists()
    assert "alert.approved" not in actions(alert)


def test_the_submitter_cannot_approve_even_if_someone_else_drafted(alice, albert, agency_a, state_x, carol):
    from agencies.services import membership_grant

    membership_grant(actor=None, user=albert, role="state_coordinator", state=state_x)
    alert = make_draft(alice, agency_a)
    services.alert_submit(actor=albert, alert=alert)
    with pytest.raises(PermissionDenied):
        services.alert_approve(actor=albert, alert=alert, reauthenticated_at=fresh())
    assert Alert.objects.get(pk=alert.pk).status == Alert.Status.PENDING


def test_approve_needs_a_re_authentication_in_the_last_15_minutes(pending, carol):
    with pytest.raises(ReauthRequired):
        services.alert_approve(actor=carol, alert=pending, reauthenticated_at=stale())
    with pytest.raises(ReauthRequired):
        services.alert_approve(actor=carol, alert=pending, reauthenticated_at=None)
    assert Alert.objects.get(pk=pending.pk).status == Alert.Status.PENDING
    assert not Message.objects.exists()
    assert "alert.approved" not in actions(pending)


@pytest.mark.parametrize("who", ["alice", "albert", "mallory", "yves", "nora"])
def test_only_a_coordinator_of_the_state_can_approve(pending, who, request):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.alert_approve(actor=user, alert=pending, reauthenticated_at=fresh())
    assert Alert.objects.get(pk=pending.pk).status == Alert.Status.PENDING
    assert not Message.objects.exists()
    assert last_event(pending).action == "alert.submitted"  # nothing recorded after the submission


def test_two_coordinators_approving_at_once_end_with_one_transition(pending, carol, cora):
    stale_copy = Alert.objects.get(pk=pending.pk)
    services.alert_approve(actor=carol, alert=pending, reauthenticated_at=fresh())
    with pytest.raises(InvalidTransition) as exc:
        services.alert_approve(actor=cora, alert=stale_copy, reauthenticated_at=fresh())
    assert "Carol Castillo decided" in str(exc.value) and "Nothing was changed" in str(exc.value)
    assert Message.objects.filter(alert=pending).count() == 1
    assert actions(pending).count("alert.approved") == 1


def test_a_return_needs_a_reason_and_goes_back_to_the_drafter(
    pending, carol, alice, django_capture_on_commit_callbacks, mailoutbox
):
    with pytest.raises(ValidationError):
        services.alert_return(actor=carol, alert=pending, reason="  ")
    with django_capture_on_commit_callbacks(execute=True):
        services.alert_return(actor=carol, alert=pending, reason="Add the plate state.")
    pending.refresh_from_db()
    assert pending.status == Alert.Status.RETURNED and pending.decision_reason == "Add the plate state."
    assert last_event(pending).action == "alert.returned"
    assert last_event(pending).changes["reason"] == "Add the plate state."
    assert mailoutbox[0].to == ["alice@austin.example"] and "Add the plate state." in mailoutbox[0].body
    # The drafter edits and resubmits.
    services.alert_save_draft(actor=alice, alert=pending, fields={"direction": "E"})
    services.alert_submit(actor=alice, alert=pending)
    assert Alert.objects.get(pk=pending.pk).status == Alert.Status.PENDING
    assert last_event(pending).changes == {"status": ["returned", "pending"]}


def test_yves_cannot_return_a_texas_alert(pending, yves):
    with pytest.raises(PermissionDenied):
        services.alert_return(actor=yves, alert=pending, reason="No")
    assert Alert.objects.get(pk=pending.pk).status == Alert.Status.PENDING
    assert "alert.returned" not in actions(pending)


def test_deny_needs_a_reason_and_a_fresh_re_authentication(
    pending, carol, django_capture_on_commit_callbacks, mailoutbox
):
    with pytest.raises(ReauthRequired):
        services.alert_deny(actor=carol, alert=pending, reason="Not a Blue Alert case", reauthenticated_at=stale())
    with pytest.raises(ValidationError):
        services.alert_deny(actor=carol, alert=pending, reason="", reauthenticated_at=fresh())
    assert Alert.objects.get(pk=pending.pk).status == Alert.Status.PENDING
    assert "alert.denied" not in actions(pending)
    with django_capture_on_commit_callbacks(execute=True):
        services.alert_deny(actor=carol, alert=pending, reason="Not a Blue Alert case", reauthenticated_at=fresh())
    pending.refresh_from_db()
    assert pending.status == Alert.Status.DENIED and pending.decided_by == carol
    assert last_event(pending).action == "alert.denied"
    assert "denied" in mailoutbox[0].subject.lower()
    with pytest.raises(InvalidTransition):
        services.alert_submit(actor=pending.created_by, alert=pending)


# --- updates ---------------------------------------------------------------------------------


def test_an_update_is_drafted_submitted_and_approved_as_a_new_message(
    active, alice, carol, cora, django_capture_on_commit_callbacks, mailoutbox
):
    services.alert_update_start(actor=alice, alert=active)
    assert Alert.objects.get(pk=active.pk).update_state == "draft"
    services.alert_save_draft(actor=alice, alert=active, fields={"direction": "S"}, regenerate_texts=True)
    # The working copy changed; what was approved did not.
    assert active.messages.get().snapshot["last_seen"]["direction"] == "N"
    with django_capture_on_commit_callbacks(execute=True):
        services.alert_update_submit(actor=alice, alert=active, note="Now heading south")
    active.refresh_from_db()
    assert active.status == "active" and active.update_state == "pending" and active.update_submitted_by == alice
    assert {m.to[0] for m in mailoutbox} == {"carol@dps.texas.example", "cora@dps.texas.example"}
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = services.alert_update_approve(actor=cora, alert=active, reauthenticated_at=fresh())
    active.refresh_from_db()
    assert active.update_state == "" and active.status == "active"
    assert message.kind == Message.Kind.UPDATE and message.sequence == 2 and message.note == "Now heading south"
    assert message.snapshot["last_seen"]["direction"] == "S"
    assert message.sent_at > active.messages.get(sequence=1).sent_at
    assert len(publishing_callbacks(callbacks)) == 2
    assert actions(active)[-3:] == ["alert.update_started", "alert.draft_saved", "alert.update_submitted"][1:] + [
        "alert.update_approved"
    ]


def test_an_update_cannot_be_approved_by_its_submitter(active, alice, carol, state_x):
    from agencies.services import membership_grant

    membership_grant(actor=None, user=alice, role="state_coordinator", state=state_x)
    services.alert_update_start(actor=alice, alert=active)
    services.alert_update_submit(actor=alice, alert=active, note="New direction")
    with pytest.raises(PermissionDenied):
        services.alert_update_approve(actor=alice, alert=active, reauthenticated_at=fresh())
    assert Alert.objects.get(pk=active.pk).update_state == "pending"
    assert active.messages.count() == 1
    assert "alert.update_approved" not in actions(active)


def test_an_update_approval_needs_a_fresh_re_authentication(active, alice, carol):
    services.alert_update_start(actor=alice, alert=active)
    services.alert_update_submit(actor=alice, alert=active, note="New direction")
    with pytest.raises(ReauthRequired):
        services.alert_update_approve(actor=carol, alert=active, reauthenticated_at=stale())
    assert active.messages.count() == 1
    assert Alert.objects.get(pk=active.pk).update_state == "pending"
    assert "alert.update_approved" not in actions(active)


def test_an_update_can_be_returned_and_the_alert_stays_as_approved(active, alice, carol):
    services.alert_update_start(actor=alice, alert=active)
    services.alert_update_submit(actor=alice, alert=active, note="New photo")
    services.alert_update_return(actor=carol, alert=active, reason="Photo is blurry")
    active.refresh_from_db()
    assert active.status == "active" and active.update_state == "returned"
    assert last_event(active).action == "alert.update_returned"
    assert active.messages.count() == 1
    services.alert_update_submit(actor=alice, alert=active, note="Better photo")
    assert Alert.objects.get(pk=active.pk).update_state == "pending"


def test_an_update_submission_needs_a_note_saying_what_changed(active, alice):
    services.alert_update_start(actor=alice, alert=active)
    with pytest.raises(ValidationError):
        services.alert_update_submit(actor=alice, alert=active, note="")
    assert Alert.objects.get(pk=active.pk).update_state == "draft"


def test_mallory_cannot_start_an_update_on_alice_s_alert(active, mallory):
    with pytest.raises(PermissionDenied):
        services.alert_update_start(actor=mallory, alert=active)
    assert Alert.objects.get(pk=active.pk).update_state == ""


def test_an_extension_is_approved_as_an_update_and_moves_expiry(active, alice, carol):
    before = active.expires_at
    services.alert_extend_request(actor=alice, alert=active, hours=12)
    active.refresh_from_db()
    assert active.update_state == "pending" and active.extension_hours == 12
    assert active.expires_at == before  # nothing moves before approval
    message = services.alert_update_approve(actor=carol, alert=active, reauthenticated_at=fresh())
    active.refresh_from_db()
    assert active.expires_at == before + timedelta(hours=12) and active.extension_hours is None
    assert message.kind == "Update" and message.snapshot["expires_at"] == active.expires_at.isoformat()


def test_an_extension_beyond_72_hours_is_refused(active, alice):
    with pytest.raises(ValidationError):
        services.alert_extend_request(actor=alice, alert=active, hours=500)
    assert Alert.objects.get(pk=active.pk).update_state == ""


# --- ending ---------------------------------------------------------------------------------


def test_a_coordinator_resolves_an_active_alert_with_a_cancel_message(
    active, carol, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        message = services.alert_resolve(
            actor=carol, alert=active, outcome="apprehended", note="Arrested in Waco", reauthenticated_at=fresh()
        )
    active.refresh_from_db()
    assert active.status == Alert.Status.RESOLVED and active.outcome == "apprehended" and active.ended_at
    assert message.kind == Message.Kind.CANCEL and message.sequence == 2
    assert message.snapshot["status"] == "resolved" and message.snapshot["outcome"] == "apprehended"
    assert message.snapshot["outcome_note"] == "Arrested in Waco"
    assert len(publishing_callbacks(callbacks)) == 2
    assert last_event(active).action == "alert.resolved"
    run_mail(callbacks)
    assert mailoutbox[0].to == ["alice@austin.example"]


def test_issued_in_error_cancels_the_alert(active, carol):
    services.alert_resolve(actor=carol, alert=active, outcome="issued_in_error", reauthenticated_at=fresh())
    active.refresh_from_db()
    assert active.status == Alert.Status.CANCELLED
    assert last_event(active).action == "alert.cancelled"
    assert active.messages.last().kind == "Cancel"


def test_resolving_during_an_update_freezes_the_approved_content_not_the_draft(active, alice, carol):
    services.alert_update_start(actor=alice, alert=active)
    services.alert_save_draft(actor=alice, alert=active, fields={"last_seen_place": "UNAPPROVED PLACE"})
    message = services.alert_resolve(actor=carol, alert=active, outcome="no_longer_useful", reauthenticated_at=fresh())
    assert message.snapshot["last_seen"]["place"] == "I-35 and 6th St"
    active.refresh_from_db()
    assert active.update_state == "" and last_event(active).changes["abandoned_update"] == "draft"


def test_resolve_needs_a_fresh_re_authentication_and_a_coordinator(active, carol, alice, yves):
    with pytest.raises(ReauthRequired):
        services.alert_resolve(actor=carol, alert=active, outcome="apprehended", reauthenticated_at=stale())
    with pytest.raises(PermissionDenied):
        services.alert_resolve(actor=alice, alert=active, outcome="apprehended", reauthenticated_at=fresh())
    with pytest.raises(PermissionDenied):
        services.alert_resolve(actor=yves, alert=active, outcome="apprehended", reauthenticated_at=fresh())
    assert Alert.objects.get(pk=active.pk).status == Alert.Status.ACTIVE
    assert active.messages.count() == 1
    assert last_event(active).action == "alert.approved"


def test_the_agency_asks_to_resolve_and_the_coordinators_are_told(
    active, alice, carol, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        services.alert_request_resolve(actor=alice, alert=active, outcome="officer_found", note="Found safe")
    active.refresh_from_db()
    assert active.status == "active" and active.resolve_requested_by == alice
    assert active.resolve_requested_outcome == "officer_found"
    assert last_event(active).action == "alert.resolve_requested"
    assert {m.to[0] for m in mailoutbox} == {"carol@dps.texas.example", "cora@dps.texas.example"}


def test_mallory_cannot_ask_to_resolve_alice_s_alert(active, mallory):
    with pytest.raises(PermissionDenied):
        services.alert_request_resolve(actor=mallory, alert=active, outcome="apprehended")
    assert Alert.objects.get(pk=active.pk).resolve_requested_at is None


# --- exercise --------------------------------------------------------------------------------


def test_an_exercise_runs_the_whole_workflow_and_never_shows_publicly(
    alice, agency_a, carol, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        alert = make_pending(alice, agency_a, exercise=True)
    run_mail(callbacks)
    assert mailoutbox[0].subject.startswith("EXERCISE")
    assert alert.wea_short_en.startswith("BLUE ALERT EXERCISE")
    message = services.alert_approve(actor=carol, alert=alert, reauthenticated_at=fresh())
    alert.refresh_from_db()
    assert alert.status == "active" and message.is_exercise
    assert not Alert.objects.public().filter(pk=alert.pk).exists()
    assert not Alert.objects.live().filter(pk=alert.pk).exists()
    assert not alert.is_public
    services.alert_resolve(actor=carol, alert=alert, outcome="no_longer_useful", reauthenticated_at=fresh())
    assert not Alert.objects.public().filter(pk=alert.pk).exists()
    assert all(m.is_exercise for m in alert.messages.all())


def test_the_exercise_flag_is_fixed_at_creation(alice, agency_a):
    alert = services.alert_create(actor=alice, agency=agency_a, trigger="threat", is_exercise=True)
    with pytest.raises(ValidationError):
        services.alert_save_draft(actor=alice, alert=alert, fields={"is_exercise": False})
    assert Alert.objects.get(pk=alert.pk).is_exercise


def test_attestations_are_unique_per_criterion(draft):
    assert Attestation.objects.filter(alert=draft).count() == len(
        set(Attestation.objects.filter(alert=draft).values_list("criterion", flat=True))
    )
