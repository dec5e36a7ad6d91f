"""The registration, queue, members and invitation pages: status codes, what changed, audit, mail."""

import pytest
from django.urls import reverse

from accounts.models import User
from agencies import services
from agencies.models import Agency, Invitation, Membership
from audit.models import AuditEvent
from audit.selectors import audit_events_for
from conftest import PASSWORD, otp_device, totp_code

pytestmark = pytest.mark.django_db


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run the after-commit side effects (mail) of whatever happens inside the block."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


# ---- Registration -----------------------------------------------------------------------------------


def test_the_registration_form_is_public_and_lists_counties_by_state(client):
    response = client.get(reverse("agencies:register"))
    assert response.status_code == 200
    assert b'<optgroup label="Texas">' in response.content
    assert b"agencies/register.js" in response.content
    assert b"<script>" not in response.content  # no inline script (CSP)


def test_registering_through_the_form_creates_the_agency_and_thanks_the_user(
    client, registration_post, carol, on_commit, mailoutbox
):
    with on_commit():
        response = client.post(reverse("agencies:register"), registration_post, REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 302 and response["Location"] == reverse("agencies:register-done")
    agency = Agency.objects.get(ori="TX2460300")
    assert agency.status == "pending"
    assert audit_events_for(agency).get().ip == "203.0.113.7"
    assert [m.to for m in mailoutbox] == [["carol@dps.texas.example"]]
    thanks = client.get(response["Location"])
    assert thanks.status_code == 200 and b"What happens next" in thanks.content


def test_a_duplicate_ori_re_renders_the_form_with_a_clear_message(client, registration_post, agency_a):
    registration_post["ori"] = agency_a.ori
    response = client.post(reverse("agencies:register"), registration_post)
    assert response.status_code == 400
    assert b"already registered" in response.content
    assert Agency.objects.count() == 1
    assert not User.objects.filter(email__iexact=registration_post["admin_email"]).exists()


def test_a_duplicate_email_re_renders_the_form_with_a_clear_message(client, registration_post, alice):
    registration_post["admin_email"] = "Alice@Austin.example"
    response = client.post(reverse("agencies:register"), registration_post)
    assert response.status_code == 400
    assert b"An account with this email address already exists" in response.content
    assert not Agency.objects.filter(ori="TX2460300").exists()


def test_an_ori_or_county_of_another_state_is_a_form_error(client, registration_post, state_y):
    response = client.post(reverse("agencies:register"), {**registration_post, "ori": "NY2460300"})
    assert response.status_code == 400 and b"starts with TX" in response.content
    albany = state_y.counties.get(fips="001")
    response = client.post(reverse("agencies:register"), {**registration_post, "county": albany.pk})
    assert response.status_code == 400 and b"Choose a county in Texas" in response.content
    response = client.post(reverse("agencies:register"), {**registration_post, "county": "999999"})
    assert response.status_code == 400
    assert not Agency.objects.filter(name=registration_post["name"]).exists()


def test_a_race_lost_to_the_unique_constraint_is_a_form_error_not_a_500(
    client, registration_data, registration_post, monkeypatch
):
    # Another registration of the same ORI commits between the checks and the insert.
    from agencies import forms

    services.agency_register(**{**registration_data, "admin_email": "someone.else@roundrock.example"})
    real_conflicts = services._registration_conflicts
    calls = []

    def conflicts_seen_too_late(**kwargs):
        calls.append(kwargs)
        return {} if len(calls) == 1 else real_conflicts(**kwargs)

    monkeypatch.setattr(forms.AgencyRegistrationForm, "clean_ori", lambda self: self.cleaned_data["ori"].upper())
    monkeypatch.setattr(services, "_registration_conflicts", conflicts_seen_too_late)
    response = client.post(reverse("agencies:register"), registration_post)
    assert response.status_code == 400 and b"already registered" in response.content
    assert len(calls) == 2  # the insert failed on the unique constraint and the error was explained
    assert Agency.objects.filter(ori="TX2460300").count() == 1
    assert not User.objects.filter(email="dana.diaz@roundrock.example").exists()


# ---- The coordinators' queue ------------------------------------------------------------------------


def test_the_queue_shows_a_coordinators_pending_registrations_first(login, carol, pending_agency, agency_a, agency_b):
    response = login(carol).get(reverse("agencies:registrations"))
    assert response.status_code == 200
    assert response.context["pending"] == [pending_agency]
    assert agency_a in response.context["decided"] and agency_b not in response.context["decided"]


def test_the_queue_is_a_404_for_agency_members(login, alice):
    assert login(alice).get(reverse("agencies:registrations")).status_code == 404


def test_a_national_admin_sees_every_states_registrations(login, nora, pending_agency, agency_b):
    response = login(nora).get(reverse("agencies:registrations"))
    assert pending_agency in response.context["pending"] and agency_b in response.context["decided"]


def test_verifying_from_the_detail_page(login, carol, pending_agency, on_commit, mailoutbox):
    client = login(carol)
    url = reverse("agencies:registration-detail", args=[pending_agency.public_id])
    page = client.get(url)
    assert page.status_code == 200 and b"Dana Diaz" in page.content and b"Verify the agency" in page.content
    mailoutbox.clear()
    with on_commit():
        response = client.post(reverse("agencies:registration-verify", args=[pending_agency.public_id]), {"note": "ok"})
    assert response.status_code == 302 and response["Location"] == url
    assert Agency.objects.get(pk=pending_agency.pk).status == "verified"
    assert User.objects.get(email="dana.diaz@roundrock.example").is_active
    assert audit_events_for(pending_agency).filter(action="agency.verified", actor=carol).exists()
    assert [m.to for m in mailoutbox] == [["dana.diaz@roundrock.example"]]


def test_verifying_an_already_decided_registration_shows_who_decided(login, carol, cora, pending_agency):
    services.agency_reject(actor=cora, agency=pending_agency, reason="Unknown agency")
    response = login(carol).post(reverse("agencies:registration-verify", args=[pending_agency.public_id]), follow=True)
    assert response.status_code == 200
    assert b"already decided by Cora Chen" in response.content
    assert Agency.objects.get(pk=pending_agency.pk).status == "rejected"


def test_rejecting_requires_a_written_reason(login, carol, pending_agency, on_commit, mailoutbox):
    client = login(carol)
    url = reverse("agencies:registration-reject", args=[pending_agency.public_id])
    response = client.post(url, {"reason": "  "})
    assert response.status_code == 400
    assert Agency.objects.get(pk=pending_agency.pk).status == "pending"
    mailoutbox.clear()
    with on_commit():
        response = client.post(url, {"reason": "No such agency in Williamson County."})
    assert response.status_code == 302
    agency = Agency.objects.get(pk=pending_agency.pk)
    assert (agency.status, agency.status_reason) == ("rejected", "No such agency in Williamson County.")
    assert audit_events_for(agency).filter(action="agency.rejected").count() == 1
    assert "No such agency in Williamson County." in mailoutbox[0].body


def test_verify_and_reject_only_accept_post(login, carol, pending_agency):
    client = login(carol)
    assert client.get(reverse("agencies:registration-verify", args=[pending_agency.public_id])).status_code == 405
    assert client.get(reverse("agencies:registration-reject", args=[pending_agency.public_id])).status_code == 405


def test_another_states_coordinator_and_mallory_get_404_and_change_nothing(login, yves, mallory, pending_agency):
    for user in (yves, mallory):
        client = login(user)
        pid = pending_agency.public_id
        assert client.get(reverse("agencies:registration-detail", args=[pid])).status_code == 404
        assert client.post(reverse("agencies:registration-verify", args=[pid])).status_code == 404
        assert client.post(reverse("agencies:registration-reject", args=[pid]), {"reason": "x"}).status_code == 404
    assert Agency.objects.get(pk=pending_agency.pk).status == "pending"
    assert list(audit_events_for(pending_agency).values_list("action", flat=True)) == ["agency.registered"]


# ---- Members and invitations ------------------------------------------------------------------------


def test_the_members_page_lists_members_and_pending_invitations(login, albert, alice, agency_a):
    services.invitation_create(actor=albert, agency=agency_a, email="sam@austin.example")
    response = login(albert).get(reverse("agencies:members", args=[agency_a.public_id]))
    assert response.status_code == 200
    assert b"alice@austin.example" in response.content and b"sam@austin.example" in response.content


def test_inviting_from_the_members_page_sends_the_mail(login, albert, agency_a, on_commit, mailoutbox):
    with on_commit():
        response = login(albert).post(
            reverse("agencies:members", args=[agency_a.public_id]),
            {"email": "Sam@Austin.example", "role": "agency_staff"},
        )
    assert response.status_code == 302
    invitation = Invitation.objects.get()
    assert (invitation.email, invitation.agency) == ("sam@austin.example", agency_a)
    assert audit_events_for(invitation).get().action == "invitation.created"
    assert [m.to for m in mailoutbox] == [["sam@austin.example"]]


def test_inviting_an_existing_member_shows_a_message(login, albert, alice, agency_a):
    response = login(albert).post(
        reverse("agencies:members", args=[agency_a.public_id]),
        {"email": "alice@austin.example", "role": "agency_staff"},
    )
    assert response.status_code == 400 and b"already a member" in response.content
    assert not Invitation.objects.exists()


def test_staff_and_mallory_cannot_see_or_use_the_members_page(login, alice, mallory, agency_a):
    for user in (alice, mallory):
        client = login(user)
        pid = agency_a.public_id
        assert client.get(reverse("agencies:members", args=[pid])).status_code == 404
        assert client.post(reverse("agencies:members", args=[pid]), {"email": "e@evil.example"}).status_code == 404
        m = Membership.objects.get(user=alice, agency=agency_a)
        assert client.post(reverse("agencies:member-deactivate", args=[pid]), {"membership": m.pk}).status_code == 404
        assert (
            client.post(
                reverse("agencies:member-role", args=[pid]), {"membership": m.pk, "role": "agency_admin"}
            ).status_code
            == 404
        )
    assert not Invitation.objects.exists()
    assert Membership.objects.get(user=alice, agency=agency_a).role == "agency_staff"


def test_changing_a_role_redirects_to_reauth_first_then_works(login, albert, alice, agency_a):
    client = login(albert)
    m = Membership.objects.get(user=alice, agency=agency_a)
    url = reverse("agencies:member-role", args=[agency_a.public_id])
    members_url = reverse("agencies:members", args=[agency_a.public_id])
    response = client.post(url, {"membership": m.pk, "role": "agency_admin"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:reauth") + "?next=")
    assert Membership.objects.get(pk=m.pk).role == "agency_staff"
    # albert is an agency administrator: his second factor is asked again too.
    code = totp_code(otp_device(albert))
    response = client.post(response["Location"], {"password": PASSWORD, "otp_token": code, "next": members_url})
    assert response.status_code == 302 and response["Location"] == members_url
    response = client.post(url, {"membership": m.pk, "role": "agency_admin"})
    assert response.status_code == 302 and response["Location"] == members_url
    assert Membership.objects.get(pk=m.pk).role == "agency_admin"
    assert audit_events_for(m).filter(action="membership.role_changed", actor=albert).count() == 1


def test_the_last_admin_cannot_deactivate_themselves(login, albert, agency_a):
    m = Membership.objects.get(user=albert, agency=agency_a)
    response = login(albert).post(
        reverse("agencies:member-deactivate", args=[agency_a.public_id]), {"membership": m.pk}, follow=True
    )
    assert response.status_code == 200 and b"last administrator" in response.content
    assert Membership.objects.get(pk=m.pk).is_active


def test_deactivating_a_member(login, albert, alice, agency_a):
    m = Membership.objects.get(user=alice, agency=agency_a)
    response = login(albert).post(
        reverse("agencies:member-deactivate", args=[agency_a.public_id]), {"membership": m.pk}
    )
    assert response.status_code == 302
    assert not Membership.objects.get(pk=m.pk).is_active
    assert audit_events_for(m).filter(action="membership.deactivated", actor=albert).exists()


def test_an_admin_cannot_reach_another_agencys_member_through_the_form(login, albert, mallory, agency_a, agency_b):
    other = Membership.objects.get(user=mallory, agency=agency_b)
    client = login(albert)
    response = client.post(reverse("agencies:member-deactivate", args=[agency_a.public_id]), {"membership": other.pk})
    assert response.status_code == 302
    assert Membership.objects.get(pk=other.pk).is_active
    assert not AuditEvent.objects.filter(action="membership.deactivated").exists()


def test_revoking_an_invitation(login, albert, agency_a, mallory):
    invitation = services.invitation_create(actor=albert, agency=agency_a, email="sam@austin.example")
    url = reverse("agencies:invitation-revoke", args=[agency_a.public_id, invitation.public_id])
    assert login(mallory).post(url).status_code == 404
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is None
    assert login(albert).post(url).status_code == 302
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is not None
    assert audit_events_for(invitation).filter(action="invitation.revoked").exists()


# ---- Accepting an invitation -----------------------------------------------------------------------


def _invite(albert, agency, email="sam@austin.example", role="agency_staff"):
    invitation = services.invitation_create(actor=albert, agency=agency, email=email, role=role)
    return reverse("agencies:invitation-accept", args=[services.invitation_token(invitation)])


def test_a_new_invitee_sets_name_and_password(client, albert, agency_a):
    url = _invite(albert, agency_a)
    page = client.get(url)
    assert page.status_code == 200 and b"Create my account" in page.content
    weak = client.post(url, {"full_name": "Sam Soto", "password1": "password", "password2": "password"})
    assert weak.status_code == 400 and not User.objects.filter(email="sam@austin.example").exists()
    response = client.post(url, {"full_name": "Sam Soto", "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    sam = User.objects.get(email="sam@austin.example")
    assert sam.full_name == "Sam Soto" and sam.check_password(PASSWORD)
    assert Membership.objects.get(user=sam).agency == agency_a
    again = client.get(url)
    assert again.status_code == 410 and b"already used" in again.content


def test_a_tampered_or_expired_link_shows_a_clear_page(client, albert, agency_a, settings):
    url = _invite(albert, agency_a)
    response = client.get(url[:-3] + "zz/")
    assert response.status_code == 400 and b"not valid" in response.content
    settings.INVITATION_MAX_AGE = -1
    response = client.get(url)
    assert response.status_code == 410 and b"expired" in response.content
    response = client.post(url, {"full_name": "Sam", "password1": PASSWORD, "password2": PASSWORD})
    assert response.status_code == 410
    assert not User.objects.filter(email="sam@austin.example").exists()


def test_an_invitee_with_an_account_is_asked_to_sign_in_then_accepts(client, login, albert, agency_a, yves):
    url = _invite(albert, agency_a, email="yves@nysp.example")
    page = client.get(url)
    assert page.status_code == 200 and b"Sign in to accept" in page.content
    assert client.post(url, {"full_name": "x", "password1": PASSWORD, "password2": PASSWORD}).status_code == 200
    assert not Membership.objects.filter(user=yves, agency=agency_a).exists()
    client = login(yves)
    assert b"Accept and join" in client.get(url).content
    response = client.post(url)
    assert response.status_code == 302 and response["Location"] == reverse("accounts:home")
    assert Membership.objects.get(user=yves, agency=agency_a).is_active


def test_mallory_cannot_accept_an_invitation_sent_to_someone_else(login, albert, agency_a, mallory):
    url = _invite(albert, agency_a)
    client = login(mallory)
    assert b"This invitation is for sam@austin.example" in client.get(url).content
    response = client.post(url, follow=True)
    assert response.status_code == 200 and b"sent to sam@austin.example" in response.content
    assert not Membership.objects.filter(user=mallory, agency=agency_a).exists()
    assert Invitation.objects.get().accepted_at is None
