"""gunicorn settings for `make serve` and production: `gunicorn -c deploy/gunicorn.conf.py portal.wsgi`.

Sync workers: nginx in front buffers slow clients and serves the published files itself, so a
worker only ever sees a complete request and spends its time in Django and PostgreSQL. Each
setting can be overridden from the environment (GUNICORN_BIND, WEB_CONCURRENCY, ...).
"""

import multiprocessing
import os

bind = os.getenv("GUNICORN_BIND", "127.0.0.1:8001")
# cores + 1: nginx serves the public pages itself and PostgreSQL answers in well under a millisecond,
# so a worker mostly computes; more workers than that only add context switches (on the 2-core
# bench machine 3 workers gave the best p99, 5 a worse one for the same throughput).
workers = int(os.getenv("WEB_CONCURRENCY", str(multiprocessing.cpu_count() + 1)))
worker_class = "sync"
# Load the application once in the master: workers fork with it (less memory, faster restarts).
# Database connections are opened lazily, after the fork, so none is shared.
preload_app = True
backlog = int(os.getenv("GUNICORN_BACKLOG", "2048"))
timeout = int(os.getenv("GUNICORN_TIMEOUT", "60"))  # nginx's proxy_read_timeout
graceful_timeout = 30
# Recycle workers now and then so a slow leak never becomes an outage; jitter avoids a herd.
max_requests = int(os.getenv("GUNICORN_MAX_REQUESTS", "20000"))
max_requests_jitter = 2000
# nginx on the same machine sets X-Forwarded-For / -Proto.
forwarded_allow_ips = os.getenv("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "bluealert-web"
# Access log: nginx writes one already; set GUNICORN_ACCESSLOG=- to have gunicorn's too.
accesslog = os.getenv("GUNICORN_ACCESSLOG") or None
errorlog = os.getenv("GUNICORN_ERRORLOG", "-")
loglevel = os.getenv("GUNICORN_LOGLEVEL", "info")


def when_ready(server):
    """In the master, before the first fork: import the URLconf (and through it every view and
    serializer). Django imports it lazily on the first request, so without this every new worker,
    including each one replacing a recycled worker, spends its first request importing (a profile
    of the Django fallback under load showed 12% of the time there)."""
    try:
        from django.urls import get_resolver

        get_resolver().url_patterns  # noqa: B018 - the attribute access is the import
    except Exception:
        server.log.exception("could not pre-import the URLconf; workers will import it on first use")
