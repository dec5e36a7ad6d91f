"""The CAP message carries the approved WEA texts verbatim, or the approval is refused.

An approved text with extension-table characters (`[`, `€`: two septets each) reaches CMAMtext
unchanged; a text the CAP message cannot carry is refused at approval, with a message naming the
field, through the service, the review page and the API alike, and nothing changes.
"""

import pytest
from django.core.exceptions import ValidationError
from lxml import etree
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from alerts import cap, services
from alerts.models import Alert, Message
from audit.models import AuditEvent
from conftest import PASSWORD

from .conftest import fresh, make_active, make_draft, make_pending
from .test_views import reauth, url

pytestmark = pytest.mark.django_db

NS = {"cap": cap.CAP_NS}
SHORT = "BLUE ALERT [TX]: reward €5000 for the suspect. Call 911."  # 56 characters, 59 septets
LONG = "BLUE ALERT [exercise of care]: do not approach | call 911 {now} ~ reward €5000 ^ back\\slash."


def _parameters(xml: str) -> list[dict[str, str]]:
    root = etree.fromstring(xml.encode())
    return [
        {
            p.findtext("cap:valueName", default="", namespaces=NS): p.findtext("cap:value", default="", namespaces=NS)
            for p in info.findall("cap:parameter", NS)
        }
        for info in root.findall("cap:info", NS)
    ]


def test_an_approved_text_with_extension_characters_is_carried_verbatim(alice, agency_a, carol):
    alert = make_draft(alice, agency_a)
    services.alert_save_draft(actor=alice, alert=alert, fields={"wea_short_en": SHORT, "wea_long_en": LONG})
    services.alert_submit(actor=alice, alert=alert)
    message = services.alert_approve(actor=carol, alert=alert, reauthenticated_at=fresh())

    english, spanish = _parameters(cap.message_cap_xml(message))
    assert english["CMAMtext"] == SHORT
    assert english["CMAMlongtext"] == LONG
    alert.refresh_from_db()
    assert spanish["CMAMtext"] == alert.wea_short_es


def test_an_approved_update_s_text_is_carried_verbatim_too(alice, agency_a, carol):
    alert = make_active(alice, agency_a, carol)
    services.alert_update_start(actor=alice, alert=alert)
    services.alert_save_draft(actor=alice, alert=alert, fields={"wea_short_en": SHORT})
    services.alert_update_submit(actor=alice, alert=alert, note="Reward offered")
    message = services.alert_update_approve(actor=carol, alert=alert, reauthenticated_at=fresh())
    assert _parameters(cap.message_cap_xml(message))[0]["CMAMtext"] == SHORT


def _uncarriable(alert: Alert) -> None:
    """A text saved before today's rules (or written around them): the CAP cannot carry ✓ nor 100 septets."""
    Alert.objects.filter(pk=alert.pk).update(wea_short_en="BLUE ALERT: suspect seen ✓ Call 911.", wea_long_es="[" * 181)


def _unchanged(alert: Alert, status: str, events: int) -> None:
    alert.refresh_from_db()
    assert alert.status == status and alert.decided_by is None
    assert not Message.objects.filter(alert=alert).exists()
    assert AuditEvent.objects.count() == events


def test_the_service_refuses_an_approval_the_cap_cannot_carry_and_changes_nothing(
    alice, agency_a, carol, django_capture_on_commit_callbacks
):
    alert = make_pending(alice, agency_a)
    _uncarriable(alert)
    events = AuditEvent.objects.count()
    with django_capture_on_commit_callbacks() as callbacks, pytest.raises(ValidationError) as refused:
        services.alert_approve(actor=carol, alert=alert, reauthenticated_at=fresh())
    assert set(refused.value.message_dict) == {"wea_short_en", "wea_long_es"}
    assert refused.value.message_dict["wea_short_en"][0].startswith("WEA 90 (English): the CAP message must carry")
    assert "“✓”" in refused.value.message_dict["wea_short_en"][0]
    assert "362 characters; the limit is 360" in refused.value.message_dict["wea_long_es"][0]
    assert callbacks == []
    _unchanged(alert, Alert.Status.PENDING, events)


def test_an_update_the_cap_cannot_carry_is_refused_and_the_update_stays_pending(alice, agency_a, carol, cora):
    alert = make_active(alice, agency_a, cora)
    services.alert_update_start(actor=alice, alert=alert)
    services.alert_update_submit(actor=alice, alert=alert, note="New direction")
    _uncarriable(alert)
    events = AuditEvent.objects.count()
    with pytest.raises(ValidationError) as refused:
        services.alert_update_approve(actor=carol, alert=alert, reauthenticated_at=fresh())
    assert "wea_short_en" in refused.value.message_dict
    alert.refresh_from_db()
    assert (alert.status, alert.update_state) == (Alert.Status.ACTIVE, Alert.UpdateState.PENDING)
    assert list(Message.objects.filter(alert=alert).values_list("kind", flat=True)) == ["Alert"]
    assert AuditEvent.objects.count() == events


def test_the_review_page_refuses_it_with_the_field_named(login, alice, agency_a, carol):
    alert = make_pending(alice, agency_a)
    _uncarriable(alert)
    client = login(carol)
    reauth(client)
    events = AuditEvent.objects.count()
    response = client.post(url("alert-approve", alert), {"officer_release": "private"}, follow=True)
    assert response.redirect_chain[-1][0] == url("alert-review", alert)
    page = response.content.decode()
    assert "WEA 90 (English): the CAP message must carry the approved text exactly as written" in page
    assert "WEA 360 (Spanish)" in page
    _unchanged(alert, Alert.Status.PENDING, events)


def test_the_api_refuses_it_with_the_field_named(alice, agency_a, carol):
    alert = make_pending(alice, agency_a)
    _uncarriable(alert)
    events = AuditEvent.objects.count()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=carol).key}")
    response = client.post(f"/api/v1/alerts/{alert.public_id}/approve/", {"password": PASSWORD}, format="json")
    assert response.status_code == 400, response.json()
    fields = response.json()["fields"]
    assert set(fields) == {"wea_short_en", "wea_long_es"}
    assert fields["wea_short_en"][0].startswith("WEA 90 (English): the CAP message must carry")
    _unchanged(alert, Alert.Status.PENDING, events)


def test_mallory_gets_no_further_than_before_on_such_an_alert(alice, agency_a, mallory):
    from django.core.exceptions import PermissionDenied

    alert = make_pending(alice, agency_a)
    _uncarriable(alert)
    with pytest.raises(PermissionDenied):
        services.alert_approve(actor=mallory, alert=alert, reauthenticated_at=fresh())
    assert Alert.objects.get(pk=alert.pk).status == Alert.Status.PENDING


def test_the_builder_never_strips_an_approved_text_it_cannot_carry(alice, agency_a, carol):
    message = services.alert_approve(actor=carol, alert=make_pending(alice, agency_a), reauthenticated_at=fresh())
    # A message frozen around the rules (e.g. by hand): building it fails loudly rather than strip.
    Message.objects.filter(pk=message.pk).update(
        snapshot={**message.snapshot, "texts": {**message.snapshot["texts"], "wea_short_en": "Seen ✓"}}
    )
    message.refresh_from_db()
    with pytest.raises(cap.wording.CannotCarry, match="wea_short_en"):
        cap.cap_build(message)
