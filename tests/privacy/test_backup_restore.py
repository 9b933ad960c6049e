"""`make backup` dumps PostgreSQL and the media folder into one timestamped folder; `make restore`
brings it back into a fresh database, where the data is found and journal text still decrypts
with the keys (which the backup itself does not hold)."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from pathlib import Path

import psycopg
import pytest
from django.conf import settings
from django.db import connection

from journals.models import JournalEntry
from privacy.backups import DUMP, MANIFEST, MEDIA
from rp_portal.crypto import decrypt_bytes, decrypt_json, encrypt_bytes
from tests.factories import UserFactory
from tests.journals.support import write

REPO = Path(__file__).resolve().parents[2]
MARKER = "qzbackupmarker"


def _env(tmp_path: Path, media: Path) -> dict[str, str]:
    db = connection.settings_dict
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "rp_portal.settings_test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "MEDIA_ROOT": str(media),
        "RP_VAR_DIR": str(tmp_path / "var"),
    }


def _make(target: str, env: dict, **variables) -> subprocess.CompletedProcess:
    extra = [f"{name}={value}" for name, value in variables.items()]
    return subprocess.run(
        ["make", "--no-print-directory", target, *extra],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def _connect(name: str) -> psycopg.Connection:
    db = connection.settings_dict
    return psycopg.connect(dbname=name, host=db["HOST"], port=db["PORT"], user=db["USER"])


@pytest.fixture
def fresh_database():
    name = f"{connection.settings_dict['NAME']}_restored_{uuid.uuid4().hex[:8]}"
    yield name
    with _connect("postgres") as conn:
        conn.autocommit = True
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def backed_up(transactional_db, tmp_path):
    """Committed data (a person and an encrypted journal entry), a private file in media, and
    a backup of both made by `make backup`."""
    author = UserFactory(email=f"{MARKER}@example.test")
    entry = write(author, title=f"Title {MARKER}", texts=[f"Words {MARKER}"])
    media = tmp_path / "media"
    (media / "builds").mkdir(parents=True)
    (media / "builds" / "export.pdf.enc").write_bytes(encrypt_bytes(f"File {MARKER}".encode()))
    env = _env(tmp_path, media)
    result = _make("backup", env, BACKUP_DIR=tmp_path / "backups")
    assert result.returncode == 0, result.stdout + result.stderr
    (folder,) = (tmp_path / "backups").iterdir()
    return {"folder": folder, "env": env, "entry": entry, "tmp": tmp_path}


def test_the_backup_is_one_timestamped_folder_with_the_dump_the_media_and_a_manifest(backed_up):
    folder = backed_up["folder"]
    assert folder.name.startswith("rp_portal-20")
    assert {p.name for p in folder.iterdir()} == {DUMP, MEDIA, MANIFEST}
    manifest = json.loads((folder / MANIFEST).read_text())
    assert "journals.0001_initial" in manifest["migrations"]
    assert set(manifest["files"]) == {DUMP, MEDIA}
    assert oct(folder.stat().st_mode & 0o777) == "0o700"


def test_the_backup_holds_no_key(backed_up):
    keys = [settings.SECRET_KEY, settings.PSEUDONYM_KEY, *settings.JOURNAL_KEYS]
    for path in backed_up["folder"].iterdir():
        data = path.read_bytes()
        assert [key for key in keys if key.encode() in data] == []


def test_a_restore_into_a_fresh_database_finds_the_data_and_journals_still_decrypt(
    backed_up, fresh_database
):
    restored_media = backed_up["tmp"] / "restored-media"
    result = _make(
        "restore",
        backed_up["env"],
        BACKUP=backed_up["folder"],
        RESTORE_DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{fresh_database}",
        RESTORE_MEDIA_ROOT=restored_media,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    with _connect(fresh_database) as conn:
        emails = [row[0] for row in conn.execute("SELECT email FROM accounts_user")]
        (content,) = conn.execute(
            "SELECT content FROM journals_journalentry WHERE id = %s", [backed_up["entry"].pk]
        ).fetchone()
    assert f"{MARKER}@example.test" in emails
    assert MARKER not in content  # still ciphertext in the restored database
    text = decrypt_json(content)
    assert text["title"] == f"Title {MARKER}"
    assert text["sections"][0]["text"] == f"Words {MARKER}"
    stored = (restored_media / "builds" / "export.pdf.enc").read_bytes()
    assert decrypt_bytes(stored) == f"File {MARKER}".encode()


def test_a_restore_over_a_database_with_tables_is_refused_and_changes_nothing(backed_up):
    entries = JournalEntry.objects.count()
    result = _make(
        "restore",
        backed_up["env"],
        BACKUP=backed_up["folder"],
        RESTORE_MEDIA_ROOT=backed_up["tmp"] / "empty-media",
    )
    assert result.returncode != 0
    assert "already has" in result.stderr
    assert "--replace" in result.stderr
    assert JournalEntry.objects.count() == entries


def test_a_damaged_backup_is_refused_before_anything_is_restored(backed_up, fresh_database):
    dump = backed_up["folder"] / DUMP
    data = bytearray(dump.read_bytes())
    data[-10] ^= 0xFF
    dump.write_bytes(bytes(data))
    result = _make(
        "restore",
        backed_up["env"],
        BACKUP=backed_up["folder"],
        RESTORE_DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{fresh_database}",
    )
    assert result.returncode != 0
    assert "damaged" in result.stderr
    with _connect("postgres") as conn:
        found = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [fresh_database]
        ).fetchone()
    assert found is None


def test_restore_without_a_folder_explains_how_to_call_it(tmp_path):
    result = subprocess.run(
        ["make", "--no-print-directory", "restore"],
        cwd=REPO, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "make restore BACKUP=" in result.stdout + result.stderr
