import pytest

from rp_portal.accounts.services import user_profile_update


@pytest.mark.django_db
def test_it_asks_a_visitor_to_sign_in(client):
    response = client.get("/accounts/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_it_saves_a_name_and_time_zone(signed_in_client, person):
    response = signed_in_client.post(
        "/accounts/profile/", {"display_name": "  Jo Bloggs ", "time_zone": "Europe/Dublin"}
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.display_name == "Jo Bloggs"
    assert person.time_zone == "Europe/Dublin"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"display_name": "Jo", "time_zone": "Mars/Olympus"}, "Select a valid choice."),
        ({"display_name": "", "time_zone": "Europe/London"}, "This field is required."),
        ({"display_name": "x" * 10_000, "time_zone": "Europe/London"}, "at most 150 characters"),
        ({"display_name": "<b>Jo</b>", "time_zone": "Europe/London"}, "no &lt; or &gt; signs"),
    ],
)
def test_bad_input_gets_a_message_and_changes_nothing(signed_in_client, person, data, message):
    before = (person.display_name, person.time_zone)
    response = signed_in_client.post("/accounts/profile/", data)
    assert response.status_code == 200
    assert message in response.content.decode()
    person.refresh_from_db()
    assert (person.display_name, person.time_zone) == before


def test_times_are_shown_in_the_persons_time_zone(signed_in_client, person):
    person.time_zone = "America/New_York"
    person.save()
    assert "Times are shown in America/New_York." in signed_in_client.get("/").content.decode()


def test_the_service_refuses_an_unknown_time_zone(person):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        user_profile_update(user=person, display_name="Jo", time_zone="Nowhere/Land")
