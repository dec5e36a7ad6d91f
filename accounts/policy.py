"""What accounts needs to know about people's roles, supplied by the layer that defines the roles.

Accounts enforces the second factor and runs the page that clears locked sign-ins, but who must use
a second factor and whose sign-ins someone may clear follow from memberships, which live in the
agencies app above it. Agencies registers an `AccountPolicy` in its AppConfig.ready; accounts never
imports it. With no policy registered every check fails closed (ImproperlyConfigured): a missing
policy must never mean "no second factor needed".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from django.core.exceptions import ImproperlyConfigured
from django.db.models import QuerySet

if TYPE_CHECKING:
    from .models import User


class AccountPolicy(Protocol):
    def second_factor_required(self, user: User) -> bool:
        """Whether the user's roles demand a second factor (accounts itself adds staff, superusers
        and anyone who enrolled one)."""
        ...

    def may_clear_lockouts(self, user: User) -> bool:
        """Whether the user may see the locked sign-ins page at all."""
        ...

    def lockout_scope(self, user: User) -> QuerySet[User] | None:
        """The users whose locked sign-ins `user` may clear; None means everyone."""
        ...


_policy: AccountPolicy | None = None


def register(policy: AccountPolicy) -> None:
    """Called once, from the roles' app's AppConfig.ready."""
    global _policy
    _policy = policy


def account_policy() -> AccountPolicy:
    if _policy is None:
        raise ImproperlyConfigured(
            "No account policy registered: the app that defines roles must call accounts.policy.register()."
        )
    return _policy
