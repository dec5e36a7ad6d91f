"""Benchmark 2: the fan-out of one alert to 10,000 verified email subscribers.

The real path: an alert drafted and submitted through alerts.services, approved by a coordinator
(alerts.services.alert_approve); the approval's commit schedules publishing and distribution; the
two Celery workers of `make serve` (queues priority and bulk, same concurrency) plan the outbox
rows and send them in chunks, each chunk over one SMTP connection, to a local aiosmtpd sink that
counts unique (recipient, Message-ID) pairs and duplicates. Measured from the commit to the first
and to the last message accepted.

The baseline: the same number of messages, byte for byte the size of the real one (a message the
sink received, with its recipient and Message-ID changed), sent by a plain smtplib loop over one
connection to the same sink. Rounds alternate real and baseline; figures are medians, the ratio
the median of the per-round ratios.

Targets: last message within 2.0 x the baseline; first message within 2 s of the approval.
"""

from __future__ import annotations

import contextlib
import re
import signal
import smtplib
import subprocess
import time
from pathlib import Path

from .common import Services, median, paired_ratio, ratio, say, wait_for

LAST_TARGET = 2.0
FIRST_TARGET_S = 2.0
ROUND_TIMEOUT = 600


def _queues_empty(services: Services) -> bool:
    import redis

    client = redis.Redis.from_url(services.redis_url)
    return all(client.llen(q) == 0 for q in ("priority", "bulk", "celery"))


def _wait_delivered(services: Services, message, *, since: float) -> dict:
    """Wait (bounded) until every email delivery row of the message reached the sink."""
    from django.db.models import Count

    from notifications.models import DistributionPlan
    from outbox.models import Delivery

    match = str(message.message_id)
    expected = 0
    deadline = time.monotonic() + ROUND_TIMEOUT
    while True:
        services.check_alive()
        # Planning commits page by page: the count is final once the plan is recorded.
        if not expected and DistributionPlan.objects.filter(message=message).exists():
            expected = Delivery.objects.filter(message=message, channel=Delivery.Channel.EMAIL).count()
        stats = services.sink.stats(match)
        if expected and stats["unique"] >= expected:
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"fan-out: {stats['unique']} of {expected or '?'} delivered after {ROUND_TIMEOUT} s")
        time.sleep(0.1)
    # Let stragglers (duplicates) arrive before counting them, then check the outbox agrees.
    time.sleep(1.0)
    stats = services.sink.stats(match)
    states = dict(Delivery.objects.filter(message=message).values_list("status").order_by().annotate(n=Count("id")))
    return {
        "expected": expected,
        "unique": stats["unique"],
        "duplicates": stats["duplicates"],
        "first_s": stats["first"] - since,
        "last_s": stats["last"] - since,
        "outbox": states,
    }


def _baseline(services: Services, sample: bytes, count: int, tag: str) -> dict:
    """smtplib, one connection, `count` messages the size of `sample`; time to the last accepted."""
    found_mid = re.search(rb"^Message-ID:\s*(<[^>\r\n]*>)", sample, re.I | re.M)
    found_to = re.search(rb"^To:\s*(\S+@\S+)\s*$", sample, re.I | re.M)
    if found_mid is None or found_to is None:
        raise ValueError("the sampled message has no Message-ID or To header")
    mid, to = found_mid.group(1), found_to.group(1)
    width = len(mid) - len(f"<baseline-{tag}.@bench.invalid>")
    messages = []
    for i in range(count):
        new_mid = f"<baseline-{tag}.{i:0{max(width, 6)}d}@bench.invalid>".encode()
        rcpt = f"desk{i:05d}@newsroom.bench.invalid"
        messages.append((rcpt, sample.replace(mid, new_mid, 1).replace(to, rcpt.encode(), 1)))
    services.sink.reset()
    started = time.monotonic()
    with smtplib.SMTP("127.0.0.1", services.sink.port, timeout=30) as smtp:
        for rcpt, body in messages:
            smtp.sendmail("alerts@example.org", [rcpt], body)
    match = f"baseline-{tag}"
    wait_for(lambda: services.sink.stats(match)["unique"] >= count, timeout=60, what="baseline messages")
    stats = services.sink.stats(match)
    return {"last_s": stats["last"] - started, "first_s": stats["first"] - started, "unique": stats["unique"]}


class Profiler:
    """py-spy record on every worker process during one round (raw collapsed stacks)."""

    def __init__(self, services: Services, out: Path):
        self.services = services
        self.out = out
        self.procs: list[subprocess.Popen] = []

    def __enter__(self):
        from deploy.serve import venv_bin

        for name in ("worker-priority", "worker-bulk"):
            proc = self.services.supervisor.procs[name]
            target = self.out / f"pyspy-{name}.txt"
            self.procs.append(
                subprocess.Popen(
                    [
                        venv_bin("py-spy"),
                        "record",
                        "--subprocesses",
                        "--idle",
                        "-r",
                        "200",
                        "-f",
                        "raw",
                        "-o",
                        str(target),
                        "-p",
                        str(proc.pid),
                    ],
                    stdout=subprocess.DEVNULL,
                    stderr=subprocess.DEVNULL,
                )
            )
        time.sleep(1.0)
        return self

    def __exit__(self, *exc):
        for proc in self.procs:
            with contextlib.suppress(ProcessLookupError):
                proc.send_signal(signal.SIGINT)
        for proc in self.procs:
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        return False


def profile_summary(out: Path, top: int = 25) -> str:
    """Self time and inclusive time per function from py-spy's raw output (busy samples only)."""
    inclusive: dict[str, int] = {}
    own: dict[str, int] = {}
    total = 0
    for path in out.glob("pyspy-*.txt"):
        for line in path.read_text(errors="replace").splitlines():
            stack, _, count = line.rpartition(" ")
            if not count.isdigit():
                continue
            frames = stack.split(";")
            # Idle: a pool process waiting for work or the main process waiting on its pipes.
            leaf = frames[-1]
            if any(w in leaf for w in ("select (", "poll (", "_recv (", "wait (", "sleep", "epoll")):
                continue
            n = int(count)
            total += n
            own[leaf] = own.get(leaf, 0) + n
            for frame in set(frames):
                inclusive[frame] = inclusive.get(frame, 0) + n
    if not total:
        return "no busy samples"
    lines = [f"busy samples: {total}", "self time:"]
    for frame, n in sorted(own.items(), key=lambda kv: -kv[1])[:top]:
        lines.append(f"  {100 * n / total:5.1f}%  {frame}")
    lines.append("inclusive (project code):")
    ours = [
        (f, n)
        for f, n in inclusive.items()
        if "/work/" in f or "notifications/" in f or "outbox/" in f or "alerts/" in f
    ]
    for frame, n in sorted(ours, key=lambda kv: -kv[1])[:top]:
        lines.append(f"  {100 * n / total:5.1f}%  {frame}")
    return "\n".join(lines)


def run(services: Services, people: dict, *, subscribers: int = 10000, runs: int = 3, profile: bool = False) -> dict:
    from django.db import connections

    from . import data

    pending = [data.alert_pending(people, marker=f"BENCH-FANOUT-{i + 1}") for i in range(runs)]
    warmup = data.alert_pending(people, marker="BENCH-WARMUP")
    # Nothing queued so far (seed_demo's and the public page's approvals) may run now: only the
    # rounds' messages are measured, and the earlier ones would fan out to the bench subscribers.
    import redis

    redis.Redis.from_url(services.redis_url).flushdb()
    services.start_workers()
    # Warm the workers (imports, templates, connections) on an alert with no subscriber yet.
    message, since = data.alert_approve(people, warmup)
    _wait_delivered(services, message, since=since)
    total = data.subscribers_create(subscribers)
    say(f"Fan-out: {total} verified email subscribers; workers: priority x{_conc('priority')}, bulk x{_conc('bulk')}")
    rounds = []
    message_bytes = 0
    baselines = []
    for i, alert in enumerate(pending):
        wait_for(lambda: _queues_empty(services), timeout=120, what="empty queues")
        services.sink.reset()
        connections.close_all()
        if profile and i == 0:
            with Profiler(services, services.root):
                message, since = data.alert_approve(people, alert)
                result = _wait_delivered(services, message, since=since)
        else:
            message, since = data.alert_approve(people, alert)
            result = _wait_delivered(services, message, since=since)
        rounds.append(result)
        say(
            f"  run {i + 1} approval -> first {result['first_s']:6.2f} s, last {result['last_s']:6.2f} s; "
            f"{result['unique']} unique of {result['expected']}, {result['duplicates']} duplicates; "
            f"outbox {result['outbox']}"
        )
        sample = services.sink.sample(str(message.message_id))
        if sample is None:
            raise RuntimeError(f"the SMTP sink kept no copy of message {message.message_id}")
        message_bytes = len(sample)
        base = _baseline(services, sample, result["expected"], tag=f"r{i + 1}")
        baselines.append(base)
        say(
            f"  run {i + 1} smtplib loop, one connection: {base['last_s']:6.2f} s for {base['unique']} ({len(sample)} bytes each)"
        )
    last = median([r["last_s"] for r in rounds])
    first = median([r["first_s"] for r in rounds])
    base_last = median([b["last_s"] for b in baselines])
    r_last = paired_ratio([r["last_s"] for r in rounds], [b["last_s"] for b in baselines])
    table = [
        {
            "target": "smtplib loop, one connection (baseline)",
            "seconds": base_last,
            "ratio": 1.0,
            "wanted": "",
            "met": None,
        },
        {
            "target": "approval -> last message",
            "seconds": last,
            "ratio": r_last,
            "wanted": f"<= {LAST_TARGET:g}x",
            "met": r_last <= LAST_TARGET,
        },
        {
            "target": "approval -> first message",
            "seconds": first,
            "ratio": ratio(first, base_last),
            "wanted": f"<= {FIRST_TARGET_S:g} s",
            "met": first <= FIRST_TARGET_S,
        },
    ]
    out = {
        "name": "Fan-out",
        "subscribers": total,
        "messages": rounds[0]["expected"],
        "message_bytes": message_bytes,
        "duplicates": sum(r["duplicates"] for r in rounds),
        "missing": sum(max(0, r["expected"] - r["unique"]) for r in rounds),
        "table": table,
    }
    if profile:
        out["profile"] = profile_summary(services.root)
    return out


def _conc(queue: str) -> int:
    from deploy import serve

    return serve.priority_concurrency() if queue == "priority" else serve.bulk_concurrency()
