"""The portal pages: tenancy (404 outside it), forms with errors on their fields, re-authentication,
the concurrency message, the EXERCISE banner, and no inline scripts."""

import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from accounts.reauth import SESSION_KEY
from alerts import services
from alerts.models import Alert, Message, Photo
from alerts.selectors import alert_history

from .conftest import fresh, make_active, make_draft, make_pending

pytestmark = pytest.mark.django_db


def url(name, alert, *args):
    return reverse(f"alerts:{name}", args=[alert.public_id, *args])


def reauth(client):
    session = client.session
    session[SESSION_KEY] = timezone.now().isoformat()
    session.save()


def no_inline_script(html: str) -> bool:
    return not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)


def edit_payload(alert, **overrides):
    """A valid POST of the drafting form for `alert`, built from its current values."""
    data = {
        "trigger": alert.trigger,
        "incident_at": "2026-05-14T09:30",
        "incident_city": "Austin",
        "incident_address": "500 Congress Ave",
        "last_seen_place": "I-35",
        "direction": "N",
        "travel_mode": "vehicle",
        "officer_release": "private",
        "public_instruction": alert.public_instruction,
        "tip_line": alert.tip_line,
        "statewide": "on",
        "warrant_status": "",
        **{
            f: getattr(alert, f)
            for f in (
                "headline",
                "wea_short_en",
                "wea_long_en",
                "wea_short_es",
                "wea_long_es",
                "eas_script",
                "description_en",
                "description_es",
            )
        },
        "suspects-TOTAL_FORMS": "1",
        "suspects-INITIAL_FORMS": "1",
        "suspects-MIN_NUM_FORMS": "0",
        "suspects-MAX_NUM_FORMS": "1000",
        "suspects-0-id": str(alert.suspects.get().pk),
        "suspects-0-name": "John Doe",
        "suspects-0-armed_and_dangerous": "on",
        "vehicles-TOTAL_FORMS": "2",
        "vehicles-INITIAL_FORMS": "1",
        "vehicles-MIN_NUM_FORMS": "0",
        "vehicles-MAX_NUM_FORMS": "1000",
        "vehicles-0-id": str(alert.vehicles.get().pk),
        "vehicles-0-make": "Ford",
        "vehicles-0-plate": "abc 1234",
        "vehicles-1-make": "Honda",
        "vehicles-1-model": "Civic",
        "vehicles-1-plate": "XY*12",
        "vehicles-1-plate_partial": "on",
    }
    for c in alert.state.criteria.filter(is_active=True, required=True):
        data[f"criterion_{c.key}"] = "on"
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


# --- tenancy ------------------------------------------------------------------------------------


def test_anonymous_visitors_are_sent_to_sign_in(client, alice, agency_a):
    alert = make_draft(alice, agency_a)
    for name in ("alert-detail", "alert-edit", "alert-review", "alert-history"):
        response = client.get(url(name, alert))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize(
    "name",
    [
        "alert-detail",
        "alert-edit",
        "alert-submit",
        "alert-review",
        "alert-history",
        "alert-extend",
        "alert-resolve-request",
    ],
)
def test_mallory_gets_a_404_for_every_page_of_alice_s_alert(login, mallory, alice, agency_a, name):
    alert = make_draft(alice, agency_a)
    assert login(mallory).get(url(name, alert)).status_code == 404


@pytest.mark.parametrize(
    "name", ["alert-approve", "alert-return", "alert-deny", "alert-resolve", "alert-update-start", "photo-add"]
)
def test_mallory_cannot_post_any_action_on_alice_s_alert(login, mallory, alice, agency_a, carol, name):
    alert = make_pending(alice, agency_a)
    client = login(mallory)
    reauth(client)
    assert client.post(url(name, alert), {"reason": "x", "outcome": "apprehended"}).status_code == 404
    assert Alert.objects.get(pk=alert.pk).status == Alert.Status.PENDING


def test_yves_cannot_see_a_texas_draft_but_nora_can(login, yves, nora, alice, agency_a):
    alert = make_draft(alice, agency_a)
    assert login(yves).get(url("alert-detail", alert)).status_code == 404
    assert login(nora).get(url("alert-detail", alert)).status_code == 200


def test_a_coordinator_of_a_state_asked_to_join_sees_the_alert_once_published(
    login, yves, alice, agency_a, carol, state_y
):
    alert = make_draft(alice, agency_a)
    alert.extra_states.add(state_y)
    client = login(yves)
    assert client.get(url("alert-detail", alert)).status_code == 404
    services.alert_submit(actor=alice, alert=alert)
    services.alert_approve(actor=carol, alert=alert, reauthenticated_at=fresh())
    assert client.get(url("alert-detail", alert)).status_code == 200
    assert client.post(url("alert-resolve", alert), {"outcome": "apprehended"}).status_code == 302
    assert Alert.objects.get(pk=alert.pk).status == Alert.Status.ACTIVE  # viewing is not deciding


# --- dashboard and drafting -------------------------------------------------------------------


def test_the_dashboard_lists_the_agency_s_alerts_by_status_and_nothing_else(login, alice, agency_a, mallory, agency_b):
    mine = make_draft(alice, agency_a)
    theirs = make_draft(mallory, agency_b)
    html = login(alice).get(reverse("alerts:dashboard")).content.decode()
    assert str(mine.public_id) in html and str(theirs.public_id) not in html
    assert "<h3>Draft (1)</h3>" in html


def test_a_draft_is_started_from_the_create_page(login, alice, agency_a):
    response = login(alice).post(
        reverse("alerts:alert-create"), {"agency": agency_a.pk, "trigger": "missing", "is_exercise": "on"}
    )
    alert = Alert.objects.get()
    assert response.status_code == 302 and response["Location"] == url("alert-edit", alert)
    assert alert.is_exercise and alert.created_by == alice and alert.trigger == "missing"


def test_mallory_cannot_start_a_draft_for_agency_a(login, mallory, agency_a, agency_b):
    response = login(mallory).post(reverse("alerts:alert-create"), {"agency": agency_a.pk, "trigger": "missing"})
    assert response.status_code == 200 and "agency" in response.context["form"].errors
    assert not Alert.objects.exists()


def test_the_drafting_form_saves_fields_suspects_vehicles_and_criteria(login, alice, agency_a):
    alert = make_draft(alice, agency_a)
    client = login(alice)
    page = client.get(url("alert-edit", alert))
    html = page.content.decode()
    assert page.status_code == 200 and no_inline_script(html)
    assert "alerts/alert_edit.js" in html and 'data-limit="90"' in html and "suspects-empty" in html
    response = client.post(url("alert-edit", alert), edit_payload(alert))
    assert response.status_code == 302, response.context and response.context["form"].errors
    alert.refresh_from_db()
    assert alert.last_seen_place == "I-35"
    plates = list(alert.vehicles.values_list("plate", "plate_partial"))
    assert plates == [("ABC1234", False), ("XY*12", True)]
    assert alert_history(alert).filter(action="alert.draft_saved").count() == 2


def test_an_over_long_or_non_gsm_wea_text_is_shown_next_to_its_field(login, alice, agency_a):
    alert = make_draft(alice, agency_a)
    response = login(alice).post(
        url("alert-edit", alert), edit_payload(alert, wea_short_en="x" * 95, wea_long_es="Llame a la policía")
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "95 characters; the limit is 90" in html and "id_wea_short_en_error" in html
    assert "id_wea_long_es_error" in html and "GSM" in html
    alert.refresh_from_db()
    assert len(alert.wea_short_en) < 95


def test_regenerate_rebuilds_the_texts_from_the_fields(login, alice, agency_a):
    alert = make_draft(alice, agency_a)
    login(alice).post(url("alert-edit", alert), edit_payload(alert, wea_short_en="old", regenerate="1"))
    alert.refresh_from_db()
    assert alert.wea_short_en.startswith("BLUE ALERT: Austin TX.")


def test_a_photo_uploads_through_the_page_and_a_bad_file_gets_a_clear_message(login, alice, agency_a):
    alert = make_draft(alice, agency_a)
    client = login(alice)
    buf = io.BytesIO()
    Image.new("RGB", (640, 480), (0, 0, 255)).save(buf, format="JPEG")
    buf.name = "car.jpg"
    buf.seek(0)
    response = client.post(url("photo-add", alert), {"image": buf, "caption": "The truck", "subject": ""})
    assert response.status_code == 302 and Photo.objects.filter(alert=alert).count() == 1
    photo = Photo.objects.get()
    assert client.get(url("photo-file", alert, photo.public_id)).status_code == 200
    svg = io.BytesIO(b"<svg xmlns='http://www.w3.org/2000/svg'/>")
    svg.name = "x.svg"
    response = client.post(url("photo-add", alert), {"image": svg}, follow=True)
    assert "SVG and other vector" in response.content.decode()
    assert Photo.objects.count() == 1


def test_the_submit_page_shows_missing_criteria_and_possible_duplicates(login, alice, agency_a, carol):
    make_active(alice, agency_a, carol, plate="DUP0001")
    alert = make_draft(alice, agency_a, plate="DUP0001")
    services.alert_attest(actor=alice, alert=alert, keys=set())
    html = login(alice).get(url("alert-submit", alert)).content.decode()
    assert "Possible duplicate" in html and "Not attested" in html
    response = login(alice).post(url("alert-submit", alert))
    assert Alert.objects.get(pk=alert.pk).status == Alert.Status.DRAFT
    assert response.status_code == 200 and "Not submitted" in response.content.decode()


def test_submitting_from_the_page_moves_the_alert_to_pending(login, alice, agency_a, carol):
    alert = make_draft(alice, agency_a)
    response = login(alice).post(url("alert-submit", alert))
    assert response.status_code == 302
    assert Alert.objects.get(pk=alert.pk).status == Alert.Status.PENDING


# --- review -------------------------------------------------------------------------------------


def test_the_queue_shows_the_state_s_pending_alerts_to_its_coordinators_only(login, alice, agency_a, carol, yves, nora):
    alert = make_pending(alice, agency_a)
    assert str(alert.public_id) in login(carol).get(reverse("alerts:queue")).content.decode()
    assert str(alert.public_id) not in login(yves).get(reverse("alerts:queue")).content.decode()
    html = login(nora).get(reverse("alerts:queue")).content.decode()
    assert str(alert.public_id) in html and "decisions belong to each state" in html


def test_approving_without_a_recent_password_asks_for_it_and_keeps_the_note(login, alice, agency_a, carol):
    alert = make_pending(alice, agency_a)
    client = login(carol)
    response = client.post(url("alert-approve", alert), {"officer_release": "private", "note": "Checked with DPS"})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:reauth") + "?next=")
    assert Alert.objects.get(pk=alert.pk).status == Alert.Status.PENDING
    page = client.get(url("alert-review", alert))
    assert "Checked with DPS" in page.content.decode()


def test_a_coordinator_approves_from_the_review_page(login, alice, agency_a, carol):
    alert = make_pending(alice, agency_a)
    client = login(carol)
    reauth(client)
    review = client.get(url("alert-review", alert)).content.decode()
    assert "Not attested" not in review and "Approve" in review
    response = client.post(url("alert-approve", alert), {"officer_release": "law_enforcement"})
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.status == Alert.Status.ACTIVE and alert.officer_release == "law_enforcement"
    assert Message.objects.filter(alert=alert, kind="Alert").count() == 1


def test_the_second_coordinator_gets_a_clear_message_and_nothing_changes(login, alice, agency_a, carol, cora):
    alert = make_pending(alice, agency_a)
    services.alert_approve(actor=carol, alert=alert, reauthenticated_at=fresh())
    client = login(cora)
    reauth(client)
    response = client.post(url("alert-approve", alert), {"officer_release": "private", "stage": "alert"}, follow=True)
    html = response.content.decode()
    assert "Cannot approve: the alert is active. Carol Castillo decided" in html
    assert Message.objects.filter(alert=alert).count() == 1


def test_the_drafter_who_is_also_a_coordinator_is_refused_on_the_page(login, alice, agency_a, state_x, carol):
    from agencies.services import membership_grant

    membership_grant(actor=None, user=alice, role="state_coordinator", state=state_x)
    alert = make_pending(alice, agency_a)
    client = login(alice)
    reauth(client)
    response = client.post(url("alert-approve", alert), {"officer_release": "private"}, follow=True)
    assert "Two-person rule" in response.content.decode()
    assert Alert.objects.get(pk=alert.pk).status == Alert.Status.PENDING


def test_return_and_deny_from_the_page(login, alice, agency_a, carol):
    first, second = make_pending(alice, agency_a), make_pending(alice, agency_a)
    client = login(carol)
    client.post(url("alert-return", first), {"reason": "Add the plate state"})
    assert Alert.objects.get(pk=first.pk).status == Alert.Status.RETURNED
    response = client.post(url("alert-deny", second), {"reason": "Not a Blue Alert"})
    assert "/accounts/reauth/" in response["Location"]  # deny needs the password too
    reauth(client)
    client.post(url("alert-deny", second), {"reason": "Not a Blue Alert"})
    assert Alert.objects.get(pk=second.pk).status == Alert.Status.DENIED
    response = client.post(url("alert-return", make_pending(alice, agency_a)), {"reason": ""}, follow=True)
    assert "Give a reason" in response.content.decode()


def test_the_review_page_diffs_an_update_against_the_active_version(login, alice, agency_a, carol):
    alert = make_active(alice, agency_a, carol)
    services.alert_update_start(actor=alice, alert=alert)
    services.alert_save_draft(actor=alice, alert=alert, fields={"last_seen_place": "Round Rock"})
    services.alert_update_submit(actor=alice, alert=alert, note="Seen in Round Rock")
    html = login(carol).get(url("alert-review", alert)).content.decode()
    assert "Changes against the active version" in html
    assert "<del>I-35 and 6th St</del>" in html and "<ins>Round Rock</ins>" in html
    client = login(carol)
    reauth(client)
    client.post(url("alert-approve", alert), {"officer_release": "private"})
    assert Message.objects.filter(alert=alert).count() == 2


def test_the_agency_asks_to_end_and_the_coordinator_resolves_from_the_page(login, alice, agency_a, carol):
    alert = make_active(alice, agency_a, carol)
    login(alice).post(url("alert-resolve-request", alert), {"outcome": "apprehended", "note": "In custody"})
    assert Alert.objects.get(pk=alert.pk).resolve_requested_outcome == "apprehended"
    client = login(carol)
    reauth(client)
    client.post(url("alert-resolve", alert), {"outcome": "apprehended", "note": "In custody"})
    alert.refresh_from_db()
    assert alert.status == Alert.Status.RESOLVED and alert.messages.last().kind == "Cancel"


def test_the_history_page_lists_every_message_and_event(login, alice, agency_a, carol):
    alert = make_active(alice, agency_a, carol)
    html = login(alice).get(url("alert-history", alert)).content.decode()
    for action in (
        "alert.created",
        "alert.draft_saved",
        "alert.criteria_attested",
        "alert.submitted",
        "alert.approved",
    ):
        assert action in html
    assert "Alert #1" in html


# --- exercise ---------------------------------------------------------------------------------


def test_every_screen_of_an_exercise_alert_carries_the_exercise_banner(login, alice, agency_a, carol):
    draft = make_draft(alice, agency_a, exercise=True)
    active = make_active(alice, agency_a, carol, exercise=True)
    alice_client = login(alice)
    for name in ("alert-detail", "alert-edit", "alert-submit", "alert-history"):
        html = alice_client.get(url(name, draft)).content.decode()
        assert 'class="exercise-banner"' in html, name
        assert no_inline_script(html)
    for name in ("alert-extend", "alert-resolve-request"):
        assert 'class="exercise-banner"' in alice_client.get(url(name, active)).content.decode()
    carol_client = login(carol)
    assert 'class="exercise-banner"' in carol_client.get(url("alert-review", active)).content.decode()
    assert "EXERCISE" in carol_client.get(reverse("alerts:queue")).content.decode()


def test_a_live_alert_has_no_exercise_banner(login, alice, agency_a):
    alert = make_draft(alice, agency_a)
    assert 'class="exercise-banner"' not in login(alice).get(url("alert-detail", alert)).content.decode()


def test_the_home_page_links_the_dashboard_and_the_queue(login, alice, carol):
    assert reverse("alerts:dashboard") in login(alice).get(reverse("accounts:home")).content.decode()
    assert reverse("alerts:queue") in login(carol).get(reverse("accounts:home")).content.decode()


def test_the_alert_page_links_each_message_s_deliveries_for_coordinators_only(login, alice, agency_a, carol, cora):
    alert = make_active(alice, agency_a, carol)
    message = Message.objects.get(alert=alert)
    url = reverse("alerts:alert-detail", args=[alert.public_id])
    link = reverse("notifications:delivery-dashboard", args=[message.message_id]).encode()
    assert link in login(cora).get(url).content
    assert link not in login(alice).get(url).content


def test_the_drafting_form_and_review_page_use_a_bounded_number_of_queries(
    login, alice, agency_a, carol, django_assert_max_num_queries
):
    # 254 Texas counties are options on the form: one query per county was the bug (532 queries).
    # Most of what remains is repeated guardian permission checks (about 50 on the form).
    alert = make_pending(alice, agency_a)
    draft = make_draft(alice, agency_a, plate="QRS4567", name="Second Person")
    with django_assert_max_num_queries(60):
        assert login(alice).get(reverse("alerts:alert-edit", args=[draft.public_id])).status_code == 200
    with django_assert_max_num_queries(60):
        assert login(carol).get(reverse("alerts:alert-review", args=[alert.public_id])).status_code == 200
