"""The installation's health check, /healthz (CONTRACTS.md): its path, JSON and status codes."""


def test_healthz_reports_database_cache_and_broker(client, db, settings):
    response = client.get("/healthz")
    assert response.status_code == 200
    broker = "skipped" if settings.CELERY_TASK_ALWAYS_EAGER else "ok"
    assert response.json() == {"database": "ok", "cache": "ok", "broker": broker}
    assert not response.cookies
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "public, max-age=0, must-revalidate"


def test_healthz_is_503_when_the_cache_is_unreachable(client, db, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["cache"] == "error"
    assert response["Cache-Control"] == "no-store"
