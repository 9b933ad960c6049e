"""What the workshop pack says, in our own words.

The facts (the evidence, the structures, the seven set-up steps) come from a UK charity's
practitioner toolkit on reflective practice groups; every sentence here is ours. Longer slide
and handout prose lives in the templates under templates/groups/pack/.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# The document kind the builder is registered under (rp_portal.documents).
KIND = "workshop-pack"

LENGTHS = {120: _("2 hours"), 180: _("3 hours")}


@dataclass(frozen=True)
class Activity:
    key: str
    title: str
    suggested: dict[int, int]  # minutes, by workshop length in minutes
    purpose: str
    materials: tuple[str, ...]
    notes: tuple[str, ...]


ACTIVITIES = (
    Activity(
        "welcome",
        _("Welcome, aims and ground rules"),
        {120: 10, 180: 15},
        _("People know why they are here, what the session will cover and how the room will work."),
        (_("Slides 1 and 2"), _("Sign-in sheet"), _("Name labels")),
        (
            _(
                "Introduce yourself and anyone co-facilitating. Keep introductions to name and role."
            ),
            _(
                "Agree two or three ground rules for today: what is said about cases stays in the room, and nobody is judged for what they share."
            ),
            _("Point out the exits, breaks and toilets, and say people can step out at any time."),
        ),
    ),
    Activity(
        "what_is_rp",
        _("What reflective practice is"),
        {120: 15, 180: 20},
        _(
            "A shared, plain definition: looking back at real work in order to learn what to do next."
        ),
        (_("Slides 3 and 4"), _("Flipchart and pens")),
        (
            _(
                "Ask the room how they already reflect: on the drive home, in supervision, in a notebook. Write the answers up."
            ),
            _(
                "Draw out the difference between going over a case alone and thinking it through with colleagues who see it differently."
            ),
            _("Keep it concrete: reflection is a habit and a structure, not a personality trait."),
        ),
    ),
    Activity(
        "evidence",
        _("Why it is worth the time"),
        {120: 10, 180: 15},
        _(
            "Participants can explain to a sceptical colleague what group reflection changes, for staff and for young people."
        ),
        (_("Slides 5 and 6"),),
        (
            _(
                "Summarise the four studies in a sentence each; the point is the pattern, not the citations."
            ),
            _(
                "Link the findings to the room: stress, confidence, better decisions and fewer repeated mistakes."
            ),
            _(
                "Introduce the idea of a safe, non-hierarchical space here; it comes back in every later activity."
            ),
        ),
    ),
    Activity(
        "structures",
        _("How groups can be organised and facilitated"),
        {120: 20, 180: 25},
        _(
            "People understand the three group structures and three facilitation models, and which fit their setting."
        ),
        (_("Slides 7 to 11"), _("Handout: comparing group structures")),
        (
            _(
                "Spend most of the time on the structures your organisation is considering; they are marked as a focus in the slides and the handout."
            ),
            _(
                "In pairs, ask people to name one benefit and one challenge they would expect in their own setting."
            ),
            _(
                "Be honest about hierarchy: a manager in the room changes what people say, whatever the ground rules."
            ),
        ),
    ),
    Activity(
        "break",
        _("Break"),
        {120: 10, 180: 15},
        _("A pause before the practice round, which asks more of people."),
        (_("Refreshments"),),
        (_("Use the break to set out the room for small groups of four to six."),),
    ),
    Activity(
        "practice",
        _("Practice round with a reflective model"),
        {120: 30, 180: 45},
        _(
            "Everyone experiences one structured reflection on a real piece of work, as presenter, questioner or observer."
        ),
        (_("Slides 12 and 13"), _("Handout: reflective model prompt sheet"), _("A timer")),
        (
            _(
                "Ask for a volunteer in each small group to bring a recent piece of work, anonymised: no names of young people, families or colleagues."
            ),
            _(
                "Walk the groups through the model's stages one at a time and call the time for each."
            ),
            _("Questioners ask open questions and do not give advice until the last stage."),
            _("Close with a round: what was it like to be asked, and to ask?"),
        ),
    ),
    Activity(
        "setting_up",
        _("Setting up our group: seven steps"),
        {120: 15, 180: 30},
        _(
            "The room knows how a lasting group is set up, what success will be measured by, and has started a draft group agreement."
        ),
        (_("Slides 14 and 15"), _("Handout: draft group agreement")),
        (
            _("Go through the seven steps and say where your organisation is with each."),
            _(
                "Explain that success measures are chosen before the first session, so there is something to compare against."
            ),
            _("Read the draft agreement together and note what the group would add or change."),
        ),
    ),
    Activity(
        "close",
        _("Next steps, questions and feedback"),
        {120: 10, 180: 15},
        _(
            "People leave knowing what happens next and how to get involved, and the facilitators learn what to improve."
        ),
        (_("Slides 16 and 17"), _("Feedback form")),
        (
            _(
                "Say when the first group sessions are planned and how people will be asked about dates."
            ),
            _("Collect the feedback forms before people leave; they are anonymous."),
            _(
                "Record attendance in rp_portal so completed training shows on each person's record."
            ),
        ),
    ),
)

ACTIVITY_KEYS = tuple(activity.key for activity in ACTIVITIES)


def suggested_minutes(length: int) -> dict[str, int]:
    return {activity.key: activity.suggested[length] for activity in ACTIVITIES}


@dataclass(frozen=True)
class Part:
    key: str
    title: str
    summary: str
    template: str


PARTS = (
    Part(
        "outline",
        _("Facilitator's outline"),
        _("Aims, the agenda with your timings, and each activity's purpose, materials and notes."),
        "groups/pack/outline.html",
    ),
    Part(
        "slides",
        _("Slides"),
        _(
            "Landscape 16:9 slides to project or print, from what reflective practice is to next steps."
        ),
        "groups/pack/slides.html",
    ),
    Part(
        "handouts",
        _("Handouts"),
        _(
            "A reflective model prompt sheet, a comparison of group structures and a draft group agreement."
        ),
        "groups/pack/handouts.html",
    ),
    Part(
        "sign_in",
        _("Sign-in sheet"),
        _("One row per participant, for your training records."),
        "groups/pack/sign_in.html",
    ),
    Part(
        "feedback",
        _("Feedback form"),
        _("A one-page anonymous form: five quick ratings and three questions."),
        "groups/pack/feedback.html",
    ),
)

PART_KEYS = tuple(part.key for part in PARTS)


def part_for(key: str) -> Part | None:
    return next((part for part in PARTS if part.key == key), None)


@dataclass(frozen=True)
class Finding:
    source: str
    summary: str


EVIDENCE = (
    Finding(
        "Kim et al., 2013",
        _(
            "Teams that reflected together got clearly better at thinking critically and at communicating with each other."
        ),
    ),
    Finding(
        "Lutz et al., 2013",
        _(
            "Staff felt less stressed, the people they supported got better care, and reflection worked as professional development too."
        ),
    ),
    Finding(
        "Asselin & Fain, 2013",
        _(
            "Practitioners looked back at their own work more often, and thought more reflectively while doing it."
        ),
    ),
    Finding(
        "Paget, 2008",
        _(
            "Reflection led to real changes in how people practised, and the changes were still there long afterwards."
        ),
    ),
)


@dataclass(frozen=True)
class SetUpStep:
    title: str
    detail: str


SET_UP_STEPS = (
    SetUpStep(
        _("Get leaders on board"),
        _("Managers at every level, in every organisation taking part, agree to protect the time."),
    ),
    SetUpStep(
        _("Plan and prepare"),
        _(
            "Agree what the group is for, who it is for, how it is organised and how often it meets."
        ),
    ),
    SetUpStep(
        _("Decide what success looks like"),
        _(
            "Choose the measures before the first session, so there is a starting point to compare with."
        ),
    ),
    SetUpStep(
        _("Choose how it is facilitated"),
        _("An external facilitator, an internal one, or members taking turns."),
    ),
    SetUpStep(
        _("Train people in reflective practice"),
        _("A short introduction, like today, so everyone can take part with confidence."),
    ),
    SetUpStep(
        _("Give the group time to settle"),
        _(
            "Trust grows over the first few sessions; plan for them to feel different from later ones."
        ),
    ),
    SetUpStep(
        _("Let the group own it"),
        _("Within the plan, members decide together when and where they meet."),
    ),
)

PARTICIPATION_MEASURES = (
    _("Sessions held, against sessions planned"),
    _("Attendance at each session"),
    _("How many people keep coming over months"),
)

OUTCOME_MEASURES = (
    _("Critical thinking about cases"),
    _("Communication within and between teams"),
    _("Stress and wellbeing at work"),
    _("Quality of support for young people"),
    _("How often people reflect on their own practice"),
    _("Changes to practice that last"),
)

FEEDBACK_STATEMENTS = (
    _("I understand what reflective practice is and how a group works."),
    _("I can explain why reflecting together is worth the time."),
    _("The practice round helped me see how a session would feel."),
    _("I would feel safe sharing my work in a reflective practice group."),
    _("I want to take part in a group."),
)

FEEDBACK_QUESTIONS = (
    _("What was most useful today?"),
    _("What would have made the workshop better?"),
    _("What, if anything, would make it hard for you to attend a group?"),
)
