"""A test-only email backend for worker processes: the mail server "drops the connection" for
the first FLAKY_MAIL_FAILURES sends, then mail is written to files as usual."""

from __future__ import annotations

import os
import smtplib
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.filebased import EmailBackend


class FlakyThenFileBackend(EmailBackend):
    def send_messages(self, email_messages):
        counter = Path(settings.EMAIL_FILE_PATH).parent / "flaky-mail-attempts"
        attempts = int(counter.read_text()) + 1 if counter.exists() else 1
        counter.write_text(str(attempts))
        if attempts <= int(os.environ.get("FLAKY_MAIL_FAILURES", "1")):
            raise smtplib.SMTPServerDisconnected("the test mail server dropped the connection")
        return super().send_messages(email_messages)
