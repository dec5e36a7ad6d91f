"""Accessibility and small screens: axe-core on the main pages (no serious or critical violation,
colour contrast included), labels and errors tied to fields, keyboard use, and a phone's width.

No worker needed here (tasks run in-process), so these run on SQLite as well as PostgreSQL."""

import pytest
from playwright.sync_api import expect

from alerts.models import Alert, Message
from conftest import otp_device

from .support import (
    PHONE,
    approved_alert,
    expect_accessible,
    expect_error_on,
    expect_fits_width,
    shot,
    sign_in,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def alerts(site, agency_a, alice, carol, cora):
    """An active alert (published, mailed), one pending approval and one draft, all from Agency A."""
    from alerts import services
    from portal.management.commands.seed_demo import Command

    otp_device(carol)
    active = approved_alert(agency=agency_a, staff=alice, coordinator=cora)
    seed = Command()
    pending = seed.draft(
        user=alice,
        agency=agency_a,
        marker="APD-2026-0050",
        trigger=Alert.Trigger.THREAT,
        fields={"incident_city": "Austin", "incident_at": active.incident_at, "last_seen_place": "Riverside Dr"},
        suspect={"name": "Unknown", "sex": "Male", "clothing": "red cap"},
        vehicle={"make": "Chevrolet", "model": "Malibu", "color": "White", "plate": "JK4", "plate_partial": True},
    )
    seed.submit(pending, alice)
    draft = services.alert_create(actor=alice, agency=agency_a, trigger=Alert.Trigger.MISSING)
    return {"active": active, "pending": pending, "draft": draft}


def test_the_public_pages_have_no_serious_accessibility_problem_on_a_desktop_or_a_phone(open_page, alerts):
    active = alerts["active"]
    page = open_page()
    page.goto("/")
    expect(page.locator(".alert-card")).to_have_count(1)
    expect_accessible(page, "public home")
    shot(page, "public-home")
    page.goto(f"/alerts/{active.public_id}/")
    expect_accessible(page, "public alert page")
    page.goto(f"/alerts/{active.public_id}/?lang=es")
    expect_accessible(page, "public alert page, Spanish")

    phone = open_page(PHONE)
    for path in ("/", f"/alerts/{active.public_id}/"):
        phone.goto(path)
        expect_fits_width(phone)
        expect_accessible(phone, f"{path} on a phone")
    # On a phone the first thing under the banner is the call to action, and it is big enough to tap.
    call = phone.locator(".call-button").first
    box = call.bounding_box()
    assert box and box["height"] >= 44 and box["y"] < PHONE["height"], box


def test_the_newsroom_sign_up_works_by_keyboard_and_ties_each_error_to_its_field(open_page, alerts):
    page = open_page()
    page.goto("/subscribe/")
    expect_accessible(page, "sign-up")
    # The first Tab reaches the skip link, which moves focus past the header.
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_text("Skip to content")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    # Every control of the form is reached with Tab, in order, up to the button.
    reached = []
    for _ in range(40):
        page.keyboard.press("Tab")
        reached.append(page.evaluate("document.activeElement.id || document.activeElement.textContent.trim()"))
        if reached[-1] == "Sign up":
            break
    for control in ("id_organisation", "id_outlet_type", "id_email", "id_states", "id_webhook_url", "Sign up"):
        assert control in reached, f"{control} not reached by Tab: {reached}"
    # Enter on the button sends the (empty) form; each error is announced with its field.
    page.keyboard.press("Enter")
    expect_error_on(page, "id_organisation", "This field is required.")
    expect_error_on(page, "id_email", "This field is required.")
    expect_accessible(page, "sign-up with errors")


def test_the_portal_pages_have_no_serious_accessibility_problem(open_page, alerts, alice, carol):
    staff = open_page()
    sign_in(staff, alice)
    expect_accessible(staff, "staff home")
    staff.goto("/portal/alerts/")
    expect_accessible(staff, "agency dashboard")
    shot(staff, "agency-dashboard")
    staff.goto(f"/portal/alerts/{alerts['draft'].public_id}/edit/")
    expect_accessible(staff, "drafting form")
    # "Add a suspect" works from the keyboard and puts the focus in the new row.
    staff.get_by_role("button", name="Add a suspect").focus()
    staff.keyboard.press("Enter")
    expect(staff.locator(":focus")).to_have_attribute("id", "id_suspects-1-name")
    expect_accessible(staff, "drafting form with a new suspect row")

    coordinator = open_page()
    sign_in(coordinator, carol)
    expect_accessible(coordinator, "coordinator home")
    coordinator.goto("/portal/alerts/queue/")
    expect_accessible(coordinator, "approval queue")
    coordinator.goto(f"/portal/alerts/{alerts['pending'].public_id}/review/")
    expect_accessible(coordinator, "review page")
    message = Message.objects.get(alert=alerts["active"], sequence=1)
    coordinator.goto(f"/portal/deliveries/{message.message_id}/")
    expect_accessible(coordinator, "delivery dashboard")

    # The coordinator's review page on a phone: everything fits and the decision is reachable.
    phone = open_page(PHONE)
    sign_in(phone, carol)
    phone.goto(f"/portal/alerts/{alerts['pending'].public_id}/review/")
    expect_fits_width(phone)
    expect_accessible(phone, "review page on a phone")
    shot(phone, "coordinator-review-phone", full_page=False)
    approve = phone.get_by_role("button", name="Approve")
    approve.scroll_into_view_if_needed()
    expect(approve).to_be_in_viewport()
