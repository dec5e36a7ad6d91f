"""A real SMTP server (aiosmtpd) for the outbox's tests and every test above it that sends mail."""

import asyncio
import socket
import threading

import pytest
from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Recorder:
    """An aiosmtpd handler that records every message; `refuse` maps an address to an SMTP reply."""

    def __init__(self, delay: float = 0.0):
        self.messages: list = []
        self.refuse: dict[str, str] = {}
        self.delay = delay
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.refuse:
            return self.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        import email
        from email import policy

        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        with self.lock:
            for rcpt in envelope.rcpt_tos:
                self.messages.append((rcpt, msg))
        return "250 Message accepted"

    def to(self, address: str) -> list:
        with self.lock:
            return [m for r, m in self.messages if r == address]

    def count_by_rcpt(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        with self.lock:
            for rcpt, _ in self.messages:
                counts[rcpt] = counts.get(rcpt, 0) + 1
        return counts


class SMTPServer:
    def __init__(self, delay: float = 0.0):
        self.port = free_port()
        self.handler = Recorder(delay=delay)
        self.controller = None

    def start(self):
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server (aiosmtpd) in the test process; Django's SMTP backend points at it."""
    server = SMTPServer()
    server.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_TIMEOUT = 5
    try:
        yield server
    finally:
        server.stop()
