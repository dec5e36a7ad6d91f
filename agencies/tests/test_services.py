"""The registration, verification, invitation and member services: transitions, audit rows, mail."""

import threading
from datetime import timedelta

import pytest
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from accounts.models import User
from accounts.reauth import ReauthRequired
from agencies import services
from agencies.exceptions import InvitationInvalid
from agencies.models import Agency, Invitation, Membership, Role
from agencies.permissions import can_draft_for_agency, can_manage_agency
from agencies.selectors import INVITATION_SALT
from audit.models import AuditEvent
from audit.selectors import audit_events_for
from conftest import PASSWORD
from core.exceptions import InvalidTransition

pytestmark = pytest.mark.django_db


def _actions(obj) -> list[str]:
    return list(audit_events_for(obj).values_list("action", flat=True))


# ---- Registration -----------------------------------------------------------------------------------


def test_registering_creates_a_pending_agency_an_inactive_admin_and_no_rights(
    registration_data, carol, cora, yves, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        agency = services.agency_register(**registration_data, ip="203.0.113.7")
    agency.refresh_from_db()
    assert agency.status == Agency.Status.PENDING
    assert agency.ori == "TX2460300"
    user = User.objects.get(email="dana.diaz@roundrock.example")
    assert not user.is_active and not user.has_usable_password()
    membership = Membership.objects.get(user=user)
    assert (membership.agency, membership.role, membership.is_active) == (agency, Role.AGENCY_ADMIN, False)
    assert services.actual_grants(user) == set() == services.expected_grants(user)
    assert not can_manage_agency(user, agency)
    event = audit_events_for(agency).get()
    assert (event.action, event.actor, event.ip) == ("agency.registered", user, "203.0.113.7")
    # Both Texas coordinators are told; New York's is not.
    assert sorted(m.to[0] for m in mailoutbox) == ["carol@dps.texas.example", "cora@dps.texas.example"]
    assert "TX2460300" in mailoutbox[0].subject
    assert f"/agencies/registrations/{agency.public_id}/" in mailoutbox[0].body


def test_registering_in_a_state_without_coordinators_emails_the_national_admins(
    registration_data, nora, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        services.agency_register(**registration_data)
    assert [m.to for m in mailoutbox] == [["nora@cops.example"]]


def test_a_duplicate_ori_is_refused_and_nothing_is_created(registration_data, agency_a):
    registration_data["ori"] = agency_a.ori.lower()
    with pytest.raises(ValidationError) as e:
        services.agency_register(**registration_data)
    assert "already registered" in e.value.message_dict["ori"][0]
    assert not User.objects.filter(email__iexact=registration_data["admin_email"]).exists()
    assert Agency.objects.count() == 1
    assert not AuditEvent.objects.filter(action="agency.registered").exists()


def test_a_duplicate_email_is_refused_in_any_case_and_nothing_is_created(registration_data, alice):
    registration_data["admin_email"] = "ALICE@austin.example"
    with pytest.raises(ValidationError) as e:
        services.agency_register(**registration_data)
    assert "already exists" in e.value.message_dict["admin_email"][0]
    assert not Agency.objects.filter(ori="TX2460300").exists()


def test_an_ori_of_another_state_or_a_county_of_another_state_is_refused(registration_data, state_y):
    with pytest.raises(ValidationError) as e:
        services.agency_register(**{**registration_data, "ori": "NY2460300"})
    assert "starts with TX" in str(e.value)
    albany = state_y.counties.get(fips="001")
    with pytest.raises(ValidationError) as e:
        services.agency_register(**{**registration_data, "county": albany})
    assert "county" in e.value.message_dict
    assert not Agency.objects.filter(name=registration_data["name"]).exists()


# ---- Verification -----------------------------------------------------------------------------------


def test_verifying_activates_the_admin_grants_the_role_and_emails_a_set_password_link(
    pending_agency, carol, django_capture_on_commit_callbacks, mailoutbox
):
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.agency_verify(actor=carol, agency=pending_agency, note="Called the front desk.", ip="198.51.100.2")
    agency = Agency.objects.get(pk=pending_agency.pk)
    assert (agency.status, agency.decided_by, agency.status_reason) == ("verified", carol, "Called the front desk.")
    dana = User.objects.get(email="dana.diaz@roundrock.example")
    assert dana.is_active
    assert can_manage_agency(dana, agency) and can_draft_for_agency(dana, agency)
    assert services.actual_grants(dana) == services.expected_grants(dana) != set()
    assert _actions(agency) == ["agency.registered", "agency.verified"]
    assert _actions(dana) == ["user.activated"]
    assert AuditEvent.objects.filter(action="membership.granted", actor=carol).count() == 1
    assert [m.to for m in mailoutbox] == [["dana.diaz@roundrock.example"]]
    assert "/accounts/set-password/" in mailoutbox[0].body
    assert "Called the front desk." in mailoutbox[0].body


def test_verifying_twice_is_one_transition_and_names_who_decided(pending_agency, carol, cora):
    services.agency_verify(actor=carol, agency=pending_agency)
    with pytest.raises(InvalidTransition, match="already decided by Carol Castillo"):
        services.agency_verify(actor=cora, agency=pending_agency)
    with pytest.raises(InvalidTransition):
        services.agency_reject(actor=cora, agency=pending_agency, reason="Too late")
    agency = Agency.objects.get(pk=pending_agency.pk)
    assert (agency.status, agency.decided_by) == ("verified", carol)
    assert AuditEvent.objects.filter(action__in=["agency.verified", "agency.rejected"]).count() == 1


def test_rejecting_needs_a_reason_keeps_the_admin_inactive_and_emails_the_reason(
    pending_agency, carol, django_capture_on_commit_callbacks, mailoutbox
):
    with pytest.raises(ValidationError):
        services.agency_reject(actor=carol, agency=pending_agency, reason="   ")
    assert Agency.objects.get(pk=pending_agency.pk).status == "pending"
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.agency_reject(actor=carol, agency=pending_agency, reason="The ORI belongs to another agency.")
    agency = Agency.objects.get(pk=pending_agency.pk)
    assert (agency.status, agency.status_reason) == ("rejected", "The ORI belongs to another agency.")
    dana = User.objects.get(email="dana.diaz@roundrock.example")
    assert not dana.is_active and services.actual_grants(dana) == set()
    assert _actions(agency)[-1] == "agency.rejected"
    assert [m.to for m in mailoutbox] == [["dana.diaz@roundrock.example"]]
    assert "The ORI belongs to another agency." in mailoutbox[0].body


def test_a_national_admin_verifies_only_where_the_state_has_no_coordinator(pending_agency, nora, carol):
    with pytest.raises(PermissionDenied):
        services.agency_verify(actor=nora, agency=pending_agency)
    assert Agency.objects.get(pk=pending_agency.pk).status == "pending"
    from agencies.services import membership_deactivate

    membership_deactivate(actor=None, membership=carol.memberships.get())
    services.agency_verify(actor=nora, agency=pending_agency)
    assert Agency.objects.get(pk=pending_agency.pk).status == "verified"


def test_a_coordinator_of_another_state_cannot_verify_or_reject(pending_agency, yves, mallory, albert):
    for actor in (yves, mallory, albert):
        with pytest.raises(PermissionDenied):
            services.agency_verify(actor=actor, agency=pending_agency)
        with pytest.raises(PermissionDenied):
            services.agency_reject(actor=actor, agency=pending_agency, reason="No")
    assert Agency.objects.get(pk=pending_agency.pk).status == "pending"
    assert _actions(pending_agency) == ["agency.registered"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="real row locks: PostgreSQL only")
@pytest.mark.django_db(transaction=True)
def test_two_coordinators_verifying_at_once_make_exactly_one_transition(registration_data, carol, cora):
    agency = services.agency_register(**registration_data)
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(actor):
        try:
            barrier.wait()
            services.agency_verify(actor=actor, agency=agency)
            outcomes.append("verified")
        except InvalidTransition:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(u,)) for u in (carol, cora)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["refused", "verified"]
    assert AuditEvent.objects.filter(action="agency.verified").count() == 1
    assert Membership.objects.get(agency=agency).is_active


# ---- Invitations ------------------------------------------------------------------------------------


def test_an_admin_invites_by_email_and_the_link_is_signed_and_audited(
    albert, agency_a, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(actor=albert, agency=agency_a, email=" Sam@Austin.example ")
    assert (invitation.email, invitation.role, invitation.invited_by) == ("sam@austin.example", "agency_staff", albert)
    assert _actions(invitation) == ["invitation.created"]
    assert [m.to for m in mailoutbox] == [["sam@austin.example"]]
    assert "/agencies/invitations/" in mailoutbox[0].body


def test_a_new_invitation_supersedes_the_previous_one(albert, agency_a):
    first = services.invitation_create(actor=albert, agency=agency_a, email="sam@austin.example")
    first_token = services.invitation_token(first)
    services.invitation_create(actor=albert, agency=agency_a, email="sam@austin.example", role="agency_admin")
    with pytest.raises(InvitationInvalid, match="withdrawn"):
        services.invitation_accept_new_user(token=first_token, full_name="Sam", password=PASSWORD)


def test_inviting_an_active_member_is_refused(albert, alice, agency_a):
    with pytest.raises(ValidationError, match="already a member"):
        services.invitation_create(actor=albert, agency=agency_a, email="alice@austin.example")


def test_staff_and_other_agencies_cannot_invite(alice, mallory, carol, agency_a):
    for actor in (alice, mallory, carol):
        with pytest.raises(PermissionDenied):
            services.invitation_create(actor=actor, agency=agency_a, email="eve@evil.example")
    assert not Invitation.objects.exists()


def test_accepting_creates_the_account_and_membership_once(albert, agency_a):
    invitation = services.invitation_create(actor=albert, agency=agency_a, email="sam@austin.example")
    token = services.invitation_token(invitation)
    sam = services.invitation_accept_new_user(token=token, full_name="Sam Soto", password=PASSWORD, ip="192.0.2.9")
    assert sam.is_active and sam.check_password(PASSWORD)
    assert can_draft_for_agency(sam, agency_a) and not can_manage_agency(sam, agency_a)
    invitation.refresh_from_db()
    assert invitation.accepted_by == sam and invitation.accepted_at is not None
    assert _actions(invitation) == ["invitation.created", "invitation.accepted"]
    with pytest.raises(InvitationInvalid, match="already used"):
        services.invitation_accept_new_user(token=token, full_name="Sam again", password=PASSWORD)
    assert User.objects.filter(email="sam@austin.example").count() == 1


def test_expired_tampered_and_revoked_links_are_refused(albert, agency_a, settings):
    invitation = services.invitation_create(actor=albert, agency=agency_a, email="sam@austin.example")
    token = services.invitation_token(invitation)
    with pytest.raises(InvitationInvalid, match="not valid") as e:
        services.invitation_accept_new_user(token=token[:-2] + "xx", full_name="Sam", password=PASSWORD)
    assert e.value.gone is False
    forged = signing.dumps(str(invitation.public_id), salt="some.other.salt")
    with pytest.raises(InvitationInvalid, match="not valid"):
        services.invitation_accept_new_user(token=forged, full_name="Sam", password=PASSWORD)
    settings.INVITATION_MAX_AGE = -1
    with pytest.raises(InvitationInvalid, match="expired"):
        services.invitation_accept_new_user(token=token, full_name="Sam", password=PASSWORD)
    settings.INVITATION_MAX_AGE = 3600
    services.invitation_revoke(actor=albert, invitation=invitation)
    with pytest.raises(InvitationInvalid, match="withdrawn"):
        services.invitation_accept_new_user(token=token, full_name="Sam", password=PASSWORD)
    with pytest.raises(InvalidTransition):
        services.invitation_revoke(actor=albert, invitation=invitation)
    assert not User.objects.filter(email="sam@austin.example").exists()
    assert _actions(invitation) == ["invitation.created", "invitation.revoked"]


def test_an_existing_user_accepts_only_an_invitation_to_their_own_address(albert, agency_a, mallory, yves):
    invitation = services.invitation_create(actor=albert, agency=agency_a, email="yves@nysp.example")
    token = services.invitation_token(invitation)
    with pytest.raises(ValidationError, match="sent to yves@nysp.example"):
        services.invitation_accept_existing(actor=mallory, token=token)
    assert not Membership.objects.filter(user=mallory, agency=agency_a).exists()
    with pytest.raises(ValidationError, match="sign in"):
        services.invitation_accept_new_user(token=token, full_name="Imposter", password=PASSWORD)
    membership = services.invitation_accept_existing(actor=yves, token=token)
    assert (membership.agency, membership.role, membership.is_active) == (agency_a, "agency_staff", True)
    assert can_draft_for_agency(yves, agency_a)


def test_an_old_invitation_token_does_not_work_after_its_max_age(albert, agency_a, settings, monkeypatch):
    invitation = services.invitation_create(actor=albert, agency=agency_a, email="sam@austin.example")
    later = timezone.now() + timedelta(seconds=settings.INVITATION_MAX_AGE + 60)
    token = services.invitation_token(invitation)
    monkeypatch.setattr("time.time", lambda: later.timestamp())
    with pytest.raises(InvitationInvalid, match="expired"):
        services.invitation_accept_new_user(token=token, full_name="Sam", password=PASSWORD)


def test_invitation_token_is_bound_to_its_salt(albert, agency_a):
    invitation = services.invitation_create(actor=albert, agency=agency_a, email="sam@austin.example")
    assert signing.loads(services.invitation_token(invitation), salt=INVITATION_SALT) == str(invitation.public_id)


# ---- Members ----------------------------------------------------------------------------------------


def test_changing_a_role_needs_a_fresh_reauthentication(albert, alice, agency_a):
    membership = Membership.objects.get(user=alice, agency=agency_a)
    with pytest.raises(ReauthRequired):
        services.member_change_role(actor=albert, agency=agency_a, membership=membership, role="agency_admin")
    stale = timezone.now() - timedelta(hours=1)
    with pytest.raises(ReauthRequired):
        services.member_change_role(
            actor=albert, agency=agency_a, membership=membership, role="agency_admin", reauth_at=stale
        )
    services.member_change_role(
        actor=albert, agency=agency_a, membership=membership, role="agency_admin", reauth_at=timezone.now()
    )
    assert Membership.objects.get(pk=membership.pk).role == "agency_admin"
    assert _actions(membership)[-1] == "membership.role_changed"


def test_the_last_administrator_cannot_remove_or_demote_themselves(albert, agency_a):
    membership = Membership.objects.get(user=albert, agency=agency_a)
    with pytest.raises(ValidationError, match="last administrator"):
        services.member_deactivate(actor=albert, agency=agency_a, membership=membership)
    with pytest.raises(ValidationError, match="last administrator"):
        services.member_change_role(
            actor=albert, agency=agency_a, membership=membership, role="agency_staff", reauth_at=timezone.now()
        )
    membership.refresh_from_db()
    assert membership.is_active and membership.role == "agency_admin"


def test_deactivating_a_member_removes_their_rights(albert, alice, agency_a):
    membership = Membership.objects.get(user=alice, agency=agency_a)
    services.member_deactivate(actor=albert, agency=agency_a, membership=membership)
    alice = User.objects.get(pk=alice.pk)
    assert not can_draft_for_agency(alice, agency_a)
    assert services.actual_grants(alice) == set()
    assert _actions(membership)[-1] == "membership.deactivated"


def test_mallory_cannot_manage_agency_a_members(mallory, alice, agency_a, agency_b):
    membership = Membership.objects.get(user=alice, agency=agency_a)
    with pytest.raises(PermissionDenied):
        services.member_deactivate(actor=mallory, agency=agency_a, membership=membership)
    with pytest.raises(PermissionDenied):
        services.member_change_role(
            actor=mallory, agency=agency_a, membership=membership, role="agency_admin", reauth_at=timezone.now()
        )
    assert Membership.objects.get(pk=membership.pk).is_active


def test_an_admin_cannot_act_on_another_agencys_member_through_their_own_agency(albert, agency_a, mallory, agency_b):
    membership = Membership.objects.get(user=mallory, agency=agency_b)
    with pytest.raises(PermissionDenied):
        services.member_deactivate(actor=albert, agency=agency_a, membership=membership)
    assert Membership.objects.get(pk=membership.pk).is_active


def test_grants_equal_memberships_for_every_persona_after_a_sequence_of_changes(
    alice, albert, carol, cora, yves, mallory, nora, agency_a, agency_b, state_x
):
    now = timezone.now()
    m_alice = Membership.objects.get(user=alice, agency=agency_a)
    services.member_change_role(actor=albert, agency=agency_a, membership=m_alice, role="agency_admin", reauth_at=now)
    m_albert = Membership.objects.get(user=albert, agency=agency_a)
    services.member_change_role(actor=alice, agency=agency_a, membership=m_albert, role="agency_staff", reauth_at=now)
    services.membership_grant(actor=nora, user=mallory, role="agency_staff", agency=agency_a)
    services.membership_grant(actor=nora, user=yves, role="state_coordinator", state=state_x)
    services.membership_deactivate(actor=nora, membership=Membership.objects.get(user=cora, state=state_x))
    services.membership_deactivate(actor=alice, membership=Membership.objects.get(user=mallory, agency=agency_a))
    services.membership_grant(actor=nora, user=cora, role="state_coordinator", state=state_x)
    for person in (alice, albert, carol, cora, yves, mallory, nora):
        person = User.objects.get(pk=person.pk)
        assert services.actual_grants(person) == services.expected_grants(person), person.email
    assert not can_draft_for_agency(User.objects.get(pk=mallory.pk), agency_a)


# ---- Django admin services ------------------------------------------------------------------------


def test_agency_and_state_updates_record_before_and_after(nora, agency_a, state_x):
    services.agency_update(actor=nora, agency=agency_a, fields={"tip_line": "1-800-555-0000"})
    event = audit_events_for(agency_a).get(action="agency.updated")
    assert event.changes == {"tip_line": ["1-800-555-0199", "1-800-555-0000"]}
    with pytest.raises(ValidationError):
        services.agency_update(actor=nora, agency=agency_a, fields={"status": "verified"})
    services.state_update(actor=nora, state=state_x, fields={"default_alert_hours": 48})
    assert audit_events_for(state_x).get().changes == {"default_alert_hours": ["24", "48"]}


def test_accepting_refuses_a_weak_password_and_keeps_the_link_usable(albert, agency_a):
    invitation = services.invitation_create(actor=albert, agency=agency_a, email="sam@austin.example")
    token = services.invitation_token(invitation)
    with pytest.raises(ValidationError):
        services.invitation_accept_new_user(token=token, full_name="Sam Soto", password="password")
    assert not User.objects.filter(email="sam@austin.example").exists()
    assert Invitation.objects.get(pk=invitation.pk).accepted_at is None
