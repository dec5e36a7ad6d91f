"""Atom feeds: valid Atom, one entry per active alert linking its latest CAP message, plus the
cancellations of the last 24 hours; per state; a fixed number of queries."""

from datetime import timedelta

import feedparser
import pytest
from django.conf import settings
from django.utils import timezone

from alerts.models import Alert, Message
from alerts.tests.public_factory import approve, end, make_alert


@pytest.fixture
def live(agency_a, alice, carol):
    alert = make_alert(agency_a, alice)
    approve(alert, carol)
    return alert


def parse(client, path="/feeds/alerts.atom"):
    response = client.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.get("bozo_exception")
    return feed, response


def test_the_feed_is_valid_atom_with_one_entry_per_active_alert_linking_its_latest_cap(client, live, carol):
    update = approve(live, carol, kind=Message.Kind.UPDATE, sent_at=timezone.now() + timedelta(minutes=1))
    feed, response = parse(client)
    assert feed.version == "atom10"
    assert len(feed.entries) == 1
    entry = feed.entries[0]
    assert entry.id == update.identifier
    assert entry.link == f"{settings.SITE_URL}/cap/{update.message_id}.xml"
    assert any(link.get("type") == "application/cap+xml" for link in entry.links)
    assert any(link.href == f"{settings.SITE_URL}/alerts/{live.public_id}/" for link in entry.links)
    assert entry.title.startswith("BLUE ALERT")
    assert not response.cookies and response["ETag"] and response["Last-Modified"]
    # the linked CAP message is served
    assert client.get(f"/cap/{update.message_id}.xml").status_code == 200


def test_cancellations_stay_in_the_feed_for_24_hours(client, live, carol, agency_a, alice):
    cancel = end(live, carol, status=Alert.Status.CANCELLED, sent_at=timezone.now() - timedelta(hours=2))
    old = make_alert(agency_a, alice)
    approve(old, carol, sent_at=timezone.now() - timedelta(days=3))
    end(old, carol, sent_at=timezone.now() - timedelta(hours=25))
    feed, _ = parse(client)
    assert [e.id for e in feed.entries] == [cancel.identifier]
    assert "ENDED" in feed.entries[0].title


def test_an_empty_feed_is_still_valid_and_stable(client, db):
    feed, first = parse(client)
    assert feed.entries == []
    _, second = parse(client)
    assert first["ETag"] == second["ETag"]


def test_the_state_feed_holds_only_that_states_alerts(client, live, agency_b, mallory, yves):
    other = make_alert(agency_b, mallory, counties=("001",))
    approve(other, yves)
    tx, _ = parse(client, "/feeds/states/TX.atom")
    ny, _ = parse(client, "/feeds/states/NY.atom")
    assert [e.id for e in tx.entries] == [live.messages.get().identifier]
    assert [e.id for e in ny.entries] == [other.messages.get().identifier]
    assert client.get("/feeds/states/tx.atom").status_code == 404


def test_exercises_and_unapproved_alerts_never_enter_a_feed(client, agency_a, alice, carol):
    exercise = make_alert(agency_a, alice, exercise=True)
    approve(exercise, carol)
    make_alert(agency_a, alice, status=Alert.Status.PENDING)
    feed, _ = parse(client)
    assert feed.entries == []


def test_the_feed_runs_a_fixed_number_of_queries(client, live, carol, agency_a, alice, django_assert_num_queries):
    # public alerts with their messages, and when an alert last ended (the date of an empty feed)
    with django_assert_num_queries(3):
        client.get("/feeds/alerts.atom")
    for _ in range(3):
        more = make_alert(agency_a, alice)
        approve(more, carol)
        approve(more, carol, kind=Message.Kind.UPDATE)
    with django_assert_num_queries(3):
        feed = feedparser.parse(client.get("/feeds/alerts.atom").content)
    assert len(feed.entries) == 4
    with django_assert_num_queries(4):  # and the state
        client.get("/feeds/states/TX.atom")
