"""Seed a large data set for measuring speed: ``manage.py seed_scale --size S`` (or ``10S``).

Kept next to ``demo_data`` rather than in an app of its own: it is a data-loading command like
that one, and the seeding code itself lives in ``rp_portal/scale/`` (a plain package, so no
settings change).
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandError

from rp_portal.scale.seed import PASSWORD, SIZES, already_seeded, has_data, seed_scale


class Command(BaseCommand):
    help = (
        "Seed a large data set: --size S is 500 people, 40 groups across 10 organisations, 2,000 "
        "sessions, 20,000 bookings and 20,000 journal entries; 10S is ten times that. Refuses a "
        "database that already has people or organisations unless given --force."
    )

    def add_arguments(self, parser):
        parser.add_argument("--size", choices=sorted(SIZES), help="S or 10S")
        parser.add_argument(
            "--scale",
            type=float,
            help="a fraction or multiple of S instead of --size (0.1 = one organisation)",
        )
        parser.add_argument(
            "--weeks", type=int, default=38, help="weeks of held sessions per group (default 38)"
        )
        parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
        parser.add_argument(
            "--force",
            action="store_true",
            help="add the data even though the database already has people or organisations",
        )

    def handle(self, *args, size=None, scale=None, weeks=38, seed=2026, force=False, **options):
        if (size is None) == (scale is None):
            raise CommandError("Give either --size S / --size 10S or --scale <number>.")
        organisations = SIZES[size] if size else round(SIZES["S"] * scale)
        if organisations < 1:
            raise CommandError("--scale must give at least one organisation (0.1 or more).")
        if not 1 <= weeks <= 200:
            raise CommandError("--weeks must be between 1 and 200.")
        if already_seeded():
            raise CommandError(
                "This database already holds seeded scale data; seed into a fresh database."
            )
        if has_data() and not force:
            raise CommandError(
                "This database already has people or organisations: seeding would mix invented "
                "data with them. Use a fresh database, or --force if you really mean it."
            )
        started = time.perf_counter()
        seeded = seed_scale(organisations=organisations, weeks_past=weeks, seed=seed).seeded
        for name, count in seeded.counts.items():
            self.stdout.write(f"{name:>32}: {count:,}")
        self.stdout.write(
            f"Seeded in {time.perf_counter() - started:.1f} s. Every seeded person's password is "
            f"{PASSWORD!r}; for example {', '.join(f'{k} {v}' for k, v in seeded.sample.items())}."
        )
