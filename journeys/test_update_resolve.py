"""Journey 3: an update with a new vehicle is submitted, refused to the coordinator who submitted it
(two-person rule) and approved by another; the public timeline shows it; the coordinator resolves
the alert; the page says RESOLVED and the cancellation reaches subscribers in the same thread."""

import re

import pytest
from playwright.sync_api import expect

from agencies.models import Role
from agencies.services import membership_grant
from alerts.models import Alert, Message
from conftest import otp_device
from notifications.tests.factories import make_subscriber

from .conftest import needs_postgres
from .support import approved_alert, expect_not_found, reload_until, shot, sign_in, wait_for_mail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needs_postgres]


def test_an_update_is_approved_by_a_second_coordinator_and_the_resolution_reaches_everyone(
    parts, open_page, agency_a, alice, carol, cora, mallory
):
    smtp = parts.smtp
    otp_device(carol)
    otp_device(cora)
    # Cora coordinates Texas and also works in the Austin department's Blue Alert unit.
    membership_grant(actor=None, user=cora, role=Role.AGENCY_STAFF, agency=agency_a)
    desk = make_subscriber("desk@kxan.example", organisation="KXAN")
    alert = approved_alert(agency=agency_a, staff=alice, coordinator=carol)
    first = wait_for_mail(smtp, desk.email, "BLUE ALERT")[0]

    # Cora drafts and submits an update: a second vehicle, partial plate.
    unit = open_page()
    sign_in(unit, cora)
    unit.goto(f"/portal/alerts/{alert.public_id}/")
    unit.get_by_role("button", name="Start an update").click()
    expect(unit.locator("h1")).to_contain_text("Update to an active alert")
    unit.get_by_role("button", name="Add a vehicle").click()
    for name, value in {"year": "2012", "make": "Honda", "model": "Civic", "color": "Silver", "plate": "KX7"}.items():
        unit.locator(f"#id_vehicles-1-{name}").fill(value)
    unit.locator("#id_vehicles-1-plate_partial").check()
    unit.locator("#id_vehicles-1-plate_state").select_option(label="Texas")
    unit.get_by_role("button", name="Save and review the submission").click()
    expect(unit.locator("h1")).to_contain_text("Submit the update")
    unit.get_by_label("What changed").fill("Second vehicle: silver Honda Civic, partial plate KX7.")
    unit.get_by_role("button", name="Submit", exact=True).click()
    expect(unit.locator(".messages")).to_contain_text("Submitted.")

    # She may not approve what she submitted: the page says so and nothing changes.
    unit.goto(f"/portal/alerts/{alert.public_id}/review/")
    unit.get_by_role("button", name="Approve the update").click()
    expect(unit.locator(".messages")).to_contain_text("Two-person rule")
    shot(unit, "two-person-rule")
    alert.refresh_from_db()
    assert alert.update_state == Alert.UpdateState.PENDING and alert.messages.count() == 1
    # Another agency's staff cannot open the update.
    outsider = open_page()
    sign_in(outsider, mallory)
    expect_not_found(outsider, f"/portal/alerts/{alert.public_id}/edit/")

    # Carol sees what changed and approves the update.
    coordinator = open_page()
    sign_in(coordinator, carol)
    coordinator.goto(f"/portal/alerts/{alert.public_id}/review/")
    expect(coordinator.locator("table.diff")).to_contain_text("Honda")
    coordinator.get_by_role("button", name="Approve the update").click()
    expect(coordinator.locator(".messages")).to_contain_text("Update approved")
    public = open_page()
    public.goto(f"/alerts/{alert.public_id}/")
    reload_until(public, ".timeline-list", "Second vehicle")
    expect(public.locator(".timeline-list li")).to_have_count(2)
    expect(public.locator(".timeline-list")).to_contain_text("Second vehicle: silver Honda Civic")
    expect(public.locator(".vehicles")).to_contain_text("Honda Civic")
    shot(public, "public-alert-updated")
    update = wait_for_mail(smtp, desk.email, "UPDATE:")[0]

    # The suspects are caught: Carol resolves the alert.
    coordinator.goto(f"/portal/alerts/{alert.public_id}/review/")
    coordinator.get_by_label("Suspect apprehended").check()
    coordinator.locator("#id_note").fill("Both suspects arrested in Round Rock at 14:10.")
    coordinator.get_by_role("button", name=re.compile("send the cancellation")).click()
    expect(coordinator.locator(".messages")).to_contain_text("The alert is resolved")
    alert.refresh_from_db()
    assert alert.status == Alert.Status.RESOLVED and alert.outcome == Alert.Outcome.APPREHENDED
    reload_until(public, ".alert-banner", "resolved")
    expect(public.locator(".ended-label")).to_have_text(re.compile("resolved", re.I))
    expect(public.locator(".outcome")).to_contain_text("Suspect apprehended")
    shot(public, "public-alert-resolved")

    # The cancellation reaches the subscriber in the thread of the original alert.
    cancel = wait_for_mail(smtp, desk.email, "CANCELLED:")[0]
    assert cancel["In-Reply-To"] == first["Message-ID"]
    assert first["Message-ID"] in cancel["References"] and update["Message-ID"] in cancel["References"]
    assert [m.kind for m in Message.objects.filter(alert=alert).order_by("sequence")] == ["Alert", "Update", "Cancel"]
