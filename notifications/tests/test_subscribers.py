"""Sign-up, double opt-in, verification by the coordinator, the subscriber's own page, unsubscribing."""

import re

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse

from agencies.models import State
from audit.models import AuditEvent
from notifications.models import MediaSubscriber
from notifications.services import subscriber_manage_token, subscriber_manage_url

from .factories import county, make_subscriber

pytestmark = pytest.mark.django_db


@pytest.fixture
def run_on_commit(django_capture_on_commit_callbacks):
    return lambda: django_capture_on_commit_callbacks(execute=True)


def _link(mail, pattern):
    return re.search(pattern, mail.body).group(0)


def _signup(client, **extra):
    data = {
        "organisation": "KXAN News",
        "outlet_type": "tv",
        "contact_name": "Dana Desk",
        "email": "Desk@KXAN.example",
        "phone": "512-555-0100",
        "states": [State.objects.get(usps="TX").pk],
        "counties": [county("TX", "453").pk],
        "language": "both",
        **extra,
    }
    return client.post(reverse("notifications:subscribe"), data)


def test_an_outlet_signs_up_confirms_and_is_verified_by_the_coordinator(
    client, carol, cora, login, mailoutbox, run_on_commit
):
    with run_on_commit():
        response = _signup(client)
    assert response.status_code == 302
    sub = MediaSubscriber.objects.get()
    assert (sub.email, sub.status, sub.language) == ("desk@kxan.example", "unconfirmed", "both")
    assert [c.fips for c in sub.counties.all()] == ["453"]
    (confirm_mail,) = mailoutbox
    confirm_url = _link(confirm_mail, r"http\S+/subscribe/confirm/\S+/")

    path = confirm_url.split("8000", 1)[1]
    assert client.get(path).status_code == 200  # a button, so a link scanner confirms nothing
    assert MediaSubscriber.objects.get().status == "unconfirmed"
    with run_on_commit():
        assert client.post(path).status_code == 200
    sub.refresh_from_db()
    assert sub.status == "pending" and sub.confirmed_at
    assert {m.to[0] for m in mailoutbox[1:]} == {carol.email, cora.email}

    with run_on_commit():
        response = login(carol).post(reverse("notifications:subscriber-verify", args=[sub.public_id]))
    assert response.status_code == 302
    sub.refresh_from_db()
    assert sub.status == "verified" and sub.decided_by == carol
    verified_mail = mailoutbox[-1]
    assert verified_mail.to == [sub.email] and subscriber_manage_url(sub) in verified_mail.body
    assert list(
        AuditEvent.objects.filter(target_type="notifications.mediasubscriber", target_id=str(sub.pk)).values_list(
            "action", flat=True
        )
    ) == ["subscriber.registered", "subscriber.confirmed", "subscriber.verified"]


def test_a_rejected_outlet_is_told_why(client, carol, login, mailoutbox, run_on_commit):
    sub = make_subscriber("x@blog.example", status=MediaSubscriber.Status.PENDING)
    url = reverse("notifications:subscriber-reject", args=[sub.public_id])

    assert login(carol).post(url, {"reason": ""}).status_code == 400
    with run_on_commit():
        assert login(carol).post(url, {"reason": "We could not reach your newsroom."}).status_code == 302

    sub.refresh_from_db()
    assert sub.status == "rejected" and sub.decision_reason == "We could not reach your newsroom."
    assert "We could not reach your newsroom." in mailoutbox[-1].body and mailoutbox[-1].to == [sub.email]
    assert AuditEvent.objects.filter(action="subscriber.rejected", target_id=str(sub.pk)).exists()


def test_an_expired_or_tampered_confirmation_link_is_refused(client, settings):
    sub = make_subscriber("x@kxan.example", status=MediaSubscriber.Status.UNCONFIRMED)
    settings.SUBSCRIBER_CONFIRM_MAX_AGE = -1
    token = signing.dumps([str(sub.public_id), sub.manage_nonce], salt="notifications.subscriber.confirm")
    assert client.post(reverse("notifications:subscribe-confirm", args=[token])).status_code == 410
    assert client.post(reverse("notifications:subscribe-confirm", args=[token + "x"])).status_code == 400
    sub.refresh_from_db()
    assert sub.status == "unconfirmed"


def test_signing_up_an_address_already_verified_changes_nothing_and_reveals_nothing(client, mailoutbox, run_on_commit):
    sub = make_subscriber("desk@kxan.example", states=["NY"])
    with run_on_commit():
        response = _signup(client)
    assert response.status_code == 302
    sub.refresh_from_db()
    assert sub.status == "verified" and [s.usps for s in sub.states.all()] == ["NY"]
    assert subscriber_manage_url(sub) in mailoutbox[-1].body


def test_counties_outside_the_chosen_states_re_render_the_form(client):
    response = _signup(client, counties=[county("NY", "001").pk])
    assert response.status_code == 200
    assert "Choose counties only in the states you cover" in response.content.decode()
    assert not MediaSubscriber.objects.exists()


def test_the_subscriber_changes_areas_and_language_from_its_own_page(client):
    sub = make_subscriber("desk@kxan.example")
    url = reverse("notifications:subscriber-manage", args=[subscriber_manage_token(sub)])
    assert client.get(url).status_code == 200

    response = client.post(
        url,
        {
            "states": [State.objects.get(usps="NY").pk],
            "counties": [county("NY", "001").pk],
            "language": "es",
            "wants_exercises": "on",
        },
    )

    assert response.status_code == 302
    sub.refresh_from_db()
    assert ([s.usps for s in sub.states.all()], sub.language, sub.wants_exercises) == (["NY"], "es", True)
    event = AuditEvent.objects.get(action="subscriber.preferences_changed")
    assert event.changes["language"] == ["en", "es"]


def test_one_click_unsubscribe_works_without_a_session_or_csrf_token():
    sub = make_subscriber("desk@kxan.example")
    url = reverse("notifications:subscriber-unsubscribe", args=[subscriber_manage_token(sub)])
    client = Client(enforce_csrf_checks=True)

    response = client.post(url, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded")

    assert response.status_code == 200
    sub.refresh_from_db()
    assert sub.status == "unsubscribed" and sub.unsubscribed_at
    assert client.post(url).status_code == 200  # twice is fine
    assert AuditEvent.objects.filter(action="subscriber.unsubscribed").count() == 1


def test_a_new_link_revokes_the_old_one(client, mailoutbox, run_on_commit):
    sub = make_subscriber("desk@kxan.example")
    old = subscriber_manage_token(sub)
    with run_on_commit():
        assert client.post(reverse("notifications:subscriber-link-new", args=[old])).status_code == 200
    assert client.get(reverse("notifications:subscriber-manage", args=[old])).status_code == 404
    sub.refresh_from_db()
    assert (
        client.get(reverse("notifications:subscriber-manage", args=[subscriber_manage_token(sub)])).status_code == 200
    )
    assert subscriber_manage_url(sub) in mailoutbox[-1].body


def test_a_forged_page_link_is_a_404(client):
    sub = make_subscriber("desk@kxan.example")
    forged = signing.Signer(salt="notifications.subscriber.manage").sign_object([str(sub.public_id), "guess"])
    assert client.get(reverse("notifications:subscriber-manage", args=[forged])).status_code == 404
    assert client.post(reverse("notifications:subscriber-unsubscribe", args=[forged])).status_code == 404
    sub.refresh_from_db()
    assert sub.status == "verified"


def test_the_queue_shows_a_coordinator_only_the_outlets_of_their_states(carol, yves, nora, login):
    tx = make_subscriber("tx@kxan.example", status=MediaSubscriber.Status.PENDING, organisation="KXAN")
    make_subscriber("ny@wnyt.example", states=["NY"], status=MediaSubscriber.Status.PENDING, organisation="WNYT")

    body = login(carol).get(reverse("notifications:subscriber-queue")).content.decode()
    assert "KXAN" in body and "WNYT" not in body
    assert login(yves).get(reverse("notifications:subscriber-review", args=[tx.public_id])).status_code == 404
    assert login(yves).post(reverse("notifications:subscriber-verify", args=[tx.public_id])).status_code == 404
    nora_body = login(nora).get(reverse("notifications:subscriber-queue")).content.decode()
    assert "KXAN" in nora_body and "WNYT" in nora_body
    tx.refresh_from_db()
    assert tx.status == "pending"


def test_mallory_cannot_see_or_decide_on_subscribers(mallory, login):
    sub = make_subscriber("tx@kxan.example", status=MediaSubscriber.Status.PENDING)
    client = login(mallory)
    assert client.get(reverse("notifications:subscriber-queue")).status_code == 404
    assert client.get(reverse("notifications:subscriber-review", args=[sub.public_id])).status_code == 404
    assert client.post(reverse("notifications:subscriber-verify", args=[sub.public_id])).status_code == 404
    sub.refresh_from_db()
    assert sub.status == "pending"


def test_the_subscribe_page_is_public_and_the_queue_is_not(client):
    assert client.get(reverse("notifications:subscribe")).status_code == 200
    assert client.get(reverse("notifications:subscriber-queue")).status_code == 302
