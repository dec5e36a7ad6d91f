"""Journey 2: a staff member drafts an alert (two suspects, a vehicle, a photo), fixes an over-long
wireless text the counter flagged, attests the criteria and submits; the coordinator reviews and
approves with re-authentication; the public page and the feed show it; subscribers' mail arrives."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from agencies.models import County
from alerts.models import Alert, Message
from conftest import otp_device
from notifications.tests.factories import make_subscriber

from .conftest import needs_postgres
from .support import (
    PHONE,
    expect_error_on,
    expect_not_found,
    let_reauth_lapse,
    photo_file,
    reauthenticate,
    shot,
    sign_in,
    wait_for_mail,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needs_postgres]

TOO_LONG = (
    "BLUE ALERT: Austin officer shot. Two suspects in a black Ford F-150, TX plate ABC1234, "
    "last seen heading north on I-35. Call 911."
)
FIXED = "Blue Alert: Austin officer shot. Black Ford F-150 TX ABC1234 north on I-35. Call 911."


def local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def draft_alert(page, *, now) -> Alert:
    """The staff member's drafting session, up to a saved draft with generated texts and a photo."""
    page.goto("/accounts/")
    page.get_by_role("link", name="Start a Blue Alert").first.click()
    page.get_by_label("Officer seriously injured in the line of duty").check()
    page.get_by_role("button", name="Start the draft").click()
    expect(page.locator("h1")).to_contain_text("Blue Alert draft")
    alert = Alert.objects.get(status=Alert.Status.DRAFT)
    travis = County.objects.get(state__usps="TX", name="Travis County")

    page.locator("#id_incident_at").fill(local(now - timedelta(hours=1)))
    page.locator("#id_incident_address").fill("900 E 6th St")
    page.locator("#id_incident_city").fill("Austin")
    page.locator("#id_incident_county").select_option(value=str(travis.pk))
    for name, value in {
        "name": "Marcus Lee Hill",
        "age": "34",
        "sex": "Male",
        "race": "White",
        "height": "5'11\"",
        "hair": "brown",
        "clothing": "black hoodie, jeans",
    }.items():
        page.locator(f"#id_suspects-0-{name}").fill(value)
    page.get_by_role("button", name="Add a suspect").click()
    page.locator("#id_suspects-1-sex").fill("Female")
    page.locator("#id_suspects-1-hair").fill("red, shoulder length")
    page.locator("#id_suspects-1-clothing").fill("grey jacket")
    page.get_by_role("button", name="Add a vehicle").click()
    for name, value in {"year": "2019", "make": "Ford", "model": "F-150", "color": "Black", "plate": "ABC1234"}.items():
        page.locator(f"#id_vehicles-0-{name}").fill(value)
    page.locator("#id_vehicles-0-plate_state").select_option(label="Texas")
    page.locator("#id_last_seen_place").fill("I-35 at E 6th St")
    page.locator("#id_last_seen_at").fill(local(now - timedelta(minutes=30)))
    page.locator("#id_last_seen_lat").fill("30.2672")
    page.locator("#id_last_seen_lon").fill("-97.7431")
    page.locator("#id_direction").select_option(label="North")
    page.locator("#id_travel_mode").select_option(label="In a vehicle")
    page.locator("#id_officer_name").fill("Officer Dana Reyes")
    page.locator("#id_case_number").fill("APD-2026-0042")
    # Attest every required criterion of Texas (the optional ones stay unticked).
    for box in page.locator("#criteria label.check").all():
        if "(optional)" not in box.inner_text():
            box.locator("input").check()
    page.get_by_role("button", name="Save and generate the texts again from the fields").click()
    expect(page.locator(".messages")).to_contain_text("The channel texts were generated again")

    # An over-long wireless text: the counter flags it while typing, and the server refuses it
    # next to the field; then the drafter shortens it.
    short = page.locator("#id_wea_short_en")
    counter = page.locator('[data-counter-for="id_wea_short_en"]')
    # The counter takes the alphabet from the server (alerts/gsm7.py): [ and € are two septets each.
    short.fill("[€] ✓")
    expect(counter).to_contain_text("8 / 90 · not allowed: ✓")
    short.fill(TOO_LONG)
    expect(counter).to_have_class(re.compile(r"\bover\b"))
    expect(counter).to_contain_text(f"{len(TOO_LONG)} / 90")
    page.get_by_role("button", name="Save", exact=True).click()
    expect_error_on(page, "id_wea_short_en", "")
    page.locator("#id_wea_short_en").evaluate("e => e.scrollIntoView({block: 'center'})")
    shot(page, "drafting-form-counter", full_page=False)
    page.locator("#id_wea_short_en").fill(FIXED)
    expect(page.locator('[data-counter-for="id_wea_short_en"]')).not_to_have_class(re.compile(r"\bover\b"))
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".messages")).to_contain_text("Draft saved.")

    # A photo of the first suspect (its metadata is stripped on upload).
    page.locator("#id_image").set_input_files(photo_file("SUSPECT 1 - DEMO"))
    page.locator("#id_caption").fill("Marcus Lee Hill, booking photo 2024")
    subject = page.locator("#id_subject option", has_text="Marcus Lee Hill").get_attribute("value")
    page.locator("#id_subject").select_option(value=subject)
    page.get_by_role("button", name="Upload the photo").click()
    expect(page.locator(".messages")).to_contain_text("Photo added")
    shot(page, "drafting-form")
    alert.refresh_from_db()
    return alert


def test_a_drafted_alert_is_approved_published_and_mailed(parts, open_page, alice, carol, mallory):
    smtp = parts.smtp
    otp_device(carol)
    desks = [make_subscriber(f"desk@{n}.example", organisation=n) for n in ("kxan", "statesman")]
    now = timezone.now()

    # The staff member drafts and submits.
    staff = open_page()
    sign_in(staff, alice)
    alert = draft_alert(staff, now=now)
    assert alert.suspects.count() == 2 and alert.vehicles.count() == 1 and alert.photos.count() == 1
    assert alert.wea_short_en == FIXED
    staff.get_by_role("button", name="Save and review the submission").click()
    expect(staff.locator("h1")).to_contain_text("Submit for approval")
    staff.get_by_role("button", name="Submit", exact=True).click()
    expect(staff.locator(".messages")).to_contain_text("Submitted.")
    alert.refresh_from_db()
    assert alert.status == Alert.Status.PENDING and alert.submitted_by == alice

    # She cannot approve her own alert: the review page shows her no decision.
    staff.goto(f"/portal/alerts/{alert.public_id}/review/")
    expect(staff.get_by_role("button", name=re.compile("^Approve"))).to_have_count(0)
    # Another agency's staff member does not even find it.
    outsider = open_page()
    sign_in(outsider, mallory)
    expect_not_found(outsider, f"/portal/alerts/{alert.public_id}/")
    expect_not_found(outsider, f"/alerts/{alert.public_id}/")  # and nothing is public yet

    # The coordinator is told, reviews, and approves after confirming who she is again.
    wait_for_mail(smtp, carol.email, "")
    coordinator = open_page()
    sign_in(coordinator, carol)
    coordinator.get_by_role("link", name="Alert approval queue").first.click()
    coordinator.locator("main table").get_by_role("link", name=alert.headline).click()
    expect(coordinator.locator("h1")).to_contain_text("Review")
    expect(coordinator.locator(".snapshot").first).to_contain_text("Austin Police Department")
    shot(coordinator, "coordinator-review")
    let_reauth_lapse(coordinator)  # she has been reading for a while
    coordinator.get_by_role("button", name="Approve").click()
    expect(coordinator).to_have_url(re.compile(r"/accounts/reauth/"))
    coordinator.locator("#id_password").fill("not my password")
    coordinator.locator("main form button[type=submit]").click()
    expect_error_on(coordinator, "id_password", "That password is not correct.")
    reauthenticate(coordinator, carol)
    coordinator.get_by_role("button", name="Approve").click()
    expect(coordinator.locator(".messages")).to_contain_text("Approved: the alert is active")
    alert.refresh_from_db()
    assert alert.status == Alert.Status.ACTIVE and alert.decided_by == carol
    message = Message.objects.get(alert=alert, sequence=1)

    # The public page and the feed show it, on a desktop and on a phone.
    public = open_page()
    public.goto(f"/alerts/{alert.public_id}/")
    expect(public.locator("h1")).to_be_visible()
    expect(public.locator(".suspects")).to_contain_text("Marcus Lee Hill")
    expect(public.locator(".vehicles .plate")).to_contain_text("ABC1234")
    expect(public.locator(".suspects img.photo")).to_have_count(1)
    expect(public.locator("main")).not_to_contain_text("Officer Dana Reyes")  # private by default
    expect(public.locator("main")).not_to_contain_text("APD-2026-0042")  # internal
    shot(public, "public-alert", full_page=False)
    feed = public.request.get("/feeds/alerts.atom")
    assert feed.ok and str(alert.public_id) in feed.text() and str(message.message_id) in feed.text()
    phone = open_page(PHONE)
    phone.goto(f"/alerts/{alert.public_id}/")
    expect(phone.locator(".call-button").first).to_be_visible()
    shot(phone, "public-alert-phone", full_page=False)

    # Every subscriber's copy reaches the SMTP server; the delivery dashboard says so.
    for desk in desks:
        mail = wait_for_mail(smtp, desk.email, "BLUE ALERT")[0]
        assert "ABC1234" in mail.get_body(preferencelist=("plain",)).get_content()
    wait_for_mail(smtp, alice.email, "BLUE ALERT")  # law-enforcement copy for the agency's own people
    coordinator.goto(f"/portal/deliveries/{message.message_id}/")
    expect(coordinator.locator("[data-status]")).to_have_text("Finished.", timeout=60_000)
    shot(coordinator, "delivery-dashboard", full_page=False)
