"""The account policy agencies supplies to accounts (accounts.policy): who must use a second factor
and whose locked sign-ins someone may clear follow from memberships, which live here."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import QuerySet

from .permissions import coordinates_some_state, is_national_admin, second_factor_required_by_role
from .selectors import lockout_scope

if TYPE_CHECKING:
    from accounts.models import User


class AgencyAccountPolicy:
    def second_factor_required(self, user: User) -> bool:
        return second_factor_required_by_role(user)

    def may_clear_lockouts(self, user: User) -> bool:
        return is_national_admin(user) or coordinates_some_state(user)

    def lockout_scope(self, user: User) -> QuerySet[User] | None:
        return lockout_scope(user)
