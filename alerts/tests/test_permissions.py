"""The permission predicates query what their docstrings say, and nothing when the transition table
already says no."""

import pytest

from alerts import permissions
from alerts.models import Alert

from .conftest import make_active, make_pending

pytestmark = pytest.mark.django_db


def _loaded(alert):
    return Alert.objects.select_related("agency", "state").get(pk=alert.pk)


def test_the_table_s_answers_need_no_query(alice, agency_a, django_assert_num_queries):
    alert = _loaded(make_pending(alice, agency_a))
    with django_assert_num_queries(0):
        assert not permissions.is_editable(alert)
        assert not permissions.can_edit_alert(alice, alert)
        assert not permissions.can_submit_alert(alice, alert)
        assert not permissions.can_start_update(alice, alert)
        assert not permissions.can_request_resolve(alice, alert)


def test_the_membership_check_is_asked_only_when_the_table_allows(alice, agency_a, carol, mallory):
    alert = _loaded(make_active(alice, agency_a, carol))
    assert permissions.can_start_update(alice, alert) and permissions.can_request_resolve(alice, alert)
    assert not permissions.can_start_update(mallory, alert)
    assert not permissions.can_request_resolve(mallory, alert)
    assert permissions.can_review_alert(carol, alert) and not permissions.can_review_alert(mallory, alert)
