"""The agencies API: public registration, the coordinators' queue, members and invitations."""

import pytest

from agencies.models import Agency, Invitation, Membership
from audit.models import AuditEvent
from conftest import PASSWORD


def register_body(**extra):
    body = {
        "name": "Round Rock Police Department",
        "ori": "TX2460300",
        "agency_type": "municipal",
        "state": "TX",
        "county": "491",
        "address": "2701 N Mays St",
        "city": "Round Rock",
        "postal_code": "78665",
        "phone": "512-218-5500",
        "head_name": "Chief Allen Banks",
        "admin_full_name": "Rita Reyes",
        "admin_email": "rita@roundrock.example",
        "admin_phone": "512-555-0101",
    }
    body.update(extra)
    return body


def test_anyone_may_register_an_agency_and_it_waits_for_verification(api_as, carol, mailoutbox):
    response = api_as(None).post("/api/v1/agencies/register/", register_body(), format="json")
    assert response.status_code == 201, response.json()
    agency = Agency.objects.get(public_id=response.json()["public_id"])
    assert agency.status == "pending" and agency.county.fips == "491"
    assert AuditEvent.objects.filter(action="agency.registered").exists()


def test_a_duplicate_or_malformed_registration_names_the_field_and_creates_nothing(api_as, agency_a):
    before = Agency.objects.count()
    response = api_as(None).post("/api/v1/agencies/register/", register_body(ori=agency_a.ori), format="json")
    assert response.status_code == 400 and "ori" in response.json()["fields"]
    response = api_as(None).post("/api/v1/agencies/register/", register_body(ori="NY1234567"), format="json")
    assert response.status_code == 400 and "ori" in response.json()["fields"]
    response = api_as(None).post("/api/v1/agencies/register/", register_body(county="999"), format="json")
    assert response.status_code == 400 and "county" in response.json()["fields"]
    assert Agency.objects.count() == before


@pytest.fixture
def registration(api_as, db):
    response = api_as(None).post("/api/v1/agencies/register/", register_body(), format="json")
    return Agency.objects.get(public_id=response.json()["public_id"])


def test_the_state_coordinator_sees_the_queue_and_verifies(api_as, carol, registration, mailoutbox):
    queue = api_as(carol).get("/api/v1/registrations/", {"status": "pending"}).json()["results"]
    assert [r["public_id"] for r in queue] == [str(registration.public_id)]
    response = api_as(carol).post(
        f"/api/v1/registrations/{registration.public_id}/verify/", {"note": "Called"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "verified"
    response = api_as(carol).post(f"/api/v1/registrations/{registration.public_id}/verify/", {}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "invalid_transition"


def test_rejecting_needs_a_reason(api_as, carol, registration):
    url = f"/api/v1/registrations/{registration.public_id}/reject/"
    response = api_as(carol).post(url, {"reason": " "}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["fields"]
    registration.refresh_from_db()
    assert registration.status == "pending"
    assert api_as(carol).post(url, {"reason": "Not a law enforcement agency"}, format="json").status_code == 200


@pytest.mark.parametrize("persona", ["alice", "albert", "yves", "mallory", "cora_none"])
def test_others_cannot_see_or_decide_a_registration(api_as, request, registration, persona):
    user = request.getfixturevalue(persona) if persona != "cora_none" else None
    base = f"/api/v1/registrations/{registration.public_id}/"
    expected = 401 if user is None else 404
    assert api_as(user).get(base).status_code == expected
    assert api_as(user).post(base + "verify/", {}, format="json").status_code == expected
    assert api_as(user).post(base + "reject/", {"reason": "x"}, format="json").status_code == expected
    registration.refresh_from_db()
    assert registration.status == "pending"


def test_the_national_admin_may_decide_any_registration(api_as, nora, registration):
    response = api_as(nora).post(f"/api/v1/registrations/{registration.public_id}/verify/", {}, format="json")
    assert response.status_code == 200


def test_members_see_their_agencies(api_as, alice, mallory, agency_a):
    assert [a["ori"] for a in api_as(alice).get("/api/v1/agencies/").json()["results"]] == [agency_a.ori]
    assert api_as(alice).get(f"/api/v1/agencies/{agency_a.public_id}/").status_code == 200
    assert api_as(mallory).get(f"/api/v1/agencies/{agency_a.public_id}/").status_code == 404


def test_the_agency_admin_lists_members_and_invites(
    api_as, albert, alice, agency_a, mailoutbox, django_capture_on_commit_callbacks
):
    members = api_as(albert).get(f"/api/v1/agencies/{agency_a.public_id}/members/").json()["results"]
    assert {m["email"] for m in members} == {albert.email, alice.email}
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(albert).post(
            f"/api/v1/agencies/{agency_a.public_id}/invitations/",
            {"email": "New.Officer@austin.example"},
            format="json",
        )
    assert response.status_code == 201, response.json()
    assert response.json()["email"] == "new.officer@austin.example" and response.json()["role"] == "agency_staff"
    assert any("new.officer@austin.example" in m.to for m in mailoutbox)
    invitations = api_as(albert).get(f"/api/v1/agencies/{agency_a.public_id}/invitations/").json()["results"]
    assert len(invitations) == 1
    response = api_as(albert).post(
        f"/api/v1/agencies/{agency_a.public_id}/invitations/{invitations[0]['public_id']}/revoke/", format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "revoked"


def test_inviting_an_existing_member_is_a_field_error(api_as, albert, alice, agency_a):
    response = api_as(albert).post(
        f"/api/v1/agencies/{agency_a.public_id}/invitations/", {"email": alice.email}, format="json"
    )
    assert response.status_code == 400 and "email" in response.json()["fields"]
    assert Invitation.objects.count() == 0


@pytest.mark.parametrize("persona", ["alice", "carol", "mallory", "nora"])
def test_only_the_agency_admin_manages_members(api_as, request, albert, alice, agency_a, persona):
    user = request.getfixturevalue(persona)
    base = f"/api/v1/agencies/{agency_a.public_id}/"
    membership = Membership.objects.get(user=alice, agency=agency_a)
    assert api_as(user).get(base + "members/").status_code == 404
    assert api_as(user).post(base + "invitations/", {"email": "x@example.org"}, format="json").status_code == 404
    response = api_as(user).post(
        base + f"members/{membership.pk}/role/", {"role": "agency_admin", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 404
    assert api_as(user).post(base + f"members/{membership.pk}/deactivate/").status_code == 404
    membership.refresh_from_db()
    assert membership.role == "agency_staff" and membership.is_active
    assert Invitation.objects.count() == 0


def test_changing_a_role_needs_the_password(api_as, albert, alice, agency_a):
    membership = Membership.objects.get(user=alice, agency=agency_a)
    url = f"/api/v1/agencies/{agency_a.public_id}/members/{membership.pk}/role/"
    response = api_as(albert).post(url, {"role": "agency_admin"}, format="json")
    assert response.status_code == 403 and response.json()["code"] == "reauth_required"
    membership.refresh_from_db()
    assert membership.role == "agency_staff"
    response = api_as(albert).post(url, {"role": "agency_admin", "password": PASSWORD}, format="json")
    assert response.status_code == 200 and response.json()["role"] == "agency_admin"


def test_the_last_administrator_cannot_be_removed(api_as, albert, agency_a):
    membership = Membership.objects.get(user=albert, agency=agency_a)
    url = f"/api/v1/agencies/{agency_a.public_id}/members/{membership.pk}/deactivate/"
    response = api_as(albert).post(url)
    assert response.status_code == 400 and "administrator" in response.json()["detail"]
    membership.refresh_from_db()
    assert membership.is_active


def test_anonymous_gets_401_on_member_endpoints(api_as, agency_a):
    assert api_as(None).get(f"/api/v1/agencies/{agency_a.public_id}/members/").status_code == 401
    assert api_as(None).get("/api/v1/agencies/").status_code == 401
