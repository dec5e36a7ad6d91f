"""Two coordinators approving at the same moment, in two real transactions (PostgreSQL)."""

import threading

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from alerts import services
from alerts.models import Alert, Message
from alerts.selectors import alert_history
from core.exceptions import InvalidTransition

from .conftest import fresh, make_pending


@pytest.mark.django_db(transaction=True)
def test_two_coordinators_approving_at_once_end_with_exactly_one_transition(alice, agency_a, carol, cora):
    if connection.vendor != "postgresql":
        pytest.skip("needs real concurrent transactions (PostgreSQL)")
    alert = make_pending(alice, agency_a)
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def approve(user):
        from django.db import connections

        copy = Alert.objects.get(pk=alert.pk)
        barrier.wait()
        try:
            services.alert_approve(actor=user, alert=copy, reauthenticated_at=fresh())
            outcomes[user.email] = "approved"
        except InvalidTransition as exc:
            outcomes[user.email] = str(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=approve, args=(u,)) for u in (carol, cora)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(v == "approved" for v in outcomes.values()) == [False, True]
    refused = next(v for v in outcomes.values() if v != "approved")
    assert "Cannot approve: the alert is active" in refused and "Nothing was changed" in refused
    assert Message.objects.filter(alert=alert).count() == 1
    assert list(alert_history(alert).values_list("action", flat=True)).count("alert.approved") == 1
    assert Alert.objects.get(pk=alert.pk).status == Alert.Status.ACTIVE


@pytest.mark.django_db
def test_a_coordinator_of_another_state_racing_in_changes_nothing(alice, agency_a, yves, carol):
    alert = make_pending(alice, agency_a)
    with pytest.raises(PermissionDenied):
        services.alert_approve(actor=yves, alert=alert, reauthenticated_at=fresh())
    services.alert_approve(actor=carol, alert=alert, reauthenticated_at=fresh())
    assert Message.objects.filter(alert=alert).count() == 1
