"""Nothing internal ever reaches a public artifact: a fully filled alert, with unique markers in
every internal field and a private officer, is published (every message, both languages, JSON,
CAP, home, state page, archive, feeds) and every byte is searched for every marker."""

import shutil
from datetime import timedelta

from django.core.files.storage import storages
from django.utils import timezone

from alerts import publishing
from alerts.models import Alert, Message
from alerts.tests.public_factory import PRIVATE_MARKERS, approve, end, make_alert


def all_published_bytes() -> dict[str, bytes]:
    storage = storages["publish"]
    out = {}

    def walk(prefix: str) -> None:
        dirs, files = storage.listdir(prefix)
        for name in files:
            path = f"{prefix}/{name}" if prefix else name
            with storage.open(path, "rb") as f:
                out[path] = f.read()
        for d in dirs:
            walk(f"{prefix}/{d}" if prefix else d)

    walk("")
    return out


def assert_no_marker(name: str, content: bytes) -> None:
    text = content.decode("utf-8", errors="replace")
    for field, marker in PRIVATE_MARKERS.items():
        assert marker not in text, f"{field} leaked into {name}"


def test_no_internal_field_appears_in_any_public_artifact(client, agency_a, alice, carol):
    alert = make_alert(agency_a, alice, extra_states=("OK",))
    Alert.objects.filter(pk=alert.pk).update(officer_release=Alert.OfficerRelease.LAW_ENFORCEMENT)
    alert.refresh_from_db()
    now = timezone.now()
    approve(alert, carol, sent_at=now - timedelta(minutes=30))
    publishing.alert_publish(alert_id=alert.pk)
    approve(
        alert, carol, kind=Message.Kind.UPDATE, note="Vehicle seen in Round Rock", sent_at=now - timedelta(minutes=20)
    )
    publishing.alert_publish(alert_id=alert.pk)
    # The active list and the pages of an ongoing alert, before it ends.
    artifacts = all_published_bytes()
    end(alert, carol, sent_at=now - timedelta(minutes=10))
    publishing.alert_publish(alert_id=alert.pk)
    artifacts.update({f"after-end:{k}": v for k, v in all_published_bytes().items()})

    pid = alert.public_id
    for name in (
        f"alerts/{pid}/index.html",
        f"alerts/{pid}/index.es.html",
        f"alerts/{pid}/alert.json",
        f"alerts/{pid}/cap.xml",
        "index.html",
        "alerts/archive/index.html",
        "feeds/alerts.atom",
        "feeds/states/TX.atom",
        "feeds/states/OK.atom",
        "states/TX/index.html",
    ):
        assert name in artifacts, name
    assert sum(1 for n in artifacts if n.startswith("after-end:cap/")) == 3
    for name, content in artifacts.items():
        assert_no_marker(name, content)

    # The fallback views render the same things when nothing is published; and each stored CAP message.
    shutil.rmtree(storages["publish"].path(""))
    for path in (
        f"/alerts/{pid}/",
        f"/alerts/{pid}/?lang=es",
        f"/alerts/{pid}/alert.json",
        f"/alerts/{pid}/cap.xml",
        "/",
        "/alerts/archive/",
        "/feeds/alerts.atom",
        "/feeds/states/TX.atom",
        "/states/TX/",
    ):
        response = client.get(path)
        assert response.status_code == 200, path
        assert_no_marker(path, response.content)
    for message in alert.messages.all():
        assert_no_marker(f"cap {message.sequence}", message.cap_xml.encode())
    # the markers really are in the internal fields (a test that cannot fail is a defect)
    alert.refresh_from_db()
    assert alert.case_number == PRIVATE_MARKERS["case_number"]
    assert PRIVATE_MARKERS["private_notes"] in str(alert.messages.first().snapshot)


def test_an_officer_released_to_the_public_does_appear(client, agency_a, alice, carol):
    alert = make_alert(agency_a, alice)
    Alert.objects.filter(pk=alert.pk).update(officer_release=Alert.OfficerRelease.PUBLIC)
    alert.refresh_from_db()
    approve(alert, carol)
    publishing.alert_publish(alert_id=alert.pk)
    artifacts = all_published_bytes()
    assert PRIVATE_MARKERS["officer_name"].encode() in artifacts[f"alerts/{alert.public_id}/index.html"]
    # ...but never the case file
    for name, content in artifacts.items():
        text = content.decode("utf-8", errors="replace")
        for field in ("case_number", "ncic_number", "case_contact", "private_notes"):
            assert PRIVATE_MARKERS[field] not in text, f"{field} leaked into {name}"


def test_mallorys_other_state_alert_leaks_nothing_into_texas_artifacts(agency_a, alice, carol, agency_b, mallory, yves):
    other = make_alert(agency_b, mallory, counties=("001",))
    approve(other, yves)
    mine = make_alert(agency_a, alice, private=False)
    approve(mine, carol)
    publishing.site_republish()
    artifacts = all_published_bytes()
    assert str(other.public_id).encode() not in artifacts["states/TX/index.html"]
    assert str(other.public_id).encode() not in artifacts["feeds/states/TX.atom"]
    for name, content in artifacts.items():
        assert_no_marker(name, content)
