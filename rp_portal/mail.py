"""The embedded mode's email backend: every message to the console and to a file in var/mail/."""

import sys

from django.core.mail.backends.filebased import EmailBackend as FileEmailBackend


class ConsoleAndFileEmailBackend(FileEmailBackend):
    def write_message(self, message) -> None:
        super().write_message(message)
        sys.stdout.write(message.message().as_string() + "\n" + "-" * 79 + "\n")
        sys.stdout.flush()
