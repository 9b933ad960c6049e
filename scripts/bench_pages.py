"""Benchmark the main pages at S and 10S against the stack's floor; write docs/benchmarks.md.

    .venv/bin/python scripts/bench_pages.py                  # what `make bench` runs
    .venv/bin/python scripts/bench_pages.py --duration 20    # a quick look
    .venv/bin/python scripts/bench_pages.py --reuse          # keep databases seeded before

For each size (S, then 10S) it seeds its own PostgreSQL database (rp_portal_bench_s,
rp_portal_bench_10s) with `manage.py seed_scale`, serves the app with gunicorn as production
does (production settings, DEBUG off, gunicorn.conf.py's sync workers, WhiteNoise) on loopback,
and drives it from a second process: --users simulated people (practitioners, facilitators and
managers, each signed in as a different seeded person) open the main pages with a think time
of 0.5-1.5 s between pages, for --duration seconds. The floor is a page served only under
rp_portal.scale.settings_bench (production settings plus that one URL): signed in, the base
template, no domain queries.

Before serving 10S it also opens every page once in-process, captures the SQL each one runs
and EXPLAINs it: a sequential scan on a large table is reported.

Only the "## Pages at scale" section of docs/benchmarks.md is written; the rest is kept.
"""

# This script runs our own commands (gunicorn, manage.py, ps) on loopback with its own
# arguments, and prints multiplication signs on purpose.
# ruff: noqa: S603, S607, RUF001

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from datetime import UTC, datetime
from http.client import HTTPConnection
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
REPORT = REPO / "docs" / "benchmarks.md"
SECTION = "## Pages at scale"
PY = sys.executable
DB_URL = "postgres://postgres@127.0.0.1:5432/{name}"
REDIS_URL = "redis://127.0.0.1:6379/9"
SIZES = {"S": "rp_portal_bench_s", "10S": "rp_portal_bench_10s"}
LARGE_TABLES = {
    "rp_sessions_booking",
    "rp_sessions_groupsession",
    "journals_journalentry",
    "evaluation_response",
    "evaluation_score",
    "evaluation_completion",
    "evaluation_questionnairewindow",
}
# Relative weights: how often each kind of person opens each page.
WEIGHTS = {
    "practitioner": {
        "floor": 2,
        "home": 2,
        "my sessions": 2,
        "group page": 1,
        "journal list": 2,
        "journal search": 1,
        "my questionnaires": 1,
    },
    "facilitator": {
        "floor": 1,
        "home": 1,
        "group page": 1,
        "sessions list": 1,
        "run-session register": 2,
        "group dashboard": 1,
    },
    "manager": {"floor": 1, "home": 1, "manager dashboard": 2},
}
TARGET_RATIO, TARGET_P95_MS, TARGET_MEMORY, TARGET_SCALING = 3.0, 250, 0.10, 1.5


def bench_env(database: str, static_root: Path) -> dict[str, str]:
    """Production settings on loopback. The keys are fixed and derived from public text on
    purpose: the benchmark databases hold invented data only, and a reused database must open
    with the same keys it was seeded with."""
    fernet = base64.urlsafe_b64encode(hashlib.sha256(b"rp_portal bench journal key").digest())
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rp_portal.scale.settings_bench",
        "DATABASE_URL": DB_URL.format(name=database),
        "REDIS_URL": REDIS_URL,
        "SECRET_KEY": hashlib.sha256(b"rp_portal bench secret key").hexdigest(),
        "JOURNAL_KEYS": fernet.decode(),
        "PSEUDONYM_KEY": hashlib.sha256(b"rp_portal bench pseudonym key").hexdigest(),
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "EMAIL_HOST": "127.0.0.1",
        "DEBUG": "false",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_COOKIES": "false",
        "SECURE_HSTS_SECONDS": "0",
        "STATIC_ROOT": str(static_root),
        "LOG_LEVEL": "WARNING",
    }


def _psql(sql: str) -> None:
    import psycopg

    with psycopg.connect(DB_URL.format(name="postgres"), autocommit=True) as conn:
        conn.execute(sql)


def _database_ready(env: dict) -> bool:
    import psycopg

    try:
        with psycopg.connect(env["DATABASE_URL"]) as conn:
            row = conn.execute(
                "SELECT count(*) FROM accounts_user WHERE email LIKE '%%@scale.example.org'"
            ).fetchone()
            return bool(row and row[0])
    except psycopg.Error:
        return False


def prepare_database(size: str, env: dict, reuse: bool) -> float | None:
    """A fresh database with the size seeded; returns the seeding time (None when reused)."""
    if reuse and _database_ready(env):
        print(f"{size}: reusing {SIZES[size]}")
        subprocess.run(
            [PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=REPO, env=env, check=True
        )
        return None
    _psql(f'DROP DATABASE IF EXISTS "{SIZES[size]}" WITH (FORCE)')
    _psql(f'CREATE DATABASE "{SIZES[size]}"')
    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=REPO, env=env, check=True)
    started = time.perf_counter()
    subprocess.run([PY, "manage.py", "seed_scale", "--size", size], cwd=REPO, env=env, check=True)
    return time.perf_counter() - started


# --- In a child process with Django set up on the benchmark database ---------------------------


def _page_urls(user, role: str) -> dict[str, str]:
    from django.urls import reverse

    from groups.models import GroupMember, Membership
    from sessions.models import GroupSession

    urls = {"floor": reverse("bench_floor"), "home": reverse("home")}
    if role == "manager":
        org = Membership.objects.filter(user=user, is_manager=True).first().organisation_id
        return urls | {"manager dashboard": reverse("evaluation:dashboard", args=[org])}
    place = GroupMember.objects.filter(user=user).order_by("id").first()
    group = place.group_id
    urls["group page"] = reverse("groups:detail", args=[group])
    if role == "practitioner":
        return urls | {
            "my sessions": reverse("sessions:mine"),
            "journal list": reverse("journals:list"),
            "journal search": reverse("journals:list") + "?q=case",
            "my questionnaires": reverse("evaluation:mine"),
        }
    session = (
        GroupSession.objects.filter(group_id=group, status=GroupSession.Status.SCHEDULED)
        .order_by("starts_at")
        .first()
    )
    return urls | {
        "sessions list": reverse("sessions:group_sessions", args=[group]),
        "run-session register": reverse("sessions:run", args=[session.pk]),
        "group dashboard": reverse("evaluation:group_dashboard", args=[group]),
    }


def _sign_in(user) -> str:
    """A signed-in session for ``user``, as a successful sign-in would leave it."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "allauth.account.auth_backends.AuthenticationBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.save()
    return f"{settings.SESSION_COOKIE_NAME}={store.session_key}"


def _people(users: int) -> list[tuple[str, object]]:
    from groups.models import Organisation
    from rp_portal.accounts.models import User
    from rp_portal.scale.seed import EMAIL_DOMAIN

    orgs = Organisation.objects.count()
    share = {"practitioner": 0.6, "facilitator": 0.25, "manager": 0.15}
    wanted = {role: max(1, round(users * part)) for role, part in share.items()}
    wanted["practitioner"] = users - wanted["facilitator"] - wanted["manager"]
    first_person = {"practitioner": 7, "facilitator": 3, "manager": 1}
    people = []
    for role, count in wanted.items():
        for i in range(count):
            org, person = i % orgs + 1, first_person[role] + (i // orgs) * 4
            people.append((role, User.objects.get(email=f"p{org:03d}-{person:02d}@{EMAIL_DOMAIN}")))
    return people


def _explain(pages: dict[str, tuple[object, str]]) -> dict[str, dict]:
    """Open each page once in-process and EXPLAIN ANALYZE every SELECT it ran: sequential scans
    of large tables, the most rows any one scan of a large table read, and the SQL time."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from evaluation.figures_cache import figures_changed

    found = {}
    for name, (user, url) in pages.items():
        client = Client()
        client.force_login(user)
        client.get(url)  # warm
        afresh = "dashboard" in name  # EXPLAIN what a dashboard runs when computed afresh
        if afresh:
            figures_changed()
        with CaptureQueriesContext(connection) as captured:
            status = client.get(url).status_code
        scans, most, most_table, milliseconds = [], 0, "", 0.0
        for query in captured.captured_queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
                plan = cursor.fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            milliseconds += plan[0]["Execution Time"]
            stack = [plan[0]["Plan"]]
            while stack:
                node = stack.pop()
                stack.extend(node.get("Plans", []))
                table = node.get("Relation Name")
                if table not in LARGE_TABLES:
                    continue
                rows = node.get("Actual Rows", 0) * node.get("Actual Loops", 1)
                if node["Node Type"] == "Seq Scan":
                    scans.append(f"{table} ({rows:,} rows)")
                if rows > most:
                    most, most_table = rows, table
        found[name] = {
            "status": status,
            "queries": len(captured.captured_queries),
            "seq_scans": scans,
            "most_rows": most,
            "most_rows_table": most_table,
            "sql_ms": milliseconds,
        }
        if afresh:
            with CaptureQueriesContext(connection) as kept:
                client.get(url)
            found[name] |= {
                "kept_queries": len(kept.captured_queries),
                "afresh_ms": statistics.median(_timed(client, url, afresh=True) for _ in range(5)),
                "kept_ms": statistics.median(_timed(client, url, afresh=False) for _ in range(5)),
            }
    return found


def _timed(client, url: str, *, afresh: bool) -> float:
    from evaluation.figures_cache import figures_changed

    if afresh:
        figures_changed()
    started = time.perf_counter()
    client.get(url)
    return (time.perf_counter() - started) * 1000


def prepare_child(users: int, explain: bool) -> dict:
    """Sign people in (an authenticator for staff, as production requires), list their pages."""
    import django

    sys.path.insert(0, str(REPO))
    django.setup()
    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP, generate_totp_secret
    from django.core.cache import cache
    from django.db import connection

    cache.clear()  # the benchmark's own Redis database: nothing kept from the other size
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # what autovacuum would have done by now after a bulk load
    people = []
    for role, user in _people(users):
        if role != "practitioner" and not Authenticator.objects.filter(user=user).exists():
            TOTP.activate(user, generate_totp_secret())
        people.append({"role": role, "cookie": _sign_in(user), "pages": _page_urls(user, role)})
    result = {"people": people}
    if explain:
        by_role = {}
        for role, user in _people(users):
            by_role.setdefault(role, user)
        pages = {}
        for role, user in by_role.items():
            for name, url in _page_urls(user, role).items():
                pages.setdefault(name, (user, url))
        result["explain"] = _explain(pages)
    return result


# --- The load: a second process on loopback -----------------------------------------------------


def drive(port: int, people: list[dict], duration: float, seed: int) -> dict:
    samples: list[tuple[str, float, int]] = []
    lock = threading.Lock()
    deadline = time.monotonic() + duration

    def person(index: int, who: dict) -> None:
        rng = random.Random(seed * 1000 + index)  # noqa: S311 (load pattern, not security)
        names = list(who["pages"])
        weights = [WEIGHTS[who["role"]][name] for name in names]
        time.sleep(rng.uniform(0, 1.0))  # do not all start in the same millisecond
        while time.monotonic() < deadline:
            name = rng.choices(names, weights)[0]
            started = time.perf_counter()
            try:
                conn = HTTPConnection("127.0.0.1", port, timeout=30)
                conn.request("GET", who["pages"][name], headers={"Cookie": who["cookie"]})
                response = conn.getresponse()
                response.read()
                status = response.status
                conn.close()
            except OSError:
                status = 0
            elapsed = time.perf_counter() - started
            with lock:
                samples.append((name, elapsed, status))
            time.sleep(rng.uniform(0.5, 1.5))

    threads = [threading.Thread(target=person, args=(i, p)) for i, p in enumerate(people)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"samples": samples, "duration": duration}


# --- gunicorn -----------------------------------------------------------------------------------


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _workers(master: int) -> list[int]:
    out = subprocess.run(
        ["ps", "-o", "pid=", "--ppid", str(master)], capture_output=True, text=True, check=False
    )
    return [int(pid) for pid in out.stdout.split()]


def serve(env: dict, port: int, log: Path) -> subprocess.Popen:
    command = [
        str(REPO / ".venv" / "bin" / "gunicorn"), "rp_portal.wsgi:application",
        "--config", str(REPO / "gunicorn.conf.py"), "--bind", f"127.0.0.1:{port}",
        "--access-logfile", str(log), "--error-logfile", str(log),
    ]  # fmt: skip
    server = subprocess.Popen(command, cwd=REPO, env=env)
    for _ in range(120):
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as answer:
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.5)
    server.terminate()
    raise SystemExit(f"gunicorn did not answer on port {port}; see {log}")


def _warm(port: int, people: list[dict]) -> list[str]:
    """Every page once for every person (compiles templates, fills caches); returns failures."""
    failures = []
    for who in people:
        for name, url in who["pages"].items():
            conn = HTTPConnection("127.0.0.1", port, timeout=60)
            conn.request("GET", url, headers={"Cookie": who["cookie"]})
            response = conn.getresponse()
            response.read()
            if response.status != 200:
                failures.append(f"{who['role']} {name} {url}: {response.status}")
    return failures


def measure_size(size: str, args, static_root: Path, workdir: Path) -> dict:
    env = bench_env(SIZES[size], static_root)
    seeded = prepare_database(size, env, args.reuse)
    child = subprocess.run(
        [PY, __file__, "--prepare", "--users", str(args.users)] + (["--explain"] if size == "10S" else []),
        cwd=REPO, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if child.returncode != 0:
        raise SystemExit(f"preparing {size} failed:\n{child.stderr[-4000:]}")
    prepared = json.loads(child.stdout.strip().splitlines()[-1])
    people = prepared["people"]
    port = args.port
    server = serve(env, port, workdir / f"gunicorn-{size}.log")
    try:
        failures = _warm(port, people)
        if failures:
            raise SystemExit(f"{size}: pages failed while warming up:\n" + "\n".join(failures))
        workers = _workers(server.pid)
        before = {pid: _rss_mb(pid) for pid in workers}
        plan = workdir / f"people-{size}.json"
        plan.write_text(json.dumps(people))
        load_avg = os.getloadavg()
        driver = subprocess.run(
            [PY, __file__, "--drive", str(plan), "--port", str(port), "--duration", str(args.duration)],
            cwd=REPO, capture_output=True, text=True, check=True,
        )  # fmt: skip
        after = {pid: _rss_mb(pid) for pid in _workers(server.pid)}
    finally:
        server.terminate()
        server.wait(timeout=30)
    result = json.loads(driver.stdout.strip().splitlines()[-1])
    return {
        "size": size,
        "seed_seconds": seeded,
        "samples": result["samples"],
        "duration": result["duration"],
        "memory_before": before,
        "memory_after": after,
        "restarted_workers": sorted(set(before) ^ set(after)),
        "workers": len(before),
        "load_average": load_avg,
        "explain": prepared.get("explain"),
    }


# --- The report ---------------------------------------------------------------------------------


def _percentile(values: list[float], q: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def summarise(run: dict) -> dict:
    pages: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    for name, elapsed, status in run["samples"]:
        pages.setdefault(name, []).append(elapsed * 1000)
        if status != 200:
            errors[name] = errors.get(name, 0) + 1
    stats = {
        name: {
            "n": len(values),
            "p50": _percentile(values, 50),
            "p95": _percentile(values, 95),
            "errors": errors.get(name, 0),
        }
        for name, values in sorted(pages.items())
    }
    floor = stats["floor"]["p50"]
    for row in stats.values():
        row["ratio"] = row["p50"] / floor
    before, after = sum(run["memory_before"].values()), sum(run["memory_after"].values())
    return {
        "pages": stats,
        "rps": len(run["samples"]) / run["duration"],
        "errors": sum(errors.values()),
        "requests": len(run["samples"]),
        "memory_before": before,
        "memory_after": after,
        "growth": (after - before) / before if before else 0.0,
    }


def _machine() -> str:
    cpu = "unknown CPU"
    try:
        model = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text())
        cpu = model.group(1).strip() if model else cpu
        total = re.search(r"MemTotal:\s*(\d+)", Path("/proc/meminfo").read_text())
        memory = f"{int(total.group(1)) / 1024 / 1024:.1f} GB memory" if total else ""
    except OSError:
        memory = ""
    return f"{os.cpu_count()} CPU ({cpu}), {memory}"


def _seeding(seconds: float | None) -> str:
    return "reused from an earlier run" if seconds is None else f"seeded in {seconds:.0f} s"


def _verdict(ok: bool) -> str:
    return "met" if ok else "**NOT met**"


def section(runs: dict[str, dict], args, load_start: tuple) -> str:
    small, large = summarise(runs["S"]), summarise(runs["10S"])
    names = [n for n in large["pages"] if n != "floor"]
    lines = [
        SECTION,
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `make bench` "
        f"(`scripts/bench_pages.py --duration {args.duration:g} --users {args.users}`) on "
        f"{_machine()}; load average {', '.join(f'{v:.2f}' for v in load_start)} at the start, "
        f"{', '.join(f'{v:.2f}' for v in runs['10S']['load_average'])} before the 10S load.",
        "",
        "Each size has its own database seeded by `manage.py seed_scale` "
        + ", ".join(f"({size}: {_seeding(r['seed_seconds'])})" for size, r in runs.items())
        + ". gunicorn serves it as in production (production settings, DEBUG off, "
        f"`gunicorn.conf.py`: {runs['10S']['workers']} sync workers on {os.cpu_count()} cores, "
        "WhiteNoise) on loopback; a second process runs "
        f"{args.users} simulated people (60% practitioners, 25% facilitators, 15% managers, "
        "each a different seeded person, signed in; staff with an authenticator app as "
        "production requires), each opening its role's pages with 0.5-1.5 s between pages, for "
        f"{args.duration:g} s per size. Times are what the client measured, connection included. "
        "The floor is `/bench/floor/`, served only under `rp_portal.scale.settings_bench` "
        "(production settings plus that one URL): signed in, the base template, no domain "
        "queries; the profile page was not used because its time-zone list of ~600 options "
        "makes it heavier than most pages. Pages "
        "are warmed once before measuring (which also fills the dashboards' kept figures, as a "
        "day's use would: the figures computed afresh are timed separately below); worker memory "
        "is the workers' total resident memory "
        "after the warm-up and after the load.",
        "",
        "| page | requests (10S) | p50 ms (10S) | p95 ms (10S) | p50 ÷ floor | p50 ms (S) | 10S ÷ S p50 | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    floor_large, floor_small = large["pages"]["floor"], small["pages"]["floor"]
    lines.append(
        f"| floor | {floor_large['n']} | {floor_large['p50']:.1f} | "
        f"{floor_large['p95']:.1f} | 1.00 | {floor_small['p50']:.1f} | "
        f"{floor_large['p50'] / floor_small['p50']:.2f} | {floor_large['errors']} |"
    )
    for name in names:
        row, base = large["pages"][name], small["pages"].get(name)
        scaling = f"{row['p50'] / base['p50']:.2f}" if base else "-"
        lines.append(
            f"| {name} | {row['n']} | {row['p50']:.1f} | {row['p95']:.1f} | {row['ratio']:.2f} | "
            f"{base['p50'] if base else float('nan'):.1f} | {scaling} | {row['errors']} |"
        )
    worst_ratio = max(large["pages"][n]["ratio"] for n in names)
    worst_p95 = max(row["p95"] for row in large["pages"].values())
    scalings = {
        n: large["pages"][n]["p50"] / small["pages"][n]["p50"] for n in names if n in small["pages"]
    }
    worst_scaling = max(scalings.values())
    lines += [
        "",
        f"- Throughput: {large['rps']:.1f} requests/s at 10S ({large['requests']} requests), "
        f"{small['rps']:.1f} at S; errors: {large['errors']} at 10S, {small['errors']} at S. "
        f"Target 0 errors: {_verdict(large['errors'] == 0 and small['errors'] == 0)}.",
        f"- Every page's p50 ≤ {TARGET_RATIO:g}× the floor: worst {worst_ratio:.2f}× "
        f"({max(names, key=lambda n: large['pages'][n]['ratio'])}): "
        f"{_verdict(worst_ratio <= TARGET_RATIO)}.",
        f"- p95 < {TARGET_P95_MS} ms with {args.users} people: worst {worst_p95:.0f} ms "
        f"({max(large['pages'], key=lambda n: large['pages'][n]['p95'])}): "
        f"{_verdict(worst_p95 < TARGET_P95_MS)}.",
        f"- Worker memory: {large['memory_before']:.0f} MB before, {large['memory_after']:.0f} MB "
        f"after at 10S ({100 * large['growth']:+.1f}%); {small['memory_before']:.0f} → "
        f"{small['memory_after']:.0f} MB at S ({100 * small['growth']:+.1f}%). Target growth < "
        f"{100 * TARGET_MEMORY:.0f}%: {_verdict(max(large['growth'], small['growth']) < TARGET_MEMORY)}"
        + (
            f" (workers restarted: {runs['10S']['restarted_workers']})"
            if runs["10S"]["restarted_workers"]
            else ""
        )
        + ".",
        f"- Scaling, p50 at 10S ÷ p50 at S ≤ {TARGET_SCALING:g} for every page: worst "
        f"{worst_scaling:.2f} ({max(scalings, key=scalings.get)}): "
        f"{_verdict(worst_scaling <= TARGET_SCALING)}.",
    ]
    explain = runs["10S"].get("explain") or {}
    if explain:
        lines += [
            "",
            "EXPLAIN ANALYZE at 10S of every SELECT each page runs (captured in-process, "
            "production settings, after ANALYZE): sequential scans of the large tables "
            "(bookings, sessions, journal entries, responses, scores, completions, "
            "questionnaire windows), the most rows one scan of a large table read (a page that "
            "reads a whole table shows it here even through an index), and the SQL time.",
            "",
            "| page | queries | SQL ms | most rows read from a large table | sequential scans of large tables |",
            "|---|---:|---:|---|---|",
        ]
        for name, found in explain.items():
            scans = ", ".join(found["seq_scans"]) or "none"
            most = (
                f"{found['most_rows']:,} ({found['most_rows_table']})"
                if found["most_rows"]
                else "-"
            )
            lines.append(
                f"| {name} | {found['queries']} | {found['sql_ms']:.1f} | {most} | {scans} |"
            )
        kept = {name: found for name, found in explain.items() if "afresh_ms" in found}
        lines += [
            "",
            "The dashboards rows above are the figures computed afresh (the kept figures "
            "dropped first). In-process at 10S, median of 5 (one person, no load): "
            + "; ".join(
                f"{name} {found['afresh_ms']:.0f} ms afresh ({found['queries']} queries), "
                f"{found['kept_ms']:.0f} ms from the cache ({found['kept_queries']} queries)"
                for name, found in kept.items()
            )
            + ".",
        ]
    return "\n".join(lines) + "\n"


def write_section(text: str, heading: str = SECTION) -> None:
    """Replace one section of docs/benchmarks.md (or add it), keeping the rest."""
    existing = REPORT.read_text() if REPORT.exists() else "# Benchmarks\n"
    pattern = re.compile(rf"^{re.escape(heading)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(existing):
        updated = pattern.sub(lambda _match: text + "\n", existing, count=1)
    else:
        updated = existing.rstrip("\n") + "\n\n" + text
    REPORT.write_text(updated.rstrip("\n") + "\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=60, help="seconds of load per size")
    parser.add_argument("--users", type=int, default=20, help="simulated people at once")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--reuse", action="store_true", help="keep already seeded databases")
    parser.add_argument("--no-write", action="store_true", help="print, do not write the report")
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--explain", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--drive", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.prepare:
        print(json.dumps(prepare_child(args.users, args.explain)))
        return
    if args.drive:
        people = json.loads(Path(args.drive).read_text())
        print(json.dumps(drive(args.port, people, args.duration, seed=2026)))
        return
    load_start = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="rp-bench-") as folder:
        workdir = Path(folder)
        static_root = workdir / "static"
        env = bench_env(SIZES["S"], static_root)
        subprocess.run(
            [PY, "manage.py", "collectstatic", "--noinput", "-v0"], cwd=REPO, env=env, check=True
        )
        runs = {}
        for size in SIZES:
            runs[size] = measure_size(size, args, static_root, workdir)
            summary = summarise(runs[size])
            print(
                f"{size}: {summary['requests']} requests, {summary['rps']:.1f}/s, {summary['errors']} errors"
            )
            for name, row in summary["pages"].items():
                print(
                    f"  {name:>22}: p50 {row['p50']:6.1f} ms  p95 {row['p95']:6.1f} ms  ×{row['ratio']:.2f}  n={row['n']}"
                )
    text = section(runs, args, load_start)
    if args.no_write:
        print(text)
    else:
        write_section(text)
        print(f"Wrote the '{SECTION}' section of {REPORT.relative_to(REPO)}")


if __name__ == "__main__":
    main()
