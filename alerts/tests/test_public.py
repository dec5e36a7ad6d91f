"""The public site's fallback views: content from the approved snapshot, both languages, caching
headers without cookies, 404 for anything not public, and a fixed number of queries."""

import uuid
from datetime import timedelta

import pytest
from django.core.files.storage import storages
from django.urls import reverse
from django.utils import timezone

from alerts import publishing
from alerts.models import Alert, Message
from alerts.tests.public_factory import approve, end, make_alert


@pytest.fixture
def live(agency_a, alice, carol):
    alert = make_alert(agency_a, alice)
    approve(alert, carol)
    return alert


def public_paths(alert: Alert) -> list[str]:
    message = alert.messages.order_by("sequence").last()
    pid = alert.public_id
    paths = [
        f"/alerts/{pid}/",
        f"/alerts/{pid}/?lang=es",
        f"/alerts/{pid}/cap.xml",
        f"/alerts/{pid}/alert.json",
    ]
    if message:
        paths.append(f"/cap/{message.message_id}.xml")
        paths += [f"/alerts/{pid}/photos/{p['public_id']}.jpg" for p in message.snapshot["photos"]]
    else:
        paths += [f"/alerts/{pid}/photos/{p.public_id}.jpg" for p in alert.photos.all()]
    return paths


def assert_public_headers(response) -> None:
    assert not response.cookies, response.cookies
    assert "cookie" not in response.get("Vary", "").lower()
    assert response["ETag"]
    assert response["Last-Modified"]
    assert response["Cache-Control"].startswith("public")


def test_the_alert_page_shows_the_approved_content_with_a_call_link(client, live):
    response = client.get(f"/alerts/{live.public_id}/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "BLUE ALERT" in html and "Texas" in html
    assert 'href="tel:911"' in html and 'href="tel:+18005550199"' in html
    assert "ABC1234" in html and 'class="plate"' in html
    assert "I-35 northbound at Round Rock" in html and "North" in html
    assert "EXERCISE" not in html
    assert 'property="og:image"' in html and 'name="twitter:card"' in html
    assert "leaflet/leaflet.js" in html and 'data-lat="30.508300"' in html
    assert "30.50830, -97.67890" in html  # readable without JavaScript
    for photo in live.photos.all():
        assert str(photo.public_id) in html
    assert_public_headers(response)
    assert response["Cache-Control"] == "public, max-age=60, stale-while-revalidate=300"


def test_the_page_is_in_spanish_with_lang_es_and_links_the_other_language(client, live):
    es = client.get(f"/alerts/{live.public_id}/?lang=es").content.decode()
    assert '<html lang="es">' in es and "ALERTA AZUL" in es and "No se acerque" in es
    assert "oficial de policía de Austin" in es
    assert f'href="/alerts/{live.public_id}/"' in es and "View in English" in es
    en = client.get(f"/alerts/{live.public_id}/").content.decode()
    assert f'href="/alerts/{live.public_id}/?lang=es"' in en and "Ver en español" in en


def test_the_page_renders_the_snapshot_not_an_unapproved_update_draft(client, live):
    Alert.objects.filter(pk=live.pk).update(last_seen_place="DRAFT PLACE not approved", update_state="draft")
    html = client.get(f"/alerts/{live.public_id}/").content.decode()
    assert "DRAFT PLACE" not in html
    assert "I-35 northbound at Round Rock" in html


def test_updates_appear_as_a_timeline_newest_first(client, live, carol):
    approve(
        live,
        carol,
        kind=Message.Kind.UPDATE,
        note="Vehicle found abandoned",
        sent_at=timezone.now() + timedelta(minutes=2),
    )
    html = client.get(f"/alerts/{live.public_id}/").content.decode()
    assert html.index("Alert updated") < html.index("Alert issued")
    assert "Vehicle found abandoned" in html


def test_a_resolved_alert_keeps_its_page_with_a_banner_and_the_outcome(client, live, carol):
    end(live, carol)
    html = client.get(f"/alerts/{live.public_id}/").content.decode()
    assert "RESOLVED" in html and "Suspect apprehended" in html and "Waco" in html
    assert "RESUELTA" in client.get(f"/alerts/{live.public_id}/?lang=es").content.decode()


def test_officer_details_appear_only_when_released_to_the_public(client, agency_a, alice, carol):
    alert = make_alert(agency_a, alice, private=False)
    approve(alert, carol)
    assert "Officer Jane Roe" not in client.get(f"/alerts/{alert.public_id}/").content.decode()
    Alert.objects.filter(pk=alert.pk).update(officer_release=Alert.OfficerRelease.LAW_ENFORCEMENT)
    approve(alert, carol, kind=Message.Kind.UPDATE)
    assert "Officer Jane Roe" not in client.get(f"/alerts/{alert.public_id}/").content.decode()
    Alert.objects.filter(pk=alert.pk).update(officer_release=Alert.OfficerRelease.PUBLIC)
    approve(alert, carol, kind=Message.Kind.UPDATE)
    assert "Officer Jane Roe" in client.get(f"/alerts/{alert.public_id}/").content.decode()


@pytest.mark.parametrize("status", ["draft", "pending", "returned", "denied"])
def test_an_unapproved_alert_is_a_404_on_every_public_path(client, agency_a, alice, status):
    alert = make_alert(agency_a, alice, status=status)
    for path in public_paths(alert):
        response = client.get(path)
        assert response.status_code == 404, path
        assert not response.cookies


def test_an_exercise_alert_is_a_404_on_every_public_path_even_when_approved(client, agency_a, alice, carol):
    alert = make_alert(agency_a, alice, exercise=True)
    approve(alert, carol)
    for path in public_paths(alert):
        assert client.get(path).status_code == 404, path
    assert str(alert.public_id) not in client.get("/").content.decode()
    assert str(alert.public_id) not in client.get("/feeds/alerts.atom").content.decode()


def test_a_mistyped_id_is_a_404(client, live):
    for path in (
        f"/alerts/{uuid.uuid4()}/",
        f"/alerts/{str(live.public_id)[:-1]}/",
        f"/cap/{uuid.uuid4()}.xml",
        f"/alerts/{live.public_id}/photos/{uuid.uuid4()}.jpg",
        "/feeds/states/ZZ.atom",
        "/states/ZZ/",
        f"/alerts/{uuid.uuid4()}/cap.xml",
        f"/alerts/{uuid.uuid4()}/alert.json",
    ):
        assert client.get(path).status_code == 404, path


def test_a_photo_not_in_an_approved_snapshot_is_not_public(client, live, alice):
    from alerts.tests.public_factory import add_photo

    newer = add_photo(live, alice, caption="uploaded for an update draft")
    assert client.get(f"/alerts/{live.public_id}/photos/{newer.public_id}.jpg").status_code == 404


def test_public_responses_set_no_cookie_and_no_vary_cookie_even_for_a_signed_in_user(client, live, alice):
    paths = public_paths(live) + ["/", "/alerts/archive/", "/feeds/alerts.atom", "/feeds/states/TX.atom", "/states/TX/"]
    for path in paths:
        assert_public_headers(client.get(path))
    client.force_login(alice)
    for path in paths:
        assert_public_headers(client.get(path))


def test_a_matching_if_none_match_gets_a_304(client, live):
    first = client.get(f"/alerts/{live.public_id}/")
    again = client.get(f"/alerts/{live.public_id}/", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304
    assert again["ETag"] == first["ETag"] and not again.content
    other = client.get(f"/alerts/{live.public_id}/", HTTP_IF_NONE_MATCH='"something-else"')
    assert other.status_code == 200


def test_last_modified_is_the_latest_message_time(client, live, carol):
    later = (timezone.now() + timedelta(minutes=7)).replace(microsecond=0)
    approve(live, carol, kind=Message.Kind.UPDATE, sent_at=later)
    from django.utils.http import parse_http_date

    response = client.get(f"/alerts/{live.public_id}/")
    assert parse_http_date(response["Last-Modified"]) == int(later.timestamp())
    home = client.get("/")
    assert parse_http_date(home["Last-Modified"]) == int(later.timestamp())


def test_the_view_serves_the_published_file_when_it_exists(client, live, django_assert_num_queries):
    publishing.alert_publish(alert_id=live.pk)
    name = f"alerts/{live.public_id}/index.html"
    publishing.write_atomic(name, b"<!doctype html><p>published copy</p>")
    with django_assert_num_queries(0):
        response = client.get(f"/alerts/{live.public_id}/")
    assert response.content == b"<!doctype html><p>published copy</p>"
    assert_public_headers(response)


def test_the_published_page_and_the_fallback_render_are_the_same_bytes(client, live):
    publishing.alert_publish(alert_id=live.pk)
    published = client.get(f"/alerts/{live.public_id}/?lang=es").content
    storages["publish"].delete(f"alerts/{live.public_id}/index.es.html")
    assert client.get(f"/alerts/{live.public_id}/?lang=es").content == published


def test_the_fallback_page_runs_a_fixed_number_of_queries(client, live, carol, django_assert_num_queries):
    with django_assert_num_queries(2):
        client.get(f"/alerts/{live.public_id}/")
    for _ in range(3):
        approve(live, carol, kind=Message.Kind.UPDATE)
    with django_assert_num_queries(2):
        assert client.get(f"/alerts/{live.public_id}/").status_code == 200


def test_the_home_page_lists_active_alerts_newest_first_and_filters_by_state(client, live, agency_b, mallory, yves):
    newer = make_alert(agency_b, mallory, counties=("001",))
    approve(newer, yves, sent_at=timezone.now() + timedelta(minutes=1))
    html = client.get("/").content.decode()
    assert html.index(str(newer.public_id)) < html.index(str(live.public_id))
    tx = client.get("/states/TX/").content.decode()
    assert str(live.public_id) in tx and str(newer.public_id) not in tx
    redirect = client.get("/?state=ny")
    assert redirect.status_code == 302 and redirect["Location"] == "/states/NY/"
    assert client.get("/?state=ZZ").status_code == 404


def test_an_alert_joined_by_another_state_is_listed_there_too(client, agency_a, alice, carol):
    alert = make_alert(agency_a, alice, extra_states=("OK",))
    approve(alert, carol)
    assert str(alert.public_id) in client.get("/states/OK/").content.decode()


def test_the_archive_lists_resolved_cancelled_and_expired_alerts(client, live, carol, agency_a, alice):
    active = make_alert(agency_a, alice)
    approve(active, carol)
    end(live, carol)
    expired = make_alert(agency_a, alice)
    approve(expired, carol)
    Alert.objects.filter(pk=expired.pk).update(status=Alert.Status.EXPIRED, ended_at=timezone.now())
    html = client.get("/alerts/archive/").content.decode()
    assert str(live.public_id) in html and str(expired.public_id) in html
    assert str(active.public_id) not in html
    home = client.get("/").content.decode()
    assert str(active.public_id) in home and str(live.public_id) not in home


def test_the_cap_paths_serve_the_stored_message(client, live, carol):
    first = live.messages.get()
    update = approve(live, carol, kind=Message.Kind.UPDATE, sent_at=timezone.now() + timedelta(minutes=1))
    latest = client.get(f"/alerts/{live.public_id}/cap.xml")
    assert latest.status_code == 200 and latest["Content-Type"].startswith("application/xml")
    assert update.identifier.encode() in latest.content
    one = client.get(f"/cap/{first.message_id}.xml")
    assert one.content.decode() == Message.objects.get(pk=first.pk).cap_xml
    assert one["Cache-Control"] == "public, max-age=86400"


def test_the_json_carries_the_public_view_only(client, live):
    doc = client.get(f"/alerts/{live.public_id}/alert.json").json()
    assert doc["public_id"] == str(live.public_id) and doc["status"] == "active"
    assert "internal" not in doc["alert"] and doc["alert"]["officer"] is None
    assert all("path" not in p and p["url"].endswith(".jpg") for p in doc["alert"]["photos"])


def test_mallorys_alert_in_new_york_never_shows_on_the_texas_page(client, live, agency_b, mallory, yves):
    other = make_alert(agency_b, mallory, counties=("001",))
    approve(other, yves)
    assert str(other.public_id) not in client.get("/states/TX/").content.decode()
    assert str(other.public_id) not in client.get("/feeds/states/TX.atom").content.decode()
    assert (
        reverse("public:alert-page", kwargs={"public_id": other.public_id})
        in client.get("/states/NY/").content.decode()
    )


def test_a_post_to_a_public_path_is_refused(client, live):
    assert client.post(f"/alerts/{live.public_id}/").status_code == 405
