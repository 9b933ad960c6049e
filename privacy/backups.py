"""Backing up and restoring the PostgreSQL database and the media folder, together.

A backup is one timestamped folder holding ``database.dump`` (pg_dump's custom format),
``media.tar.gz`` and ``manifest.json`` (when, from which migrations, and each file's SHA-256).
The keys (SECRET_KEY, JOURNAL_KEYS, PSEUDONYM_KEY) are deliberately not in it: journal text and
private files in the backup are encrypted with JOURNAL_KEYS, and a backup that carried its keys
would give anyone holding it every journal in clear. README.md says how to keep the keys.
"""

from __future__ import annotations

import glob
import hashlib
import json
import os
import shutil
import subprocess
import tarfile
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from django.db.migrations.recorder import MigrationRecorder
from psycopg import sql

DUMP = "database.dump"
MEDIA = "media.tar.gz"
MANIFEST = "manifest.json"


class BackupError(Exception):
    """A backup or restore cannot go ahead; the message says why and what to do."""


def postgres_tool(name: str) -> str:
    """pg_dump or pg_restore: from PATH, or from Debian's versioned folder."""
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None
    )
    if not found:
        raise BackupError(
            f"{name} was not found. Install the PostgreSQL client tools "
            "(Debian: apt-get install postgresql-client) and try again."
        )
    return found


def _connection_args(db: dict) -> tuple[list[str], dict[str, str]]:
    """Command-line options and environment for the PostgreSQL tools. The password goes in
    the environment, never on a command line other users of the machine can read."""
    args = []
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = {**os.environ}
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_postgres(db: dict) -> None:
    if "postgresql" not in db["ENGINE"]:
        raise BackupError(
            "Backups are made from PostgreSQL (the served mode). In the embedded mode everything, "
            "keys included, is under var/: stop rp_portal and copy that folder somewhere private."
        )


def backup_create(*, db: dict, media_root: Path, destination: Path, now=None) -> Path:
    """Dump the database and pack the media folder into a new folder under ``destination``."""
    _check_postgres(db)
    now = now or datetime.now(UTC)
    folder = destination / f"rp_portal-{now:%Y%m%d-%H%M%S}"
    folder.mkdir(parents=True, exist_ok=False)
    folder.chmod(0o700)
    args, env = _connection_args(db)
    dump = folder / DUMP
    result = subprocess.run(  # noqa: S603 (our own tool path and the configured database)
        [postgres_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges",
         f"--file={dump}", *args, str(db["NAME"])],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        shutil.rmtree(folder)
        raise BackupError(f"pg_dump failed: {result.stderr.strip()[:500]}")
    media = folder / MEDIA
    with tarfile.open(media, "w:gz") as archive:
        if media_root.exists():
            archive.add(media_root, arcname="media")
    migrations = sorted(
        f"{app}.{name}"
        for app, name in MigrationRecorder.Migration.objects.values_list("app", "name")
    )
    manifest = {
        "created": now.isoformat(),
        "database": str(db["NAME"]),
        "migrations": migrations,
        "files": {name: _sha256(folder / name) for name in (DUMP, MEDIA)},
        "keys": "not included: restore with the same SECRET_KEY, JOURNAL_KEYS and PSEUDONYM_KEY",
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=2))
    for path in folder.iterdir():
        path.chmod(0o600)
    return folder


def _verify(folder: Path) -> dict:
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        raise BackupError(
            f"{folder} is not an rp_portal backup (no readable {MANIFEST})."
        ) from None
    for name, expected in manifest.get("files", {}).items():
        path = folder / name
        if not path.exists() or _sha256(path) != expected:
            raise BackupError(f"{name} in {folder} is missing or damaged (checksum mismatch).")
    return manifest


def _ensure_empty_database(db: dict, *, replace: bool) -> None:
    """Create the target database when it does not exist; refuse one that already holds
    tables unless told to replace them."""
    params = {
        "host": db.get("HOST") or None,
        "port": db.get("PORT") or None,
        "user": db.get("USER") or None,
        "password": db.get("PASSWORD") or None,
    }
    try:
        with psycopg.connect(dbname=db["NAME"], **params) as conn:
            tables = conn.execute(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
            ).fetchone()[0]
    except psycopg.OperationalError as exc:
        if "does not exist" not in str(exc):
            raise BackupError(f"Cannot reach the target database: {exc}") from None
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db["NAME"])))
        return
    if tables and not replace:
        raise BackupError(
            f"The database {db['NAME']} already has {tables} tables. Restore into a new database "
            "(--database-url), or add --replace to overwrite this one."
        )


def backup_restore(*, folder: Path, db: dict, media_root: Path, replace: bool = False) -> dict:
    """Restore a backup folder into ``db`` (created if missing) and ``media_root``."""
    _check_postgres(db)
    manifest = _verify(folder)
    existing = [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []
    if existing and not replace:
        raise BackupError(
            f"{media_root} already holds {len(existing)} files. Restore into an empty folder "
            "(--media-root), or add --replace to overwrite them."
        )
    _ensure_empty_database(db, replace=replace)
    args, env = _connection_args(db)
    result = subprocess.run(  # noqa: S603 (our own tool path and the configured database)
        [postgres_tool("pg_restore"), "--no-owner", "--no-privileges", "--exit-on-error",
         *(["--clean", "--if-exists"] if replace else []),
         f"--dbname={db['NAME']}", *args, str(folder / DUMP)],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed: {result.stderr.strip()[:500]}")
    media_root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(folder / MEDIA, "r:gz") as archive:
        for member in archive.getmembers():
            if member.name == "media":
                continue
            member.name = member.name.removeprefix("media/")
            archive.extract(member, media_root, filter="data")
    return manifest
