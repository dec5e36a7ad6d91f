"""The foundation's done-when, end to end through the test client with the mail it sends:
register -> coordinator verifies -> administrator sets a password -> invites staff -> staff accepts
and sets a password -> staff signs in. Every step leaves an audit event and the chain verifies."""

import base64
import re

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp

from accounts.models import User
from agencies.models import Agency, Invitation, Membership
from agencies.permissions import can_draft_for_agency, can_manage_agency
from audit.models import AuditEvent
from conftest import PASSWORD, otp_device, totp_code

NEW_PASSWORD = "blue-line-lantern-harbor-7"


def _link(mail, path_prefix: str) -> str:
    """The path of the first link in the mail's text that starts with SITE_URL + path_prefix."""
    match = re.search(re.escape(settings.SITE_URL) + r"(" + re.escape(path_prefix) + r"\S*)", mail.body)
    assert match, f"no {path_prefix} link in: {mail.body}"
    return match.group(1)


def _sign_in(email: str, password: str) -> Client:
    """Sign in with the login form; coordinators and administrators then enrol or enter their
    second factor, as the portal asks them to."""
    client = Client()
    response = client.post(reverse("accounts:login"), {"username": email, "password": password})
    assert response.status_code == 302, "sign-in refused"
    assert response["Location"] == reverse("accounts:home")
    response = client.get(response["Location"])
    location = response.get("Location", "") if response.status_code == 302 else ""
    if location.startswith(reverse("accounts:2fa-setup")):
        page = client.get(location).content.decode()
        match = re.search(r'<code id="otp-secret">([A-Z2-7 ]+)</code>', page)
        assert match is not None, "the enrolment page shows no secret"
        secret = match.group(1).replace(" ", "")
        key = base64.b32decode(secret + "=" * (-len(secret) % 8))
        response = client.post(location, {"otp_token": f"{totp(key):06d}"})
        assert b"recovery-codes" in response.content, "enrolment refused"
    elif location.startswith(reverse("accounts:2fa-verify")):
        device = otp_device(User.objects.get(email=email))
        assert client.post(location, {"otp_token": totp_code(device)}).status_code == 302
    return client


@pytest.mark.django_db(transaction=True)
def test_a_new_agency_registers_is_verified_and_its_staff_signs_in(registration_post, carol, yves, mailoutbox):
    # 1. Dana registers the agency on the public form (anonymous, on a phone).
    dana_client = Client()
    response = dana_client.post(reverse("agencies:register"), registration_post)
    assert response.status_code == 302
    agency = Agency.objects.get(ori="TX2460300")
    assert agency.status == "pending"
    assert [m.to for m in mailoutbox] == [["carol@dps.texas.example"]]  # Texas only: not yves
    review_path = _link(mailoutbox[0], "/agencies/registrations/")

    # Dana cannot sign in yet: the account is inactive and has no password.
    assert (
        Client()
        .post(reverse("accounts:login"), {"username": "dana.diaz@roundrock.example", "password": ""})
        .status_code
        == 200
    )

    # 2. Carol signs in, opens the emailed link, verifies. Yves (New York) cannot even see it.
    assert _sign_in("yves@nysp.example", PASSWORD).get(review_path).status_code == 404
    carol_client = _sign_in("carol@dps.texas.example", PASSWORD)
    assert carol_client.get(review_path).status_code == 200
    mailoutbox.clear()
    response = carol_client.post(
        reverse("agencies:registration-verify", args=[agency.public_id]), {"note": "Called HQ."}
    )
    assert response.status_code == 302
    agency.refresh_from_db()
    assert agency.status == "verified" and agency.decided_by == carol
    assert [m.to for m in mailoutbox] == [["dana.diaz@roundrock.example"]]

    # 3. Dana follows the one-time link and sets a password (Django's password-reset machinery).
    set_password_path = _link(mailoutbox[0], "/accounts/set-password/")
    response = dana_client.get(set_password_path)
    assert response.status_code == 302  # the token moves into the session
    form_url = response["Location"]
    response = dana_client.post(form_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302
    dana = User.objects.get(email="dana.diaz@roundrock.example")
    assert dana.is_active and dana.check_password(NEW_PASSWORD)
    assert can_manage_agency(dana, agency)
    # The link is spent.
    assert b"expired or was already used" in Client().get(set_password_path, follow=True).content

    # 4. Dana invites Sam from the members page she reaches from her dashboard.
    dana_client = _sign_in("dana.diaz@roundrock.example", NEW_PASSWORD)
    members_path = reverse("agencies:members", args=[agency.public_id])
    assert members_path.encode() in dana_client.get(reverse("accounts:home")).content
    mailoutbox.clear()
    response = dana_client.post(members_path, {"email": "sam.soto@roundrock.example", "role": "agency_staff"})
    assert response.status_code == 302
    assert [m.to for m in mailoutbox] == [["sam.soto@roundrock.example"]]

    # 5. Sam accepts: sets name and password, which creates the account and the membership.
    accept_path = _link(mailoutbox[0], "/agencies/invitations/")
    sam_client = Client()
    assert sam_client.get(accept_path).status_code == 200
    response = sam_client.post(
        accept_path, {"full_name": "Sam Soto", "password1": NEW_PASSWORD + "!", "password2": NEW_PASSWORD + "!"}
    )
    assert response.status_code == 302 and response["Location"] == reverse("accounts:login")
    assert sam_client.get(accept_path).status_code == 410  # single use

    # 6. Sam signs in with the login form and can draft for the agency, not manage it.
    sam_client = _sign_in("sam.soto@roundrock.example", NEW_PASSWORD + "!")
    assert b"Round Rock Police Department" in sam_client.get(reverse("accounts:home")).content
    sam = User.objects.get(email="sam.soto@roundrock.example")
    assert can_draft_for_agency(sam, agency) and not can_manage_agency(sam, agency)
    assert sam_client.get(members_path).status_code == 404
    assert Membership.objects.filter(agency=agency, is_active=True).count() == 2
    assert Invitation.objects.get().accepted_by == sam

    # Every step left its audit event, and the chain is intact.
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    for expected in (
        "agency.registered",
        "user.activated",
        "membership.granted",
        "agency.verified",
        "invitation.created",
        "invitation.accepted",
    ):
        assert expected in actions
    for membership in Membership.objects.filter(agency=agency):  # Dana's and Sam's
        assert AuditEvent.objects.filter(action="membership.granted", target_id=str(membership.pk)).exists()
    call_command("verify_audit")


@pytest.mark.django_db(transaction=True)
def test_a_rejected_registration_tells_the_requester_and_gives_no_access(registration_post, carol, mailoutbox):
    Client().post(reverse("agencies:register"), registration_post)
    agency = Agency.objects.get(ori="TX2460300")
    mailoutbox.clear()
    carol_client = _sign_in("carol@dps.texas.example", PASSWORD)
    response = carol_client.post(
        reverse("agencies:registration-reject", args=[agency.public_id]), {"reason": "Not a law-enforcement agency."}
    )
    assert response.status_code == 302
    assert [m.to for m in mailoutbox] == [["dana.diaz@roundrock.example"]]
    assert "Not a law-enforcement agency." in mailoutbox[0].body
    assert not User.objects.get(email="dana.diaz@roundrock.example").is_active
    call_command("verify_audit")


@pytest.mark.django_db(transaction=True)
def test_mallory_cannot_use_the_journeys_links(registration_post, carol, mallory, mailoutbox):
    Client().post(reverse("agencies:register"), registration_post)
    review_path = _link(mailoutbox[0], "/agencies/registrations/")
    mallory_client = _sign_in("mallory@albany.example", PASSWORD)
    assert mallory_client.get(review_path).status_code == 404
    agency = Agency.objects.get(ori="TX2460300")
    assert mallory_client.post(reverse("agencies:registration-verify", args=[agency.public_id])).status_code == 404
    assert Agency.objects.get(pk=agency.pk).status == "pending"
