"""Accounts learns who must use a second factor, and whose sign-ins someone may clear, from the policy
the roles' app registers (accounts.policy); without one it refuses to guess."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from accounts import policy
from accounts.models import User
from accounts.services import lockouts_visible_to, second_factor_required

pytestmark = pytest.mark.django_db


def test_the_roles_decide_who_needs_a_second_factor(alice, albert, carol, nora):
    fresh = {u.email: User.objects.get(pk=u.pk) for u in (alice, albert, carol, nora)}
    assert {email: second_factor_required(u) for email, u in fresh.items()} == {
        alice.email: False,  # agency staff of a state that does not require it
        albert.email: True,  # agency administrator
        carol.email: True,  # state coordinator
        nora.email: True,  # national administrator
    }


def test_staff_of_a_state_that_requires_it_need_one_too(alice, state_x):
    state_x.staff_require_2fa = True
    state_x.save()
    assert second_factor_required(User.objects.get(pk=alice.pk)) is True


def test_without_a_registered_policy_nothing_is_decided(monkeypatch, alice, carol):
    monkeypatch.setattr(policy, "_policy", None)
    with pytest.raises(ImproperlyConfigured):
        second_factor_required(User.objects.get(pk=alice.pk))
    with pytest.raises(ImproperlyConfigured):
        lockouts_visible_to(carol)
