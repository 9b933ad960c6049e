"""How background jobs are configured: acknowledged late, retried within bounds, never delayed
past the broker's visibility timeout. The behaviour with a real worker is in
test_job_reliability.py."""

from __future__ import annotations

import ast
import smtplib
import socket
from datetime import timedelta
from pathlib import Path

from django.conf import settings

from rp_portal.celery import app

REPO = Path(__file__).resolve().parents[2]
# The project's own packages: every top-level folder of the repository that is a Python package
# with Django apps or tasks in it (a new app is included without editing this file).
PROJECT_PACKAGES = tuple(
    sorted(
        path.parent.name
        for path in REPO.glob("*/__init__.py")
        if path.parent.name not in {"tests", "scripts", "node_modules"}
    )
)

# Tasks that are acknowledged on receipt, and why.
ACKED_EARLY = {
    # A nightly clean-up: a run lost to a killed worker is simply done by the next night's run.
    "rp_portal.documents.tasks.clean_up_documents": "nightly, the next run does the same work",
}
# Exceptions a mail server (or the network to it) raises when it may work a little later.
TRANSIENT_MAIL_ERRORS = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    smtplib.SMTPDataError,
    ConnectionRefusedError,
    ConnectionResetError,
    socket.timeout,
)


def _our_tasks() -> dict:
    app.loader.import_default_modules()
    return {
        name: task for name, task in app.tasks.items() if name.split(".")[0] in PROJECT_PACKAGES
    }


def _email_tasks() -> dict:
    """Every task whose name says it sends something (``send_…``)."""
    return {name: task for name, task in _our_tasks().items() if ".send_" in name}


def _visibility_timeout() -> int:
    return app.conf.broker_transport_options["visibility_timeout"]


def test_the_broker_visibility_timeout_is_set_explicitly_from_settings():
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS == {
        "visibility_timeout": settings.BROKER_VISIBILITY_TIMEOUT
    }
    assert _visibility_timeout() == settings.BROKER_VISIBILITY_TIMEOUT == 3600


def test_a_worker_takes_one_task_at_a_time():
    assert app.conf.worker_prefetch_multiplier == 1


def test_the_project_has_tasks_and_the_email_ones_are_found():
    assert {"rp_portal", "groups", "sessions", "journals", "evaluation"} <= set(PROJECT_PACKAGES)
    # Guards the two selectors below: an empty selection would make every check pass.
    assert "sessions.tasks.send_due_reminders" in _email_tasks()
    assert "groups.tasks.send_invitation_email" in _email_tasks()
    assert "rp_portal.accounts.tasks.send_welcome_email" in _email_tasks()
    assert len(_our_tasks()) > len(_email_tasks())


def test_every_task_is_acknowledged_only_when_done_unless_listed():
    early = sorted(
        name
        for name, task in _our_tasks().items()
        if not (task.acks_late and task.reject_on_worker_lost) and name not in ACKED_EARLY
    )
    assert early == [], f"tasks acknowledged on receipt without a reason: {early}"
    assert set(ACKED_EARLY) <= set(_our_tasks()), "the allow-list names a task that is gone"


def test_no_task_can_run_longer_than_the_visibility_timeout():
    for name, task in _our_tasks().items():
        limit = task.time_limit or app.conf.task_time_limit
        assert limit, name
        assert limit < _visibility_timeout(), name


def test_every_email_task_retries_transient_mail_errors_a_bounded_number_of_times():
    for name, task in _email_tasks().items():
        retried = tuple(getattr(task, "autoretry_for", ()))
        for error in TRANSIENT_MAIL_ERRORS:
            assert issubclass(error, retried), f"{name} does not retry {error.__name__}"
        max_retries = getattr(task, "retry_kwargs", {}).get("max_retries", task.max_retries)
        assert max_retries is not None, name
        assert 1 <= max_retries <= 10, name
        assert task.retry_backoff, f"{name} retries without backing off"
        assert task.retry_jitter is True, f"{name} retries without jitter"


def test_every_retry_wait_is_below_the_visibility_timeout():
    """A retry is a new message with an ETA; Redis would redeliver it to a second worker while
    the first still holds it if the wait outlasted the visibility timeout."""
    for name, task in _email_tasks().items():
        factor = int(task.retry_backoff)
        max_retries = getattr(task, "retry_kwargs", {}).get("max_retries", task.max_retries)
        longest = min(task.retry_backoff_max, factor * 2**max_retries)
        assert longest < _visibility_timeout(), name
        assert task.default_retry_delay < _visibility_timeout(), name


# --- Countdowns and ETAs written in the code -----------------------------------------------


def _delay_in_seconds(node: ast.expr) -> float | None:
    """A literal number of seconds, a literal ``timedelta(...)``, or None when not provable."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if (
        isinstance(node, ast.Call)
        and getattr(node.func, "id", getattr(node.func, "attr", None)) == "timedelta"
        and not node.args
        and all(isinstance(k.value, ast.Constant) for k in node.keywords)
    ):
        return timedelta(**{k.arg: k.value.value for k in node.keywords}).total_seconds()
    return None


def _delays_in(source: str, filename: str) -> list[tuple[str, float | None]]:
    """Every countdown=/eta= argument in ``source``, with its value in seconds when literal."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if not isinstance(node, ast.Call):
            continue
        for keyword in node.keywords:
            if keyword.arg in {"countdown", "eta"}:
                where = f"{filename}:{node.lineno}"
                if keyword.arg == "eta":
                    found.append((where, None))  # an absolute time cannot be bounded statically
                else:
                    found.append((where, _delay_in_seconds(keyword.value)))
    return found


def _project_sources():
    for package in PROJECT_PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_the_scanner_finds_countdowns_and_etas():
    source = (
        "task.apply_async(args=[1], countdown=30)\n"
        "task.retry(countdown=timedelta(hours=2))\n"
        "task.apply_async(eta=now)\n"
        "task.apply_async(countdown=wait)\n"
    )
    assert _delays_in(source, "x.py") == [
        ("x.py:1", 30.0),
        ("x.py:2", 7200.0),
        ("x.py:3", None),
        ("x.py:4", None),
    ]


def test_every_countdown_or_eta_in_the_code_is_below_the_visibility_timeout():
    sources = list(_project_sources())
    assert len(sources) > 50  # the walk found the project
    problems = []
    for path in sources:
        for where, seconds in _delays_in(path.read_text(), str(path.relative_to(REPO))):
            if seconds is None or seconds >= _visibility_timeout():
                problems.append((where, seconds))
    assert problems == [], (
        "countdown/eta that is not a literal below the broker visibility timeout "
        f"({_visibility_timeout()} s): {problems}"
    )
