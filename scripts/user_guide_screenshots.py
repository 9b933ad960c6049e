"""Regenerate the pictures of docs/user-guide.md from the browser tests.

    make guide-screenshots
    .venv/bin/python scripts/user_guide_screenshots.py            # runs the journeys, then copies
    .venv/bin/python scripts/user_guide_screenshots.py --no-run   # copies what test-artifacts/ holds

The browser tests photograph every step they check into test-artifacts/<test>/NN-<step>.png,
and desktop journeys also at 768 and 375 px (NN-<step>-768.png, NN-<step>-375.png). This script
runs the journeys the guide shows, finds each picture by its test and step name (not by its
number, so adding a step to a journey does not mix pictures up) and writes it to docs/images/,
reduced to a 256-colour palette and cut to at most MAX_HEIGHT pixels, so the guide never shows
a page the product no longer has and the repository stays small.

It needs what `make test` needs (PostgreSQL, Redis, Chromium); TEST_DATABASE_URL and
TEST_REDIS_URL choose them, as for `make test`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "test-artifacts"
IMAGES = ROOT / "docs" / "images"
MAX_HEIGHT = 2200

E2E = "tests/e2e"
ONBOARDING = f"{E2E}/test_onboarding_journeys.py"
ADMIN_FIRST_VISIT = "test_an_organisation_admin_is_guided_from_sign_up_to_the_first_poll"
PRACTITIONER_FIRST_VISIT = (
    "test_a_practitioner_accepts_the_agreement_books_and_starts_a_private_journal"
)
MANAGER_FIRST_VISIT = "test_a_manager_signs_off_and_learns_what_the_dashboard_shows_and_hides"
GROUP_SETUP = f"{E2E}/test_group_setup_journey.py"
SESSIONS = f"{E2E}/test_session_journeys.py"
JOURNAL = f"{E2E}/test_journal_journey.py"
EVALUATION = f"{E2E}/test_evaluation_journey.py"


@dataclass(frozen=True)
class Picture:
    name: str  # docs/images/<name>.png
    test_file: str
    test: str
    step: str  # the name given to journey.check(), as the test writes it
    width: int | None = None  # 375 or 768: the extra photograph at that width; None: as taken
    browser: str = ""  # another_browser("<who>") of the test, if not the test's own journey

    @property
    def folder(self) -> Path:
        return ARTIFACTS / (f"{self.test}-{self.browser}" if self.browser else self.test)

    @property
    def slug(self) -> str:
        import re

        return re.sub(r"[^a-z0-9]+", "-", self.step.lower()).strip("-")

    def source(self) -> Path | None:
        suffix = f"-{self.width}" if self.width else ""
        found = sorted(self.folder.glob(f"[0-9][0-9]-{self.slug}{suffix}.png"))
        return found[-1] if found else None


PICTURES = [
    # Organisation admin
    Picture("admin-first-step", ONBOARDING, ADMIN_FIRST_VISIT, "home with the first step", 768),
    Picture(
        "admin-guide-progress",
        ONBOARDING, ADMIN_FIRST_VISIT, "guide after the organisation is set up", 768,
    ),
    Picture("admin-branding", ONBOARDING, ADMIN_FIRST_VISIT, "branding", 375),
    Picture("admin-invitation-sent", ONBOARDING, ADMIN_FIRST_VISIT, "invitation sent", 768),
    Picture(
        "admin-invitations-csv",
        GROUP_SETUP, "test_an_admin_sets_up_a_multi_agency_group_with_partners",
        "invitations sent with one bad row", 768,
    ),
    Picture(
        "admin-guide-first-group",
        ONBOARDING, ADMIN_FIRST_VISIT, "guide with the first group set up", 768,
    ),
    Picture("admin-poll-form", ONBOARDING, ADMIN_FIRST_VISIT, "first date poll form", 375),
    # Facilitator
    Picture(
        "facilitator-checklist",
        GROUP_SETUP, "test_an_admin_sets_up_a_multi_agency_group_with_partners",
        "new group with its checklist", 768,
    ),
    Picture(
        "facilitator-members",
        GROUP_SETUP, "test_members_accept_the_agreement_and_the_checklist_moves_on",
        "members with one agreement accepted", 768,
    ),
    Picture(
        "facilitator-poll-answers",
        SESSIONS, "test_a_poll_answered_by_members_becomes_a_recurring_series",
        "poll with the group's answers", 768,
    ),
    Picture(
        "facilitator-run-session",
        SESSIONS, "test_a_facilitator_runs_a_session_on_a_tablet_and_closes_it",
        "run page with the timer going", None, "tablet",
    ),
    # Practitioner
    Picture(
        "practitioner-first-visit",
        ONBOARDING, PRACTITIONER_FIRST_VISIT, "home on the first visit", 375,
    ),
    Picture("practitioner-agreement", ONBOARDING, PRACTITIONER_FIRST_VISIT, "the group agreement", 375),
    Picture("practitioner-booked", ONBOARDING, PRACTITIONER_FIRST_VISIT, "session booked", 375),
    Picture(
        "practitioner-journal-next",
        ONBOARDING, PRACTITIONER_FIRST_VISIT, "home with the journal next", 375,
    ),
    Picture(
        "practitioner-gibbs",
        JOURNAL, "test_a_practitioner_reflects_on_a_session_and_turns_it_into_cpd",
        "Gibbs form linked to the session", 375,
    ),
    Picture(
        "practitioner-reflective-account",
        JOURNAL, "test_a_practitioner_reflects_on_a_session_and_turns_it_into_cpd",
        "reflective account ready", 768,
    ),
    # Manager
    Picture("manager-first-visit", ONBOARDING, MANAGER_FIRST_VISIT, "home on the first visit", 768),
    Picture("manager-sign-off", ONBOARDING, MANAGER_FIRST_VISIT, "sign-off on the group page", 768),
    Picture(
        "manager-dashboard",
        EVALUATION, "test_a_member_answers_and_the_manager_reads_filters_and_exports_the_dashboard",
        "evaluation dashboard", 768, "manager",
    ),
    Picture(
        "manager-five-person-rule",
        ONBOARDING, MANAGER_FIRST_VISIT, "the five-person rule in the guide", 375,
    ),
]  # fmt: skip


def run_journeys() -> None:
    tests = sorted({f"{p.test_file}::{p.test}" for p in PICTURES})
    env = {
        **os.environ,
        "DATABASE_URL": os.environ.get(
            "TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/rp_portal"
        ),
        "REDIS_URL": os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"),
    }
    command = [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-q", *tests]
    subprocess.run(command, cwd=ROOT, env=env, check=True)  # noqa: S603  (our own fixed command)


def copy_pictures() -> list[str]:
    from PIL import Image

    IMAGES.mkdir(parents=True, exist_ok=True)
    missing = []
    for picture in PICTURES:
        source = picture.source()
        if source is None:
            missing.append(f"{picture.name}: no {picture.slug} in {picture.folder}")
            continue
        with Image.open(source) as image:
            image = image.convert("RGB")
            if image.height > MAX_HEIGHT:
                image = image.crop((0, 0, image.width, MAX_HEIGHT))
            image.quantize(colors=256).save(IMAGES / f"{picture.name}.png", optimize=True)
    return missing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-run", action="store_true", help="copy without running the tests")
    args = parser.parse_args()
    if not args.no_run:
        run_journeys()
    missing = copy_pictures()
    for line in missing:
        print(f"missing: {line}", file=sys.stderr)
    print(f"{len(PICTURES) - len(missing)} pictures written to {IMAGES.relative_to(ROOT)}/")
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
