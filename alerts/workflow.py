"""The alert workflow in one place: the statuses, the transition table and the named sets of statuses.

Everything that asks "may this happen now?" or "which alerts are in such a phase?" reads this
module: the services (each transition is a conditional update on the row's sources), the
permission predicates (which buttons a page offers), the selectors and querysets (public, ended,
waiting for a decision), the periodic jobs, the API filters and the templates (through
`Alert.workflow_actions`). Nothing else spells a list of statuses.

The README's state diagram is this table drawn; `alerts/tests/test_transitions.py` writes the same
matrix out literally and drives every service from every state, so changing a row here fails it.

This module imports no model: `models.py` imports it for the choices and the sets.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from django.db import models
from django.db.models import Q


class Status(models.TextChoices):
    DRAFT = "draft", "Draft"
    PENDING = "pending", "Pending approval"
    RETURNED = "returned", "Returned for changes"
    DENIED = "denied", "Denied"
    ACTIVE = "active", "Active"
    RESOLVED = "resolved", "Resolved"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired"


class UpdateState(models.TextChoices):
    """The update of an active alert, a workflow of its own inside ACTIVE."""

    NONE = "", "No update in progress"
    DRAFT = "draft", "Update being drafted"
    PENDING = "pending", "Update pending approval"
    RETURNED = "returned", "Update returned for changes"


S = Status
U = UpdateState


@dataclass(frozen=True)
class Transition:
    label: str
    sources: tuple[str, ...]
    target: str | None = None  # None: the status does not change
    update_sources: tuple[str, ...] | None = None  # None: update_state is not looked at
    update_target: str | None = None  # None: update_state does not change


# The workflow, in one table. Each service runs exactly one row (alerts.services._engine.apply).
TRANSITIONS: dict[str, Transition] = {
    "edit": Transition("edit the draft", (S.DRAFT, S.RETURNED)),
    "submit": Transition("submit for approval", (S.DRAFT, S.RETURNED), S.PENDING),
    "approve": Transition("approve", (S.PENDING,), S.ACTIVE),
    "return": Transition("return for changes", (S.PENDING,), S.RETURNED),
    "deny": Transition("deny", (S.PENDING,), S.DENIED),
    "update_start": Transition("start an update", (S.ACTIVE,), None, (U.NONE,), U.DRAFT),
    "update_edit": Transition("edit the update", (S.ACTIVE,), None, (U.DRAFT, U.RETURNED)),
    "update_submit": Transition("submit the update", (S.ACTIVE,), None, (U.DRAFT, U.RETURNED), U.PENDING),
    "extend": Transition("request an extension", (S.ACTIVE,), None, (U.NONE, U.DRAFT, U.RETURNED), U.PENDING),
    "update_approve": Transition("approve the update", (S.ACTIVE,), None, (U.PENDING,), U.NONE),
    "update_return": Transition("return the update", (S.ACTIVE,), None, (U.PENDING,), U.RETURNED),
    "request_resolve": Transition("ask to resolve", (S.ACTIVE,)),
    "resolve": Transition("resolve", (S.ACTIVE,), S.RESOLVED, None, U.NONE),
    "cancel": Transition("cancel", (S.ACTIVE,), S.CANCELLED, None, U.NONE),
    "expire": Transition("expire", (S.ACTIVE,), S.EXPIRED, None, U.NONE),
}


# ---- named sets ---------------------------------------------------------------------------

# Went public: a message was approved; pages, CAP and feeds exist (exercises excepted).
PUBLISHED: tuple[str, ...] = (S.ACTIVE, S.RESOLVED, S.CANCELLED, S.EXPIRED)
# Published and over: the archive.
ENDED: tuple[str, ...] = (S.RESOLVED, S.CANCELLED, S.EXPIRED)
# Where a coordinator's decision on the submission is what the alert shows (the refusal message
# names who decided).
DECISION_SHOWN: tuple[str, ...] = (S.ACTIVE, S.RETURNED, S.DENIED)
# Sent back or refused: the page shows the coordinator's reason.
REFUSED: tuple[str, ...] = (S.RETURNED, S.DENIED)
# The agency dashboard's groups, in the order an alert lives through them.
DASHBOARD_ORDER: tuple[str, ...] = (
    S.DRAFT,
    S.RETURNED,
    S.PENDING,
    S.ACTIVE,
    S.DENIED,
    S.RESOLVED,
    S.CANCELLED,
    S.EXPIRED,
)


class _HasState(Protocol):
    status: str
    update_state: str


def allowed(action: str, alert: _HasState) -> bool:
    """Whether the table allows `action` from the alert's (status, update_state). No query."""
    t = TRANSITIONS[action]
    return alert.status in t.sources and (t.update_sources is None or alert.update_state in t.update_sources)


def allowed_actions(alert: _HasState) -> frozenset[str]:
    """Every action the table allows from the alert's state (templates ask `"deny" in ...`). No query."""
    return frozenset(action for action in TRANSITIONS if allowed(action, alert))


def in_update_phase(alert: _HasState) -> bool:
    """The alert is live: its edits, submissions and approvals concern an update of it. No query."""
    return alert.status in TRANSITIONS["update_start"].sources


def edit_action(alert: _HasState) -> str:
    """Editing the working copy is "update_edit" on a live alert, else "edit"."""
    return "update_edit" if in_update_phase(alert) else "edit"


def is_editable(alert: _HasState) -> bool:
    """A draft, a returned alert, or an active alert's update draft. No query."""
    return allowed(edit_action(alert), alert)


def source_q(action: str) -> Q:
    """The rows the table lets `action` start from, as a filter (conditional updates, querysets)."""
    t = TRANSITIONS[action]
    q = Q(status__in=t.sources)
    if t.update_sources is not None:
        q &= Q(update_state__in=t.update_sources)
    return q


def target_values(action: str) -> dict[str, str]:
    """The fields a transition sets: status and/or update_state."""
    t = TRANSITIONS[action]
    values: dict[str, str] = {}
    if t.target is not None:
        values["status"] = t.target
    if t.update_target is not None:
        values["update_state"] = t.update_target
    return values


# ---- what waits for a coordinator --------------------------------------------------------


def waiting_for_approval_q() -> Q:
    """A submission or an update a coordinator must approve or return (the escalation's scope)."""
    return source_q("approve") | source_q("update_approve")


def waiting_for_decision_q() -> Q:
    """The review queue: submissions, updates, and requests to end an alert that may still end."""
    return waiting_for_approval_q() | (source_q("resolve") & Q(resolve_requested_at__isnull=False))


def waiting_for(alert: _HasState) -> str:
    """What the alert waits for: "approval", "update", "end" (the agency asked to end it) or ""."""
    if allowed("approve", alert):
        return "approval"
    if allowed("update_approve", alert):
        return "update"
    if allowed("resolve", alert) and getattr(alert, "resolve_requested_at", None):
        return "end"
    return ""
