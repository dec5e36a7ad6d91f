"""The Django admin: national administrators manage coordinators and memberships through the services."""

import pytest
from django.urls import reverse

from accounts.models import User
from agencies import services
from agencies.models import Agency, Membership
from audit.selectors import audit_events_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(nora):
    """nora with Django admin access (a national administrator is staff in the admin)."""
    User.objects.filter(pk=nora.pk).update(is_staff=True, is_superuser=True)
    return User.objects.get(pk=nora.pk)


def _grants_match(user) -> bool:
    user = User.objects.get(pk=user.pk)
    return services.actual_grants(user) == services.expected_grants(user)


def test_adding_a_coordinator_in_the_admin_grants_through_the_service(login, root, state_y, alice):
    response = login(root).post(
        reverse("admin:agencies_membership_add"),
        {"user": alice.pk, "role": "state_coordinator", "state": state_y.pk, "agency": "", "is_active": "on"},
    )
    assert response.status_code == 302, response.content
    membership = Membership.objects.get(user=alice, state=state_y)
    assert membership.is_active
    assert User.objects.get(pk=alice.pk).has_perm("agencies.coordinate_state", state_y)
    assert _grants_match(alice)
    assert audit_events_for(membership).get().actor == root


def test_a_membership_whose_scope_does_not_match_its_role_is_a_form_error(login, root, state_y, alice):
    response = login(root).post(
        reverse("admin:agencies_membership_add"),
        {"user": alice.pk, "role": "state_coordinator", "state": "", "agency": "", "is_active": "on"},
    )
    assert response.status_code == 200 and b"needs a state" in response.content
    assert Membership.objects.filter(user=alice).count() == 1


def test_changing_and_deleting_in_the_admin_go_through_the_services(login, root, alice, albert, agency_a):
    client = login(root)
    membership = Membership.objects.get(user=alice, agency=agency_a)
    url = reverse("admin:agencies_membership_change", args=[membership.pk])
    response = client.post(url, {"role": "agency_admin", "is_active": "on"})
    assert response.status_code == 302
    assert Membership.objects.get(pk=membership.pk).role == "agency_admin"
    assert audit_events_for(membership).filter(action="membership.role_changed", actor=root).exists()
    response = client.post(reverse("admin:agencies_membership_delete", args=[membership.pk]), {"post": "yes"})
    assert response.status_code == 302
    membership.refresh_from_db()  # the row stays, for the record
    assert not membership.is_active
    assert audit_events_for(membership).filter(action="membership.deactivated", actor=root).exists()
    assert _grants_match(alice) and _grants_match(albert)


def test_the_admin_refuses_to_remove_the_last_administrator(login, root, albert, agency_a):
    membership = Membership.objects.get(user=albert, agency=agency_a)
    url = reverse("admin:agencies_membership_change", args=[membership.pk])
    response = login(root).post(url, {"role": "agency_admin"})  # is_active unticked
    assert response.status_code == 200 and b"last administrator" in response.content
    assert Membership.objects.get(pk=membership.pk).is_active


def test_bulk_delete_deactivates_each_membership(login, root, alice, carol, agency_a):
    ids = list(Membership.objects.filter(user__in=[alice, carol]).values_list("pk", flat=True))
    response = login(root).post(
        reverse("admin:agencies_membership_changelist"),
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert response.status_code == 302
    assert Membership.objects.filter(pk__in=ids, is_active=False).count() == 2
    assert _grants_match(alice) and _grants_match(carol)


def test_editing_an_agency_in_the_admin_is_audited_and_cannot_change_its_status(login, root, agency_a):
    url = reverse("admin:agencies_agency_change", args=[agency_a.pk])
    client = login(root)
    page = client.get(url)
    assert page.status_code == 200
    data = {f: getattr(agency_a, f) for f in services.AGENCY_EDITABLE_FIELDS if f != "county"} | {
        "county": agency_a.county_id,
        "tip_line": "1-800-555-0000",
        "status": "rejected",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    agency = Agency.objects.get(pk=agency_a.pk)
    assert (agency.tip_line, agency.status) == ("1-800-555-0000", "verified")
    assert audit_events_for(agency).get(action="agency.updated").actor == root


def test_mallory_cannot_use_the_admin(login, mallory, alice, agency_a):
    membership = Membership.objects.get(user=alice, agency=agency_a)
    client = login(mallory)
    response = client.post(reverse("admin:agencies_membership_delete", args=[membership.pk]), {"post": "yes"})
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert Membership.objects.get(pk=membership.pk).is_active
