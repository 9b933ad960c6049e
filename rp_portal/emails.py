"""Sending an email rendered from templates.

``<prefix>_subject.txt`` and ``<prefix>_message.txt`` are required; ``<prefix>_message.html``
adds an HTML part when it exists. Every email the product sends goes through here, so what
reaches people is in one place. Pass ``connection`` to send a batch over one SMTP connection.
"""

from __future__ import annotations

import contextlib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
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
