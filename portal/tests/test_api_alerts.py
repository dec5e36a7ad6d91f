"""The signed-in alerts API: the whole workflow through the API alone, and refusals that change nothing."""

import io

import pytest
from PIL import Image

from alerts.models import Alert, Message
from audit.models import AuditEvent
from conftest import PASSWORD, otp_device, totp_code

CRITERIA = ["trigger", "suspect_at_large", "descriptive_info", "agency_head_authorized"]


def draft_body(**extra):
    body = {
        "trigger": "injured",
        "incident_at": "2026-05-14T09:30:00-05:00",
        "incident_city": "Austin",
        "incident_address": "100 Congress Ave",
        "incident_county": "453",
        "case_number": "CASE-SECRET-42",
        "last_seen_place": "I-35 northbound at 6th St",
        "direction": "N",
        "travel_mode": "vehicle",
        "statewide": True,
        "suspects": [{"name": "John Roe", "age": 34, "sex": "Male", "height": "5'10\"", "armed_and_dangerous": True}],
        "vehicles": [
            {"year": 2019, "make": "Ford", "model": "F-150", "color": "Black", "plate": "abc 1234", "plate_state": "TX"}
        ],
        "criteria": CRITERIA,
        "regenerate_texts": True,
    }
    body.update(extra)
    return body


def create_draft(api_as, user, **extra):
    response = api_as(user).post("/api/v1/alerts/", draft_body(**extra), format="json")
    assert response.status_code == 201, response.json()
    return Alert.objects.get(public_id=response.json()["public_id"])


def url(alert, action=""):
    return f"/api/v1/alerts/{alert.public_id}/" + (f"{action}/" if action else "")


def fingerprint(alert):
    alert.refresh_from_db()
    return (
        alert.status,
        alert.update_state,
        alert.updated_at,
        alert.messages.count(),
        alert.suspects.count(),
        alert.headline,
        AuditEvent.objects.filter(target_type="alerts.alert", target_id=str(alert.pk)).count(),
    )


def test_an_alert_goes_from_draft_to_approved_to_resolved_through_the_api_alone(
    api_as, alice, carol, django_capture_on_commit_callbacks, mailoutbox
):
    alert = create_draft(api_as, alice)
    assert alert.status == "draft" and alert.suspects.get().name == "John Roe"
    assert alert.vehicles.get().plate == "ABC1234" and alert.incident_county.fips == "453"
    assert alert.attestations.count() == len(CRITERIA) and alert.headline

    response = api_as(alice).post(url(alert, "submit"), {}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "pending"

    with django_capture_on_commit_callbacks(execute=False):
        response = api_as(carol).post(url(alert, "approve"), {"password": PASSWORD}, format="json")
    assert response.status_code == 200, response.json()
    alert.refresh_from_db()
    assert alert.status == "active" and alert.decided_by == carol
    assert list(alert.messages.values_list("kind", flat=True)) == ["Alert"]

    with django_capture_on_commit_callbacks(execute=False):
        response = api_as(carol).post(
            url(alert, "resolve"), {"password": PASSWORD, "outcome": "apprehended"}, format="json"
        )
    assert response.status_code == 200, response.json()
    alert.refresh_from_db()
    assert alert.status == "resolved" and alert.outcome == "apprehended"
    assert list(alert.messages.order_by("sequence").values_list("kind", flat=True)) == ["Alert", "Cancel"]
    actions = list(AuditEvent.objects.filter(target_id=str(alert.pk)).values_list("action", flat=True))
    for action in ("alert.created", "alert.submitted", "alert.approved", "alert.resolved"):
        assert action in actions

    messages = api_as(alice).get(url(alert, "messages")).json()["results"]
    assert [m["kind"] for m in messages] == ["Alert", "Cancel"]
    one = api_as(alice).get(url(alert, f"messages/{messages[0]['message_id']}")).json()
    assert "cap_xml" in one


def test_the_drafter_cannot_approve_their_own_alert_even_as_coordinator(api_as, alice, carol, agency_a):
    from agencies.services import membership_grant

    membership_grant(actor=None, user=carol, role="agency_staff", agency=agency_a)
    alert = create_draft(api_as, carol)
    assert api_as(carol).post(url(alert, "submit"), {}, format="json").status_code == 200
    before = fingerprint(alert)
    response = api_as(carol).post(url(alert, "approve"), {"password": PASSWORD}, format="json")
    assert response.status_code == 403
    assert "Two-person" in response.json()["detail"]
    assert fingerprint(alert) == before


@pytest.fixture
def pending(api_as, alice):
    alert = create_draft(api_as, alice)
    assert api_as(alice).post(url(alert, "submit"), {}, format="json").status_code == 200
    return alert


def test_approval_without_a_password_or_with_a_wrong_one_is_refused_and_changes_nothing(api_as, carol, pending):
    before = fingerprint(pending)
    response = api_as(carol).post(url(pending, "approve"), {}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "reauth_required"
    response = api_as(carol).post(url(pending, "approve"), {"password": "wrong password!"}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "reauth_required"
    assert fingerprint(pending) == before


def test_a_browser_session_that_confirmed_its_password_may_approve_without_sending_it(login, carol, pending):
    client = login(carol)
    response = client.post("/accounts/reauth/", {"password": PASSWORD, "otp_token": totp_code(otp_device(carol))})
    assert response.status_code == 302
    response = client.post(url(pending, "approve"), {}, content_type="application/json")
    assert response.status_code == 200, response.json()
    pending.refresh_from_db()
    assert pending.status == "active"


def test_with_an_authenticator_enrolled_the_api_needs_its_code_too(api_as, carol, pending):
    device = otp_device(carol)
    before = fingerprint(pending)
    response = api_as(carol).post(url(pending, "approve"), {"password": PASSWORD}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "reauth_required"
    response = api_as(carol).post(url(pending, "approve"), {"password": PASSWORD, "otp_token": "000000"}, format="json")
    assert response.status_code == 403
    assert fingerprint(pending) == before
    device.refresh_from_db()
    device.throttle_reset()  # django-otp slows retries after a wrong code
    response = api_as(carol).post(
        url(pending, "approve"), {"password": PASSWORD, "otp_token": totp_code(device)}, format="json"
    )
    assert response.status_code == 200, response.json()


@pytest.mark.parametrize("persona", ["alice", "albert", "yves", "mallory", "nora"])
def test_only_a_coordinator_of_the_state_may_approve(api_as, request, pending, persona):
    user = request.getfixturevalue(persona)
    before = fingerprint(pending)
    response = api_as(user).post(url(pending, "approve"), {"password": PASSWORD}, format="json")
    assert response.status_code == {"yves": 404, "mallory": 404}.get(persona, 403)
    assert response.json()["detail"]
    assert fingerprint(pending) == before


def test_anonymous_gets_401_json_and_nothing_changes(api_as, pending):
    before = fingerprint(pending)
    for method, action in (("get", ""), ("post", "approve"), ("patch", ""), ("post", "submit")):
        response = getattr(api_as(None), method)(url(pending, action), {}, format="json")
        assert response.status_code == 401
        assert response.json()["code"] == "not_authenticated"
        assert "Token" in response["WWW-Authenticate"]
    assert api_as(None).get("/api/v1/alerts/").status_code == 401
    assert fingerprint(pending) == before


def test_return_and_deny_need_a_reason_named_by_field(api_as, carol, pending):
    before = fingerprint(pending)
    response = api_as(carol).post(url(pending, "return"), {"reason": ""}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["fields"]
    assert fingerprint(pending) == before
    response = api_as(carol).post(url(pending, "return"), {"reason": "Add the plate state."}, format="json")
    assert response.status_code == 200
    assert response.json()["status"] == "returned"


def test_deny_needs_reauthentication(api_as, carol, cora, pending):
    before = fingerprint(pending)
    assert api_as(carol).post(url(pending, "deny"), {"reason": "Not a Blue Alert"}, format="json").status_code == 403
    assert fingerprint(pending) == before
    response = api_as(cora).post(
        url(pending, "deny"), {"reason": "Not a Blue Alert", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "denied"


def test_a_second_decision_is_a_409_and_changes_nothing(api_as, carol, cora, pending):
    assert api_as(carol).post(url(pending, "approve"), {"password": PASSWORD}, format="json").status_code == 200
    before = fingerprint(pending)
    response = api_as(cora).post(url(pending, "return"), {"reason": "too late"}, format="json")
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_transition"
    assert fingerprint(pending) == before


def test_submitting_an_incomplete_draft_names_what_is_missing(api_as, alice):
    alert = create_draft(api_as, alice, criteria=[], suspects=[])
    before = fingerprint(alert)
    response = api_as(alice).post(url(alert, "submit"), {}, format="json")
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert "criteria" in fields and "suspects" in fields
    assert fingerprint(alert) == before


def test_editing_a_draft_replaces_suspects_and_keeps_listed_ones(api_as, alice):
    alert = create_draft(api_as, alice)
    kept = alert.suspects.get()
    response = api_as(alice).patch(
        url(alert),
        {
            "suspects": [{"id": kept.pk, "name": "John Roe Jr."}, {"name": "Second Person", "age": 22}],
            "headline": "Blue Alert \u2013 \u201cnew\u201d",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert [s["name"] for s in response.json()["suspects"]] == ["John Roe Jr.", "Second Person"]
    assert response.json()["headline"] == 'Blue Alert - "new"'
    response = api_as(alice).patch(url(alert), {"suspects": [{"id": kept.pk, "name": "Only"}]}, format="json")
    assert [s["name"] for s in response.json()["suspects"]] == ["Only"]


def test_field_errors_are_named_by_field_including_nested_ones(api_as, alice):
    before = Alert.objects.count()
    response = api_as(alice).post(
        "/api/v1/alerts/", draft_body(trigger="bogus", suspects=[{"age": -1}], incident_county="999"), format="json"
    )
    assert response.status_code == 400
    fields = response.json()["fields"]
    assert "trigger" in fields and "suspects.0.age" in fields
    assert Alert.objects.count() == before
    response = api_as(alice).post("/api/v1/alerts/", draft_body(incident_county="999"), format="json")
    assert response.status_code == 400 and "incident_county" in response.json()["fields"]
    assert Alert.objects.count() == before


def test_a_wea_text_over_its_limit_is_refused_like_on_the_page(api_as, alice):
    alert = create_draft(api_as, alice)
    response = api_as(alice).patch(url(alert), {"wea_short_en": "x" * 95}, format="json")
    assert response.status_code == 400 and "wea_short_en" in response.json()["fields"]


@pytest.mark.parametrize("persona", ["mallory", "yves"])
def test_other_tenants_cannot_see_or_edit_agency_a_drafts(api_as, request, alice, persona):
    alert = create_draft(api_as, alice)
    user = request.getfixturevalue(persona)
    before = fingerprint(alert)
    assert api_as(user).get(url(alert)).status_code == 404
    assert api_as(user).patch(url(alert), {"headline": "pwned"}, format="json").status_code == 404
    assert api_as(user).post(url(alert, "submit"), {}, format="json").status_code == 404
    assert str(alert.public_id) not in str(api_as(user).get("/api/v1/alerts/").json())
    assert fingerprint(alert) == before


def test_mallory_cannot_create_a_draft_for_agency_a(api_as, mallory, agency_a):
    before = Alert.objects.count()
    response = api_as(mallory).post("/api/v1/alerts/", draft_body(agency=str(agency_a.public_id)), format="json")
    assert response.status_code == 400 and "agency" in response.json()["fields"]
    assert Alert.objects.count() == before


@pytest.mark.parametrize("persona", ["carol", "nora"])
def test_coordinators_and_national_admins_cannot_edit_a_draft(api_as, request, alice, persona):
    alert = create_draft(api_as, alice)
    user = request.getfixturevalue(persona)
    before = fingerprint(alert)
    response = api_as(user).patch(url(alert), {"headline": "x"}, format="json")
    assert response.status_code in (403, 404)
    assert fingerprint(alert) == before


def test_the_list_is_scoped_and_filterable(api_as, alice, carol, yves, nora, mallory):
    a = create_draft(api_as, alice)
    b = create_draft(api_as, mallory, incident_county="001", incident_city="Albany", vehicles=[])
    ids = lambda user, **q: {r["public_id"] for r in api_as(user).get("/api/v1/alerts/", q).json()["results"]}  # noqa: E731
    assert ids(alice) == {str(a.public_id)}
    assert ids(mallory) == {str(b.public_id)}
    assert ids(carol) == {str(a.public_id)}
    assert ids(yves) == {str(b.public_id)}
    assert ids(nora) == {str(a.public_id), str(b.public_id)}
    assert ids(nora, state="NY") == {str(b.public_id)}
    assert ids(nora, status="pending") == set()
    assert ids(nora, agency=str(a.agency.public_id)) == {str(a.public_id)}
    assert ids(nora, created_after="2999-01-01") == set()
    response = api_as(nora).get("/api/v1/alerts/", {"status": "nonsense"})
    assert response.status_code == 400 and "status" in response.json()["fields"]


def test_the_review_queue_lists_pending_alerts_for_the_state_coordinators_only(api_as, carol, yves, alice, pending):
    assert [r["public_id"] for r in api_as(carol).get("/api/v1/alerts/review-queue/").json()["results"]] == [
        str(pending.public_id)
    ]
    assert api_as(yves).get("/api/v1/alerts/review-queue/").json()["results"] == []
    assert api_as(alice).get("/api/v1/alerts/review-queue/").json()["results"] == []


def _png() -> io.BytesIO:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(buf, format="PNG")
    buf.seek(0)
    buf.name = "photo.png"
    return buf


def test_photos_are_uploaded_as_multipart_and_removed(api_as, alice, mallory):
    alert = create_draft(api_as, alice)
    suspect = alert.suspects.get()
    response = api_as(alice).post(
        url(alert, "photos"), {"image": _png(), "caption": "Suspect", "suspect": suspect.pk}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    photo_id = response.json()["public_id"]
    assert alert.photos.get().suspect == suspect
    assert api_as(mallory).delete(url(alert, f"photos/{photo_id}")).status_code == 404
    assert api_as(alice).delete(url(alert, f"photos/{photo_id}")).status_code == 204
    assert alert.photos.get().removed


def test_a_non_image_upload_is_a_400_and_stores_nothing(api_as, alice):
    alert = create_draft(api_as, alice)
    fake = io.BytesIO(b"<svg xmlns='http://www.w3.org/2000/svg'></svg>")
    fake.name = "x.png"
    response = api_as(alice).post(url(alert, "photos"), {"image": fake}, format="multipart")
    assert response.status_code == 400 and response.json()["detail"]
    assert alert.photos.count() == 0


def test_an_update_is_started_edited_submitted_and_approved_by_another_coordinator(
    api_as, alice, carol, cora, django_capture_on_commit_callbacks
):
    alert = create_draft(api_as, alice)
    api_as(alice).post(url(alert, "submit"), {}, format="json")
    with django_capture_on_commit_callbacks(execute=False):
        api_as(carol).post(url(alert, "approve"), {"password": PASSWORD}, format="json")
    assert api_as(alice).post(url(alert, "update")).json()["update_state"] == "draft"
    assert api_as(alice).patch(url(alert), {"last_seen_place": "I-35 at Round Rock"}, format="json").status_code == 200
    response = api_as(alice).post(url(alert, "submit"), {"note": "New sighting"}, format="json")
    assert response.status_code == 200 and response.json()["update_state"] == "pending"
    with django_capture_on_commit_callbacks(execute=False):
        response = api_as(cora).post(url(alert, "approve"), {"password": PASSWORD}, format="json")
    assert response.status_code == 200, response.json()
    assert list(Message.objects.filter(alert=alert).values_list("kind", flat=True)) == ["Alert", "Update"]


def test_agency_staff_ask_to_resolve_and_cannot_resolve_themselves(
    api_as, alice, carol, django_capture_on_commit_callbacks
):
    alert = create_draft(api_as, alice)
    api_as(alice).post(url(alert, "submit"), {}, format="json")
    with django_capture_on_commit_callbacks(execute=False):
        api_as(carol).post(url(alert, "approve"), {"password": PASSWORD}, format="json")
    before = fingerprint(alert)
    response = api_as(alice).post(
        url(alert, "resolve"), {"outcome": "apprehended", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 403
    assert fingerprint(alert) == before
    response = api_as(alice).post(url(alert, "request-resolve"), {"outcome": "apprehended"}, format="json")
    assert response.status_code == 200 and response.json()["resolve_requested_by"] == alice.email
