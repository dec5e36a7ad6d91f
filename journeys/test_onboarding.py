"""Journey 1: an agency registers, the state coordinator verifies it, its administrator follows the
emailed link, sets a password, enrols a second factor and invites a staff member, who joins."""

import re

import pytest
from playwright.sync_api import expect

from accounts.services import has_second_factor
from agencies.models import Agency, County, Membership, Role
from conftest import otp_device

from .conftest import needs_postgres
from .support import (
    enrol_second_factor,
    expect_error_on,
    expect_not_found,
    field,
    link_in,
    shot,
    sign_in,
    wait_for_mail,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needs_postgres]

ADMIN = "rosa.ruiz@roundrocktexas.example"
STAFF = "sam.soto@roundrocktexas.example"
NEW_PASSWORD = "Bluebonnet-Patrol-2026"  # noqa: S105


def _fill_registration(page, *, ori: str) -> None:
    page.get_by_label("Agency name").fill("Round Rock Police Department")
    page.get_by_label("ORI").fill(ori)
    page.get_by_label("Type of agency").select_option(label="Municipal police")
    field(page, "State").select_option(label="Texas")
    # Several states have a Williamson County: the one in Texas.
    williamson = County.objects.get(state__usps="TX", name="Williamson County")
    page.get_by_label("County").select_option(value=str(williamson.pk))
    page.get_by_label("Address").fill("2701 N Mays St")
    page.get_by_label("City").fill("Round Rock")
    page.get_by_label("ZIP code").fill("78665")
    page.get_by_label("Agency phone").fill("512-555-0130")
    page.get_by_label("Public tip line").fill("1-800-555-0131")
    page.get_by_label("Head of agency (name)").fill("Allen Banks")
    page.get_by_label("Head of agency (title)").fill("Chief of Police")
    page.get_by_label("Your full name").fill("Rosa Ruiz")
    page.get_by_label("Your work email").fill(ADMIN)
    page.get_by_label("Your phone").fill("512-555-0132")


def test_an_agency_registers_is_verified_and_its_administrator_enrols_and_invites_staff(
    parts, open_page, carol, yves, mallory, agency_b
):
    smtp = parts.smtp
    otp_device(carol)  # the coordinator enrolled an authenticator long ago

    # The agency registers; a first try with another state's ORI is refused next to the field.
    public = open_page()
    public.goto("/agencies/register/")
    _fill_registration(public, ori="NY2460300")
    public.get_by_role("button", name="Send the registration").click()
    expect_error_on(public, "id_ori", "An ORI in Texas starts with TX.")
    shot(public, "agency-register-error")
    public.get_by_label("ORI").fill("TX2460300")
    public.get_by_role("button", name="Send the registration").click()
    expect(public).to_have_url(re.compile(r"/agencies/register/thanks/"))
    agency = Agency.objects.get(ori="TX2460300")
    assert agency.status == Agency.Status.PENDING
    wait_for_mail(smtp, carol.email, "New agency registration to verify: Round Rock Police Department")

    # Another state's coordinator cannot even see it.
    other = open_page()
    sign_in(other, yves)
    expect_not_found(other, f"/agencies/registrations/{agency.public_id}/")

    # The coordinator signs in (password and authenticator code) and verifies it.
    coordinator = open_page()
    assert sign_in(coordinator, carol) in ("verified", "none")
    coordinator.get_by_role("link", name="Agency registrations").first.click()
    coordinator.get_by_role("link", name=re.compile("Round Rock Police Department")).click()
    shot(coordinator, "coordinator-registration")
    coordinator.get_by_label("Note (optional)").fill("Called the published number; Chief Banks confirmed.")
    coordinator.get_by_role("button", name="Verify the agency").click()
    expect(coordinator.locator(".messages")).to_contain_text("Round Rock Police Department is verified")
    agency.refresh_from_db()
    assert agency.status == Agency.Status.VERIFIED and agency.decided_by == carol

    # The administrator follows the emailed link, sets a password and enrols a second factor.
    verified = wait_for_mail(smtp, ADMIN, "Round Rock Police Department is verified")[0]
    admin = open_page()
    admin.goto(link_in(verified, "/accounts/set-password/"))
    field(admin, "New password").fill(NEW_PASSWORD)
    field(admin, "New password confirmation").fill(NEW_PASSWORD)
    admin.get_by_role("button", name="Set password").click()
    admin.wait_for_url(re.compile(r"/accounts/(2fa/setup|set-password/done)/"))
    rosa = Membership.objects.get(agency=agency, role=Role.AGENCY_ADMIN).user
    if "/accounts/2fa/setup/" in admin.url:  # else two-factor sign-in is not switched on yet
        enrol_second_factor(admin, shot_name="two-factor-setup")
        assert has_second_factor(rosa)

    # Another agency's members page is not there for her.
    expect_not_found(admin, f"/agencies/{agency_b.public_id}/members/")

    # She invites a staff member; a malformed address is refused first.
    admin.goto("/accounts/")
    admin.get_by_role("link", name="Members and invitations").click()
    admin.get_by_label("Email address").fill("sam.soto@")
    admin.get_by_role("button", name="Send the invitation").click()
    # The browser itself stops a malformed address, saying why next to the field.
    assert admin.locator("#id_email").evaluate("e => e.validationMessage")
    expect(admin.locator(".messages")).to_have_count(0)
    admin.get_by_label("Email address").fill(STAFF)
    admin.get_by_label("Role").first.select_option(label="Agency staff")
    admin.get_by_role("button", name="Send the invitation").click()
    expect(admin.locator(".messages")).to_contain_text(f"Invitation sent to {STAFF}")
    shot(admin, "agency-members")

    # The staff member accepts, creates an account and signs in: no second factor asked of staff.
    invitation = wait_for_mail(smtp, STAFF, "invites you to Round Rock Police Department")[0]
    staff = open_page()
    staff.goto(link_in(invitation, "/agencies/invitations/"))
    staff.get_by_label("Your full name").fill("Sam Soto")
    staff.get_by_label("Choose a password").fill(NEW_PASSWORD)
    staff.get_by_label("The same password again").fill(NEW_PASSWORD)
    staff.get_by_role("button", name="Create my account and join").click()
    expect(staff.locator(".messages")).to_contain_text("Your account is ready")
    sam = Membership.objects.get(agency=agency, role=Role.AGENCY_STAFF).user
    assert sign_in(staff, sam, NEW_PASSWORD) == "none"
    expect(staff.locator("main")).to_contain_text("Round Rock Police Department")
    expect(staff.get_by_role("link", name="Start a Blue Alert")).to_be_visible()
    shot(staff, "staff-home")
