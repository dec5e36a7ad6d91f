import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from audit.models import AuditEvent
from audit.services import audit_record, audit_verify


def _record(n=3, actor=None):
    for i in range(n):
        with transaction.atomic():
            audit_record(
                actor=actor,
                action="test.event",
                target_type="thing",
                target_id=str(i),
                target_label=f"thing {i}",
                changes={"n": i, "when": "now"},
                ip="127.0.0.1",
            )


@pytest.mark.django_db
def test_it_chains_each_event_to_the_one_before():
    _record(3)
    events = list(AuditEvent.objects.order_by("id"))
    assert events[0].prev_hash == "0" * 64
    assert events[1].prev_hash == events[0].hash
    assert events[2].prev_hash == events[1].hash
    assert audit_verify() == (True, 3, "")


@pytest.mark.django_db(transaction=True)
def test_it_refuses_to_write_outside_a_transaction():
    with pytest.raises(RuntimeError):
        audit_record(actor=None, action="x", target_type="t", target_id="1")


@pytest.mark.django_db
def test_verify_audit_command_passes_on_an_intact_chain(capsys):
    _record(2)
    call_command("verify_audit")
    assert "2 events" in capsys.readouterr().out


def _tamper(sql, params):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The append-only trigger must be bypassed on purpose to simulate tampering.
            cursor.execute("SET LOCAL session_replication_role = replica")
        cursor.execute(sql, params)


@pytest.mark.django_db
def test_verify_audit_fails_after_a_row_is_changed():
    _record(3)
    victim = AuditEvent.objects.order_by("id")[1]
    with transaction.atomic():
        _tamper("UPDATE audit_auditevent SET target_label = %s WHERE id = %s", ["forged", victim.pk])
    with pytest.raises(CommandError, match="broken"):
        call_command("verify_audit")


@pytest.mark.django_db
def test_verify_audit_fails_after_a_row_is_deleted():
    _record(3)
    victim = AuditEvent.objects.order_by("id")[1]
    with transaction.atomic():
        _tamper("DELETE FROM audit_auditevent WHERE id = %s", [victim.pk])
    ok, _, problem = audit_verify()
    assert not ok and "prev_hash" in problem


@pytest.mark.django_db
def test_database_refuses_update_and_delete_on_postgresql():
    if connection.vendor != "postgresql":
        pytest.skip("the append-only trigger exists on PostgreSQL only")
    from django.db import DatabaseError

    _record(1)
    event = AuditEvent.objects.get()
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="forged")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
