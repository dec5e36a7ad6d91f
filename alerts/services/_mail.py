"""Workflow mail (submitted, decided, escalated, reminders) and who receives it.

Workflow mail goes through the outbox's `email_notify`, which records the mail in the caller's
transaction and sends it after commit.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.urls import reverse

from agencies.models import Membership, Role
from agencies.selectors import coordinators_of_state, national_admins
from outbox.services import email_notify

from ..models import Alert

if TYPE_CHECKING:
    from accounts.models import User


def _url(name: str, alert: Alert) -> str:
    return settings.SITE_URL + reverse(name, args=[alert.public_id])


def emails(users: Iterable[User | None]) -> list[str]:
    """The addresses of the active users among `users`."""
    return [u.email for u in users if u is not None and u.is_active]


def agency_people(alert: Alert, *, admins: bool = False) -> list[str]:
    """Who at the agency hears about the alert: its drafter and the people who acted on it, and with
    `admins` the agency's administrators (one query)."""
    people = [alert.created_by, alert.submitted_by, alert.update_submitted_by, alert.resolve_requested_by]
    if admins:
        people += [
            m.user
            for m in Membership.objects.active()
            .filter(agency=alert.agency_id, role=Role.AGENCY_ADMIN)
            .select_related("user")
        ]
    return emails(people)


def coordinators(alert: Alert) -> list[str]:
    """The active coordinators of the alert's state."""
    return emails(coordinators_of_state(alert.state))


def national_administrators() -> list[str]:
    return emails(national_admins())


def notify(alert: Alert, template: str, to: Iterable[str], **context: Any) -> None:
    """One workflow mail, `templates/alerts/email/<template>.*`, recorded in the caller's
    transaction and sent after commit."""
    email_notify(
        to=to,
        template=f"alerts/email/{template}",
        context={
            "alert": alert,
            "prefix": "EXERCISE – " if alert.is_exercise else "",
            "detail_url": _url("alerts:alert-detail", alert),
            "review_url": _url("alerts:alert-review", alert),
            **context,
        },
    )
