"""A lockout after failed logins can be lifted by an editor in the admin."""

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

LOGIN = reverse("admin:login")
ATTEMPTS = reverse("admin:axes_accessattempt_changelist")


@pytest.fixture(autouse=True)
def _axes_on(settings):
    """The suite runs with axes off (see tests/settings.py); these tests need it."""
    settings.AXES_ENABLED = True


@pytest.fixture
def locked_out(make_staff, settings):
    """An editor whose password someone else got wrong five times."""
    victim = make_staff("victim", "Editors")
    attacker = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attacker.post(LOGIN, {"username": "victim", "password": "wrong"})
    return victim


def log_in(username):
    client = Client()
    response = client.post(LOGIN, {"username": username, "password": "pw"})
    return client, response


def test_after_five_bad_passwords_the_user_cannot_log_in(locked_out):
    _, response = log_in("victim")

    assert response.status_code == 429
    assert "Too many failed sign-in attempts" in response.content.decode()


def test_an_editor_lifts_a_lockout_in_the_admin_and_the_user_logs_in_again(
    client, editor, locked_out
):
    client.force_login(editor)
    listing = client.get(ATTEMPTS, {"locked_out": "yes"})
    assert listing.status_code == 200
    assert "victim" in listing.content.decode()
    attempt = AccessAttempt.objects.get(username="victim")
    action = {"action": "delete_selected", "_selected_action": [attempt.pk]}

    confirm = client.post(ATTEMPTS, action)
    assert confirm.status_code == 200
    done = client.post(ATTEMPTS, {**action, "post": "yes"}, follow=True)

    assert done.status_code == 200
    assert not AccessAttempt.objects.filter(username="victim").exists()
    victim, response = log_in("victim")
    assert response.status_code == 302
    assert victim.session["_auth_user_id"] == str(locked_out.pk)


def test_a_writer_cannot_see_or_lift_lockouts(client, writer, locked_out):
    client.force_login(writer)
    attempt = AccessAttempt.objects.get(username="victim")

    listing = client.get(ATTEMPTS)
    delete = client.post(
        ATTEMPTS,
        {"action": "delete_selected", "_selected_action": [attempt.pk], "post": "yes"},
    )

    assert listing.status_code == 403
    assert delete.status_code == 403
    assert AccessAttempt.objects.filter(username="victim").exists()


def test_editors_see_lockouts_but_not_the_log_of_every_sign_in(client, editor):
    client.force_login(editor)

    assert client.get(reverse("admin:axes_accesslog_changelist")).status_code == 403
