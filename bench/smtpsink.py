"""A local SMTP sink (aiosmtpd) in its own process, so that neither the bench process nor the
senders share its CPU time through one interpreter. It accepts everything and records, per
message, the time it was accepted, its recipients and its Message-ID; the bench asks it over a
pipe for the counts of one message key (see message_key): messages, unique (recipient, Message-ID) pairs, duplicates, and
the times of the first and last acceptance (time.monotonic, the same clock in every process).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import multiprocessing.connection
import multiprocessing.process
import re
import threading
import time
from dataclasses import dataclass

_MESSAGE_ID = re.compile(rb"^Message-ID:\s*(<[^>\r\n]*>)", re.I | re.M)


def message_key(message_id: str) -> str:
    """What a run is counted by: the Message-ID's local part up to its first dot (an alert
    message's UUID for the portal's mail, "baseline-r1" for the baseline, "notice" for workflow mail)."""
    return message_id.strip("<>").split("@")[0].split(".")[0]


class Counter:
    __slots__ = ("deliveries", "first", "last", "messages", "seen")

    def __init__(self) -> None:
        self.messages = 0
        self.deliveries = 0
        self.seen: set[tuple[str, str]] = set()
        self.first: float | None = None
        self.last: float | None = None


class Recorder:
    """Counts per message key as messages arrive, so asking for the figures costs nothing while
    10,000 messages stream in."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.counters: dict[str, Counter] = {}
        self.samples: dict[str, bytes] = {}

    async def handle_DATA(self, server, session, envelope):
        now = time.monotonic()
        content = envelope.content if isinstance(envelope.content, bytes) else envelope.content.encode()
        end = content.find(b"\r\n\r\n")
        found = _MESSAGE_ID.search(content, 0, end if end >= 0 else 8192)
        message_id = found.group(1).decode(errors="replace") if found else ""
        key = message_key(message_id)
        with self.lock:
            counter = self.counters.get(key)
            if counter is None:
                counter = self.counters[key] = Counter()
                counter.first = now
            counter.last = now
            counter.messages += 1
            for rcpt in envelope.rcpt_tos:
                counter.deliveries += 1
                counter.seen.add((rcpt.lower(), message_id))
            if key not in self.samples and len(self.samples) < 64:
                self.samples[key] = content
        return "250 OK"

    def stats(self, key: str) -> dict:
        with self.lock:
            c = self.counters.get(key) or Counter()
            return {
                "messages": c.messages,
                "deliveries": c.deliveries,
                "unique": len(c.seen),
                "duplicates": c.deliveries - len(c.seen),
                "first": c.first,
                "last": c.last,
            }

    def sample(self, key: str) -> bytes | None:
        with self.lock:
            return self.samples.get(key)

    def reset(self) -> None:
        with self.lock:
            self.counters.clear()


def _serve(port: int, conn) -> None:
    from aiosmtpd.controller import Controller

    recorder = Recorder()
    controller = Controller(recorder, hostname="127.0.0.1", port=port, data_size_limit=64 * 1024 * 1024)
    controller.start()
    conn.send("ready")
    try:
        while True:
            if not conn.poll(1.0):
                continue
            command, arg = conn.recv()
            if command == "stop":
                break
            if command == "stats":
                conn.send(recorder.stats(arg))
            elif command == "sample":
                conn.send(recorder.sample(arg))
            elif command == "reset":
                recorder.reset()
                conn.send(True)
    except (EOFError, KeyboardInterrupt):
        pass
    finally:
        controller.stop()


@dataclass
class Sink:
    port: int
    process: multiprocessing.process.BaseProcess
    conn: multiprocessing.connection.Connection

    @classmethod
    def start(cls) -> Sink:
        from .common import free_port

        port = free_port()
        ctx = multiprocessing.get_context("spawn")
        parent, child = ctx.Pipe()
        process = ctx.Process(target=_serve, args=(port, child), daemon=True, name="smtp-sink")
        process.start()
        if not parent.poll(30) or parent.recv() != "ready":
            process.kill()
            raise RuntimeError("the SMTP sink did not start")
        return cls(port=port, process=process, conn=parent)

    def _ask(self, command: str, arg=None):
        self.conn.send((command, arg))
        if not self.conn.poll(30):
            raise TimeoutError(f"the SMTP sink did not answer {command}")
        return self.conn.recv()

    def stats(self, match: str) -> dict:
        return self._ask("stats", match)

    def sample(self, match: str) -> bytes | None:
        return self._ask("sample", match)

    def reset(self) -> None:
        self._ask("reset")

    def stop(self) -> None:
        if self.process.is_alive():
            with contextlib.suppress(BrokenPipeError, OSError):
                self.conn.send(("stop", None))
            self.process.join(10)
            if self.process.is_alive():
                self.process.kill()
                self.process.join(5)
