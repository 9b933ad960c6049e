"""Reading many invitations at once: the pasted-list / CSV parser and the upload decoder."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from groups.invitation_import import MAX_BYTES, MAX_ROWS, decode_upload, parse_invitation_rows

# --- parse_invitation_rows ------------------------------------------------------------------


def test_it_reads_email_name_and_roles_from_each_line():
    rows = parse_invitation_rows("sam@example.test, Sam Patel, manager\n")
    assert len(rows) == 1
    row = rows[0]
    assert (row.line, row.email, row.name, row.error) == (1, "sam@example.test", "Sam Patel", "")
    assert row.roles == {"is_manager": True}
    assert row.text == "sam@example.test, Sam Patel, manager"


@pytest.mark.parametrize(
    "header", ["email,name,roles", "Email, Name, Roles", "E-mail", "email address"]
)
def test_a_header_row_on_the_first_line_is_skipped(header):
    rows = parse_invitation_rows(f"{header}\nsam@example.test,Sam,facilitator\n")
    assert [row.email for row in rows] == ["sam@example.test"]
    assert rows[0].line == 2
    assert rows[0].error == ""


def test_a_line_saying_email_after_the_first_line_is_not_a_header():
    rows = parse_invitation_rows("sam@example.test\nemail,name\n")
    assert [row.email for row in rows] == ["sam@example.test", "email"]


def test_blank_lines_are_skipped_but_still_counted():
    text = "\n\nsam@example.test\n   \n , , \n\nali@example.test,Ali\n"
    rows = parse_invitation_rows(text)
    assert [(row.line, row.email) for row in rows] == [
        (3, "sam@example.test"),
        (7, "ali@example.test"),
    ]
    assert all(row.error == "" for row in rows)


def test_roles_separated_by_semicolons_are_all_read():
    rows = parse_invitation_rows("sam@example.test,Sam,Manager; facilitator ;practitioner\n")
    assert rows[0].error == ""
    assert rows[0].roles == {
        "is_manager": True,
        "is_facilitator": True,
        "is_practitioner": True,
    }


@pytest.mark.parametrize(
    ("cell", "field"),
    [("admin", "is_admin"), ("Organisation admin", "is_admin"), ("org admin", "is_admin")],
)
def test_every_way_of_saying_admin_means_organisation_admin(cell, field):
    rows = parse_invitation_rows(f"sam@example.test,Sam,{cell}\n")
    assert rows[0].roles == {field: True}


@pytest.mark.parametrize(
    "line", ["sam@example.test", "sam@example.test,Sam", "sam@example.test,Sam,"]
)
def test_blank_roles_mean_practitioner(line):
    rows = parse_invitation_rows(line)
    assert rows[0].error == ""
    assert rows[0].roles == {"is_practitioner": True}


def test_an_unknown_role_is_an_error_that_names_it():
    rows = parse_invitation_rows("sam@example.test,Sam,manager;Supervisor\n")
    assert rows[0].roles == {}
    assert "Unknown role" in rows[0].error
    assert "supervisor" in rows[0].error
    assert "admin, manager, facilitator or practitioner" in rows[0].error


def test_too_many_columns_is_an_error():
    rows = parse_invitation_rows("sam@example.test,Sam,manager,extra\n")
    assert rows[0].error == "Too many columns: expected email, name, roles."
    assert rows[0].roles == {}


def test_one_bad_row_does_not_spoil_the_others():
    rows = parse_invitation_rows("a@example.test,A,boss\nb@example.test,B,manager\n")
    assert [bool(row.error) for row in rows] == [True, False]
    assert rows[1].roles == {"is_manager": True}


def test_line_numbers_are_the_files_line_numbers():
    text = "email,name,roles\nsam@example.test,Sam\n\nali@example.test,Ali,boss\n"
    rows = parse_invitation_rows(text)
    assert [(row.line, bool(row.error)) for row in rows] == [(2, False), (4, True)]


def test_windows_line_endings_are_read_like_any_others():
    rows = parse_invitation_rows("email,name\r\nsam@example.test,Sam\r\nali@example.test,Ali\r\n")
    assert [(row.line, row.email, row.name) for row in rows] == [
        (2, "sam@example.test", "Sam"),
        (3, "ali@example.test", "Ali"),
    ]


def test_line_numbers_stay_right_after_a_quoted_cell_that_spans_two_lines():
    # A spreadsheet can export a cell with a line break inside quotes. The next row is then on
    # the file's line 3, and that is the number a person looks for in their file.
    text = 'sam@example.test,"Sam\nPatel"\nali@example.test,Ali\n'
    rows = parse_invitation_rows(text)
    assert [row.email for row in rows] == ["sam@example.test", "ali@example.test"]
    assert rows[1].line == 3


def test_old_mac_line_endings_are_read_rather_than_crashing():
    # Excel for Mac's "CSV (Macintosh)" format ends lines with a lone carriage return.
    rows = parse_invitation_rows("sam@example.test,Sam\rali@example.test,Ali\r")
    assert [row.email for row in rows] == ["sam@example.test", "ali@example.test"]


def test_a_line_longer_than_the_csv_field_limit_does_not_crash_the_parser():
    # The paste box and the upload both allow up to 200,000 characters; Python's csv module
    # refuses a single field over 131,072 characters unless the limit is raised.
    rows = parse_invitation_rows("x" * 150_000 + "@example.test,Sam\n")
    assert len(rows) == 1
    assert rows[0].error or rows[0].roles


def test_it_stops_after_the_most_people_that_can_be_invited_at_once():
    text = "\n".join(f"p{n}@example.test" for n in range(MAX_ROWS + 5))
    rows = parse_invitation_rows(text)
    assert len(rows) == MAX_ROWS + 1
    assert all(row.error == "" for row in rows[:MAX_ROWS])
    assert rows[-1].line == MAX_ROWS + 1
    assert f"Only {MAX_ROWS} people can be invited at once." == rows[-1].error


def test_the_shown_text_of_a_row_is_cut_short():
    rows = parse_invitation_rows("x" * 1000 + "@example.test,Sam\n")
    assert len(rows[0].text) == 200


@settings(max_examples=300, deadline=None, database=None)
@given(st.text())
def test_any_text_parses_without_raising_and_every_row_has_an_error_or_roles(text):
    rows = parse_invitation_rows(text)
    assert len(rows) <= MAX_ROWS + 1
    for row in rows:
        assert row.error or row.roles, row
        assert not (row.error and row.roles), row


# --- decode_upload --------------------------------------------------------------------------


def test_a_utf8_file_with_a_byte_order_mark_loses_the_mark_and_its_header_is_skipped():
    data = "email,name\nzoe@example.test,Zoë Ångström\n".encode("utf-8-sig")
    assert data.startswith(b"\xef\xbb\xbf")
    text = decode_upload(data)
    assert text.startswith("email,name")
    rows = parse_invitation_rows(text)
    assert [(row.line, row.name) for row in rows] == [(2, "Zoë Ångström")]


def test_a_windows_1252_file_is_read():
    data = "zoe@example.test,Zoë O\u2019Brien\n".encode("cp1252")
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    assert decode_upload(data) == "zoe@example.test,Zoë O\u2019Brien\n"


def test_a_file_over_200_kb_is_refused_with_a_clear_message():
    with pytest.raises(ValueError, match="larger than 200 KB"):
        decode_upload(b"a" * (MAX_BYTES + 1))


def test_a_file_of_exactly_200_kb_is_read():
    assert len(decode_upload(b"a" * MAX_BYTES)) == MAX_BYTES


def test_a_file_that_is_not_text_is_refused_with_a_message():
    # 0x81 and 0x8d are not characters in UTF-8 or in Windows-1252.
    with pytest.raises(ValueError, match="not a text CSV file"):
        decode_upload(b"\x81\x8d\x81\x8d")
