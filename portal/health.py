"""The health check of the whole installation (`/healthz`): database, cache and broker reachable.

Portal-wide rather than part of any app: load balancers and monitors ask it, and it reads nothing
of any app's data.
"""

import json
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_safe

from alerts.http import mark_public, public_response
from portal.celery import app

JSON = "application/json"


def _check(probe: Callable[[], object]) -> str:
    try:
        probe()
    except Exception:  # any failure means "not reachable"; the status code says so
        return "error"
    return "ok"


def _database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def _cache() -> None:
    cache.set("healthz", "ok", 10)
    if cache.get("healthz") != "ok":
        raise RuntimeError("cache did not keep a value")


def _broker() -> None:
    with app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, timeout=2)


@login_not_required
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    """Database, cache and broker reachable: 200, else 503. The broker is skipped when tasks run
    in-process (no REDIS_URL). Public, but caches must revalidate every time (max-age=0)."""
    result = {"database": _check(_database), "cache": _check(_cache)}
    result["broker"] = "skipped" if settings.CELERY_TASK_ALWAYS_EAGER else _check(_broker)
    content = json.dumps(result).encode()
    if not all(v in ("ok", "skipped") for v in result.values()):
        response = HttpResponse(content, content_type=JSON, status=503)
        response["Cache-Control"] = "no-store"
        return mark_public(response)
    response = public_response(request, content, content_type=JSON, last_modified=timezone.now(), max_age=0)
    response["Cache-Control"] = "public, max-age=0, must-revalidate"
    return response
