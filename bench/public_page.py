"""Benchmark 1: the public alert page.

wrk (-t2 -c32 -d10s) against the same published alert page through nginx (the file under the
publish root) and through gunicorn alone (the Django fallback: the same URL with nginx bypassed),
and, as the baseline, a static file of the same size served by the same nginx (/static/). The
runs are interleaved (baseline, nginx, Django, then the other way round) so the machine's noise
falls on all three alike; each figure is the median of the runs, each ratio the median of the
per-round ratios.

Targets: nginx >= 0.8 x baseline; Django >= 0.05 x baseline with p99 < 250 ms.
"""

from __future__ import annotations

from .common import Services, WrkResult, http_get, median, paired_ratio, round_order, say, wrk

NGINX_TARGET = 0.8
DJANGO_TARGET = 0.05
DJANGO_P99_MS = 250.0


def prepare(services: Services, people: dict) -> dict:
    """Publish one realistic alert; put a same-size copy of its page under the static root."""
    from alerts.publishing import alert_page_name, alert_publish, site_republish

    from . import data

    alert = data.alert_pending(people, marker="BENCH-PUBLIC")
    data.alert_approve(people, alert)
    alert_publish(alert_id=alert.pk)
    site_republish()
    page = services.publish_root / alert_page_name(alert.public_id)
    content = page.read_bytes()
    baseline = services.static_root / "bench" / "same-size.html"
    baseline.parent.mkdir(parents=True, exist_ok=True)
    baseline.write_bytes(content)
    baseline.chmod(0o644)
    path = f"/alerts/{alert.public_id}/"
    urls = {
        "baseline": f"http://127.0.0.1:{services.nginx_port}/static/bench/same-size.html",
        "nginx": f"http://127.0.0.1:{services.nginx_port}{path}",
        "django": f"http://127.0.0.1:{services.app_port}{path}",
    }
    for name, url in urls.items():
        status, body = http_get(url)
        if status != 200 or len(body) != len(content):
            raise RuntimeError(f"{name} {url}: status {status}, {len(body)} bytes, expected 200 and {len(content)}")
    return {"urls": urls, "size": len(content), "public_id": str(alert.public_id)}


def run(services: Services, people: dict, *, runs: int = 3, duration: int = 10) -> dict:
    setup = prepare(services, people)
    urls = setup["urls"]
    say(f"Public page: {setup['size']} bytes; wrk -t2 -c32 -d{duration}s, {runs} interleaved runs, median")
    results: dict[str, list[WrkResult]] = {name: [] for name in urls}
    for i in range(runs):
        for name in round_order(list(urls), i):
            url = urls[name]
            services.check_alive()
            result = wrk(url, duration=duration)
            if result.errors:
                raise RuntimeError(f"{name}: {result.errors} errors or non-2xx responses under load")
            results[name].append(result)
            say(f"  run {i + 1} {name:<8} {result.rps:9.0f} req/s  p99 {result.p99_ms:7.1f} ms")
    figures = {
        name: {"rps": median([r.rps for r in rs]), "p99_ms": median([r.p99_ms for r in rs])}
        for name, rs in results.items()
    }
    base = [r.rps for r in results["baseline"]]
    rows = [
        ("static file, same size (baseline)", "baseline", None, None),
        ("published page via nginx", "nginx", NGINX_TARGET, None),
        ("Django fallback via gunicorn", "django", DJANGO_TARGET, DJANGO_P99_MS),
    ]
    table = []
    for label, key, target, p99_max in rows:
        fig = figures[key]
        r = paired_ratio([x.rps for x in results[key]], base)
        met = None
        if target is not None:
            met = r >= target and (p99_max is None or fig["p99_ms"] < p99_max)
        want = "" if target is None else f">= {target:g}x" + (f", p99 < {p99_max:g} ms" if p99_max else "")
        table.append(
            {"target": label, "rps": fig["rps"], "p99_ms": fig["p99_ms"], "ratio": r, "wanted": want, "met": met}
        )
    return {"name": "Public page", "size": setup["size"], "table": table}
