"""A `next` address never sends a signed-in editor to another site."""

import pytest

OUTSIDE = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "https:evil.example",
    "javascript:alert(1)",
]


@pytest.mark.parametrize("next_url", OUTSIDE)
def test_logging_in_never_redirects_off_site(client, editor, next_url):
    response = client.post(
        f"/admin/login/?next={next_url}",
        {"username": "editor1", "password": "pw", "next": next_url},
    )

    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_logging_in_follows_a_next_address_on_this_site(client, editor):
    response = client.post(
        "/admin/login/",
        {"username": "editor1", "password": "pw", "next": "/admin/issues/issue/"},
    )

    assert response["Location"] == "/admin/issues/issue/"


@pytest.mark.parametrize("next_url", OUTSIDE)
def test_logging_out_never_redirects_off_site(client, editor, next_url):
    client.force_login(editor)

    response = client.post("/admin/logout/", {"next": next_url})

    assert not response.get("Location", "").startswith(("http", "//", "/\\"))
    assert "evil.example" not in response.get("Location", "")
