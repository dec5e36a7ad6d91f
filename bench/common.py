"""What every benchmark shares: private services (PostgreSQL database, Redis, SMTP sink, gunicorn,
nginx, Celery workers) on free ports under one temporary directory, wrk, medians and ratios.

Nothing here touches a shared service: the database is `bluealert_bench` (created and dropped on
the shared PostgreSQL server), Redis, nginx, gunicorn and the sink run on ports picked free, and
every process started is stopped in `Services.close()` (the caller's `finally`).
"""

from __future__ import annotations

import contextlib
import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlparse, urlunparse

from deploy import serve

if TYPE_CHECKING:
    from .smtpsink import Sink  # imported where it starts: it spawns a process

BASE_DIR = Path(__file__).resolve().parent.parent
DEFAULT_BENCH_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/bluealert_bench"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(check: Callable[[], bool], *, timeout: float, what: str, interval: float = 0.1) -> None:
    """Poll `check` until it is true; raise after `timeout` seconds (every loop here is bounded)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if check():
                return
        except Exception:  # noqa: S110 - not up yet: keep polling until the deadline
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} not ready after {timeout:.0f} s")
        time.sleep(interval)


def port_open(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


def median(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def ratio(value: float, baseline: float) -> float:
    return value / baseline if baseline else float("nan")


def paired_ratio(values: list[float], baselines: list[float]) -> float:
    """The median of the per-round ratios: each round measures the target right next to its
    baseline, so a slow spell of the machine (other work on it) falls on both sides of a ratio."""
    return median([ratio(v, b) for v, b in zip(values, baselines, strict=True)])


def round_order(names: list[str], round_index: int) -> list[str]:
    """Forward in even rounds, backward in odd ones, so a drift in load does not favour one."""
    return list(names) if round_index % 2 == 0 else list(reversed(names))


def say(text: str = "") -> None:
    print(text, flush=True)


# ---- wrk -------------------------------------------------------------------------------------


@dataclass
class WrkResult:
    rps: float
    p99_ms: float
    errors: int
    requests: int


_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def _find(pattern: str, text: str, flags: int = 0) -> re.Match[str]:
    found = re.search(pattern, text, flags)
    if found is None:
        raise ValueError(f"no {pattern!r} in wrk's output:\n{text}")
    return found


def _ms(text: str) -> float:
    number, unit = _find(r"^([\d.]+)(us|ms|s|m)$", text.strip()).groups()
    return float(number) * _UNITS[unit]


def parse_wrk(output: str) -> WrkResult:
    rps = float(_find(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p99 = _ms(_find(r"^\s+99%\s+(\S+)", output, re.M).group(1))
    requests = int(_find(r"(\d+) requests in", output).group(1))
    errors = 0
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    if non2xx:
        errors += int(non2xx.group(1))
    sock = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    if sock:
        errors += sum(int(g) for g in sock.groups())
    return WrkResult(rps=rps, p99_ms=p99, errors=errors, requests=requests)


def wrk(
    url: str, *, duration: int = 10, threads: int = 2, connections: int = 32, headers: dict | None = None
) -> WrkResult:
    argv = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", "--timeout", "5s"]
    for name, value in (headers or {}).items():
        argv += ["-H", f"{name}: {value}"]
    out = subprocess.run([*argv, url], capture_output=True, text=True, timeout=duration + 60, check=True).stdout
    return parse_wrk(out)


def http_get(url: str, headers: dict | None = None, timeout: float = 10) -> tuple[int, bytes]:
    """GET without following redirects (a redirect to the sign-in page must show as a 302)."""
    parts = urlparse(url)
    if not parts.hostname:
        raise ValueError(f"no host in {url!r}")
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout)
    try:
        conn.request("GET", parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


# ---- the private services -------------------------------------------------------------------


def _admin_dsn(database_url: str) -> tuple[str, str]:
    parts = urlparse(database_url)
    name = parts.path.lstrip("/")
    if "bench" not in name:
        raise SystemExit(f"refusing to recreate {name!r}: the bench database's name must contain 'bench'")
    return urlunparse(parts._replace(path="/postgres")), name


def database_recreate(database_url: str) -> None:
    """Drop and create the bench database (and only it) so every run starts from the same state."""
    import psycopg

    admin, name = _admin_dsn(database_url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def database_drop(database_url: str) -> None:
    import psycopg

    admin, name = _admin_dsn(database_url)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@dataclass
class Services:
    """The private services of one bench run, all under `root` (a temporary directory)."""

    root: Path
    database_url: str
    redis_port: int = 0
    nginx_port: int = 0
    app_port: int = 0
    _sink: Sink | None = None
    supervisor: serve.Supervisor | None = None
    logs: dict[str, Path] = field(default_factory=dict)
    secret_key: str = field(default_factory=lambda: "bench-only-" + os.urandom(24).hex())
    _files: list = field(default_factory=list)

    @classmethod
    def create(cls) -> Services:
        root = Path(tempfile.mkdtemp(prefix="bluealert-bench-"))
        root.chmod(0o755)  # nginx's workers read the publish root under it
        url = os.getenv("BENCH_DATABASE_URL", DEFAULT_BENCH_DATABASE_URL)
        return cls(root=root, database_url=url)

    # paths
    @property
    def var(self) -> Path:
        return self.root / "var"

    @property
    def publish_root(self) -> Path:
        return self.var / "public"

    @property
    def static_root(self) -> Path:
        return self.var / "static"

    @property
    def redis_url(self) -> str:
        return f"redis://127.0.0.1:{self.redis_port}/0"

    def env(self) -> dict:
        """The environment of the application, its workers and this process (Django settings)."""
        env = dict(os.environ)
        env.update(
            {
                "DATABASE_URL": self.database_url,
                "REDIS_URL": self.redis_url,
                "EMAIL_URL": f"smtp://127.0.0.1:{self.sink.port}",
                "VAR_DIR": str(self.var),
                "MEDIA_ROOT": str(self.var / "media"),
                "PUBLISH_ROOT": str(self.publish_root),
                "DEBUG": "false",
                "SECRET_KEY": self.secret_key,
                "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
                "SECURE_SSL_REDIRECT": "false",
                "SECURE_HSTS_SECONDS": "0",
                "SITE_URL": f"http://127.0.0.1:{self.nginx_port}",
                "LOG_LEVEL": "WARNING",
                "CONN_MAX_AGE": "600",
                "DJANGO_SETTINGS_MODULE": "portal.settings",
                "PYTHONUNBUFFERED": "1",
            }
        )
        return env

    def start_base(self) -> None:
        """Database, Redis and the SMTP sink: what Django needs before it is set up."""
        from .smtpsink import Sink

        self.var.mkdir(parents=True)
        for sub in ("public", "static", "media"):
            (self.var / sub).mkdir()
        database_recreate(self.database_url)
        self.redis_port = free_port()
        self.nginx_port = free_port()
        self.app_port = free_port()
        self.supervisor = serve.Supervisor(env=dict(os.environ))
        self._start(
            "redis",
            [
                "redis-server",
                "--port",
                str(self.redis_port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "no",
                "--dir",
                str(self.root),
            ],
        )
        wait_for(lambda: port_open(self.redis_port), timeout=20, what="redis")
        self._sink = Sink.start()

    @property
    def sink(self) -> Sink:
        if self._sink is None:
            raise RuntimeError("the SMTP sink is not started yet (Services.start_base starts it)")
        return self._sink

    def _start(self, name: str, argv: list[str], env: dict | None = None) -> subprocess.Popen:
        if self.supervisor is None:
            raise RuntimeError("the supervisor is not started yet (Services.start_base starts it)")
        log = self.root / f"{name}.log"
        handle = log.open("ab")
        self._files.append(handle)
        self.logs[name] = log
        return self.supervisor.start(name, argv, stdout=handle, env=env)

    def start_web(self, *, web_workers: int) -> None:
        """gunicorn and nginx (config generated from deploy/nginx.conf)."""
        env = self.env()
        env["GUNICORN_ERRORLOG"] = str(self.root / "gunicorn-error.log")
        env["GUNICORN_LOGLEVEL"] = "warning"
        self._start("gunicorn", serve.gunicorn_argv(f"127.0.0.1:{self.app_port}", workers=web_workers), env=env)
        prefix = self.root / "nginx"
        conf = serve.nginx_write_conf(
            prefix,
            listen=f"127.0.0.1:{self.nginx_port}",
            upstream=f"127.0.0.1:{self.app_port}",
            publish_root=self.publish_root,
            static_root=self.static_root,
            access_log=False,
        )
        self._start("nginx", serve.nginx_argv(prefix, conf), env=env)
        wait_for(lambda: http_get(f"http://127.0.0.1:{self.app_port}/healthz")[0] == 200, timeout=60, what="gunicorn")
        wait_for(lambda: http_get(f"http://127.0.0.1:{self.nginx_port}/healthz")[0] == 200, timeout=30, what="nginx")

    def start_workers(self) -> list:
        """The two Celery workers of `make serve` (same queues, same concurrency)."""
        env = self.env()
        procs = [
            self._start(
                "worker-priority",
                serve.celery_worker_argv("priority", serve.priority_concurrency(), loglevel="warning"),
                env=env,
            ),
            self._start(
                "worker-bulk", serve.celery_worker_argv("bulk", serve.bulk_concurrency(), loglevel="warning"), env=env
            ),
        ]
        from portal.celery import app

        def both_ready() -> bool:
            replies = app.control.ping(timeout=1.0) or []
            names = {name.split("@")[0] for reply in replies for name in reply}
            return {"priority", "bulk"} <= names

        wait_for(both_ready, timeout=90, what="celery workers", interval=0.5)
        return procs

    def worker_pids(self) -> list[int]:
        """The pool processes of both workers (children of each worker's main process)."""
        pids = []
        for name in ("worker-priority", "worker-bulk"):
            proc = self.supervisor.procs.get(name) if self.supervisor else None
            if proc is None:
                continue
            pids.append(proc.pid)
            with contextlib.suppress(OSError):
                children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children").read_text().split()
                pids += [int(c) for c in children]
        return pids

    def check_alive(self) -> None:
        gone = self.supervisor.exited() if self.supervisor else None
        if gone:
            name, code = gone
            tail = self.logs[name].read_text(errors="replace")[-3000:] if name in self.logs else ""
            raise RuntimeError(f"{name} exited with status {code}:\n{tail}")

    def close(self, *, keep: bool = False) -> None:
        if self.supervisor is not None:
            self.supervisor.stop_all(timeout=15)
        if self._sink is not None:
            self._sink.stop()
        for handle in self._files:
            handle.close()
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        with contextlib.suppress(Exception):
            database_drop(self.database_url)
        if not keep:
            shutil.rmtree(self.root, ignore_errors=True)
