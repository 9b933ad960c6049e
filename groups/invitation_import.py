"""Reading many invitations at once from a pasted list or a CSV file: email, name, roles."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

MAX_ROWS = 500
MAX_BYTES = 200_000

# One cell may hold up to the whole upload (the default limit is 128 KB).
csv.field_size_limit(MAX_BYTES + 1)

ROLE_WORDS = {
    "admin": "is_admin",
    "organisation admin": "is_admin",
    "org admin": "is_admin",
    "manager": "is_manager",
    "facilitator": "is_facilitator",
    "practitioner": "is_practitioner",
}


@dataclass
class ParsedRow:
    line: int
    text: str
    source: str = ""
    email: str = ""
    name: str = ""
    roles: dict[str, bool] = field(default_factory=dict)
    error: str = ""


def _roles(cell: str) -> tuple[dict[str, bool], str]:
    words = [w.strip().lower() for w in re.split(r"[;|/+]", cell) if w.strip()]
    if not words:
        return {"is_practitioner": True}, ""
    unknown = [w for w in words if w not in ROLE_WORDS]
    if unknown:
        return {}, _(
            "Unknown role “%(role)s”: use admin, manager, facilitator or practitioner."
        ) % {"role": unknown[0][:40]}
    return {ROLE_WORDS[w]: True for w in words}, ""


def parse_invitation_rows(text: str, *, source: str = "") -> list[ParsedRow]:
    """One row per non-empty line; line numbers are the text's own (a quoted cell may span
    lines). A first line starting with "email" is taken as a header. Never raises."""
    rows: list[ParsedRow] = []
    # Old Mac spreadsheets end lines with a bare carriage return.
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    reader = csv.reader(io.StringIO(text, newline=""))
    first_line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error:
            rows.append(
                ParsedRow(
                    first_line, "", source=source, error=_("This line could not be read as CSV.")
                )
            )
            break
        line, first_line = first_line, reader.line_num + 1
        cells = [c.strip() for c in cells]
        if not any(cells):
            continue
        if not rows and line == 1 and cells[0].lower() in {"email", "email address", "e-mail"}:
            continue
        raw = ", ".join(cells)[:200]
        if len(rows) >= MAX_ROWS:
            limit = _("Only %(n)s people can be invited at once.") % {"n": MAX_ROWS}
            rows.append(ParsedRow(line, raw, source=source, error=limit))
            break
        row = ParsedRow(
            line, raw, source=source, email=cells[0], name=cells[1] if len(cells) > 1 else ""
        )
        if len(cells) > 3:
            row.error = _("Too many columns: expected email, name, roles.")
        else:
            row.roles, row.error = _roles(cells[2] if len(cells) > 2 else "")
        rows.append(row)
    return rows


def combine_sources(*row_lists: list[ParsedRow]) -> list[ParsedRow]:
    """Rows from the pasted list and the file together, at most MAX_ROWS people in all."""
    combined: list[ParsedRow] = []
    good = 0
    for row in (r for rows in row_lists for r in rows):
        if not row.error:
            good += 1
            if good > MAX_ROWS:
                row.error = _("Only %(n)s people can be invited at once.") % {"n": MAX_ROWS}
        combined.append(row)
    return combined


def decode_upload(data: bytes) -> str:
    """Text of an uploaded CSV file; ValueError with a message for the person otherwise."""
    if len(data) > MAX_BYTES:
        raise ValueError(_("The file is larger than 200 KB. Split it into smaller files."))
    # Text never holds NUL bytes; images, spreadsheets (.xlsx) and other binary files do, and
    # cp1252 below would otherwise read almost any bytes as text.
    if b"\x00" in data:
        raise ValueError(
            _("The file is not a text CSV file. Save it from your spreadsheet as CSV.")
        )
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError(_("The file is not a text CSV file. Save it from your spreadsheet as CSV."))
