"""The one way to write the audit log."""

import hashlib
import json
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import connection, models, transaction
from django.utils import timezone

from .models import AuditEvent

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

GENESIS = "0" * 64
# Any constant works: it only has to be the same for every writer of the chain.
_CHAIN_LOCK_KEY = 7_231_004


def _canonical(value: Any) -> Any:
    """JSON-native copy, so that the hash of what we write equals the hash of what we read back."""
    return json.loads(json.dumps(value, default=str, sort_keys=True))


def audit_hash(
    *,
    prev_hash: str,
    created_at: datetime,
    actor_id: int | None,
    actor_label: str,
    action: str,
    target_type: str,
    target_id: str,
    target_label: str,
    changes: Any,
    ip: str | None,
) -> str:
    payload = json.dumps(
        [
            prev_hash,
            created_at.isoformat(),
            actor_id,
            actor_label,
            action,
            target_type,
            str(target_id),
            target_label,
            _canonical(changes),
            ip,
        ],
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def audit_record(
    *,
    actor: "AbstractBaseUser | AnonymousUser | None",
    action: str,
    target: models.Model | None = None,
    target_type: str = "",
    target_id: str = "",
    target_label: str = "",
    changes: dict[str, Any] | None = None,
    ip: str | None = None,
) -> AuditEvent:
    """Append one event to the chain. Must run inside the transaction of the change it records.

    Side effects: none beyond the row. Not idempotent: each call is one event.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must be called inside the transaction of the change")
    if target is not None:
        target_type = target_type or target._meta.label_lower
        target_id = target_id or str(target.pk)
        target_label = target_label or str(target)[:255]
    if connection.vendor == "postgresql":
        # Serialise writers of the chain; released at commit or rollback.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK_KEY])
    last = AuditEvent.objects.order_by("-id").values_list("hash", flat=True).first()
    prev_hash = last or GENESIS
    # Microseconds dropped: every database stores whole microseconds the same way then.
    created_at = timezone.now().replace(microsecond=0)
    actor_id = getattr(actor, "pk", None)
    actor_label = getattr(actor, "email", "") if actor is not None else ""
    changes = _canonical(changes or {})
    event = AuditEvent(
        created_at=created_at,
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        target_type=target_type,
        target_id=str(target_id),
        target_label=target_label[:255],
        changes=changes,
        ip=ip,
        prev_hash=prev_hash,
    )
    event.hash = audit_hash(
        prev_hash=prev_hash,
        created_at=created_at,
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_label=event.target_label,
        changes=changes,
        ip=ip,
    )
    event.save(force_insert=True)
    return event


def audit_verify() -> tuple[bool, int, str]:
    """Walk the chain in id order. Returns (ok, events checked, description of the first break)."""
    prev = GENESIS
    count = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        count += 1
        if event.prev_hash != prev:
            return False, count, f"event {event.pk}: prev_hash does not match the event before it"
        expected = audit_hash(
            prev_hash=event.prev_hash,
            created_at=event.created_at,
            actor_id=event.actor_id,
            actor_label=event.actor_label,
            action=event.action,
            target_type=event.target_type,
            target_id=event.target_id,
            target_label=event.target_label,
            changes=event.changes,
            ip=event.ip,
        )
        if expected != event.hash:
            return False, count, f"event {event.pk}: content does not match its hash"
        prev = event.hash
    return True, count, ""
