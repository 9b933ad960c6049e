"""Seed a large, realistic data set quickly: bulk inserts, one seeded random generator.

The unit is an organisation: ``size`` S is 10 organisations of 50 people with 4 groups each (500
people, 40 groups), every group meeting weekly for ``weeks_past`` weeks (held, with attendance)
and ``weeks_future`` weeks to come (bookable): 2,000 sessions of 10 bookings each, 40 journal
entries per person, and questionnaires answered under real pseudonyms. 10S is 100 organisations.
Everything a person, group or organisation holds therefore stays the same from S to 10S while
the tables grow tenfold; ``weeks_past`` grows what each of them holds instead (the tests use
both knobs).

Nothing here goes through the services one row at a time (that would take an hour at 10S), but
every value is what the services would store: journal text is encrypted with the same function
and layout as ``journals.services.entry_create``, responses carry
``evaluation.services.response_pseudonym`` and scores come from ``Measure.score``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from evaluation.figures_cache import figures_changed
from evaluation.library import ensure_library
from evaluation.models import (
    Completion,
    EvaluationPlan,
    Measure,
    QuestionnaireWindow,
    Response,
    Score,
)
from evaluation.services import response_pseudonym
from groups.models import (
    AgreementAcceptance,
    AgreementVersion,
    GroupMember,
    GroupPartner,
    Membership,
    Organisation,
    PracticeGroup,
    SignOff,
    TrainingRecord,
)
from journals.models import JournalEntry
from journals.services import build_text
from journals.templates_catalogue import builtin_templates
from rp_portal.accounts.models import User
from rp_portal.crypto import encrypt_json
from sessions.models import Booking, GroupSession, Room, SchedulePreference

EMAIL_DOMAIN = "scale.example.org"
PASSWORD = "reflect-at-scale-2026"  # noqa: S105 (seeded benchmark accounts, never real ones)
PEOPLE_PER_ORG = 50
GROUPS_PER_ORG = 4
BOOKINGS_PER_SESSION = 10
FOLLOW_UP_MONTHS = [2, 3, 4, 5, 6, 7, 8]
BATCH = 5000
SIZES = {"S": 10, "10S": 100}  # organisations

WORDS = [
    "case",
    "team",
    "young",
    "person",
    "placement",
    "risk",
    "plan",
    "supervision",
    "boundary",
    "family",
    "worker",
    "review",
    "feeling",
    "listened",
    "pressure",
    "decision",
    "handover",
    "meeting",
    "carer",
    "school",
    "housing",
    "court",
    "safety",
    "trust",
    "change",
    "moment",
    "question",
    "silence",
    "pattern",
    "assumption",
    "learning",
    "support",
    "story",
]
TAGS = ["endings", "risk", "supervision", "boundaries", "families", "handover", "self-care"]


@dataclass
class Seeded:
    """What was created, for the command's summary and for the tests."""

    counts: dict[str, int] = field(default_factory=dict)
    # One person of each role (email), in the first organisation, for signing in.
    sample: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, n: int) -> None:
        self.counts[name] = self.counts.get(name, 0) + n


def _bulk(model, rows: list, seeded: Seeded, name: str | None = None) -> list:
    created = model.objects.bulk_create(rows, batch_size=BATCH)
    seeded.add(name or model._meta.verbose_name_plural.title(), len(created))
    return created


def _copy(model, rows: list, seeded: Seeded, name: str) -> None:
    """COPY rows whose ids nobody needs back: several times faster than INSERT for the big
    tables (PostgreSQL only, like the benchmarks)."""
    if connection.vendor != "postgresql":
        model.objects.bulk_create(rows, batch_size=BATCH)
    else:
        fields = [f for f in model._meta.concrete_fields if not f.primary_key]
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        table = connection.ops.quote_name(model._meta.db_table)
        with (
            connection.cursor() as cursor,
            cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
        ):
            for row in rows:
                copy.write_row(
                    [f.get_db_prep_save(getattr(row, f.attname), connection) for f in fields]
                )
    seeded.add(name, len(rows))


def _roles(index: int) -> dict[str, bool]:
    """Admin+manager, manager, admin, four facilitators (two also practise), then practitioners."""
    if index == 0:
        return {"is_admin": True, "is_manager": True}
    if index == 1:
        return {"is_manager": True}
    if index == 2:
        return {"is_admin": True}
    if index <= 2 + GROUPS_PER_ORG:
        return {"is_facilitator": True, "is_practitioner": index % 2 == 1}
    return {"is_practitioner": True}


def _text(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


class Seeder:
    def __init__(
        self, *, organisations: int, weeks_past: int, weeks_future: int, seed: int, tag: str = ""
    ):
        self.tag = tag  # tells apart two seeded sets in one database (the tests use two)
        self.n_orgs, self.weeks_past, self.weeks_future = organisations, weeks_past, weeks_future
        self.seed = seed
        self.rng = random.Random(seed)  # noqa: S311 (invented data, repeatable on purpose)
        self.seeded = Seeded()
        zone = ZoneInfo(settings.TIME_ZONE)
        today = timezone.localdate(timezone=zone)
        monday = today - timedelta(days=today.weekday())
        self.zone, self.monday = zone, monday
        self.now = timezone.now()

    def _at(self, day, hour: int) -> datetime:
        return datetime.combine(day, time(hour, 0)).replace(tzinfo=self.zone)

    # --- organisations, people, groups ---------------------------------------------------------

    def people(self) -> None:
        password = make_password(PASSWORD)
        codes = set()
        # Their own generator, so two tagged sets from one seed get different codes (unique).
        code_rng = random.Random(f"{self.seed}-{self.tag}")  # noqa: S311 (invented data)
        alphabet = "BCDFGHJKLMNPQRSTVWXZ23456789"
        orgs = []
        for o in range(self.n_orgs):
            code = None
            while code is None or code in codes:
                raw = "".join(code_rng.choice(alphabet) for _ in range(8))
                code = f"{raw[:4]}-{raw[4:]}"
            codes.add(code)
            orgs.append(
                Organisation(
                    name=f"Scale organisation {self.tag}{o + 1:03d}",
                    contact_email=f"rp{self.tag}{o + 1:03d}@{EMAIL_DOMAIN}",
                    partner_code=code,
                    created_at=self.now - timedelta(days=400),
                )
            )
        self.orgs = _bulk(Organisation, orgs, self.seeded, "Organisations")
        users = [
            User(
                email=f"{self.tag}p{o + 1:03d}-{p:02d}@{EMAIL_DOMAIN}",
                display_name=f"Person {o + 1:03d}-{p:02d}",
                password=password,
                date_joined=self.now - timedelta(days=400),
            )
            for o in range(self.n_orgs)
            for p in range(PEOPLE_PER_ORG)
        ]
        users = _bulk(User, users, self.seeded, "People")
        self.users = {(o, p): users[o * PEOPLE_PER_ORG + p] for o in range(self.n_orgs) for p in range(PEOPLE_PER_ORG)}  # fmt: skip
        _bulk(
            EmailAddress,
            [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in users],
            self.seeded,
            "Email addresses",
        )
        _bulk(
            Membership,
            [
                Membership(organisation=self.orgs[o], user=self.users[o, p], **_roles(p))
                for (o, p) in self.users
            ],
            self.seeded,
            "Memberships",
        )
        # Every third person has chosen their own reminder lead times.
        _bulk(
            SchedulePreference,
            [
                SchedulePreference(user=u, reminder_hours="24,2", feed_token=f"scale-{u.pk}")
                for u in users[::3]
            ],
            self.seeded,
            "Schedule preferences",
        )
        first = {name: self.users[0, p].email for name, p in (("admin", 2), ("manager", 1))}
        first |= {"facilitator": self.users[0, 3].email, "practitioner": self.users[0, 7].email}
        self.seeded.sample = first

    def groups(self) -> None:
        structures = [
            PracticeGroup.Structure.TEAM,
            PracticeGroup.Structure.TEAM,
            PracticeGroup.Structure.ORGANISATIONAL,
            PracticeGroup.Structure.MULTI_AGENCY,
        ]
        started = self.monday - timedelta(weeks=self.weeks_past + 2)
        rows = [
            PracticeGroup(
                host=org,
                name=f"{structures[g].label} group {o + 1:03d}-{g + 1}",
                purpose="Space to think together about difficult cases.",
                structure=structures[g],
                facilitation_model=PracticeGroup.Facilitation.INTERNAL,
                status=PracticeGroup.Status.RUNNING,
                aims="Safer decisions.",
                objectives="Monthly case reflection.",
                frequency="Weekly, 90 minutes",
                usual_place="Room 1",
                created_by=self.users[o, 0],
                created_at=self._at(started, 9) - timedelta(days=30),
                started_at=self._at(started, 9),
                ownership_note="We meet weekly.",
                ownership_decided_at=self._at(started, 9),
            )
            for o, org in enumerate(self.orgs)
            for g in range(GROUPS_PER_ORG)
        ]
        groups = _bulk(PracticeGroup, rows, self.seeded, "Groups")
        self.groups_by = {(o, g): groups[o * GROUPS_PER_ORG + g] for o in range(self.n_orgs) for g in range(GROUPS_PER_ORG)}  # fmt: skip
        members, partners, sign_offs = [], [], []
        self.group_people: dict[int, list[User]] = {}
        practitioners = range(3 + GROUPS_PER_ORG, PEOPLE_PER_ORG)
        for (o, g), group in self.groups_by.items():
            people = [(self.users[o, 3 + g], GroupMember.Role.FACILITATOR, o)]
            # Each practitioner in one group, every fifth one in a second group too.
            people += [
                (self.users[o, p], GroupMember.Role.MEMBER, o)
                for p in practitioners
                if p % GROUPS_PER_ORG == g or (p % 5 == 0 and (p + 1) % GROUPS_PER_ORG == g)
            ]
            sign_offs.append(
                SignOff(group=group, organisation=group.host, signed_by=self.users[o, 0])
            )
            if group.structure == PracticeGroup.Structure.MULTI_AGENCY and self.n_orgs > 1:
                partner = (o + 1) % self.n_orgs
                partners.append(
                    GroupPartner(
                        group=group,
                        organisation=self.orgs[partner],
                        status=GroupPartner.Status.ACCEPTED,
                        invited_by=self.users[o, 3 + g],
                        responded_by=self.users[partner, 0],
                        responded_at=group.started_at,
                    )
                )
                sign_offs.append(
                    SignOff(group=group, organisation=self.orgs[partner], signed_by=self.users[partner, 0])
                )  # fmt: skip
                people += [
                    (self.users[partner, p], GroupMember.Role.MEMBER, partner)
                    for p in range(40, 44)
                ]
            members += [
                GroupMember(
                    group=group,
                    user=user,
                    organisation=self.orgs[org_index],
                    role=role,
                    rota_position=None,
                    added_at=group.started_at,
                )
                for user, role, org_index in people
            ]
            self.group_people[group.pk] = [user for user, _role, _o in people]
        _bulk(GroupMember, members, self.seeded, "Group members")
        _bulk(GroupPartner, partners, self.seeded, "Group partners")
        _bulk(SignOff, sign_offs, self.seeded, "Sign-offs")
        versions = _bulk(
            AgreementVersion,
            [
                AgreementVersion(group=group, number=1, text="We keep what is said here here.")
                for group in groups
            ],
            self.seeded,
            "Agreement versions",
        )
        _bulk(
            AgreementAcceptance,
            [
                AgreementAcceptance(
                    version=version, user=user, accepted_at=version.group.started_at
                )
                for version in versions
                for user in self.group_people[version.group_id]
            ],
            self.seeded,
            "Agreement acceptances",
        )
        _bulk(
            TrainingRecord,
            [
                TrainingRecord(
                    user=self.users[o, 3 + g], organisation=self.orgs[o], completed_on=started
                )
                for (o, g) in self.groups_by
            ],
            self.seeded,
            "Training records",
        )
        self.rooms = _bulk(
            Room,
            [
                Room(organisation=org, name=f"Room {r}", capacity=16)
                for org in self.orgs
                for r in (1, 2)
            ],
            self.seeded,
            "Rooms",
        )

    # --- sessions and bookings -----------------------------------------------------------------

    def sessions(self) -> None:
        rows = []
        for (o, g), group in self.groups_by.items():
            room = self.rooms[o * 2 + g % 2]
            for week in range(-self.weeks_past, self.weeks_future):
                day = self.monday + timedelta(weeks=week, days=g)
                starts = self._at(day, 10 + (o % 4))
                held = week < 0
                rows.append(
                    GroupSession(
                        organisation=group.host,
                        group=group,
                        room=room,
                        starts_at=starts,
                        ends_at=starts + timedelta(minutes=90),
                        capacity=BOOKINGS_PER_SESSION - (1 if week % 4 == 3 else 0),
                        settling_in=week < -self.weeks_past + 3,
                        agenda="10 Arrive\n60 Case discussion\n20 Close",
                        status=GroupSession.Status.HELD if held else GroupSession.Status.SCHEDULED,
                        held_at=starts + timedelta(minutes=90) if held else None,
                        closed_by=self.users[o, 3 + g] if held else None,
                        themes="Endings; holding risk" if held else "",
                        created_by=self.users[o, 3 + g],
                        created_at=group.started_at,
                    )
                )
        self.sessions_all = _bulk(GroupSession, rows, self.seeded, "Sessions")
        bookings = []
        attendance = [Booking.Attendance.PRESENT] * 15 + [Booking.Attendance.LATE] * 2
        attendance += [Booking.Attendance.ABSENT] * 3
        for session in self.sessions_all:
            people = list(self.group_people[session.group_id][1:])  # not the facilitator
            chosen = self.rng.sample(people, min(BOOKINGS_PER_SESSION, len(people)))
            held = session.status == GroupSession.Status.HELD
            booked_at = session.starts_at - timedelta(days=6)
            for place, user in enumerate(chosen):
                waiting = place >= session.capacity
                bookings.append(
                    Booking(
                        session=session,
                        user=user,
                        status=Booking.Status.WAITLISTED if waiting else Booking.Status.BOOKED,
                        attendance=self.rng.choice(attendance) if held and not waiting else "",
                        created_at=booked_at + timedelta(minutes=place),
                        queued_at=booked_at + timedelta(minutes=place),
                    )
                )
        _copy(Booking, bookings, self.seeded, "Bookings")
        self.bookings = bookings  # without ids: nothing below needs them

    # --- journals ------------------------------------------------------------------------------

    def journals(self) -> None:
        templates = builtin_templates()
        attended: dict[int, list[int]] = {}
        for booking in self.bookings:
            if booking.attendance in (Booking.Attendance.PRESENT, Booking.Attendance.LATE):
                attended.setdefault(booking.user_id, []).append(booking.session_id)
        per_person = self.weeks_past + 2
        # Drawn from pools: random words for every section of 200,000 entries cost more than
        # the encryption.
        titles = [_text(self.rng, 4) for _ in range(300)]
        paragraphs = [_text(self.rng, 40) for _ in range(600)]
        rows = []
        for user in self.users.values():
            sessions = attended.get(user.pk, [])
            for n in range(per_person):
                template = templates[n % len(templates)]
                text = build_text(
                    template=template,
                    title=self.rng.choice(titles),
                    tags=self.rng.sample(TAGS, 2),
                    texts=[self.rng.choice(paragraphs) for _ in template.sections],
                )
                written = self.now - timedelta(days=7 * (per_person - n), hours=self.rng.randrange(48))  # fmt: skip
                rows.append(
                    JournalEntry(
                        author=user,
                        content=encrypt_json(text.as_dict()),
                        template_key=template.key,
                        session_id=sessions[n % len(sessions)] if sessions and n % 2 else None,
                        status=JournalEntry.Status.FINISHED if n % 5 else JournalEntry.Status.DRAFT,
                        word_count=text.words,
                        created_at=written,
                        updated_at=written,
                    )
                )
                if len(rows) >= BATCH:
                    _copy(JournalEntry, rows, self.seeded, "Journal entries")
                    rows = []
        _copy(JournalEntry, rows, self.seeded, "Journal entries")

    # --- evaluation ----------------------------------------------------------------------------

    def evaluation(self) -> None:
        ensure_library()
        library = {m.key: m for m in Measure.objects.filter(organisation=None)}
        pulse = next(m for m in library.values() if m.use == Measure.Use.PULSE)
        any_use = [m for m in library.values() if m.use == Measure.Use.ANY]
        follow_only = [m for m in library.values() if m.use == Measure.Use.FOLLOW_UP]
        baseline_opens = self.monday - timedelta(weeks=self.weeks_past + 1)
        plans = _bulk(
            EvaluationPlan,
            [
                EvaluationPlan(
                    group=group,
                    baseline_opens=baseline_opens,
                    window_days=14,
                    follow_up_months=FOLLOW_UP_MONTHS,
                    pulse=True,
                    created_by=group.created_by,
                )
                for group in self.groups_by.values()
            ],
            self.seeded,
            "Evaluation plans",
        )
        EvaluationPlan.measures.through.objects.bulk_create(
            [
                EvaluationPlan.measures.through(evaluationplan_id=plan.pk, measure_id=m.pk)
                for plan in plans
                for m in any_use + follow_only
            ]
        )
        plan_of = {plan.group_id: plan for plan in plans}
        windows = []
        from dateutil.relativedelta import relativedelta

        for plan in plans:
            for kind, months in [(QuestionnaireWindow.Kind.BASELINE, 0)] + [
                (QuestionnaireWindow.Kind.FOLLOW_UP, m) for m in FOLLOW_UP_MONTHS
            ]:
                opens = self._at(baseline_opens + relativedelta(months=months), 0)
                windows.append(
                    QuestionnaireWindow(
                        plan=plan,
                        kind=kind,
                        months=months,
                        opens_at=opens,
                        closes_at=opens + timedelta(days=14),
                        invitations_sent_at=opens,
                        reminder_sent_at=opens + timedelta(days=7),
                    )
                )
        for session in self.sessions_all:
            if session.status == GroupSession.Status.HELD:
                windows.append(
                    QuestionnaireWindow(
                        plan=plan_of[session.group_id],
                        kind=QuestionnaireWindow.Kind.PULSE,
                        session=session,
                        opens_at=session.held_at,
                        closes_at=session.held_at + timedelta(days=7),
                        invitations_sent_at=session.held_at,
                    )
                )
        windows = _bulk(QuestionnaireWindow, windows, self.seeded, "Questionnaire windows")
        plan_group = {plan.pk: plan.group_id for plan in plans}
        came: dict[int, list[int]] = {}
        for booking in self.bookings:
            if booking.attendance in (Booking.Attendance.PRESENT, Booking.Attendance.LATE):
                came.setdefault(booking.session_id, []).append(booking.user_id)
        users_by_pk = {u.pk: u for u in self.users.values()}
        plans_by_pk = {plan.pk: plan for plan in plans}
        answers = []  # (window, user, measures)
        for window in windows:
            if window.kind == QuestionnaireWindow.Kind.PULSE:
                people = [users_by_pk[pk] for pk in came.get(window.session_id, [])]
                measures, rate = [pulse], 0.9
            else:
                if window.opens_at >= self.now:
                    continue
                people = self.group_people[plan_group[window.plan_id]][1:]
                measures = any_use + (follow_only if window.months else [])
                rate = 0.85
            answers += [(window, user, measures) for user in people if self.rng.random() < rate]
        self._answers(answers, plans_by_pk)

    def _answers(self, answers: list, plans_by_pk: dict) -> None:
        comments = ["Good to hear other views.", "Felt rushed at the end.", "Useful case."]
        responses, completions, item_answers = [], [], 0
        for window, user, _measures in answers:
            completions.append(Completion(window=window, user=user))
            comment = self.rng.choice(comments) if self.rng.random() < 0.05 else ""
            pseudonym = response_pseudonym(user, plans_by_pk[window.plan_id])
            responses.append(Response(window=window, pseudonym=pseudonym, comment=comment))
        _copy(Completion, completions, self.seeded, "Completions")
        responses = _bulk(Response, responses, self.seeded, "Responses")
        scores = []
        for response, (_window, _user, measures) in zip(responses, answers, strict=True):
            for measure in measures:
                values = {
                    item["key"]: self.rng.choices([1, 2, 3, 4, 5], weights=[1, 2, 4, 5, 3])[0]
                    for item in measure.items
                }
                item_answers += len(values)
                scores.append(
                    Score(response=response, measure=measure, value=measure.score(values))
                )
            if len(scores) >= BATCH:
                _copy(Score, scores, self.seeded, "Scores")
                scores = []
        _copy(Score, scores, self.seeded, "Scores")
        self.seeded.add("Questionnaire answers (items)", item_answers)

    def run(self) -> Seeded:
        with transaction.atomic():
            self.people()
            self.groups()
            self.sessions()
            self.journals()
            self.evaluation()
        return self.seeded


def has_data() -> bool:
    """Anything in the tables a real installation fills: people or organisations."""
    return User.objects.exists() or Organisation.objects.exists()


def already_seeded() -> bool:
    return User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}").exists()


def seed_scale(
    *,
    organisations: int,
    weeks_past: int = 38,
    weeks_future: int = 12,
    seed: int = 2026,
    tag: str = "",
) -> Seeder:
    seeder = Seeder(
        organisations=organisations,
        weeks_past=weeks_past,
        weeks_future=weeks_future,
        seed=seed,
        tag=tag,
    )
    seeder.run()
    figures_changed()  # bulk inserts send no signals: kept dashboard figures are out of date
    return seeder
