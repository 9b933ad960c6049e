"""Organisation pages: creating one, details and branding, and the people page."""

from __future__ import annotations

import html
import io

import pytest
from django.urls import reverse
from PIL import Image

from groups.models import GroupMember, Membership, Organisation
from tests.factories import MembershipFactory


def _text(response) -> str:
    return html.unescape(response.content.decode())


def _image(fmt: str = "PNG", size=(8, 8), noise: bool = False) -> bytes:
    """A real image file in memory; with noise it does not compress, so it can be made big."""
    if noise:
        import os

        image = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    else:
        image = Image.new("RGB", size, (15, 81, 97))
    buffer = io.BytesIO()
    image.save(buffer, format=fmt)
    return buffer.getvalue()


def _upload(name: str, content: bytes, content_type: str):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, content, content_type=content_type)


def _stored(org: Organisation) -> dict:
    return Organisation.objects.filter(pk=org.pk).values().get()


@pytest.fixture
def _media(settings, tmp_path):
    """Uploaded logos go to a folder that disappears with the test."""
    settings.MEDIA_ROOT = tmp_path / "media"


# Creating an organisation


def test_creating_an_organisation_makes_you_its_admin_and_takes_you_to_it(client, unrelated_person):
    client.force_login(unrelated_person)
    response = client.post(
        reverse("groups:organisation_create"),
        {"name": "  Harbour Trust ", "description": "Youth work.", "contact_email": "rp@h.test"},
    )
    organisation = Organisation.objects.get(name="Harbour Trust")
    assert response.status_code == 302
    assert response["Location"] == reverse("groups:organisation_detail", args=[organisation.pk])
    membership = Membership.objects.get(organisation=organisation, user=unrelated_person)
    assert membership.is_admin
    page = _text(client.get(response["Location"]))
    assert "Harbour Trust is set up, and you are its admin." in page
    assert "Invite people" in page  # the admin's tools are shown


def test_the_create_page_asks_for_a_name(client, unrelated_person):
    client.force_login(unrelated_person)
    response = client.post(reverse("groups:organisation_create"), {"name": ""})
    assert response.status_code == 200
    assert "This field is required." in _text(response)
    assert not Membership.objects.filter(user=unrelated_person).exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"name": "x" * 10_000}, "Ensure this value has at most 150 characters"),
        ({"name": "Fine", "description": "y" * 10_000}, "at most 2000 characters"),
        ({"name": "<script>alert(1)</script>"}, "no < or > signs"),
        ({"name": "Bold <b>Trust</b>"}, "no < or > signs"),
        ({"name": "Fine", "contact_email": "not an email"}, "Enter a valid email address."),
    ],
)
def test_hostile_organisation_details_get_a_message_and_create_nothing(
    client, unrelated_person, data, message
):
    client.force_login(unrelated_person)
    before = Organisation.objects.count()
    response = client.post(reverse("groups:organisation_create"), data)
    assert response.status_code == 200
    assert message in _text(response)
    assert Organisation.objects.count() == before


# Details and branding


def _branding(org, **changes) -> dict:
    data = {
        "name": org.name,
        "description": org.description,
        "contact_email": org.contact_email,
        "accent_colour": org.accent_colour,
    }
    return {**data, **changes}


@pytest.mark.usefixtures("_media")
def test_an_admin_saves_an_accent_colour_and_a_logo(client, world):
    client.force_login(world.admin)
    response = client.post(
        reverse("groups:organisation_edit", args=[world.org.pk]),
        _branding(
            world.org,
            accent_colour="#123abc",
            description="We work along the river.",
            logo=_upload("logo.png", _image(), "image/png"),
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("groups:organisation_detail", args=[world.org.pk])
    world.org.refresh_from_db()
    assert world.org.accent_colour == "#123abc"
    assert world.org.description == "We work along the river."
    assert world.org.logo.name.startswith(f"logos/{world.org.pk}-")
    page = _text(client.get(response["Location"]))
    assert "Organisation details saved." in page


@pytest.mark.usefixtures("_media")
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"accent_colour": "red"}, "Use a colour like #0f5161."),
        ({"accent_colour": "#12345g"}, "Use a colour like #0f5161."),
        (
            {"logo": ("big.png", _image(size=(800, 800), noise=True), "image/png")},
            "The logo is larger than 1 MB. Please use a smaller image.",
        ),
        (
            {"logo": ("notes.png", b"this is a text file, not a picture", "image/png")},
            "Upload a valid image.",
        ),
        (
            {"logo": ("anim.gif", _image("GIF"), "image/gif")},
            "Please upload a PNG or JPEG image.",
        ),
        ({"name": "x" * 10_000}, "Ensure this value has at most 150 characters"),
        ({"name": "<i>Riverside</i>"}, "no < or > signs"),
    ],
)
def test_a_rejected_branding_form_says_why_and_the_stored_organisation_is_unchanged(
    client, world, changes, message
):
    client.force_login(world.admin)
    before = _stored(world.org)
    if "logo" in changes:
        changes = {**changes, "logo": _upload(*changes["logo"])}
    # The rejected form also tries to rename the organisation: that must not stick either.
    data = _branding(world.org, **{"name": "Renamed", **changes})
    response = client.post(reverse("groups:organisation_edit", args=[world.org.pk]), data)
    assert response.status_code == 200
    page = _text(response)
    assert message in page
    assert _stored(world.org) == before
    # The page heading shows the stored name, not the rejected one.
    assert ">Riverside</a>" in page


def test_the_big_test_logo_really_is_over_one_megabyte():
    assert len(_image(size=(800, 800), noise=True)) > 1_000_000


# People


def _membership(world, user) -> Membership:
    return Membership.objects.get(organisation=world.org, user=user)


def test_the_people_page_lists_everyone_in_the_organisation_for_an_admin(client, world):
    client.force_login(world.admin)
    page = _text(client.get(reverse("groups:people", args=[world.org.pk])))
    for user in (world.admin, world.manager, world.facilitator, world.practitioner):
        assert user.email in page
    assert world.outsider.email not in page


def test_an_admin_changes_someones_roles(client, world):
    client.force_login(world.admin)
    person = _membership(world, world.practitioner)
    response = client.post(
        reverse("groups:person_roles", args=[world.org.pk, person.pk]),
        {f"m{person.pk}-is_manager": "on", f"m{person.pk}-is_practitioner": "on"},
        follow=True,
    )
    assert response.redirect_chain == [(reverse("groups:people", args=[world.org.pk]), 302)]
    assert f"Roles saved for {world.practitioner.name}." in _text(response)
    person.refresh_from_db()
    assert person.role_values() == {
        "is_admin": False,
        "is_manager": True,
        "is_facilitator": False,
        "is_practitioner": True,
    }


def test_taking_away_every_role_is_refused_with_a_message(client, world):
    client.force_login(world.admin)
    person = _membership(world, world.practitioner)
    response = client.post(
        reverse("groups:person_roles", args=[world.org.pk, person.pk]), {}, follow=True
    )
    assert "Choose at least one role." in _text(response)
    person.refresh_from_db()
    assert person.is_practitioner


def test_roles_sent_for_another_row_do_not_change_this_person(client, world):
    client.force_login(world.admin)
    person = _membership(world, world.practitioner)
    other = _membership(world, world.manager)
    client.post(
        reverse("groups:person_roles", args=[world.org.pk, person.pk]),
        {f"m{other.pk}-is_admin": "on"},
    )
    person.refresh_from_db()
    assert person.role_values()["is_admin"] is False
    assert person.is_practitioner


def test_an_admin_removes_someone_and_their_group_places_end_too(client, world):
    client.force_login(world.admin)
    person = _membership(world, world.practitioner)
    response = client.post(
        reverse("groups:person_remove", args=[world.org.pk, person.pk]), follow=True
    )
    assert f"{world.practitioner.name} was removed from Riverside." in _text(response)
    assert not Membership.objects.filter(pk=person.pk).exists()
    assert not GroupMember.objects.filter(user=world.practitioner).exists()
    assert world.practitioner.email not in _text(response)


def test_the_only_admin_cannot_stop_being_an_admin(client, world):
    client.force_login(world.admin)
    me = _membership(world, world.admin)
    response = client.post(
        reverse("groups:person_roles", args=[world.org.pk, me.pk]),
        {f"m{me.pk}-is_manager": "on"},
        follow=True,
    )
    assert "This is the organisation's only admin. Make someone else an admin first." in _text(
        response
    )
    me.refresh_from_db()
    assert me.is_admin
    assert not me.is_manager


def test_the_only_admin_cannot_be_removed(client, world):
    client.force_login(world.admin)
    me = _membership(world, world.admin)
    response = client.post(reverse("groups:person_remove", args=[world.org.pk, me.pk]), follow=True)
    assert "This is the organisation's only admin, so they cannot be removed." in _text(response)
    assert Membership.objects.filter(pk=me.pk, is_admin=True).exists()


def test_with_a_second_admin_the_first_can_step_down(client, world):
    MembershipFactory(organisation=world.org, is_admin=True)
    client.force_login(world.admin)
    me = _membership(world, world.admin)
    client.post(
        reverse("groups:person_roles", args=[world.org.pk, me.pk]),
        {f"m{me.pk}-is_facilitator": "on"},
    )
    me.refresh_from_db()
    assert not me.is_admin
    assert me.is_facilitator
    # No longer an admin: the people page is now closed to them.
    assert client.get(reverse("groups:people", args=[world.org.pk])).status_code == 403


def test_an_admin_cannot_change_a_person_of_another_organisation(client, world):
    client.force_login(world.admin)
    theirs = Membership.objects.get(organisation=world.other_org, user=world.outsider)
    response = client.post(
        reverse("groups:person_remove", args=[world.org.pk, theirs.pk]),
    )
    assert response.status_code == 404
    assert Membership.objects.filter(pk=theirs.pk).exists()


def test_the_organisation_page_shows_the_partner_code_to_admins_and_managers_only(client, world):
    url = reverse("groups:organisation_detail", args=[world.org.pk])
    for user, shown in [
        (world.admin, True),
        (world.manager, True),
        (world.facilitator, False),
        (world.practitioner, False),
    ]:
        client.force_login(user)
        assert (world.org.partner_code in _text(client.get(url))) is shown, user


PNG_1PX = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0000003010100c9fe92ef0000000049454e44ae426082"
)


def test_a_member_sees_the_logo_and_an_outsider_gets_a_404(client, world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    world.org.logo = SimpleUploadedFile("logo.png", PNG_1PX, content_type="image/png")
    world.org.save()
    url = f"/orgs/{world.org.pk}/logo/"

    client.force_login(world.practitioner)
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert b"".join(response.streaming_content) == PNG_1PX
    assert url in client.get(f"/orgs/{world.org.pk}/").content.decode()

    client.force_login(world.outsider)
    assert client.get(url).status_code == 404
