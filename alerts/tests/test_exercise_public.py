"""An exercise runs the whole workflow, yet no public path or query ever shows it (CONTRACTS.md)."""

import pytest
from django.http import Http404

from alerts import services
from alerts.models import Alert

from .conftest import fresh, make_pending

pytestmark = pytest.mark.django_db


def public_paths(alert) -> list[str]:
    message = alert.messages.order_by("-sequence").first()
    return [
        f"/alerts/{alert.public_id}/",
        f"/alerts/{alert.public_id}/?lang=es",
        f"/alerts/{alert.public_id}/cap.xml",
        f"/cap/{message.message_id}.xml",
        f"/api/v1/public/alerts/{alert.public_id}/",
    ]


def test_an_approved_exercise_never_shows_up_publicly_while_a_live_alert_does(
    client, alice, agency_a, carol, django_capture_on_commit_callbacks
):
    exercise = make_pending(alice, agency_a, exercise=True, plate="EXR0001", name="Drill Suspect")
    live = make_pending(alice, agency_a, plate="LIV0001", name="Real Suspect")
    with django_capture_on_commit_callbacks(execute=True):  # publishing and distribution really run
        services.alert_approve(actor=carol, alert=exercise, reauthenticated_at=fresh())
        services.alert_approve(actor=carol, alert=live, reauthenticated_at=fresh())
    exercise.refresh_from_db()
    assert exercise.status == Alert.Status.ACTIVE and exercise.messages.get().is_exercise

    # The queries every public output is built on.
    from alerts.public import selectors as public

    assert list(Alert.objects.public()) == [live]
    assert [a.pk for a in public.alerts_list_public(active=True)] == [live.pk]
    with pytest.raises(Http404):
        public.alert_get_public(exercise.public_id)
    with pytest.raises(Http404):
        public.message_get_public(exercise.messages.get().message_id)

    # And the public paths themselves.
    for path in public_paths(exercise):
        assert client.get(path).status_code == 404, path
    assert client.get(f"/alerts/{live.public_id}/").status_code == 200
    for path in ("/", "/feeds/alerts.atom", "/feeds/states/TX.atom", "/api/v1/public/alerts/"):
        body = client.get(path).content.decode()
        assert str(exercise.public_id) not in body and "Drill Suspect" not in body, path
    assert str(live.public_id) in client.get("/").content.decode()

    # Ending the exercise keeps it out of the archive too.
    services.alert_resolve(actor=carol, alert=exercise, outcome="no_longer_useful", reauthenticated_at=fresh())
    assert str(exercise.public_id) not in client.get("/alerts/archive/").content.decode()
    assert [a.pk for a in public.alerts_list_public(active=False)] == []


def test_mallory_sees_no_exercise_of_agency_a_in_her_portal(login, mallory, alice, agency_a, carol):
    exercise = make_pending(alice, agency_a, exercise=True)
    services.alert_approve(actor=carol, alert=exercise, reauthenticated_at=fresh())
    assert login(mallory).get(f"/portal/alerts/{exercise.public_id}/").status_code == 404
