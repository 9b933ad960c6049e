"""What the product tells people when they set up a group, in our own words.

The facts come from a UK charity's practitioner toolkit on reflective practice groups.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Option:
    value: str
    title: str
    summary: str
    benefits: tuple[str, ...]
    challenges: tuple[str, ...]


STRUCTURES = (
    Option(
        "team",
        _("Team"),
        _("Colleagues who work together every day reflect on their shared caseload."),
        (
            _("Everyone already knows the work, so reflection gets to the point quickly."),
            _("What the group learns can be put into practice straight away."),
        ),
        (
            _("How the team gets on can make some people hold back."),
            _(
                "Stepping out of everyday roles and seniority is hard when your manager is in the room."
            ),
        ),
    ),
    Option(
        "organisational",
        _("Organisational"),
        _("People from several teams of one organisation reflect together."),
        (
            _("Experience and learning travel between teams."),
            _("Staff see more of what the rest of the organisation does."),
            _("It builds a sense of working towards the same vision."),
        ),
        (
            _("Learning is harder to pin down, and changes can take a while to land."),
            _("Booking rooms and keeping track of who can attend takes more organising."),
        ),
    ),
    Option(
        "multi_agency",
        _("Multi-agency"),
        _(
            "Practitioners from different agencies that support the same young people reflect together."
        ),
        (
            _("Each agency comes to understand how the others work and what they are there to do."),
            _(
                "Agencies talk to each other better, refer more appropriately and work together more usefully."
            ),
        ),
        (
            _(
                "Different organisational cultures make it harder for each agency to take the learning back."
            ),
            _("Agencies may not be equally committed, which shows in who turns up."),
            _("Travelling to the venue can stop people attending."),
        ),
    ),
)

FACILITATION_MODELS = (
    Option(
        "external",
        _("External facilitator"),
        _("Someone from outside the participating organisations runs the sessions."),
        (
            _("Independent of everyone's line management, which helps the room feel safe."),
            _("Brings experience of facilitating reflection in many settings."),
        ),
        (
            _("Usually costs money, and may stop when funding does."),
            _("Knows less about the local services and young people at first."),
        ),
    ),
    Option(
        "internal",
        _("Internal facilitator"),
        _("A trained person from one of the organisations runs the sessions."),
        (
            _("Understands the organisation, its pressures and its language."),
            _("Cheaper to sustain, and builds skills that stay in the organisation."),
        ),
        (
            _("Members may see them as part of the hierarchy, which can make honesty harder."),
            _("Needs protected time and training alongside their usual job."),
        ),
    ),
    Option(
        "peer",
        _("Peer facilitation"),
        _("Trained members take turns to facilitate, following a rota."),
        (
            _("The group owns the process, and everyone grows as a facilitator."),
            _("No outside cost, and no single person the group depends on."),
        ),
        (
            _("Every facilitator needs training, and sessions can vary in quality."),
            _("It can be awkward to challenge colleagues you facilitate as an equal."),
        ),
    ),
)


def option_for(options: tuple[Option, ...], value: str) -> Option | None:
    return next((option for option in options if option.value == value), None)


DEFAULT_AGREEMENT = _(
    """Confidentiality. What members say about themselves, colleagues and young people stays in the room. The one exception is a safeguarding concern, which is passed on through the usual procedures; the facilitator will say so in the session if that happens.

Learning, not names. Anyone can take a lesson out of the group. Nobody takes out who said it or who it was about.

Respect. One person speaks at a time. We listen to understand, not to reply.

No blame. We look at what happened and what could be done differently, not at who got it wrong.

No hierarchy. In the group everyone is a practitioner with something to learn and something to offer, whatever their job title outside it.

Be present. Phones are away and on silent; we arrive on time and stay to the end when we can.

Look after yourself and each other. You choose what to share. If a session brings something up, talk to the facilitator or use your organisation's support."""
)
