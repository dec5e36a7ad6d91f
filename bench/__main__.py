"""`make bench` / `python -m bench [public fanout drafting] [options]`.

Starts private services (its own PostgreSQL database `bluealert_bench`, Redis, SMTP sink, gunicorn,
nginx, Celery workers; see bench/common.py), runs the benchmarks, prints every figure with its
ratio to the baseline measured in the same run, and writes the results to var/bench/latest.json
and var/bench/latest.md (the table the README's performance section shows). Everything it started
is stopped at the end, whatever happens.
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import platform
import shutil
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from .common import BASE_DIR, Services, say

BENCHMARKS = ("public", "fanout", "drafting")


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("only", nargs="*", metavar="|".join(BENCHMARKS), help="benchmarks to run (default: all)")
    parser.add_argument("--runs", type=int, default=3, help="runs per figure (median); default 3")
    parser.add_argument("--duration", type=int, default=10, help="seconds per wrk run; default 10")
    parser.add_argument("--subscribers", type=int, default=10000, help="fan-out subscribers; default 10000")
    parser.add_argument("--web-workers", type=int, default=0, help="gunicorn workers (default: gunicorn.conf.py)")
    parser.add_argument("--profile", action="store_true", help="py-spy the workers during the first fan-out round")
    parser.add_argument("--hold", type=int, default=0, help="after the runs, keep the services up this many seconds")
    parser.add_argument("--keep", action="store_true", help="keep the temporary directory (logs, profiles)")
    args = parser.parse_args(argv)
    unknown = set(args.only) - set(BENCHMARKS)
    if unknown:
        parser.error(f"unknown benchmark {', '.join(sorted(unknown))}; choose from {', '.join(BENCHMARKS)}")
    return args


def machine() -> str:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem = ""
    try:
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        mem = f", {kb / 1024 / 1024:.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return f"{os.cpu_count()} cores ({cpu}){mem}, {platform.system()} {platform.release()}, Python {platform.python_version()}"


def fmt_table(result: dict) -> list[str]:
    rows = result["table"]
    lines = []
    if "seconds" in rows[0]:
        header = f"  {'target':<42} {'seconds':>9} {'ratio':>7}  {'wanted':<14} met"
        lines.append(header)
        for r in rows:
            met = "" if r["met"] is None else ("yes" if r["met"] else "NO")
            lines.append(f"  {r['target']:<42} {r['seconds']:9.2f} {r['ratio']:6.2f}x  {r['wanted']:<14} {met}")
        return lines
    with_queries = any("queries" in r for r in rows)
    header = f"  {'target':<42} {'req/s':>9} {'p99 ms':>8} {'ratio':>7}"
    header += f" {'queries':>8}" if with_queries else f"  {'wanted':<26} met"
    lines.append(header)
    for r in rows:
        line = f"  {r['target']:<42} {r['rps']:9.0f} {r['p99_ms']:8.1f} {r['ratio']:6.3f}x"
        if with_queries:
            q = r.get("queries")
            line += f" {q if q is not None else '-':>8}"
        else:
            met = "" if r["met"] is None else ("yes" if r["met"] else "NO")
            line += f"  {r['wanted']:<26} {met}"
        lines.append(line)
    return lines


def markdown(results: list[dict], when: str, where: str) -> str:
    out = [f"Measured {when} on {where}.", ""]
    for res in results:
        rows = res["table"]
        out.append(f"**{res['name']}**" + (f" ({res['note']})" if res.get("note") else ""))
        out.append("")
        if "seconds" in rows[0]:
            out += ["| | seconds | ratio to baseline | target | met |", "|---|---:|---:|---|---|"]
            for r in rows:
                met = "" if r["met"] is None else ("yes" if r["met"] else "**no**")
                out.append(f"| {r['target']} | {r['seconds']:.2f} | {r['ratio']:.2f}x | {r['wanted']} | {met} |")
        elif any("queries" in r for r in rows):
            out += ["| | req/s | p99 ms | ratio to baseline | SQL queries |", "|---|---:|---:|---:|---:|"]
            for r in rows:
                q = r.get("queries")
                out.append(
                    f"| {r['target']} | {r['rps']:.0f} | {r['p99_ms']:.1f} | {r['ratio']:.3f}x | {q if q is not None else '–'} |"
                )
        else:
            out += ["| | req/s | p99 ms | ratio to baseline | target | met |", "|---|---:|---:|---:|---|---|"]
            for r in rows:
                met = "" if r["met"] is None else ("yes" if r["met"] else "**no**")
                out.append(
                    f"| {r['target']} | {r['rps']:.0f} | {r['p99_ms']:.1f} | {r['ratio']:.3f}x | {r['wanted']} | {met} |"
                )
        out.append("")
    return "\n".join(out)


def check_tools() -> None:
    missing = [tool for tool in ("nginx", "wrk", "redis-server") if shutil.which(tool) is None]
    if missing:
        raise SystemExit(f"make bench needs {', '.join(missing)} (the Makefile installs nginx-light and wrk)")


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    only = args.only or list(BENCHMARKS)
    check_tools()
    started = time.monotonic()
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    where = machine()
    say(f"Blue Alert benchmarks, {when}\nMachine: {where}")
    services = Services.create()
    results: list[dict] = []
    status = 0
    try:
        services.start_base()
        os.environ.update(services.env())
        sys.path.insert(0, str(BASE_DIR))
        import django

        django.setup()
        from django.core.management import call_command

        from . import data

        say("Preparing: migrations, static files, demo data ...")
        call_command("migrate", verbosity=0, interactive=False)
        call_command("collectstatic", verbosity=0, interactive=False)
        people = data.people()
        services.start_web(web_workers=args.web_workers)
        from django.db import connections

        connections.close_all()
        say(f"Services ready in {time.monotonic() - started:.0f} s (temporary directory {services.root})\n")
        modules = {"public": "public_page", "drafting": "drafting", "fanout": "fanout"}
        for name in ("public", "drafting", "fanout"):  # fanout last: it starts the workers
            if name not in only:
                continue
            module = importlib.import_module(f"bench.{modules[name]}")
            kwargs = {"runs": args.runs}
            if name == "fanout":
                kwargs.update(subscribers=args.subscribers, profile=args.profile)
            else:
                kwargs["duration"] = args.duration
            try:
                results.append(module.run(services, people, **kwargs))
            except Exception as exc:  # report it, go on with the next benchmark
                status = 1
                say(f"\n{name} FAILED: {type(exc).__name__}: {exc}\n")
                services.check_alive()
        if args.hold:
            say(f"Holding the services for {args.hold} s: nginx :{services.nginx_port}, gunicorn :{services.app_port}")
            time.sleep(args.hold)
    except Exception as exc:
        status = 1
        say(f"\nBENCH FAILED: {type(exc).__name__}: {exc}")
        for name, log in services.logs.items():
            if log.exists() and log.stat().st_size:
                say(f"--- last lines of {name} ({log}) ---")
                say(log.read_text(errors="replace")[-1500:])
    finally:
        services.close(keep=args.keep or status != 0)
        if args.keep or status:
            say(f"(kept {services.root})")

    if results:
        say(f"\n==== Results ({when}; {where}) ====")
        for res in results:
            say(f"\n{res['name']}")
            for line in fmt_table(res):
                say(line)
            for key in ("size", "subscribers", "messages", "message_bytes", "duplicates", "missing"):
                if key in res:
                    say(f"  {key.replace('_', ' ')}: {res[key]}")
            if res.get("profile"):
                say("  profile of the workers (py-spy, first round):")
                for line in res["profile"].splitlines():
                    say("    " + line)
        out_dir = BASE_DIR / "var" / "bench"
        out_dir.mkdir(parents=True, exist_ok=True)
        doc = {"when": when, "machine": where, "results": results}
        (out_dir / "latest.json").write_text(json.dumps(doc, indent=2, default=str))
        (out_dir / "latest.md").write_text(markdown(results, when, where))
        missed = [r["target"] for res in results for r in res["table"] if r["met"] is False]
        say(f"\nTargets missed: {', '.join(missed)}" if missed else "\nEvery target met.")
        say(f"Written: {out_dir / 'latest.json'}, {out_dir / 'latest.md'}; {time.monotonic() - started:.0f} s in all.")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
