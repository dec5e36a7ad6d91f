"""Each state's checklist of criteria (alerts.Criterion), edited by national administrators in the
Django admin through these services, each change with its audit row."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.text import slugify

from agencies.models import State
from audit.services import audit_record

from ..models import Attestation, Criterion

if TYPE_CHECKING:
    from accounts.models import User

CRITERION_FIELDS = ("state", "key", "label", "help_text", "required", "position", "is_active")


def criterion_problems(*, criterion: Criterion | None, values: dict[str, Any]) -> dict[str, list[str]]:
    """Why saving `values` (over `criterion`'s current ones; None: a new criterion) would be refused,
    per field. The admin form shows these; criterion_save refuses with them."""
    current = {f: getattr(criterion, f) for f in CRITERION_FIELDS} if criterion else {}
    data = {**current, **values}
    problems: dict[str, list[str]] = {}
    state, key = data.get("state"), (data.get("key") or "").strip()
    if not (data.get("label") or "").strip():
        problems["label"] = ["Give the statement people attest."]
    if not key or slugify(key) != key:
        problems["key"] = ["Give a key of lower-case letters, digits and hyphens, e.g. suspect-at-large."]
    elif state is not None:
        same_key = Criterion.objects.filter(state=state, key=key)
        if criterion is not None:
            same_key = same_key.exclude(pk=criterion.pk)
        if same_key.exists():
            problems["key"] = [f"{state.name} already has a criterion with the key {key}."]
    if state is None:
        problems["state"] = ["Choose the state whose checklist this is."]
    if criterion is not None and Attestation.objects.filter(criterion=criterion).exists():
        # What people attested must keep meaning what it meant: a new question is a new criterion.
        for field in ("state", "key"):
            if field in values and values[field] != current[field]:
                problems.setdefault(field, []).append(
                    "Agency staff have attested this criterion, so its state and key stay as they are. "
                    "Add a new criterion and untick Active on this one instead."
                )
    return problems


@transaction.atomic
def criterion_save(
    *, actor: User, criterion: Criterion | None, values: dict[str, Any], ip: str | None = None
) -> Criterion:
    """Create a criterion of a state's checklist (`criterion` None) or change one. `values` holds
    any of state, key, label, help_text, required, position, is_active. Refused (ValidationError,
    per field) as criterion_problems says; PermissionDenied without the admin permission.

    Audit: criterion.created (all values) or criterion.changed (each changed field, before and
    after), nothing when nothing changed. Side effects: none. Safe to repeat.
    """
    perm = "alerts.change_criterion" if criterion else "alerts.add_criterion"
    if not (actor.is_active and actor.has_perm(perm)):
        raise PermissionDenied("Only a national administrator edits the states' criteria.")
    unknown = set(values) - set(CRITERION_FIELDS)
    if unknown:
        raise ValidationError(f"These fields cannot be set here: {', '.join(sorted(unknown))}.")
    values = {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}
    problems = criterion_problems(criterion=criterion, values=values)
    if problems:
        raise ValidationError(problems)
    if criterion is None:
        criterion = Criterion.objects.create(**values)
        audit_record(
            actor=actor,
            action="criterion.created",
            target=criterion,
            ip=ip,
            changes={f: _plain(getattr(criterion, f)) for f in CRITERION_FIELDS},
        )
        return criterion
    criterion = Criterion.objects.select_for_update().get(pk=criterion.pk)
    changes = {f: [_plain(getattr(criterion, f)), _plain(v)] for f, v in values.items() if getattr(criterion, f) != v}
    if not changes:
        return criterion
    for f, v in values.items():
        setattr(criterion, f, v)
    criterion.save(update_fields=list(values))
    audit_record(
        actor=actor,
        action="criterion.changed",
        target=criterion,
        ip=ip,
        changes={"state": criterion.state.usps, **changes},
    )
    return criterion


def _plain(value: Any) -> Any:
    return value.usps if isinstance(value, State) else value
