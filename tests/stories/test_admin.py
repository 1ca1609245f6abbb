"""Sources in the admin: who may change, delete or merge a source that issues cite."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from issues.models import Issue


def change_source(client, user, source, homepage):
    client.force_login(user)
    return client.post(
        reverse("admin:stories_source_change", args=[source.pk]),
        {
            "name": source.name,
            "slug": source.slug,
            "kind": source.kind,
            "language": source.language,
            "homepage_url": homepage,
            "description": source.description,
        },
    )


def test_a_writer_cannot_change_a_source_that_a_published_issue_cites(
    client, writer, make_read, make_source
):
    outlet = make_source(name="Crónica Uno", homepage_url="https://cronica.uno/")
    read = make_read(source=outlet, url="")

    response = change_source(client, writer, outlet, "https://phish.example/login")

    assert response.status_code == 403
    outlet.refresh_from_db()
    assert outlet.homepage_url == "https://cronica.uno/"
    page = client.get(read.issue.get_absolute_url()).content.decode()
    assert "phish.example" not in page


def test_a_writer_sees_a_published_source_read_only(
    client, writer, make_story, make_source
):
    outlet = make_source(name="Runrunes")
    make_story(sources=[outlet])
    client.force_login(writer)

    page = client.get(reverse("admin:stories_source_change", args=[outlet.pk]))

    assert page.status_code == 200
    assert 'name="homepage_url"' not in page.content.decode()


def test_a_writer_may_fix_a_source_cited_only_by_drafts(
    client, writer, make_issue, make_story, make_source
):
    outlet = make_source(name="New Outlet")
    make_story(issue=make_issue(status=Issue.Status.DRAFT), sources=[outlet])

    response = change_source(client, writer, outlet, "https://new-outlet.example/")

    assert response.status_code == 302
    outlet.refresh_from_db()
    assert outlet.homepage_url == "https://new-outlet.example/"


BEYOND_DRAFTS = {
    "scheduled": {
        "status": Issue.Status.PUBLISHED,
        "published_at": timezone.now() + timedelta(days=2),
    },
    "in review": {"status": Issue.Status.IN_REVIEW},
    "unpublished": {"status": Issue.Status.UNPUBLISHED},
}


@pytest.mark.parametrize("state", BEYOND_DRAFTS, ids=list(BEYOND_DRAFTS))
def test_a_writer_cannot_change_the_homepage_of_a_source_an_issue_beyond_drafts_cites(
    client, writer, make_issue, make_read, make_source, state
):
    outlet = make_source(name="Crónica Uno", homepage_url="https://cronica.uno/")
    make_read(issue=make_issue(**BEYOND_DRAFTS[state]), source=outlet, url="")

    response = change_source(client, writer, outlet, "https://phish.example/login")

    assert response.status_code == 403
    outlet.refresh_from_db()
    assert outlet.homepage_url == "https://cronica.uno/"
    page = client.get(reverse("admin:stories_source_change", args=[outlet.pk]))
    assert 'name="homepage_url"' not in page.content.decode()


@pytest.mark.parametrize("state", BEYOND_DRAFTS, ids=list(BEYOND_DRAFTS))
def test_a_writer_cannot_change_a_source_a_story_of_an_issue_beyond_drafts_cites(
    client, writer, make_issue, make_story, make_source, state
):
    outlet = make_source(name="Efecto Cocuyo", homepage_url="https://efectococuyo.com/")
    make_story(issue=make_issue(**BEYOND_DRAFTS[state]), sources=[outlet])

    response = change_source(client, writer, outlet, "https://phish.example/login")

    assert response.status_code == 403
    outlet.refresh_from_db()
    assert outlet.homepage_url == "https://efectococuyo.com/"


def test_an_editor_may_change_a_cited_source(client, editor, make_read, make_source):
    outlet = make_source(name="Tal Cual")
    make_read(source=outlet, url="")

    response = change_source(client, editor, outlet, "https://talcualdigital.com/")

    assert response.status_code == 302
    outlet.refresh_from_db()
    assert outlet.homepage_url == "https://talcualdigital.com/"


def test_an_editor_may_change_a_source_a_scheduled_issue_cites(
    client, editor, make_issue, make_read, make_source
):
    outlet = make_source(name="El Pitazo")
    make_read(issue=make_issue(**BEYOND_DRAFTS["scheduled"]), source=outlet, url="")

    response = change_source(client, editor, outlet, "https://elpitazo.net/")

    assert response.status_code == 302
    outlet.refresh_from_db()
    assert outlet.homepage_url == "https://elpitazo.net/"
