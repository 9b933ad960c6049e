"""Requesting, building and cleaning up documents. One mechanism for every PDF in the product."""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rp_portal.audit.services import audit_log
from rp_portal.crypto import decrypt_bytes, encrypt_bytes
from rp_portal.documents.models import DocumentBuild
from rp_portal.documents.registry import builder_for

logger = logging.getLogger(__name__)

KEEP_FOR = timedelta(days=14)
KEEP_PRIVATE_FOR = timedelta(days=1)
# A build that has not finished in this time is taken to be lost (a worker died) and rebuilt.
STALE_AFTER = timedelta(minutes=15)


def inputs_hash(kind: str, inputs: dict, *, version: str = "") -> str:
    payload = json.dumps(
        {"kind": kind, "inputs": inputs, "version": version}, sort_keys=True, default=str
    )
    return hashlib.sha256(payload.encode()).hexdigest()


@transaction.atomic
def document_request(
    *, kind: str, owner, inputs: dict, organisation_id: int | None = None, version: str = ""
) -> DocumentBuild:
    """Ask for a document. The same person asking for the same inputs gets the existing build
    (finished, or still in progress) instead of a second one. ``version`` should change whenever
    the data behind the document changes (e.g. the newest edit time), so stale files are not reused."""
    builder_for(kind)  # fail loudly on an unknown kind, before anything is stored
    digest = inputs_hash(kind, inputs, version=version)
    existing = (
        DocumentBuild.objects.select_for_update()
        .filter(owner=owner, kind=kind, inputs_hash=digest)
        .exclude(status=DocumentBuild.Status.FAILED)
        .order_by("-created_at")
        .first()
    )
    now = timezone.now()
    if existing and existing.status == DocumentBuild.Status.DONE and existing.file:
        if existing.file.storage.exists(existing.file.name):
            return existing
    elif existing and now - existing.created_at < STALE_AFTER:
        return existing
    build = DocumentBuild.objects.create(
        kind=kind, owner=owner, organisation_id=organisation_id, inputs=inputs, inputs_hash=digest
    )
    # Every export (journal, personal data, packs, reports) is in the audit log: its kind, not
    # its contents.
    audit_log(
        actor=owner, action="document.request", target=build, organisation_id=organisation_id,
        kind=kind,
    )  # fmt: skip
    from rp_portal.documents.tasks import build_document

    build_document.delay_on_commit(build.pk)
    return build


def _claim(build_id: int) -> DocumentBuild | None:
    """Move a queued build to running, once: a redelivered task finds it taken and stops."""
    with transaction.atomic():
        build = DocumentBuild.objects.select_for_update().filter(pk=build_id).first()
        if build is None or build.status != DocumentBuild.Status.QUEUED:
            return None
        build.status, build.started_at, build.progress, build.step = (
            DocumentBuild.Status.RUNNING,
            timezone.now(),
            1,
            _("Starting"),
        )
        build.save(update_fields=["status", "started_at", "progress", "step"])
        return build


def _report(build: DocumentBuild):
    def report(percent: int, step: str) -> None:
        percent = max(1, min(99, int(percent)))
        DocumentBuild.objects.filter(pk=build.pk, status=DocumentBuild.Status.RUNNING).update(
            progress=percent, step=step[:120]
        )

    return report


def document_build(*, build_id: int) -> bool:
    build = _claim(build_id)
    if build is None:
        return False
    try:
        result = builder_for(build.kind)(build, _report(build))
    except SoftTimeLimitExceeded:
        _fail(build, _("The document took too long to build. Try a smaller selection."))
        return False
    except Exception:
        # The log names the build, never the document's content.
        logger.exception("document build %s (%s) failed", build.pk, build.kind)
        _fail(build, _("Something went wrong while building the document. Please try again."))
        return False
    content = encrypt_bytes(result.content) if result.private else result.content
    build.file.save(
        result.filename + (".enc" if result.private else ""), ContentFile(content), save=False
    )
    build.filename, build.pages, build.encrypted = result.filename, result.pages, result.private
    build.status, build.progress, build.step, build.finished_at = (
        DocumentBuild.Status.DONE,
        100,
        _("Ready"),
        timezone.now(),
    )
    build.save(
        update_fields=[
            "file",
            "filename",
            "pages",
            "encrypted",
            "status",
            "progress",
            "step",
            "finished_at",
        ]
    )
    logger.info("document build %s (%s) done", build.pk, build.kind)
    return True


def _fail(build: DocumentBuild, message: str) -> None:
    DocumentBuild.objects.filter(pk=build.pk).update(
        status=DocumentBuild.Status.FAILED,
        error=message,
        finished_at=timezone.now(),
        step=_("Failed"),
    )


@transaction.atomic
def document_retry(*, build: DocumentBuild) -> DocumentBuild:
    """A failed build is asked for again with the same inputs and the same version (its
    inputs hash), so a later identical request finds and reuses the retried file."""
    again = DocumentBuild.objects.create(
        kind=build.kind,
        owner=build.owner,
        organisation_id=build.organisation_id,
        inputs=build.inputs,
        inputs_hash=build.inputs_hash,
    )
    from rp_portal.documents.tasks import build_document

    build_document.delay_on_commit(again.pk)
    return again


def documents_clean_up(*, now=None) -> int:
    """Beat, daily: delete files and rows older than KEEP_FOR."""
    now = now or timezone.now()
    old = DocumentBuild.objects.filter(
        models.Q(created_at__lt=now - KEEP_FOR)
        | models.Q(encrypted=True, created_at__lt=now - KEEP_PRIVATE_FOR)
    )
    count = 0
    for build in old.iterator():
        if build.file:
            build.file.delete(save=False)
        build.delete()
        count += 1
    return count


def document_content(build: DocumentBuild) -> bytes:
    """The file's bytes for its owner's download, decrypted if it is private."""
    with build.file.open("rb") as handle:
        data = handle.read()
    return decrypt_bytes(data) if build.encrypted else data


def private_documents_rotate_keys() -> int:
    """Re-encrypt stored private files with the newest journal key (part of key rotation)."""
    from django.core.files.base import ContentFile

    from rp_portal.crypto import rotate_bytes

    done = 0
    for build in DocumentBuild.objects.filter(
        encrypted=True, status=DocumentBuild.Status.DONE
    ).exclude(file=""):
        try:
            with build.file.open("rb") as handle:
                rotated = rotate_bytes(handle.read())
        except FileNotFoundError:
            continue
        name = build.file.name
        build.file.storage.delete(name)
        build.file.storage.save(name, ContentFile(rotated))
        done += 1
    return done
