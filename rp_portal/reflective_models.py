"""Reflective models used to structure a session and a journal entry, in our own words.

A model is a short sequence of stages, each with a few prompts. Sessions show the prompts to the
group; journal templates (a later feature) start from the same stages.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Stage:
    title: str
    prompts: tuple[str, ...]


@dataclass(frozen=True)
class ReflectiveModel:
    key: str
    name: str
    summary: str
    stages: tuple[Stage, ...]


MODELS = (
    ReflectiveModel(
        "what_so_what_now_what",
        _("What? So what? Now what?"),
        _("Three plain questions: describe it, make sense of it, decide what to do."),
        (
            Stage(
                _("What?"),
                (
                    _("What happened, in a few sentences?"),
                    _("Who was involved and what was your part?"),
                ),
            ),
            Stage(
                _("So what?"),
                (
                    _("Why does it matter?"),
                    _("What does it tell you about the young person, the system or yourself?"),
                ),
            ),
            Stage(
                _("Now what?"),
                (
                    _("What will you do differently next time?"),
                    _("What support or information do you need?"),
                ),
            ),
        ),
    ),
    ReflectiveModel(
        "gibbs",
        _("Gibbs' reflective cycle"),
        _("Six stages that slow reflection down, from what happened to a plan for next time."),
        (
            Stage(_("Description"), (_("What happened? Stick to the facts."),)),
            Stage(_("Feelings"), (_("What were you thinking and feeling at the time?"),)),
            Stage(_("Evaluation"), (_("What went well, and what did not?"),)),
            Stage(_("Analysis"), (_("Why did it go that way? What else could explain it?"),)),
            Stage(_("Conclusion"), (_("What else could you have done?"),)),
            Stage(_("Action plan"), (_("If it happened again, what would you do?"),)),
        ),
    ),
    ReflectiveModel(
        "kolb",
        _("Kolb's learning cycle"),
        _("Learning by going round the loop: experience, reflect, think, try."),
        (
            Stage(_("Concrete experience"), (_("What did you do, see or hear?"),)),
            Stage(_("Reflective observation"), (_("Looking back, what do you notice now?"),)),
            Stage(
                _("Abstract conceptualisation"),
                (_("What general lesson or idea does this point to?"),),
            ),
            Stage(_("Active experimentation"), (_("How will you try that idea out in practice?"),)),
        ),
    ),
    ReflectiveModel(
        "driscoll",
        _("Driscoll's model"),
        _("Three short prompts, handy when time is tight."),
        (
            Stage(_("What?"), (_("Describe the situation you want to reflect on."),)),
            Stage(_("So what?"), (_("What did you learn from it?"),)),
            Stage(_("Now what?"), (_("What will you change, and how will you know it helped?"),)),
        ),
    ),
)

MODEL_CHOICES = [(model.key, model.name) for model in MODELS]
DEFAULT_MODEL = "what_so_what_now_what"


def reflective_model(key: str) -> ReflectiveModel:
    return next((m for m in MODELS if m.key == key), MODELS[0])
