"""The subscriber's own subscription through its signed link, and a message's delivery summary."""

import pytest

from notifications.models import MediaSubscriber
from notifications.services.subscribers import subscriber_manage_token
from outbox.models import Delivery
from portal.tests.api_support import make_published_alert


@pytest.fixture
def outlet(state_x):
    subscriber = MediaSubscriber.objects.create(
        organisation="KXAN",
        outlet_type="tv",
        contact_name="Newsdesk",
        email="desk@kxan.example",
        phone="512",
        status=MediaSubscriber.Status.VERIFIED,
    )
    subscriber.states.set([state_x])
    return subscriber


def sub_url(subscriber, action=""):
    return f"/api/v1/subscription/{subscriber_manage_token(subscriber)}/" + (f"{action}/" if action else "")


def test_a_subscriber_reads_and_changes_its_subscription_through_its_link(api_as, outlet):
    response = api_as(None).get(sub_url(outlet))
    assert response.status_code == 200
    assert response.json()["states"] == ["TX"] and response["Cache-Control"] == "no-store"
    response = api_as(None).patch(
        sub_url(outlet), {"states": ["TX", "NY"], "counties": ["48453"], "language": "both"}, format="json"
    )
    assert response.status_code == 200, response.json()
    outlet.refresh_from_db()
    assert set(outlet.states.values_list("usps", flat=True)) == {"TX", "NY"}
    assert outlet.language == "both" and outlet.counties.get().fips == "453"


def test_a_bad_or_rotated_link_is_a_404_and_changes_nothing(api_as, outlet):
    old = sub_url(outlet)
    assert api_as(None).get("/api/v1/subscription/not-a-token/").status_code == 404
    outlet.manage_nonce = "rotated"
    outlet.save()
    assert api_as(None).patch(old, {"language": "es"}, format="json").status_code == 404
    assert api_as(None).post(old + "unsubscribe/").status_code == 404
    outlet.refresh_from_db()
    assert outlet.language == "en" and outlet.status == "verified"


def test_unknown_areas_are_field_errors(api_as, outlet):
    response = api_as(None).patch(sub_url(outlet), {"states": ["ZZ"], "counties": ["99999"]}, format="json")
    assert response.status_code == 400 and {"states", "counties"} <= set(response.json()["fields"])


def test_unsubscribing_through_the_link(api_as, outlet):
    response = api_as(None).post(sub_url(outlet, "unsubscribe"))
    assert response.status_code == 200 and response.json()["status"] == "unsubscribed"
    response = api_as(None).patch(sub_url(outlet), {"language": "es"}, format="json")
    assert response.status_code == 409


def test_mallory_with_a_token_gets_nothing_more_from_another_link(api_as, outlet, mallory):
    response = api_as(mallory).get("/api/v1/subscription/forged/")
    assert response.status_code == 404


@pytest.fixture
def published(agency_a, alice):
    return make_published_alert(agency_a, alice)


def _deliveries_url(alert):
    message = alert.messages.get()
    return f"/api/v1/alerts/{alert.public_id}/messages/{message.message_id}/deliveries/"


def test_the_coordinator_sees_the_delivery_summary(api_as, carol, nora, published, outlet):
    Delivery.objects.create(
        message=published.messages.get(),
        recipient_key=outlet.recipient_key,
        audience="media",
        address=outlet.email,
        subscriber=outlet,
        status="sent",
    )
    body = api_as(carol).get(_deliveries_url(published)).json()
    assert body["total"] == 1 and body["sent"] == 1 and body["done"] is True
    assert api_as(nora).get(_deliveries_url(published)).status_code == 200


@pytest.mark.parametrize("persona", ["alice", "albert", "yves", "mallory"])
def test_others_do_not_see_deliveries(api_as, request, published, persona):
    assert api_as(request.getfixturevalue(persona)).get(_deliveries_url(published)).status_code == 404


def test_anonymous_gets_401_for_deliveries(api_as, published):
    assert api_as(None).get(_deliveries_url(published)).status_code == 401
