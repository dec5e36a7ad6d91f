"""The predicates run exactly the queries their docstrings say (agencies/permissions.py): a hidden
query in a predicate is a query on every row of every list that asks it."""

import pytest
from django.contrib.contenttypes.models import ContentType

from accounts.models import User
from agencies import permissions
from agencies.models import Agency, State

pytestmark = pytest.mark.django_db


def fresh(user) -> User:
    """The user as a request would have it: no permission cache yet."""
    return User.objects.get(pk=user.pk)


@pytest.fixture(autouse=True)
def _content_types_cached():
    ContentType.objects.get_for_model(State)  # Django caches content types per process after first use
    ContentType.objects.get_for_model(Agency)


def test_a_global_permission_is_loaded_once_per_user_object(nora, alice, django_assert_num_queries):
    nora, alice = fresh(nora), fresh(alice)
    with django_assert_num_queries(2):  # the user's permissions and their groups'
        assert permissions.is_national_admin(nora) is True
    with django_assert_num_queries(0):
        assert permissions.is_national_admin(nora) is True
    with django_assert_num_queries(2):
        assert permissions.is_national_admin(alice) is False


def test_an_object_permission_is_two_queries_every_time(
    alice, carol, mallory, agency_a, state_x, django_assert_num_queries
):
    alice, carol, mallory = fresh(alice), fresh(carol), fresh(mallory)
    for _ in range(2):  # nothing is cached between calls
        with django_assert_num_queries(2):
            assert permissions.can_draft_for_agency(alice, agency_a) is True
    with django_assert_num_queries(2):
        assert permissions.can_manage_agency(mallory, agency_a) is False
    with django_assert_num_queries(2):
        assert permissions.can_coordinate_state(carol, state_x) is True


def test_an_unverified_agency_is_refused_without_a_query(alice, agency_a, django_assert_num_queries):
    alice = fresh(alice)
    agency_a.status = Agency.Status.PENDING
    with django_assert_num_queries(0):
        assert permissions.can_draft_for_agency(alice, agency_a) is False
        assert permissions.can_manage_agency(alice, agency_a) is False


def test_coordinating_some_state_is_one_exists(carol, alice, django_assert_num_queries):
    carol, alice = fresh(carol), fresh(alice)
    permissions.coordinates_some_state(fresh(carol))  # guardian's first use looks the content type up
    with django_assert_num_queries(1):
        assert permissions.coordinates_some_state(carol) is True
    with django_assert_num_queries(1):
        assert permissions.coordinates_some_state(alice) is False


def test_verifying_a_registration_costs_what_its_docstring_says(carol, nora, alice, django_assert_num_queries):
    carol, nora, alice = fresh(carol), fresh(nora), fresh(alice)
    agency = Agency.objects.select_related("state").get(ori="TX2270100")
    with django_assert_num_queries(2):  # the coordinator: one object-permission check
        assert permissions.can_verify_agency(carol, agency) is True
    with django_assert_num_queries(4):  # anyone else: that check, then the global permissions
        assert permissions.can_verify_agency(alice, agency) is False
    with django_assert_num_queries(5):  # a national administrator: and whether the state has a coordinator
        assert permissions.can_verify_agency(nora, agency) is False


def test_the_second_factor_rule_by_role_is_one_query(alice, albert, django_assert_num_queries):
    alice, albert = fresh(alice), fresh(albert)
    with django_assert_num_queries(1):
        assert permissions.second_factor_required_by_role(alice) is False
    with django_assert_num_queries(1):
        assert permissions.second_factor_required_by_role(albert) is True


# --- notifications' predicates, built on these -------------------------------------------------


@pytest.fixture
def tx_message(alice, carol, agency_a):
    from notifications.selectors import message_get_for_deliveries
    from notifications.tests.factories import make_alert, make_message

    message = make_message(make_alert(agency=agency_a, created_by=alice), approved_by=carol)
    return message_get_for_deliveries(fresh(carol), message_id=message.message_id)  # alert and state loaded


def test_the_delivery_predicates_ask_only_permissions(carol, nora, yves, tx_message, django_assert_num_queries):
    from notifications import permissions as notif

    carol, nora, yves = fresh(carol), fresh(nora), fresh(yves)
    with django_assert_num_queries(2):
        assert notif.can_view_deliveries(carol, tx_message) is True
    with django_assert_num_queries(4):
        assert notif.can_view_deliveries(nora, tx_message) is True
    with django_assert_num_queries(2):
        assert notif.can_retry_deliveries(yves, tx_message) is False


def test_the_subscriber_predicates_cost_what_their_docstrings_say(carol, nora, mallory, django_assert_num_queries):
    from notifications import permissions as notif
    from notifications.tests.factories import make_subscriber

    subscriber = make_subscriber("desk@kxan.example")
    carol, nora, mallory = fresh(carol), fresh(nora), fresh(mallory)
    with django_assert_num_queries(2):  # a national administrator: the global permissions only
        assert notif.can_review_subscriber(nora, subscriber) is True
    with django_assert_num_queries(5):  # global permissions, the outlet's states, one check for Texas
        assert notif.can_review_subscriber(carol, subscriber) is True
    permissions.coordinates_some_state(fresh(carol))  # guardian's first use looks the content type up
    with django_assert_num_queries(3):  # global permissions, then one EXISTS
        assert notif.can_see_subscriber_queue(mallory) is False
