"""Benchmark 3: drafting to approval.

Requests per second of the coordinator's review page (a pending alert) and the drafting form (a
draft) for a realistic alert (2 suspects, 1 vehicle, 1 photo), through gunicorn with a signed-in
session, against /healthz on the same gunicorn (the baseline: the same stack, almost no work).
The number of SQL queries each page makes is counted in-process (CaptureQueriesContext), so a
query explosion shows as a number, not only as a slower page.
"""

from __future__ import annotations

from .common import Services, WrkResult, http_get, median, paired_ratio, round_order, say, wrk


def _queries(path: str, headers: dict) -> int:
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    name, _, value = headers["Cookie"].partition("=")
    client.cookies[settings.SESSION_COOKIE_NAME] = value
    client.get(path)  # warm: the first request loads templates and caches
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path}: status {response.status_code} in-process")
    return len(captured.captured_queries)


def prepare(services: Services, people: dict) -> dict:
    from . import data

    draft = data.alert_draft(people, marker="BENCH-DRAFT")
    pending = data.alert_pending(people, marker="BENCH-REVIEW")
    carol = data.session_cookie(people["carol"])
    alice = data.session_cookie(people["alice"])
    app = f"http://127.0.0.1:{services.app_port}"
    pages = {
        "baseline": ("/healthz", {}),
        "review": (f"/portal/alerts/{pending.public_id}/review/", carol),
        "edit": (f"/portal/alerts/{draft.public_id}/edit/", alice),
    }
    checks = {"review": b"approve", "edit": b"<form"}
    out = {}
    for name, (path, headers) in pages.items():
        status, body = http_get(app + path, headers)
        if status != 200:
            raise RuntimeError(f"{name} {path}: status {status} (a redirect means the session was refused)")
        if name in checks and checks[name] not in body.lower():
            raise RuntimeError(f"{name} {path}: the page does not look like itself")
        out[name] = {"url": app + path, "headers": headers, "path": path, "bytes": len(body)}
    return out


def run(services: Services, people: dict, *, runs: int = 3, duration: int = 10) -> dict:
    pages = prepare(services, people)
    for name, page in pages.items():
        page["queries"] = _queries(page["path"], page["headers"]) if page["headers"] else None
        if page["queries"] is not None:
            say(f"  {name}: {page['queries']} SQL queries per request")
    say(f"Drafting to approval: wrk -t2 -c32 -d{duration}s through gunicorn, {runs} interleaved runs, median")
    results: dict[str, list[WrkResult]] = {name: [] for name in pages}
    for i in range(runs):
        for name in round_order(list(pages), i):
            page = pages[name]
            services.check_alive()
            result = wrk(page["url"], duration=duration, headers=page["headers"])
            results[name].append(result)
            errors = f"  ({result.errors} timeouts/errors of {result.requests})" if result.errors else ""
            say(f"  run {i + 1} {name:<8} {result.rps:9.0f} req/s  p99 {result.p99_ms:7.1f} ms{errors}")
    base = [r.rps for r in results["baseline"]]
    labels = {
        "baseline": "/healthz on gunicorn (baseline)",
        "review": "coordinator's review page",
        "edit": "drafting form",
    }
    table = []
    for name, rs in results.items():
        rps = median([r.rps for r in rs])
        table.append(
            {
                "target": labels[name],
                "rps": rps,
                "p99_ms": median([r.p99_ms for r in rs]),
                "ratio": paired_ratio([r.rps for r in rs], base),
                "queries": pages[name]["queries"],
                "bytes": pages[name]["bytes"],
                "errors": sum(r.errors for r in rs),
                "wanted": "",
                "met": None,
            }
        )
    return {"name": "Drafting to approval", "table": table}
