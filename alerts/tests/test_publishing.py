"""Publishing: approval, update and cancellation write every artifact, atomically, to storage."""

import json
import os
from datetime import timedelta

import feedparser
import pytest
from django.core.files.storage import storages
from django.core.management import call_command
from django.utils import timezone
from lxml import etree

from alerts import cap, publishing
from alerts.models import Alert, Message
from alerts.tests.public_factory import approve, end, make_alert

NS = {"cap": cap.CAP_NS}


def published(name: str) -> bytes:
    with storages["publish"].open(name, "rb") as f:
        return f.read()


def exists(name: str) -> bool:
    return storages["publish"].exists(name)


def artifact_names(alert: Alert) -> list[str]:
    pid = alert.public_id
    names = [
        f"alerts/{pid}/index.html",
        f"alerts/{pid}/index.es.html",
        f"alerts/{pid}/cap.xml",
        f"alerts/{pid}/alert.json",
        "index.html",
        "alerts/archive/index.html",
        "feeds/alerts.atom",
        f"feeds/states/{alert.state.usps}.atom",
        f"states/{alert.state.usps}/index.html",
    ]
    names += [f"cap/{m.message_id}.xml" for m in alert.messages.all()]
    last = alert.messages.last()
    assert last is not None, "the alert has no message"
    names += [f"alerts/{pid}/photos/{p['public_id']}.jpg" for p in last.snapshot["photos"]]
    return names


@pytest.fixture
def live(agency_a, alice, carol):
    alert = make_alert(agency_a, alice)
    approve(alert, carol)
    publishing.alert_publish(alert_id=alert.pk)
    return alert


def test_approving_an_alert_produces_every_artifact_in_storage(live):
    for name in artifact_names(live):
        assert exists(name), name
    message = live.messages.get()
    assert published(f"cap/{message.message_id}.xml").decode() == Message.objects.get(pk=message.pk).cap_xml
    assert published(f"alerts/{live.public_id}/cap.xml") == published(f"cap/{message.message_id}.xml")
    assert b"BLUE ALERT" in published(f"alerts/{live.public_id}/index.html")
    assert b"ALERTA AZUL" in published(f"alerts/{live.public_id}/index.es.html")
    assert str(live.public_id).encode() in published("index.html")
    assert str(live.public_id).encode() not in published("alerts/archive/index.html")
    doc = json.loads(published(f"alerts/{live.public_id}/alert.json"))
    assert doc["status"] == "active" and doc["messages"][0]["identifier"] == message.identifier
    feed = feedparser.parse(published("feeds/alerts.atom"))
    assert not feed.bozo
    assert [e.id for e in feed.entries] == [message.identifier]


def test_publishing_sets_file_times_to_the_contents_last_modified(live):
    message = live.messages.get()
    path = storages["publish"].path(f"cap/{message.message_id}.xml")
    assert int(os.path.getmtime(path)) == int(message.sent_at.timestamp())


def test_an_update_changes_the_artifacts_and_keeps_the_earlier_cap_message(live, carol):
    first = live.messages.get()
    first_cap = published(f"cap/{first.message_id}.xml")
    Alert.objects.filter(pk=live.pk).update(last_seen_place="US-290 westbound at Dripping Springs", direction="W")
    live.refresh_from_db()
    update = approve(
        live, carol, kind=Message.Kind.UPDATE, note="Seen heading west", sent_at=timezone.now() + timedelta(minutes=3)
    )
    publishing.alert_publish(alert_id=live.pk)

    assert published(f"cap/{first.message_id}.xml") == first_cap
    latest = etree.fromstring(published(f"alerts/{live.public_id}/cap.xml"))
    assert latest.findtext("cap:identifier", namespaces=NS) == update.identifier
    assert first.identifier in latest.findtext("cap:references", namespaces=NS)
    page = published(f"alerts/{live.public_id}/index.html").decode()
    assert "Dripping Springs" in page and "Seen heading west" in page
    feed = feedparser.parse(published("feeds/alerts.atom"))
    assert [e.id for e in feed.entries] == [update.identifier]


def test_a_cancellation_moves_the_alert_to_the_archive_with_its_banner(live, carol):
    cancel = end(
        live,
        carol,
        status=Alert.Status.CANCELLED,
        outcome=Alert.Outcome.NO_LONGER_USEFUL,
        sent_at=timezone.now() + timedelta(minutes=3),
    )
    publishing.alert_publish(alert_id=live.pk)

    page = published(f"alerts/{live.public_id}/index.html").decode()
    assert "CANCELLED" in page and "Alert no longer useful" in page
    assert "CANCELADA" in published(f"alerts/{live.public_id}/index.es.html").decode()
    assert str(live.public_id) not in published("index.html").decode()
    assert str(live.public_id) in published("alerts/archive/index.html").decode()
    assert exists(f"cap/{cancel.message_id}.xml")
    feed = feedparser.parse(published("feeds/alerts.atom"))
    assert [e.id for e in feed.entries] == [cancel.identifier]  # cancellations stay 24 hours


def test_an_update_that_removes_a_photo_removes_it_from_the_publish_root(live, carol):
    photo = live.photos.get(suspect__isnull=False)
    name = f"alerts/{live.public_id}/photos/{photo.public_id}.jpg"
    assert exists(name)
    live.photos.filter(pk=photo.pk).update(removed=True)
    approve(live, carol, kind=Message.Kind.UPDATE, sent_at=timezone.now() + timedelta(minutes=3))
    publishing.alert_publish(alert_id=live.pk)
    assert not exists(name)


def test_suspect_photos_are_withdrawn_after_the_configured_period(live, carol, settings):
    settings.PUBLIC_PHOTO_WITHDRAW_DAYS = 30
    end(live, carol, sent_at=timezone.now() - timedelta(days=31))
    publishing.alert_publish(alert_id=live.pk)
    suspect_photo = live.photos.get(suspect__isnull=False)
    vehicle_photo = live.photos.get(vehicle__isnull=False)
    assert not exists(f"alerts/{live.public_id}/photos/{suspect_photo.public_id}.jpg")
    assert exists(f"alerts/{live.public_id}/photos/{vehicle_photo.public_id}.jpg")
    page = published(f"alerts/{live.public_id}/index.html").decode()
    assert str(suspect_photo.public_id) not in page
    assert "Suspect photos have been withdrawn" in page


def test_the_withdraw_command_republishes_only_alerts_past_the_period(live, carol, settings):
    settings.PUBLIC_PHOTO_WITHDRAW_DAYS = 30
    end(live, carol, sent_at=timezone.now() - timedelta(days=10))
    publishing.alert_publish(alert_id=live.pk)
    suspect_photo = live.photos.get(suspect__isnull=False)
    name = f"alerts/{live.public_id}/photos/{suspect_photo.public_id}.jpg"
    assert exists(name)
    assert publishing.alerts_due_for_photo_withdrawal() == []
    settings.PUBLIC_PHOTO_WITHDRAW_DAYS = 5
    call_command("republish", "--withdraw-due")
    assert not exists(name)


def test_writes_are_atomic_and_leave_no_temporary_file(live, monkeypatch):
    name = "index.html"
    before = published(name)
    real_replace = os.replace

    def failing_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(publishing.os, "replace", failing_replace)
    with pytest.raises(OSError):
        publishing.write_atomic(name, b"half a file")
    monkeypatch.setattr(publishing.os, "replace", real_replace)
    assert published(name) == before
    leftovers = [f for f in os.listdir(storages["publish"].path("")) if f.startswith(".publish-")]
    assert leftovers == []


def test_an_exercise_alert_publishes_nothing(agency_a, alice, carol):
    alert = make_alert(agency_a, alice, exercise=True)
    approve(alert, carol)
    publishing.alert_publish(alert_id=alert.pk)
    assert not exists(f"alerts/{alert.public_id}/index.html")
    assert not exists("index.html")


@pytest.mark.parametrize("status", ["draft", "pending", "returned", "denied"])
def test_an_unapproved_alert_publishes_nothing(agency_a, alice, status):
    alert = make_alert(agency_a, alice, status=status)
    publishing.alert_publish(alert_id=alert.pk)
    assert not exists(f"alerts/{alert.public_id}/index.html")


def test_republish_rebuilds_everything(live, agency_b, mallory, yves):
    other = make_alert(agency_b, mallory, counties=("001",))
    approve(other, yves)
    storage = storages["publish"]
    for name in artifact_names(live):
        storage.delete(name)
    call_command("republish")
    for name in artifact_names(live) + artifact_names(other):
        assert exists(name), name
    assert exists("feeds/states/CA.atom")  # every state has its (possibly empty) feed
    ny = feedparser.parse(published("feeds/states/NY.atom"))
    assert [e.id for e in ny.entries] == [other.messages.get().identifier]  # mallory's NY alert only


def test_the_publish_task_runs_the_publisher(agency_a, alice, carol):
    from alerts.tasks import alert_publish

    alert = make_alert(agency_a, alice)
    approve(alert, carol)
    alert_publish.apply(args=[alert.pk])  # in-process, with or without a broker
    assert exists(f"alerts/{alert.public_id}/index.html")
