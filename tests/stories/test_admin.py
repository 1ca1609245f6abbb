"""Sources in the admin: who may change a source that published issues cite."""

from django.urls import reverse

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


def test_an_editor_may_change_a_cited_source(client, editor, make_read, make_source):
    outlet = make_source(name="Tal Cual")
    make_read(source=outlet, url="")

    response = change_source(client, editor, outlet, "https://talcualdigital.com/")

    assert response.status_code == 302
    outlet.refresh_from_db()
    assert outlet.homepage_url == "https://talcualdigital.com/"
