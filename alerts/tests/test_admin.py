"""State criteria edited in the Django admin go through alerts.services.criterion_save: each change
writes its audit row, and an edit the service refuses is shown as a message, changing nothing."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from accounts.models import User
from alerts import services
from alerts.models import Criterion
from audit.selectors import audit_events_for

from .conftest import make_draft

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(nora):
    """nora with Django admin access (a national administrator is staff in the admin)."""
    User.objects.filter(pk=nora.pk).update(is_staff=True, is_superuser=True)
    return User.objects.get(pk=nora.pk)


def _form(criterion: Criterion, **changes) -> dict:
    data = {
        "state": criterion.state_id,
        "key": criterion.key,
        "label": criterion.label,
        "help_text": criterion.help_text,
        "required": "on" if criterion.required else "",
        "position": criterion.position,
        "is_active": "on" if criterion.is_active else "",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v != ""}


def test_changing_a_criterion_in_the_admin_writes_an_audit_row(login, root, state_x):
    criterion = Criterion.objects.filter(state=state_x).first()
    url = reverse("admin:alerts_criterion_change", args=[criterion.pk])
    response = login(root).post(url, _form(criterion, label="The suspect is at large and dangerous", required=""))
    assert response.status_code == 302, response.content
    criterion.refresh_from_db()
    assert criterion.label == "The suspect is at large and dangerous" and not criterion.required
    event = audit_events_for(criterion).get()
    assert event.action == "criterion.changed" and event.actor == root
    assert event.changes["required"] == [True, False]
    assert event.changes["label"][1] == "The suspect is at large and dangerous"


def test_adding_a_criterion_in_the_admin_writes_an_audit_row(login, root, state_x):
    response = login(root).post(
        reverse("admin:alerts_criterion_add"),
        {
            "state": state_x.pk,
            "key": "dash-camera",
            "label": "Dash camera footage reviewed",
            "position": 9,
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content
    criterion = Criterion.objects.get(state=state_x, key="dash-camera")
    assert criterion.is_active and not criterion.required
    event = audit_events_for(criterion).get()
    assert (event.action, event.actor) == ("criterion.created", root)
    assert event.changes["state"] == "TX" and event.changes["label"] == "Dash camera footage reviewed"


def test_changing_the_key_of_an_attested_criterion_is_refused_with_a_message(login, root, alice, agency_a, state_x):
    alert = make_draft(alice, agency_a)
    criterion = alert.attestations.first().criterion
    before = (criterion.key, criterion.label)
    url = reverse("admin:alerts_criterion_change", args=[criterion.pk])
    response = login(root).post(url, _form(criterion, key="something-else"))
    assert response.status_code == 200
    assert "Agency staff have attested this criterion" in response.content.decode()
    criterion.refresh_from_db()
    assert (criterion.key, criterion.label) == before
    assert not audit_events_for(criterion).exists()


def test_a_duplicate_key_is_refused_with_the_service_s_message(login, root, state_x):
    first, second = Criterion.objects.filter(state=state_x)[:2]
    url = reverse("admin:alerts_criterion_change", args=[second.pk])
    response = login(root).post(url, _form(second, key=first.key))
    assert response.status_code == 200
    assert f"already has a criterion with the key {first.key}" in response.content.decode()
    second.refresh_from_db()
    assert second.key != first.key


def test_the_list_s_inline_edits_go_through_the_service_too(login, root, state_x):
    criteria = list(Criterion.objects.filter(state=state_x).order_by("pk"))
    data = {
        "form-TOTAL_FORMS": str(len(criteria)),
        "form-INITIAL_FORMS": str(len(criteria)),
        "form-MIN_NUM_FORMS": "0",
        "form-MAX_NUM_FORMS": "1000",
        "_save": "Save",
    }
    for i, c in enumerate(criteria):
        data[f"form-{i}-id"] = c.pk
        data[f"form-{i}-position"] = c.position + (10 if i == 0 else 0)
        if c.required:
            data[f"form-{i}-required"] = "on"
        if c.is_active:
            data[f"form-{i}-is_active"] = "on"
    response = login(root).post(reverse("admin:alerts_criterion_changelist") + f"?state__id__exact={state_x.pk}", data)
    assert response.status_code == 302, response.content
    event = audit_events_for(criteria[0]).get()
    assert event.action == "criterion.changed" and event.changes["position"] == [
        criteria[0].position,
        criteria[0].position + 10,
    ]
    assert not any(audit_events_for(c).exists() for c in criteria[1:])


def test_criteria_are_never_deleted_in_the_admin(login, root, state_x):
    criterion = Criterion.objects.filter(state=state_x).first()
    response = login(root).post(reverse("admin:alerts_criterion_delete", args=[criterion.pk]), {"post": "yes"})
    assert response.status_code == 403
    assert Criterion.objects.filter(pk=criterion.pk).exists()


def test_only_an_administrator_may_change_criteria(carol, mallory, state_x):
    criterion = Criterion.objects.filter(state=state_x).first()
    for person in (carol, mallory):
        with pytest.raises(PermissionDenied):
            services.criterion_save(actor=person, criterion=criterion, values={"label": "Anything goes"})
    criterion.refresh_from_db()
    assert criterion.label != "Anything goes"
    assert not audit_events_for(criterion).exists()
