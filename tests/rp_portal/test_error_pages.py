import pytest
from django.test import Client


@pytest.mark.django_db
def test_an_unknown_page_is_a_friendly_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "We could not find that page" in response.content.decode()


def test_a_stale_form_is_refused_with_an_explanation(person):
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(person)
    response = strict.post("/accounts/profile/", {"display_name": "Changed", "time_zone": "UTC"})
    assert response.status_code == 403
    assert "That form had expired" in response.content.decode()
    person.refresh_from_db()
    assert person.display_name != "Changed"
