"""Journey 4: a newsroom signs up, confirms its address by the emailed link, is verified by the
coordinator, receives an alert, changes its counties and unsubscribes from the email's link."""

import re

import pytest
from playwright.sync_api import expect

from agencies.models import County
from conftest import otp_device
from notifications.models import MediaSubscriber

from .conftest import needs_postgres
from .support import (
    approved_alert,
    expect_error_on,
    expect_not_found,
    field,
    link_in,
    shot,
    sign_in,
    wait_for_mail,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needs_postgres]

DESK = "assignment.desk@kvue.example"


def test_a_newsroom_signs_up_receives_an_alert_narrows_its_counties_and_unsubscribes(
    parts, open_page, agency_a, alice, carol, yves
):
    smtp = parts.smtp
    otp_device(carol)

    # Sign-up: sending the empty form shows each problem next to its field.
    newsroom = open_page()
    newsroom.goto("/subscribe/")
    shot(newsroom, "newsroom-signup", full_page=False)
    newsroom.get_by_role("button", name="Sign up").click()
    expect_error_on(newsroom, "id_organisation", "This field is required.")
    expect_error_on(newsroom, "id_states", "This field is required.")
    field(newsroom, "Organisation").fill("KVUE News")
    field(newsroom, "Type of outlet").select_option(label="Television")
    field(newsroom, "Contact name").fill("Priya Natarajan")
    field(newsroom, "Email").fill(DESK)
    field(newsroom, "Phone").fill("512-555-0190")
    field(newsroom, "States").select_option(label="Texas")
    shot(newsroom, "newsroom-signup-filled")
    newsroom.get_by_role("button", name="Sign up").click()
    expect(newsroom.locator("h1")).to_have_text("Check your email")

    # The emailed link confirms the address (a button, so mail scanners cannot confirm for them).
    confirm = wait_for_mail(smtp, DESK, "Confirm your Blue Alert subscription")[0]
    newsroom.goto(link_in(confirm, "/subscribe/confirm/"))
    newsroom.get_by_role("button", name="Confirm my address").click()
    expect(newsroom.locator("h1")).to_contain_text("your address is confirmed")
    subscriber = MediaSubscriber.objects.get(email=DESK)
    assert subscriber.status == MediaSubscriber.Status.PENDING

    # Another state's coordinator does not see it; Texas's coordinator verifies it.
    other = open_page()
    sign_in(other, yves)
    expect_not_found(other, f"/portal/subscribers/{subscriber.public_id}/")
    coordinator = open_page()
    sign_in(coordinator, carol)
    coordinator.get_by_role("link", name="Media subscribers awaiting verification").click()
    coordinator.get_by_role("link", name="KVUE News").click()
    coordinator.get_by_role("button", name="Verify").click()
    expect(coordinator.locator(".messages")).to_contain_text("KVUE News is verified")
    wait_for_mail(smtp, DESK, "You will receive Blue Alerts")

    # An alert in Texas reaches the newsroom.
    alert = approved_alert(agency=agency_a, staff=alice, coordinator=carol)
    mail = wait_for_mail(smtp, DESK, "BLUE ALERT")[0]
    assert alert.headline in str(mail["Subject"])
    assert str(alert.public_id) in link_in(mail, "/alerts/")

    # From the email: only Travis County from now on.
    newsroom.goto(link_in(mail, "/subscriber/"))
    expect(newsroom.locator("h1")).to_have_text("KVUE News")
    travis = County.objects.get(state__usps="TX", name="Travis County")
    field(newsroom, "Counties").select_option(value=str(travis.pk))
    newsroom.get_by_role("button", name="Save").click()
    expect(newsroom.locator(".messages")).to_contain_text("Your choices are saved.")
    assert list(subscriber.counties.all()) == [travis]
    shot(newsroom, "subscriber-page", full_page=False)

    # The email's one-click unsubscribe link, opened in the browser, asks once and unsubscribes.
    unsubscribe = re.search(r"<([^>]+)>", "".join(str(mail["List-Unsubscribe"]).split())).group(1)
    newsroom.goto(unsubscribe)
    expect(newsroom.locator("h1")).to_contain_text("Unsubscribe KVUE News?")
    newsroom.get_by_role("button", name="Unsubscribe").click()
    expect(newsroom.locator("h1")).to_have_text("You are unsubscribed")
    subscriber.refresh_from_db()
    assert subscriber.status == MediaSubscriber.Status.UNSUBSCRIBED
