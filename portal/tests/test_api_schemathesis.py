"""schemathesis against the live schema and the WSGI app: no 5xx, every response matches its schema.

Runs in-process (WSGI), signed in with alice's token, then anonymously; a bounded number of
examples per operation keeps it well under a minute. (schemathesis' own pytest plugin does not run
under pytest 9 yet, so the operations are driven with Hypothesis directly.)
"""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Err, Ok
from schemathesis.specs.openapi.checks import response_schema_conformance

from agencies.models import Agency, Membership
from alerts.models import Alert, Message
from portal.tests.api_support import make_published_alert
from portal.wsgi import application

EXAMPLES = 15
CHECKS = [not_a_server_error, response_schema_conformance]


def _run_every_operation(headers: dict) -> list[str]:
    schema = schemathesis.openapi.from_wsgi("/api/schema/", application)
    failures: list[str] = []
    results = list(schema.get_all_operations())
    unreadable = [r.err() for r in results if isinstance(r, Err)]
    assert not unreadable, unreadable
    operations = [r.ok() for r in results if isinstance(r, Ok)]
    assert len(operations) > 25
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            case.call_and_validate(headers=headers, checks=CHECKS)

        try:
            run()
        except Exception as exc:  # collect every operation's failure, not only the first
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}")
    return failures


@pytest.fixture
def world(alice, albert, carol, agency_a):
    make_published_alert(agency_a, alice)
    # Requests go straight to the WSGI app, not through Django's test client, so keep Django from
    # closing the test transaction's connection at the end of each request (as the client does).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def test_no_server_error_and_every_response_matches_its_schema_signed_in(world, alice):
    published = Alert.objects.get()
    memberships = set(Membership.objects.values_list("pk", "role", "is_active"))
    token = Token.objects.create(user=alice).key
    failures = _run_every_operation({"Authorization": f"Token {token}"})
    assert not failures, "\n\n".join(failures)
    # Whatever was thrown at it, staff could not decide anything nor change anyone's rights.
    assert Alert.objects.get(pk=published.pk).status == published.status
    assert not Message.objects.exclude(alert=published).exists()
    assert set(Membership.objects.values_list("pk", "role", "is_active")) == memberships
    assert not Agency.objects.exclude(status="verified").filter(decided_by__isnull=False).exists()


def test_no_server_error_and_every_response_matches_its_schema_anonymously(world):
    failures = _run_every_operation({})
    assert not failures, "\n\n".join(failures)
