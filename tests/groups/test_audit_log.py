"""The organisation's audit log: its admins read who did what and when (UTC), newest first,
50 to a page; it never holds journal text; other organisations' events are not in it."""

from __future__ import annotations

from django.urls import reverse

from rp_portal.audit.models import AuditEvent
from rp_portal.audit.services import audit_log
from rp_portal.documents.services import document_request
from tests.journals.support import SECTION_MARKER, write_marked


def test_an_admin_reads_their_organisations_events_newest_first_and_no_one_elses(client, world):
    audit_log(actor=world.manager, action="group.sign_off", target=world.group,
              organisation_id=world.org.pk, for_org=world.org.pk)  # fmt: skip
    audit_log(
        actor=world.admin, action="membership.roles", organisation_id=world.org.pk, roles="manager"
    )
    audit_log(
        actor=world.outsider, action="organisation.update", organisation_id=world.other_org.pk
    )
    client.force_login(world.admin)

    page = client.get(reverse("groups:audit_log", args=[world.org.pk])).content.decode()

    assert page.index("membership.roles") < page.index("group.sign_off")  # newest first
    assert str(world.manager) in page
    assert "roles</code>=manager" in page
    assert "organisation.update" not in page  # another organisation's event
    assert "(UTC)" in page


def test_the_log_is_paged_fifty_at_a_time(client, world):
    for n in range(51):
        audit_log(actor=world.admin, action=f"test.event{n:02d}", organisation_id=world.org.pk)
    client.force_login(world.admin)
    url = reverse("groups:audit_log", args=[world.org.pk])
    first = client.get(url).content.decode()
    second = client.get(url + "?page=2").content.decode()
    assert "test.event50" in first
    assert "test.event00" not in first
    assert "test.event00" in second
    assert client.get(url + "?page=nonsense").status_code == 200  # a bad page is the first


def test_journal_text_and_exports_leave_only_labels_in_the_log(client, world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    entry = write_marked(world.practitioner)
    document_request(kind="journal-pdf", owner=world.practitioner, inputs={"entries": [entry.pk]},
                     organisation_id=world.org.pk)  # fmt: skip
    event = AuditEvent.objects.get(action="document.request")
    assert event.actor == world.practitioner
    assert event.detail == {"kind": "journal-pdf"}
    dump = " ".join(str(v) for e in AuditEvent.objects.values() for v in e.values())
    assert SECTION_MARKER not in dump
    client.force_login(world.admin)
    page = client.get(reverse("groups:audit_log", args=[world.org.pk])).content.decode()
    assert "document.request" in page
    assert SECTION_MARKER not in page


def test_an_empty_log_says_what_will_appear(client, world):
    client.force_login(world.admin)
    page = client.get(reverse("groups:audit_log", args=[world.org.pk])).content.decode()
    assert "empty-state" in page
    assert "Nothing recorded yet" in page
