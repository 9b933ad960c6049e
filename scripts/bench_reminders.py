"""Benchmark a busy reminder window: 10,000 reminders due at once, two workers, an SMTP sink.

    .venv/bin/python scripts/bench_reminders.py                 # what `make bench` runs
    .venv/bin/python scripts/bench_reminders.py --people 2000   # a quick look

In its own PostgreSQL database (rp_portal_bench_reminders, made afresh) it books --people
seeded people onto sessions starting in 47 hours (inside everyone's 48-hour reminder window),
starts a local SMTP sink on loopback (a small asyncio SMTP server in this script, which counts
connections and every recipient) and one Celery worker with two processes on the real Redis, as
production runs it. Then it fires the beat task once and times until the sink has every
reminder, checks that nobody got one twice and that the ledger holds one row per reminder, and
fires it again to check that nothing more is sent.

Only the "## Reminders at scale" section of docs/benchmarks.md is written; the rest is kept.
"""

# This script runs our own commands (celery, manage.py) on loopback with its own arguments.
# ruff: noqa: S603

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_pages import DB_URL, PY, REPO, _machine, _psql, bench_env, write_section

SECTION = "## Reminders at scale"
DATABASE = "rp_portal_bench_reminders"
TARGET_SECONDS = 60


class SmtpSink:
    """Just enough SMTP to accept mail from Django's SMTP backend, counting what arrives."""

    def __init__(self):
        self.connections = 0
        self.messages = 0
        self.recipients: Counter[str] = Counter()
        self.lock = threading.Lock()
        self.port = 0
        self.ready = threading.Event()

    async def _session(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter):
        with self.lock:
            self.connections += 1
        rcpts: list[str] = []

        def reply(line: str) -> None:
            writer.write(line.encode() + b"\r\n")

        reply("220 sink ESMTP")
        await writer.drain()
        while line := await reader.readline():
            command = line.decode(errors="replace").strip()
            verb = command[:4].upper()
            if verb == "EHLO":
                reply("250-sink")
                reply("250 8BITMIME")
            elif verb == "HELO":
                reply("250 sink")
            elif verb == "MAIL":
                rcpts = []
                reply("250 OK")
            elif verb == "RCPT":
                rcpts.append(command.split(":", 1)[1].strip().strip("<>").lower())
                reply("250 OK")
            elif verb == "DATA":
                reply("354 End data with <CR><LF>.<CR><LF>")
                await writer.drain()
                while (await reader.readline()) not in (b".\r\n", b".\n", b""):
                    pass
                with self.lock:
                    self.messages += 1
                    self.recipients.update(rcpts)
                reply("250 OK queued")
            elif verb == "QUIT":
                reply("221 Bye")
                await writer.drain()
                break
            else:  # RSET, NOOP and anything else
                reply("250 OK")
            await writer.drain()
        writer.close()

    def run(self) -> None:
        async def main():
            server = await asyncio.start_server(self._session, "127.0.0.1", 0)
            self.port = server.sockets[0].getsockname()[1]
            self.ready.set()
            async with server:
                await server.serve_forever()

        asyncio.run(main())


def _env(sink_port: int) -> dict:
    env = bench_env(DATABASE, REPO / "staticfiles")
    return env | {
        "DJANGO_SETTINGS_MODULE": "rp_portal.settings",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(sink_port),
        "EMAIL_USE_TLS": "false",
    }


def book_people(people: int, per_session: int) -> None:
    """In the child: ``people`` people, each with a place on a session 47 hours ahead."""
    import django

    sys.path.insert(0, str(REPO))
    django.setup()
    from datetime import timedelta

    from django.contrib.auth.hashers import make_password
    from django.utils import timezone

    from groups.models import GroupMember, Membership, Organisation, PracticeGroup
    from rp_portal.accounts.models import User
    from sessions.models import Booking, GroupSession

    org = Organisation.objects.create(name="Reminder benchmark")
    group = PracticeGroup.objects.create(
        host=org, name="Busy group", purpose="Many sessions at once.", structure="organisational"
    )
    password = make_password(None)
    users = User.objects.bulk_create(
        [
            User(email=f"r{n:05d}@bench.example.org", display_name=f"Person {n}", password=password)
            for n in range(people)
        ],
        batch_size=5000,
    )
    Membership.objects.bulk_create(
        [Membership(organisation=org, user=u, is_practitioner=True) for u in users],
        batch_size=5000,
    )
    GroupMember.objects.bulk_create(
        [GroupMember(group=group, user=u, organisation=org) for u in users], batch_size=5000
    )
    soon = timezone.now() + timedelta(hours=47)
    sessions = GroupSession.objects.bulk_create(
        [
            GroupSession(
                organisation=org,
                group=group,
                # All inside the 48-hour window: 47 hours ahead, 20 seconds apart.
                starts_at=soon + timedelta(seconds=20 * n),
                ends_at=soon + timedelta(seconds=20 * n, minutes=90),
                capacity=per_session,
                online_link="https://meet.example.test/busy",
            )
            for n in range(-(-people // per_session))
        ]
    )
    Booking.objects.bulk_create(
        [
            Booking(session=sessions[n // per_session], user=u, status=Booking.Status.BOOKED)
            for n, u in enumerate(users)
        ],
        batch_size=5000,
    )


def fire() -> None:
    """In the child: what beat does every five minutes."""
    import django

    sys.path.insert(0, str(REPO))
    django.setup()
    from sessions.notices import REMINDER_BATCH
    from sessions.tasks import send_due_reminders

    send_due_reminders.delay()
    print(REMINDER_BATCH)


def _ledger() -> int:
    import psycopg

    with psycopg.connect(DB_URL.format(name=DATABASE)) as conn:
        return conn.execute(
            "SELECT count(*) FROM rp_sessions_reminder WHERE kind = 'before-48h'"
        ).fetchone()[0]


def _wait(predicate, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def run(people: int, per_session: int) -> dict:
    import redis

    sink = SmtpSink()
    threading.Thread(target=sink.run, daemon=True).start()
    sink.ready.wait(10)
    env = _env(sink.port)
    redis.Redis.from_url(env["REDIS_URL"]).flushdb()
    _psql(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    _psql(f'CREATE DATABASE "{DATABASE}"')
    subprocess.run([PY, "manage.py", "migrate", "--noinput", "-v0"], cwd=REPO, env=env, check=True)
    subprocess.run(
        [PY, __file__, "--book", str(people), "--per-session", str(per_session)],
        cwd=REPO, env=env, check=True,
    )  # fmt: skip
    log = open(REPO / "var" / "bench-reminders-worker.log", "w")  # noqa: SIM115 (closed below)
    worker = subprocess.Popen(
        [str(REPO / ".venv" / "bin" / "celery"), "-A", "rp_portal", "worker",
         "--concurrency", "2", "--loglevel", "INFO", "--without-gossip", "--without-mingle"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    try:
        if not _wait(lambda: "ready." in Path(log.name).read_text(), 60):
            raise SystemExit(f"the worker did not start; see {log.name}")
        load = os.getloadavg()
        started = time.perf_counter()
        fired = subprocess.run(
            [PY, __file__, "--fire"], cwd=REPO, env=env, check=True, capture_output=True, text=True
        )
        done = _wait(lambda: sink.messages >= people, 300)
        elapsed = time.perf_counter() - started
        settled = sink.messages
        time.sleep(2)  # anything late or doubled would arrive now
        after_first = sink.messages
        subprocess.run([PY, __file__, "--fire"], cwd=REPO, env=env, check=True)
        time.sleep(8)
        after_second = sink.messages
    finally:
        worker.terminate()
        worker.wait(timeout=60)
        log.close()
    return {
        "people": people,
        "per_session": per_session,
        "done": done,
        "seconds": elapsed,
        "settled": settled,
        "after_first": after_first,
        "after_second": after_second,
        "connections": sink.connections,
        "distinct": len(sink.recipients),
        "twice": sum(1 for n in sink.recipients.values() if n > 1),
        "ledger": _ledger(),
        "load": load,
        "batch": int(fired.stdout.split()[-1]),
    }


def section(r: dict) -> str:
    batch_size = r["batch"]
    batches = -(-r["people"] // batch_size)
    ok = r["done"] and r["seconds"] < TARGET_SECONDS and r["twice"] == 0
    ok = ok and r["after_second"] == r["people"] == r["distinct"] == r["ledger"]
    lines = [
        SECTION,
        "",
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC by `scripts/bench_reminders.py` "
        f"(part of `make bench`) on {_machine()}; load average "
        f"{', '.join(f'{v:.2f}' for v in r['load'])} when the run started.",
        "",
        f"{r['people']:,} people each have a place on one of {-(-r['people'] // r['per_session'])} "
        "sessions starting in 47 hours, so all their 48-hour reminders are due in the same beat "
        "run. One Celery worker with two processes (`--concurrency 2`) on the real Redis sends "
        "them to an SMTP sink on loopback. The beat task finds what is due and hands it on in "
        f"batches of {batch_size} (`sessions.tasks.send_reminder_batch`, {batches} tasks); "
        "each batch sends over one SMTP connection, writing each reminder's ledger row in the "
        "same transaction as its email.",
        "",
        "| reminders | time to deliver all (s) | per second | SMTP connections | distinct recipients | sent twice | ledger rows | sent by a second beat run |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|",
        f"| {r['settled']:,} | {r['seconds']:.1f} | {r['settled'] / r['seconds']:.0f} | "
        f"{r['connections']} | {r['distinct']:,} | {r['twice']} | {r['ledger']:,} | "
        f"{r['after_second'] - r['after_first']} |",
        "",
        f"- Target: all delivered in under {TARGET_SECONDS} s with 2 workers, none twice: "
        + ("met." if ok else "**NOT met**.")
        + " Before this, one task sent a whole window alone over one connection.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--per-session", type=int, default=100)
    parser.add_argument("--no-write", action="store_true", help="print, do not write the report")
    parser.add_argument("--book", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--fire", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.book:
        book_people(args.book, args.per_session)
        return
    if args.fire:
        fire()
        return
    result = run(args.people, args.per_session)
    print(result)
    text = section(result)
    if args.no_write:
        print(text)
    else:
        write_section(text, SECTION)
        print(f"Wrote the '{SECTION}' section of docs/benchmarks.md")


if __name__ == "__main__":
    main()
