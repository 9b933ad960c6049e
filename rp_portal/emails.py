"""Sending an email rendered from templates.

``<prefix>_subject.txt`` and ``<prefix>_message.txt`` are required; ``<prefix>_message.html``
adds an HTML part when it exists. Every email the product sends goes through here, so what
reaches people is in one place. Pass ``connection`` to send a batch over one SMTP connection.
"""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.template import TemplateDoesNotExist
from django.template.loader import render_to_string


def templated_email_send(
    *,
    to: list[str],
    template_prefix: str,
    context: dict,
    attachments: list[tuple[str, bytes, str]] | None = None,
    connection=None,
) -> None:
    context = {"site_name": settings.SITE_NAME, "site_url": settings.SITE_URL, **context}
    subject = render_to_string(f"{template_prefix}_subject.txt", context)
    subject = settings.ACCOUNT_EMAIL_SUBJECT_PREFIX + " ".join(subject.split())
    body = render_to_string(f"{template_prefix}_message.txt", context)
    message = EmailMultiAlternatives(
        subject=subject, body=body, to=to, attachments=attachments or [], connection=connection
    )
    with contextlib.suppress(TemplateDoesNotExist):
        message.attach_alternative(
            render_to_string(f"{template_prefix}_message.html", context), "text/html"
        )
    message.send()


def emails_send_once(
    people, *, ledger, key: dict, template_prefix: str, context: dict, people_key: str = "person"
) -> int:
    """Send one email to each of ``people`` who has no row in ``ledger`` for ``key`` yet (a
    model with a ``user`` field, unique over ``key`` + user), over one SMTP connection; returns
    how many were sent. Each person's ledger row and email share a transaction: a second sender
    waits on the unique index and then finds the row, and a failed send rolls the row back, so
    a retry after the mail server failed part-way sends only what is missing, never twice."""
    already = set(ledger.objects.filter(**key).values_list("user_id", flat=True))
    sent = 0
    with get_connection() as connection:
        for person in people:
            if person.pk in already:
                continue
            try:
                with transaction.atomic():
                    ledger.objects.create(**key, user=person)
                    templated_email_send(
                        to=[person.email],
                        template_prefix=template_prefix,
                        connection=connection,
                        context={**context, people_key: person},
                    )
            except IntegrityError:
                continue  # another run sent it
            sent += 1
    return sent
