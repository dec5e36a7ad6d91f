"""The named sets of alerts.workflow, as the pages see them: what waits for a coordinator, what is
public, what is in the archive. Expectations written out per alert, never read from the sets."""

import pytest

from alerts import selectors
from alerts.models import Alert

from .conftest import make_active, make_draft

pytestmark = pytest.mark.django_db


def _as(alert, status, update_state="", requested=False):
    Alert.objects.filter(pk=alert.pk).update(
        status=status,
        update_state=update_state,
        resolve_requested_at=alert.created_at if requested else None,
        resolve_requested_outcome="apprehended" if requested else "",
    )
    return alert


def test_the_review_queue_holds_submissions_updates_and_requests_to_end_nothing_else(
    alice, agency_a, carol, cora, yves
):
    alerts = {name: make_active(alice, agency_a, cora) for name in (
        "pending", "update pending", "end requested", "update draft and end requested", "active",
        "update draft", "resolved after a request", "draft", "returned", "denied",
    )}  # fmt: skip
    _as(alerts["pending"], "pending")
    _as(alerts["update pending"], "active", "pending")
    _as(alerts["end requested"], "active", requested=True)
    _as(alerts["update draft and end requested"], "active", "draft", requested=True)
    _as(alerts["update draft"], "active", "draft")
    _as(alerts["resolved after a request"], "resolved", requested=True)
    _as(alerts["draft"], "draft")
    _as(alerts["returned"], "returned", requested=True)
    _as(alerts["denied"], "denied")
    expected = {"pending", "update pending", "end requested", "update draft and end requested"}

    queue = set(selectors.alerts_review_queue(carol).values_list("pk", flat=True))
    assert queue == {alerts[name].pk for name in expected}
    assert not selectors.alerts_review_queue(yves).exists()  # New York's coordinator: not Texas's queue

    waiting = {name: Alert.objects.get(pk=alert.pk).waiting_for for name, alert in alerts.items()}
    assert waiting == {
        "pending": "approval",
        "update pending": "update",
        "end requested": "end",
        "update draft and end requested": "end",
        "active": "",
        "update draft": "",
        "resolved after a request": "",
        "draft": "",
        "returned": "",
        "denied": "",
    }


def test_the_queue_page_says_what_each_alert_waits_for(login, alice, agency_a, carol, cora):
    pending = _as(make_draft(alice, agency_a), "pending")
    ending = _as(make_active(alice, agency_a, cora), "active", requested=True)
    ended = _as(make_active(alice, agency_a, cora), "cancelled", requested=True)
    html = login(carol).get("/portal/alerts/queue/").content.decode()
    assert str(pending.public_id) in html and str(ending.public_id) in html
    assert str(ended.public_id) not in html.split("<h2>Active alerts</h2>")[0]
    assert "Approval" in html and "Request to end" in html
