"""The journeys' real parts: Debian's Chromium driven by Playwright against pytest-django's live
server, plus (for the journeys proper) the distribution drills' private Redis, real Celery worker and
aiosmtpd server (notifications/tests), wired so the live server and the worker share the database,
the broker, the SMTP server, the media and publish folders and the site URL.

The worker reads the live server's committed rows from the test database: PostgreSQL only.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings

from notifications.tests.test_real_parts import real_parts  # noqa: F401 (the drills' fixture, reused)

from .support import DESKTOP

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
# The machine has no outside network: map tiles and anything else off the live server get an empty 204.
OFF_SITE = re.compile(r"^https?://(?!(localhost|127\.0\.0\.1)[:/])")

needs_postgres = pytest.mark.skipif(
    "postgresql" not in settings.DATABASES["default"]["ENGINE"],
    reason="the journeys need PostgreSQL: a real Celery worker (another process) must read the live "
    "server's committed rows (set DATABASE_URL=postgres://...; .ci/run does)",
)


def pytest_collection_modifyitems(config, items):
    if Path(CHROMIUM).exists():
        return
    skip = pytest.mark.skip(reason=f"no Chromium at {CHROMIUM} (apt-get install chromium; .ci/run installs it)")
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright's options (--headed, --slowmo) on Debian's Chromium, never a downloaded one."""
    return {"headless": True, **browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="module")
def browser(browser_type_launch_args):
    """One Chromium per test module. Playwright's sync API keeps an event loop running in this thread,
    which Django's async-safety check takes for an async context: the check is lifted only while the
    browser is up (pytest-playwright's session-wide browser would leave it on for every later test)."""
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=15_000)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as pw:
            chromium = pw.chromium.launch(**browser_type_launch_args)
            yield chromium
            chromium.close()


@pytest.fixture
def open_page(browser, live_server):
    """open_page(viewport=DESKTOP): a new browser context (its own cookies: one person) on the live server."""
    contexts = []

    def _open(viewport: dict = DESKTOP):
        context = browser.new_context(
            base_url=live_server.url, viewport=viewport, locale="en-US", timezone_id=settings.TIME_ZONE
        )
        context.route(OFF_SITE, lambda route: route.fulfill(status=204, body=""))
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield _open
    for context in contexts:
        context.close()


@pytest.fixture
def site(live_server, settings):
    """Links in mail and feeds point at the live server."""
    settings.SITE_URL = live_server.url
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost", "127.0.0.1"]
    return live_server


@pytest.fixture
def parts(real_parts, site, settings):  # noqa: F811 (real_parts is the imported fixture)
    """Private Redis (the live server enqueues to it), a real worker and the SMTP server it sends to."""
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", real_parts.smtp.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    # The worker reads the photos the live server stored and publishes where the live server serves from.
    real_parts.env_extra.update({"MEDIA_ROOT": str(settings.MEDIA_ROOT), "PUBLISH_ROOT": str(settings.PUBLISH_ROOT)})
    real_parts.start_worker()
    return real_parts
