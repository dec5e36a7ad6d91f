"""The public alerts API: exactly what the public page shows, cacheable, 404 for anything unpublished."""

import json

import pytest

from portal.tests.api_support import make_published_alert

LIST = "/api/v1/public/alerts/"


def detail(alert):
    return f"/api/v1/public/alerts/{alert.public_id}/"


@pytest.fixture
def active(agency_a, alice):
    return make_published_alert(agency_a, alice)


def test_anonymous_reads_an_active_alert_without_internal_fields(api_as, active):
    response = api_as(None).get(detail(active))
    assert response.status_code == 200
    body = response.json()
    assert body["public_id"] == str(active.public_id)
    assert body["status"] == "active"
    assert body["texts"]["headline"] == "Blue Alert: armed suspect"
    assert body["suspects"][0]["name"] == "John Roe"
    assert body["officer"] is None
    raw = json.dumps(body)
    for secret in ("CASE-SECRET-42", "Informant", "Det. Secret", "Officer Hidden", "internal"):
        assert secret not in raw
    assert body["messages"][0]["kind"] == "Alert"
    assert body["messages"][0]["cap_url"].endswith(f"/cap/{active.messages.get().message_id}.xml")
    assert body["cap_url"].endswith(f"/alerts/{active.public_id}/cap.xml")


def test_the_officer_appears_only_when_released_to_the_public(api_as, agency_a, alice):
    released = make_published_alert(agency_a, alice, officer_release="public")
    le_only = make_published_alert(agency_a, alice, officer_release="law_enforcement")
    assert api_as(None).get(detail(released)).json()["officer"]["name"] == "Officer Hidden"
    assert api_as(None).get(detail(le_only)).json()["officer"] is None


def test_content_comes_from_the_latest_message_not_the_working_copy(api_as, active):
    active.headline = "Unapproved edit in the working copy"
    active.save()
    assert api_as(None).get(detail(active)).json()["texts"]["headline"] == "Blue Alert: armed suspect"


@pytest.mark.parametrize("status", ["draft", "pending", "returned", "denied"])
def test_unpublished_alerts_are_a_json_404(api_as, agency_a, alice, status):
    alert = make_published_alert(agency_a, alice, status=status, messages=())
    response = api_as(None).get(detail(alert))
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert str(alert.public_id) not in json.dumps(api_as(None).get(LIST).json())


def test_an_exercise_is_never_public(api_as, agency_a, alice):
    alert = make_published_alert(agency_a, alice, is_exercise=True)
    assert api_as(None).get(detail(alert)).status_code == 404
    assert api_as(None).get(LIST).json()["count"] == 0


def test_a_mistyped_or_unknown_id_is_a_json_404(api_as, active):
    for url in ("/api/v1/public/alerts/not-a-uuid/", "/api/v1/public/alerts/6f1c7f4e-0000-4000-8000-000000000000/"):
        response = api_as(None).get(url)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json()["detail"]


def test_the_list_is_paginated_newest_first_and_filters_by_state(api_as, agency_a, agency_b, alice, mallory):
    older = make_published_alert(agency_a, alice)
    newer = make_published_alert(agency_b, mallory, status="resolved", messages=("Alert", "Cancel"))
    body = api_as(None).get(LIST).json()
    assert body["count"] == 2
    assert [a["public_id"] for a in body["results"]] == [str(newer.public_id), str(older.public_id)]
    assert [a["public_id"] for a in api_as(None).get(LIST, {"state": "tx"}).json()["results"]] == [str(older.public_id)]
    assert api_as(None).get(LIST, {"status": "resolved"}).json()["count"] == 1
    assert [m["kind"] for m in body["results"][0]["messages"]] == ["Alert", "Cancel"]


def test_public_responses_are_cacheable_and_set_no_cookie(api_as, active):
    response = api_as(None).get(detail(active))
    assert response.status_code == 200
    assert "public" in response["Cache-Control"] and "max-age=60" in response["Cache-Control"]
    assert "stale-while-revalidate" in response["Cache-Control"]
    assert response["ETag"] and response["Last-Modified"]
    assert "Cookie" not in response.get("Vary", "")
    assert not response.cookies
    again = api_as(None).get(detail(active), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304
    assert not again.content
    listing = api_as(None).get(LIST)
    assert api_as(None).get(LIST, HTTP_IF_NONE_MATCH=listing["ETag"]).status_code == 304


def test_a_signed_in_user_gets_the_same_public_answer_without_vary_cookie(client, alice, active):
    client.force_login(alice)
    response = client.get(detail(active))
    assert response.status_code == 200
    assert "Cookie" not in response.get("Vary", "")
    assert "CASE-SECRET-42" not in response.content.decode()


def test_a_bad_token_does_not_break_public_reads(api_as, active):
    client = api_as(None)
    client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")
    assert client.get(detail(active)).status_code == 200


def test_anonymous_reads_are_throttled_per_ip(api_as, active, settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"anon": "2/minute", "user": "2/minute"},
    }
    client = api_as(None)
    assert client.get(LIST).status_code == 200
    assert client.get(LIST).status_code == 200
    response = client.get(LIST)
    assert response.status_code == 429
    assert response.json()["code"] == "throttled" and response["Retry-After"]


def test_mallory_sees_agency_a_public_alert_like_anyone_but_nothing_internal(api_as, active, mallory):
    body = api_as(mallory).get(detail(active)).json()
    assert "CASE-SECRET-42" not in json.dumps(body)
