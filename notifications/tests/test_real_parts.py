"""Distribution with the real parts: a Celery worker (subprocess) on a private Redis, a real SMTP
server (aiosmtpd in this process) and PostgreSQL (the worker reads this test's database).

The fault drills (marker `drill`) kill the worker with SIGKILL, stop the SMTP server and restart
Redis in the middle of a fan-out, and check that nobody is missed and duplicates stay bounded.
"""

import contextlib
import os
import signal
import subprocess
import time
from importlib import import_module
from pathlib import Path
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import transaction
from django.db.models import Count

from agencies.models import State
from notifications.models import MediaSubscriber
from notifications.tasks import message_distribute
from outbox.models import Delivery
from outbox.tests.conftest import SMTPServer, free_port

from .factories import make_alert, make_message

BASE = Path(__file__).resolve().parents[2]
CONCURRENCY = 2
real_db = pytest.mark.django_db(transaction=True)


pytestmark = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="needs PostgreSQL: a separate worker process must read the test's committed data "
    "(set DATABASE_URL=postgres://...)",
)


@pytest.fixture(autouse=True)
def _reference_data(transactional_db):
    """States and counties come from a data migration that an earlier transactional test's flush
    may have emptied: load them again (idempotent) before the personas need them."""
    from django.apps import apps

    if not State.objects.filter(usps="TX").exists():
        import_module("agencies.migrations.0002_load_states_and_counties").load(apps, None)


class RedisServer:
    def __init__(self, tmp: Path):
        self.port = free_port()
        self.tmp = tmp
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                str(self.tmp),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(self.url)
        deadline = time.monotonic() + 15
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)


class Worker:
    """A real `celery worker` (with embedded beat, so the sweeper runs) as its own process group."""

    def __init__(self, tmp: Path, env: dict, name: str):
        self.log = tmp / f"{name}.log"
        self.tmp = tmp
        self.env = env
        self.name = name
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.log_handle = self.log.open("ab")
        self.proc = subprocess.Popen(
            [
                str(BASE / ".venv/bin/celery"),
                "-A",
                "portal",
                "worker",
                "-Q",
                "priority,bulk",
                "-c",
                str(CONCURRENCY),
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
                "-B",
                "-s",
                str(self.tmp / f"{self.name}-beat"),
                "-n",
                f"{self.name}@%h",
                "-l",
                "info",
            ],
            cwd=BASE,
            env=self.env,
            stdout=self.log_handle,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while b"ready." not in self.log.read_bytes():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"worker did not start:\n{self.log.read_text()[-3000:]}")
            time.sleep(0.2)

    def kill(self, sig=signal.SIGKILL) -> None:
        if self.proc and self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.proc.pid, sig)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        if getattr(self, "log_handle", None):
            self.log_handle.close()


def _database_url() -> str:
    db = settings.DATABASES["default"]
    auth = quote(db.get("USER") or "postgres")
    if db.get("PASSWORD"):
        auth += ":" + quote(db["PASSWORD"])
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


class RealParts:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.redis = RedisServer(tmp)
        self.smtp = SMTPServer(delay=0.01)
        self.workers: list[Worker] = []
        self.env_extra: dict = {}

    def env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO_"))}
        env.update(
            {
                "DJANGO_SETTINGS_MODULE": "portal.settings",
                "DATABASE_URL": _database_url(),
                "REDIS_URL": self.redis.url,
                "EMAIL_URL": self.smtp.url,
                "VAR_DIR": str(self.tmp / "var"),
                "CONN_MAX_AGE": "0",
                "LOG_LEVEL": "WARNING",
                "NOTIFICATIONS_CHUNK_SIZE": "25",
                "NOTIFICATIONS_SWEEP_SECONDS": "1",
                "NOTIFICATIONS_STUCK_SECONDS": "30",
                "NOTIFICATIONS_QUEUED_STALE_SECONDS": "3",
                "NOTIFICATIONS_RETRY_BASE_SECONDS": "1",
                "NOTIFICATIONS_RETRY_MAX_SECONDS": "2",
                "NOTIFICATIONS_MAX_ATTEMPTS": "60",
                "SITE_URL": settings.SITE_URL,
            }
        )
        env.update(self.env_extra)
        return env

    def start_worker(self) -> Worker:
        worker = Worker(self.tmp, self.env(), f"w{len(self.workers) + 1}")
        self.workers.append(worker)
        worker.start()
        return worker

    def logs(self, tail: int | None = 4000) -> str:
        """The workers' logs: the last `tail` characters of each (for failure messages), or all."""
        return "\n".join(
            f"--- {w.name}\n{w.log.read_text()[-tail if tail else 0 :]}" for w in self.workers if w.log.exists()
        )


@pytest.fixture
def real_parts(tmp_path):
    """Private Redis + SMTP server; this process's Celery app publishes to that Redis."""
    from portal.celery import app

    parts = RealParts(tmp_path)
    parts.redis.start()
    parts.smtp.start()
    before = (app.conf.broker_url, app.conf.task_always_eager)
    app.conf.broker_url = parts.redis.url
    app.conf.task_always_eager = False
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield parts
    finally:
        for worker in parts.workers:
            worker.kill()
        parts.smtp.stop()
        parts.redis.stop()
        app.conf.broker_url, app.conf.task_always_eager = before
        app._pool = None
        app.amqp._producer_pool = None


def _subscribers(count: int) -> list[str]:
    texas = State.objects.get(usps="TX")
    subs = MediaSubscriber.objects.bulk_create(
        [
            MediaSubscriber(
                email=f"desk{i:04d}@news{i}.example",
                organisation=f"News {i}",
                outlet_type="online",
                contact_name="Desk",
                phone="555",
                status=MediaSubscriber.Status.VERIFIED,
            )
            for i in range(count)
        ]
    )
    MediaSubscriber.states.through.objects.bulk_create(
        [MediaSubscriber.states.through(mediasubscriber_id=s.pk, state_id=texas.pk) for s in subs]
    )
    return [s.email for s in subs]


def _approve(alice, carol, agency_a):
    """What the approving transaction does: the message row, then distribution after commit."""
    alert = make_alert(agency=agency_a, created_by=alice)
    with transaction.atomic():
        message = make_message(alert, approved_by=carol)
        transaction.on_commit(lambda: message_distribute.delay(message.pk))
    return message


def _wait(parts: RealParts, predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            statuses = dict(Delivery.objects.values_list("status").annotate(n=Count("id")))
            raise AssertionError(f"timed out waiting for {what}; deliveries {statuses}\n{parts.logs()}")
        time.sleep(0.25)


def _sent(message) -> int:
    return Delivery.objects.filter(message=message, status=Delivery.Status.SENT).count()


def _all_sent(message, expected: int):
    return lambda: _sent(message) == expected and Delivery.objects.filter(message=message).count() == expected


@real_db
def test_a_real_worker_delivers_an_approved_alert_to_every_subscriber_exactly_once(real_parts, alice, carol, agency_a):
    addresses = _subscribers(300) + [alice.email]
    real_parts.start_worker()

    message = _approve(alice, carol, agency_a)

    _wait(real_parts, _all_sent(message, len(addresses)), 120, "every delivery sent")
    counts = real_parts.smtp.handler.count_by_rcpt()
    assert set(counts) == set(addresses)
    assert set(counts.values()) == {1}
    assert set(Delivery.objects.filter(message=message).values_list("attempts", flat=True)) == {1}


@real_db
def test_a_rolled_back_approval_enqueues_nothing_on_the_real_broker(real_parts, alice, carol, agency_a):
    _subscribers(3)
    alert = make_alert(agency=agency_a, created_by=alice)
    with pytest.raises(RuntimeError), transaction.atomic():
        message = make_message(alert, approved_by=carol)
        transaction.on_commit(lambda: message_distribute.delay(message.pk))
        raise RuntimeError("rolled back")

    client = redis.Redis.from_url(real_parts.redis.url)
    assert client.llen("priority") == 0 and client.llen("bulk") == 0
    assert not Delivery.objects.exists()


@pytest.mark.drill
@real_db
def test_drill_a_worker_killed_mid_fan_out_misses_nobody(real_parts, alice, carol, agency_a):
    real_parts.env_extra["NOTIFICATIONS_STUCK_SECONDS"] = "4"
    real_parts.smtp.handler.delay = 0.02
    addresses = _subscribers(300) + [alice.email]
    first = real_parts.start_worker()
    message = _approve(alice, carol, agency_a)
    _wait(real_parts, lambda: _sent(message) >= 60, 60, "the fan-out to be under way")

    first.kill(signal.SIGKILL)
    in_flight = Delivery.objects.filter(message=message, status=Delivery.Status.SENDING).count()
    assert _sent(message) < len(addresses), "the fan-out finished before the kill; the drill proves nothing"
    real_parts.start_worker()

    _wait(real_parts, _all_sent(message, len(addresses)), 150, "every delivery sent after the restart")
    counts = real_parts.smtp.handler.count_by_rcpt()
    assert set(counts) == set(addresses)  # nobody missed
    duplicates = sum(n - 1 for n in counts.values())
    assert duplicates <= CONCURRENCY, f"{duplicates} duplicates ({in_flight} rows were in flight at the kill)"
    if in_flight:
        # The rows the dead worker held were reset by the sweeper and claimed again.
        assert Delivery.objects.filter(message=message, attempts__gt=1).exists()


@pytest.mark.drill
@real_db
def test_drill_mail_is_delivered_after_the_smtp_server_comes_back(real_parts, alice, carol, agency_a):
    addresses = _subscribers(200) + [alice.email]
    real_parts.start_worker()
    message = _approve(alice, carol, agency_a)
    _wait(real_parts, lambda: _sent(message) >= 40, 60, "the fan-out to be under way")

    real_parts.smtp.stop()
    _wait(
        real_parts,
        lambda: Delivery.objects.filter(message=message, status="failed_temp").exists(),
        30,
        "temporary failures while the SMTP server is down",
    )
    time.sleep(3)
    real_parts.smtp.start()

    _wait(real_parts, _all_sent(message, len(addresses)), 150, "every delivery sent after the SMTP server returned")
    counts = real_parts.smtp.handler.count_by_rcpt()
    assert set(counts) == set(addresses)
    assert sum(n - 1 for n in counts.values()) <= CONCURRENCY
    assert Delivery.objects.filter(message=message, attempts__gt=1).exists()


@pytest.mark.drill
@real_db
def test_drill_a_redis_restart_mid_fan_out_loses_nothing_and_duplicates_nothing(real_parts, alice, carol, agency_a):
    real_parts.smtp.handler.delay = 0.02
    addresses = _subscribers(300) + [alice.email]
    real_parts.start_worker()
    message = _approve(alice, carol, agency_a)
    _wait(real_parts, lambda: _sent(message) >= 60, 60, "the fan-out to be under way")

    real_parts.redis.stop()  # no persistence: every queued task message is lost
    time.sleep(1)
    assert _sent(message) < len(addresses), "the fan-out finished before the restart; the drill proves nothing"
    real_parts.redis.start()

    _wait(real_parts, _all_sent(message, len(addresses)), 150, "every delivery sent after Redis restarted")
    counts = real_parts.smtp.handler.count_by_rcpt()
    assert set(counts) == set(addresses)
    assert set(counts.values()) == {1}, "duplicates after a Redis restart"
    assert "rows requeued" in real_parts.logs(tail=None), "the lost task messages were not requeued by the sweeper"


@pytest.mark.drill
@real_db
def test_drill_a_planning_task_lost_with_redis_is_planned_again(real_parts, alice, carol, agency_a):
    """The alert is approved while no worker runs; Redis then restarts and loses the queued planning
    task. No delivery row exists for the row sweeper to find: the plan check must catch it."""
    real_parts.env_extra["NOTIFICATIONS_REPLAN_AFTER_SECONDS"] = "2"
    addresses = _subscribers(50) + [alice.email]
    message = _approve(alice, carol, agency_a)
    client = redis.Redis.from_url(real_parts.redis.url)
    assert client.llen("priority") == 1, "the planning task should be waiting in Redis"

    real_parts.redis.stop()  # no persistence: the planning task is gone
    real_parts.redis.start()
    assert redis.Redis.from_url(real_parts.redis.url).llen("priority") == 0
    real_parts.start_worker()

    _wait(real_parts, _all_sent(message, len(addresses)), 90, "every delivery sent after the plan check")
    counts = real_parts.smtp.handler.count_by_rcpt()
    assert set(counts) == set(addresses) and set(counts.values()) == {1}
    assert "re-planned" in real_parts.logs(tail=None)
