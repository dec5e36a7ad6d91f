"""Drafting plus criteria is one transaction, through the drafting page and the API alike: when the
attestations fail, the draft's fields are not saved either."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from alerts import services
from alerts.models import Alert
from alerts.services import drafting
from audit.models import AuditEvent

from .conftest import make_draft, required_keys
from .test_views import edit_payload

pytestmark = pytest.mark.django_db


def _api(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.get_or_create(user=user)[0].key}")
    return client


@pytest.fixture
def break_attestation(monkeypatch):
    """Call it to make the attestation step fail after the fields were written (as a race with a
    change of the state's criteria would)."""

    def refuse(**kwargs):
        raise ValidationError({"criteria": ["The state's criteria changed while you were editing: attest again."]})

    return lambda: monkeypatch.setattr(drafting, "_attest", refuse)


def test_the_page_saves_fields_and_attestations_in_one_call(login, alice, agency_a):
    alert = make_draft(alice, agency_a)
    services.alert_attest(actor=alice, alert=alert, keys=[])
    response = login(alice).post(
        reverse("alerts:alert-edit", args=[alert.public_id]), edit_payload(alert, last_seen_place="Exit 235")
    )
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.last_seen_place == "Exit 235"
    assert set(alert.attestations.values_list("criterion__key", flat=True)) == required_keys(agency_a.state)


def test_a_failing_attestation_leaves_the_draft_unsaved_through_the_page(login, alice, agency_a, break_attestation):
    alert = make_draft(alice, agency_a)
    break_attestation()
    client = login(alice)
    events = AuditEvent.objects.count()
    response = client.post(
        reverse("alerts:alert-edit", args=[alert.public_id]), edit_payload(alert, last_seen_place="Exit 235")
    )
    assert response.status_code == 200
    assert "attest again" in response.content.decode()
    alert.refresh_from_db()
    assert alert.last_seen_place == "I-35 and 6th St"
    assert AuditEvent.objects.count() == events


def test_a_failing_attestation_leaves_the_draft_unsaved_through_the_api(alice, agency_a, break_attestation):
    alert = make_draft(alice, agency_a)
    break_attestation()
    events = AuditEvent.objects.count()
    response = _api(alice).patch(
        f"/api/v1/alerts/{alert.public_id}/",
        {"last_seen_place": "Exit 235", "criteria": sorted(required_keys(agency_a.state))},
        format="json",
    )
    assert response.status_code == 400 and "criteria" in response.json()["fields"]
    alert.refresh_from_db()
    assert alert.last_seen_place == "I-35 and 6th St"
    assert AuditEvent.objects.count() == events


def test_an_unknown_criterion_through_the_api_leaves_the_draft_unsaved(alice, agency_a):
    alert = make_draft(alice, agency_a)
    before = set(alert.attestations.values_list("criterion__key", flat=True))
    response = _api(alice).patch(
        f"/api/v1/alerts/{alert.public_id}/",
        {"last_seen_place": "Exit 235", "criteria": ["no-such-thing"]},
        format="json",
    )
    assert response.status_code == 400 and "no-such-thing" in response.json()["fields"]["criteria"][0]
    alert.refresh_from_db()
    assert alert.last_seen_place == "I-35 and 6th St"
    assert set(alert.attestations.values_list("criterion__key", flat=True)) == before


def test_criteria_on_an_update_are_refused_and_nothing_is_saved(alice, agency_a, carol):
    from core.exceptions import InvalidTransition

    from .conftest import make_active

    alert = make_active(alice, agency_a, carol)
    services.alert_update_start(actor=alice, alert=alert)
    with pytest.raises(InvalidTransition):
        services.alert_save_draft(actor=alice, alert=alert, fields={"last_seen_place": "Exit 235"}, criteria=[])
    alert.refresh_from_db()
    assert alert.last_seen_place == "I-35 and 6th St" and alert.attestations.count() == len(
        required_keys(agency_a.state)
    )


def test_mallory_cannot_save_alice_s_draft_with_criteria(alice, agency_a, mallory):
    from django.core.exceptions import PermissionDenied

    alert = make_draft(alice, agency_a)
    with pytest.raises(PermissionDenied):
        services.alert_save_draft(actor=mallory, alert=alert, fields={"last_seen_place": "Albany"}, criteria=[])
    assert Alert.objects.get(pk=alert.pk).last_seen_place == "I-35 and 6th St"
