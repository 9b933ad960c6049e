"""First-visit guides for an organisation admin, a practitioner and a manager.

Each step is worked out from the data every time (nothing is stored about progress), so a
person can leave a guide half-way and find it where they are when they come back. The only
stored choice is hiding a guide (``HiddenGuide``). Every function runs a fixed number of
queries, however much data there is, because the home page is held to that.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from groups.checklist import group_checklist, next_step
from groups.models import (
    GroupMember,
    GroupPartner,
    Invitation,
    Membership,
    Organisation,
    PracticeGroup,
    SignOff,
)
from groups.selectors import group_access_for, group_places
from guide.templatetags.guide_links import guide_url
from journals.models import JournalEntry
from onboarding.models import GuideKind, HiddenGuide
from sessions.models import GroupSession, Poll

DEFAULT_ACCENT = Organisation._meta.get_field("accent_colour").default


@dataclass(frozen=True)
class GuideStep:
    key: str
    title: str
    why: str
    status: str  # what the data says now
    done: bool | None  # None: something to know rather than something to do
    action_url: str = ""
    action_label: str = ""
    more_url: str = ""  # a page that explains more (usually the guide)
    more_label: str = ""


@dataclass(frozen=True)
class Guide:
    kind: str
    title: str
    intro: str
    steps: tuple[GuideStep, ...]
    hidden: bool = False

    @property
    def to_do(self) -> list[GuideStep]:
        return [step for step in self.steps if step.done is not None]

    @property
    def done_count(self) -> int:
        return sum(1 for step in self.to_do if step.done)

    @property
    def finished(self) -> bool:
        return all(step.done for step in self.to_do)

    @property
    def current(self) -> GuideStep | None:
        return next((step for step in self.to_do if not step.done), None)

    @property
    def after_current(self) -> GuideStep | None:
        """What comes next once the current step is done."""
        current = self.current
        if current is None:
            return None
        later = self.to_do[self.to_do.index(current) + 1 :]
        return next((step for step in later if not step.done), None)


def _when(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "D j M Y, H:i")


def _guide_url(section: str, anchor: str) -> str:
    """Through the guide's own helper, which refuses a section or heading it does not have."""
    return guide_url(section, anchor)


def hidden_kinds(user) -> set[str]:
    return set(HiddenGuide.objects.filter(user=user).values_list("guide", flat=True))


# --- Organisation admin -----------------------------------------------------------------------


def organisation_admin_guide(
    user, organisation: Organisation | None, *, with_checklist: bool = True
) -> Guide:
    """From creating the organisation to its first date poll. ``organisation`` is None for
    someone who belongs to no organisation yet: the first step is then still to do.

    ``with_checklist``: say how far the first group's seven-step checklist has got (the
    organisation page does; the home page, which also carries other guides, only links to it).
    """
    org_url = lambda name, *args: reverse(f"groups:{name}", args=[organisation.pk, *args])  # noqa: E731
    steps = [
        GuideStep(
            "organisation",
            _("Create your organisation"),
            _(
                "The organisation holds your people, rooms and groups. Other organisations see "
                "none of it, unless you invite them into a multi-agency group."
            ),
            status=(
                _("%(org)s is set up and you are its admin.") % {"org": organisation.name}
                if organisation
                else _(
                    "Not yet. If someone from your organisation already uses rp_portal, wait "
                    "for their invitation instead: it arrives by email."
                )
            ),
            done=organisation is not None,
            action_url=(
                org_url("organisation_detail")
                if organisation
                else reverse("groups:organisation_create")
            ),
            action_label=_("Open the organisation")
            if organisation
            else _("Set up an organisation"),
        )
    ]
    if organisation is None:
        return Guide(
            GuideKind.ORGANISATION_ADMIN, GuideKind.ORGANISATION_ADMIN.label, _intro(), tuple(steps)
        )

    branded = bool(organisation.logo) or organisation.accent_colour.lower() != DEFAULT_ACCENT
    # One query for everything the steps need to know about the organisation.
    first_group = PracticeGroup.objects.filter(host=OuterRef("pk")).order_by("created_at", "pk")
    facts = (
        Organisation.objects.filter(pk=organisation.pk)
        .annotate(
            invited=Exists(Invitation.objects.filter(organisation=OuterRef("pk"))),
            others=Exists(
                Membership.objects.filter(organisation=OuterRef("pk")).exclude(user=user)
            ),
            group_id=Subquery(first_group.values("pk")[:1]),
            group_name=Subquery(first_group.values("name")[:1]),
            polled=Exists(Poll.objects.filter(group__host=OuterRef("pk"))),
        )
        .values("invited", "others", "group_id", "group_name", "polled")
        .get()
    )
    invited = facts["invited"] or facts["others"]
    group_id = facts["group_id"]
    steps.append(
        GuideStep(
            "branding",
            _("Add your logo and colour"),
            _(
                "Your logo shows on your organisation's page, and with your colour on the "
                "workshop packs you hand out, so people recognise them as yours."
            ),
            status=_("Your branding is in place.") if branded else _("Still the standard look."),
            done=branded,
            action_url=org_url("organisation_edit"),
            action_label=_("Add branding"),
        )
    )
    steps.append(
        GuideStep(
            "invite",
            _("Invite people"),
            _(
                "Each person creates their own account from the invitation, with the roles you "
                "choose: facilitators run groups, practitioners take part, managers see the "
                "anonymous figures."
            ),
            status=_("You have invited people.") if invited else _("Nobody invited yet."),
            done=invited,
            action_url=org_url("invite"),
            action_label=_("Invite your first people"),
        )
    )
    steps.append(_first_group_step(user, organisation, facts, with_checklist=with_checklist))
    polled = facts["polled"]
    steps.append(
        GuideStep(
            "poll",
            _("Open a date poll"),
            _(
                "Members say which dates suit them, and the session you schedule from the poll "
                "records that the group chose when and where it meets."
            ),
            status=(
                _("A date poll is open or done.")
                if polled
                else _("Set up a group first.")
                if group_id is None
                else _("No poll yet.")
            ),
            done=polled,
            action_url=reverse("sessions:poll_new", args=[group_id]) if group_id else "",
            action_label=_("Open a date poll") if group_id else "",
        )
    )
    return Guide(
        GuideKind.ORGANISATION_ADMIN, GuideKind.ORGANISATION_ADMIN.label, _intro(), tuple(steps)
    )


def _intro() -> str:
    return _(
        "Five steps take a new organisation to its first group meeting. Each one is ticked off "
        "as you do it, so you can stop at any time and carry on later."
    )


def _first_group_step(
    user, organisation: Organisation, facts: dict, *, with_checklist: bool
) -> GuideStep:
    why = _(
        "A group goes well when it is set up well. Its page has a seven-step checklist, from "
        "leadership sign-off to letting the group decide when it meets."
    )
    if facts["group_id"] is None:
        return GuideStep(
            "group",
            _("Set up the first group"),
            why,
            status=_("No group yet."),
            done=False,
            action_url=reverse("groups:create", args=[organisation.pk]),
            action_label=_("Start the first group"),
            more_url=_guide_url("setting-up", "buy_in"),
            more_label=_("The seven steps in the guide"),
        )
    group_url = reverse("groups:detail", args=[facts["group_id"]])
    if not with_checklist:
        return GuideStep(
            "group", _("Set up the first group"), why,
            status=_("%(group)s is set up. Its page has the seven-step checklist to work through.")
            % {"group": facts["group_name"]},
            done=True, action_url=group_url, action_label=_("Open its checklist"),
            more_url=_guide_url("setting-up", "buy_in"), more_label=_("The seven steps in the guide"),
        )  # fmt: skip
    checklist = group_checklist(group_access_for(user, facts["group_id"]))
    pending = next_step(checklist)
    status = _("%(group)s: %(done)s of %(total)s set-up steps done.") % {
        "group": facts["group_name"],
        "done": sum(1 for step in checklist if step.done),
        "total": len(checklist),
    }
    if pending:
        status += " " + _("Next on its checklist: %(step)s.") % {"step": pending.title}
    return GuideStep(
        "group",
        _("Set up the first group"),
        why,
        status=status,
        done=True,
        action_url=pending.action_url if pending else group_url,
        action_label=pending.action_label if pending else _("Open the group"),
        more_url=_guide_url("setting-up", pending.key if pending else "buy_in"),
        more_label=_("Why this step matters"),
    )


# --- Practitioner -----------------------------------------------------------------------------


def practitioner_guide(user, *, next_bookings: list, places: list | None = None) -> Guide:
    """Agreement, next session, booking, journal. ``next_bookings``: the home page's list of
    the person's upcoming active bookings; ``places``: its ``group_places(user)`` (so no
    query is repeated)."""
    if places is None:
        places = group_places(user)
    # The group the person joined first comes first.
    places = sorted(places, key=lambda place: (place.added_at, place.pk))
    group_ids = [place.group_id for place in places]
    upcoming = (
        GroupSession.objects.filter(
            group_id__in=group_ids,
            status=GroupSession.Status.SCHEDULED,
            starts_at__gt=timezone.now(),
        )
        .select_related("group")
        .only("starts_at", "group", "group__name")
        .order_by("starts_at", "pk")
        .first()
        if group_ids
        else None
    )
    wrote = JournalEntry.objects.filter(author=user).exists()
    steps = (
        _agreement_step(places),
        _next_session_step(upcoming, places),
        _booking_step(upcoming, next_bookings),
        GuideStep(
            "journal",
            _("Keep a private journal"),
            _(
                "The journal is where you think through your own practice: what happened, how "
                "it felt, what you would do next time. It is private: each entry is encrypted "
                "before it is stored, and only your own account can open it. Facilitators, "
                "managers and the people who run rp_portal cannot read it, and a learning "
                "point reaches your group only if you choose to share it, without your name."
            ),
            status=_("You have started your journal.") if wrote else _("No entries yet."),
            done=wrote,
            action_url=reverse("journals:new"),
            action_label=_("Write an entry"),
            more_url=_guide_url("privacy", "journal"),
            more_label=_("Why only you can read it"),
        ),
    )
    return Guide(
        GuideKind.PRACTITIONER,
        GuideKind.PRACTITIONER.label,
        _("Four things to do before your first session. Each is ticked off once it is done."),
        steps,
    )


def _agreement_step(places: list[GroupMember]) -> GuideStep:
    why = _(
        "The agreement is the group's ground rules: what stays in the room, how people speak "
        "to each other. Everyone accepts it before booking, so everyone starts from the same "
        "promises."
    )
    title = _("Accept the group agreement")
    waiting = [p for p in places if p.agreement and not p.accepted]
    if waiting:
        return GuideStep(
            "agreement", title, why,
            status=_("%(group)s is waiting for you to accept its agreement.") % {"group": waiting[0].group.name},
            done=False,
            action_url=reverse("groups:agreement", args=[waiting[0].group_id]),
            action_label=_("Read the agreement"),
        )  # fmt: skip
    if not places:
        status = _("You are not in a group yet. A facilitator adds you once you are invited.")
    elif not any(p.agreement for p in places):
        status = _("Your facilitator has not written the agreement yet.")
    else:
        status = _("You have accepted it.")
    return GuideStep(
        "agreement", title, why, status=status, done=any(p.accepted for p in places),
        more_url=_guide_url("facilitator-tips", "group-agreement"),
        more_label=_("What the agreement is for"),
    )  # fmt: skip


def _next_session_step(upcoming: GroupSession | None, places: list) -> GuideStep:
    return GuideStep(
        "next_session",
        _("See when the group meets next"),
        _(
            "Sessions are where the group reflects together. Coming regularly matters more "
            "than coming to everything: trust builds over a few sessions."
        ),
        status=(
            _("%(group)s meets next on %(when)s.")
            % {"group": upcoming.group.name, "when": _when(upcoming.starts_at)}
            if upcoming
            else _(
                "Nothing is scheduled yet. If your group has a date poll, say which dates suit you."
            )
        ),
        done=upcoming is not None,
        action_url=(
            reverse("sessions:detail", args=[upcoming.pk]) if upcoming else reverse("sessions:mine")
        ),
        action_label=_("See the session") if upcoming else _("My sessions and polls"),
    )


def _booking_step(upcoming: GroupSession | None, next_bookings: list) -> GuideStep:
    booking = next((b for b in next_bookings if b.session.kind == GroupSession.Kind.GROUP), None)
    if booking:
        status = (
            _("You have a place on %(when)s.")
            if booking.status == "booked"
            else _(
                "You are on the waiting list for %(when)s; a freed place is yours automatically."
            )
        )
        status %= {"when": _when(booking.session.starts_at)}
    else:
        status = _("Not booked yet.")
    return GuideStep(
        "book",
        _("Book your place"),
        _(
            "Booking tells the facilitator how many are coming and sends you a reminder. If "
            "the session is full you join the waiting list and move up when someone cancels."
        ),
        status=status,
        done=booking is not None,
        action_url=reverse("sessions:detail", args=[(booking.session if booking else upcoming).pk])
        if booking or upcoming
        else "",
        action_label=_("Book a place") if upcoming and not booking else "",
    )


# --- Manager ----------------------------------------------------------------------------------


def manager_guide(user, organisation: Organisation, *, to_sign: list | None = None) -> Guide:
    """Sign-off, what the dashboard shows, and why small figures are hidden. ``to_sign``: the
    home page's groups still waiting for a sign-off from an organisation this person leads."""
    # A UNION of the hosted and the partnered groups' ids, each read by index: "hosts it OR
    # partners it" made PostgreSQL read every group.
    taking_part_ids = (
        PracticeGroup.objects.filter(host=organisation)
        .order_by()
        .values("pk")
        .union(
            GroupPartner.objects.filter(
                organisation=organisation, status=GroupPartner.Status.ACCEPTED
            )
            .order_by()
            .values("group_id")
        )
    )
    taking_part = PracticeGroup.objects.filter(pk__in=taking_part_ids)
    held = GroupSession.objects.filter(group=OuterRef("pk"), status=GroupSession.Status.HELD)
    figures = taking_part.aggregate(
        groups=Count("pk"), with_sessions_held=Count("pk", filter=Q(Exists(held)))
    )
    if to_sign is None:
        signed = SignOff.objects.filter(group=OuterRef("pk"), organisation=organisation)
        to_sign = list(taking_part.exclude(Exists(signed)).order_by("name", "pk")[:1])
    first_unsigned = to_sign[0] if to_sign else None
    group_count, held = figures["groups"], figures["with_sessions_held"] > 0
    if first_unsigned:
        sign_status = _("%(group)s is waiting for your organisation's sign-off.") % {
            "group": first_unsigned.name
        }
    elif group_count:
        sign_status = _("Every group your organisation takes part in is signed off.")
    else:
        sign_status = _("No group yet. When one starts, you record the sign-off here.")
    steps = (
        GuideStep(
            "sign_off",
            _("Record your sign-off"),
            _(
                "Sign-off is the first set-up step: it tells staff that leaders will protect "
                "the time to attend. Without it, people struggle to come."
            ),
            status=sign_status,
            done=group_count > 0 and first_unsigned is None,
            action_url=reverse("groups:detail", args=[first_unsigned.pk]) + "#sign-off"
            if first_unsigned
            else "",
            action_label=_("Record sign-off") if first_unsigned else "",
            more_url=_guide_url("setting-up", "buy_in"),
            more_label=_("Leadership buy-in in the guide"),
        ),
        GuideStep(
            "dashboard",
            _("Know what the dashboard shows"),
            _(
                "Sessions held, attendance, how people rate each session and the measures "
                "chosen before the group started, by quarter and against the baseline. It "
                "answers: is reflective practice working here?"
            ),
            status=_("Sessions have been held, so there are figures to read.")
            if held
            else _("No session held yet, so the dashboard has nothing to show for now."),
            done=held,
            action_url=reverse("evaluation:dashboard", args=[organisation.pk]),
            action_label=_("Open the dashboard"),
        ),
        GuideStep(
            "small_numbers",
            _("Why small groups are hidden"),
            _(
                "No figure is shown that comes from fewer than five people, nor one that could "
                "be worked out by taking one figure from another. With so few people a number "
                "could point to someone, and people only answer honestly when they cannot be "
                "picked out."
            ),
            status="",
            done=None,
            more_url=_guide_url("privacy", "small-numbers"),
            more_label=_("The five-person rule in the guide"),
        ),
    )
    return Guide(
        GuideKind.MANAGER,
        GuideKind.MANAGER.label,
        _("What a manager does first, and what you will see later."),
        steps,
    )


# --- Which guides a person sees ---------------------------------------------------------------


def first_visit_guides(
    user,
    *,
    next_bookings: list,
    to_sign: list,
    memberships: list[Membership] | None = None,
    places: list | None = None,
) -> dict:
    """The guides for the home page: ``{"shown": [...], "hidden": [...]}``.

    ``next_bookings`` and ``to_sign`` are what the home page already shows (upcoming bookings,
    groups waiting for a sign-off); ``memberships`` (with their organisations) and ``places``
    are what it has already read (``home_summary``), so no query is repeated. A finished guide
    is not shown; a hidden one is listed so it can be brought back.
    """
    hidden = hidden_kinds(user)
    if memberships is None:
        memberships = list(Membership.objects.filter(user=user).select_related("organisation"))
    memberships = {m.organisation_id: m for m in memberships}
    wanted: list[tuple[str, object]] = []
    admin_of = sorted(
        (m.organisation_id for m in memberships.values() if m.is_admin),
    )
    if admin_of:
        wanted.append((GuideKind.ORGANISATION_ADMIN, admin_of[0]))
    elif not memberships:
        wanted.append((GuideKind.ORGANISATION_ADMIN, None))
    if any(m.is_practitioner for m in memberships.values()):
        wanted.append((GuideKind.PRACTITIONER, None))
    managed = sorted(m.organisation_id for m in memberships.values() if m.is_manager)
    if managed:
        wanted.append((GuideKind.MANAGER, managed[0]))

    shown, put_away = [], []
    for kind, org_id in wanted:
        if kind in hidden:
            put_away.append(kind)
            continue
        organisation = memberships[org_id].organisation if org_id else None
        if kind == GuideKind.ORGANISATION_ADMIN:
            guide = organisation_admin_guide(user, organisation, with_checklist=False)
        elif kind == GuideKind.PRACTITIONER:
            guide = practitioner_guide(user, next_bookings=next_bookings, places=places)
        else:
            guide = manager_guide(user, organisation, to_sign=to_sign)
        if not guide.finished:
            shown.append(guide)
    return {"shown": shown, "hidden": [GuideKind(kind) for kind in put_away]}


def organisation_page_guide(user, organisation: Organisation, membership: Membership):
    """The admin's guide on the organisation page, unless finished or hidden."""
    if not membership.is_admin or GuideKind.ORGANISATION_ADMIN in hidden_kinds(user):
        return None
    guide = organisation_admin_guide(user, organisation)
    return None if guide.finished else guide
