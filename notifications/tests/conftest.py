"""Fixtures of the notifications tests: the outbox's real SMTP server, and `distribute`."""

import pytest

from outbox.tests.conftest import SMTPServer, free_port, smtp_server  # noqa: F401 (fixture and helpers, reused)


@pytest.fixture
def distribute(django_capture_on_commit_callbacks):
    """distribute(message): plan and send a message as the after-commit hook would (tasks in-process)."""
    from notifications.services import message_distribute

    def _run(message):
        with django_capture_on_commit_callbacks(execute=True):
            return message_distribute(message_id=message.pk)

    return _run
