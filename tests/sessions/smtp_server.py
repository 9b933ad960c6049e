"""A real SMTP server on loopback for tests, which drops the connection part-way through a run:
the message that starts with the ``drop_at``-th MAIL command (counted over every connection)
is never accepted, and the connection is closed under the sender, as a mail server that goes
away does. Every other message is accepted and its recipients counted.

Django's own SMTP backend talks to it (``smtp_settings``), in the test process or in a worker
process, so the failure is the one production would see: ``smtplib.SMTPServerDisconnected``.
"""

from __future__ import annotations

import socketserver
import threading
from collections import Counter


class _Session(socketserver.StreamRequestHandler):
    server: _Server

    def _reply(self, *lines: str) -> None:
        self.wfile.write(b"".join(line.encode() + b"\r\n" for line in lines))

    def handle(self) -> None:
        smtp = self.server.smtp
        recipients: list[str] = []
        self._reply("220 test ESMTP")
        while line := self.rfile.readline():
            command = line.decode(errors="replace").strip()
            verb = command[:4].upper()
            if verb == "EHLO":
                self._reply("250-test", "250 8BITMIME")
            elif verb == "MAIL":
                if smtp.drop_now():
                    return  # the connection closes without an answer
                recipients = []
                self._reply("250 OK")
            elif verb == "RCPT":
                recipients.append(command.split(":", 1)[1].strip().strip("<>").lower())
                self._reply("250 OK")
            elif verb == "DATA":
                self._reply("354 End data with <CR><LF>.<CR><LF>")
                while self.rfile.readline() not in (b".\r\n", b".\n", b""):
                    pass
                smtp.accepted(recipients)
                self._reply("250 OK queued")
            elif verb == "QUIT":
                self._reply("221 Bye")
                return
            else:  # HELO, RSET, NOOP
                self._reply("250 OK")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    smtp: FailingSmtpServer


class FailingSmtpServer:
    def __init__(self, *, drop_at: int | None = None):
        self.drop_at = drop_at
        self.mail_commands = 0
        self.dropped = 0
        self.recipients: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), _Session)
        self._server.smtp = self
        self.port = self._server.server_address[1]

    def drop_now(self) -> bool:
        with self._lock:
            self.mail_commands += 1
            if self.mail_commands == self.drop_at:
                self.dropped += 1
                return True
            return False

    def accepted(self, recipients: list[str]) -> None:
        with self._lock:
            self.recipients.update(recipients)

    def __enter__(self) -> FailingSmtpServer:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()


def smtp_settings(server: FailingSmtpServer) -> dict[str, str]:
    """Environment for a worker process (settings.py) that sends through ``server``."""
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(server.port),
        "EMAIL_USE_TLS": "false",
        "EMAIL_TIMEOUT": "5",
    }
