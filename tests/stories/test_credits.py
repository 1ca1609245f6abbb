"""Bylines and corrections on every public surface, and how the admin makes them."""

import json
import re
from datetime import timedelta

import feedparser
import pytest
from django.urls import reverse
from django.utils import timezone
from reversion.models import Version

from issues.models import Issue
from stories.models import Byline, Contributor, Correction
from tests.issues.admin_forms import change_form_data, change_url


@pytest.fixture
def credited(make_issue, make_story):
    """A published issue by Ana, whose second story Luis reported and translated."""
    issue = make_issue(
        headline="The week in Caracas", published_at=timezone.now() - timedelta(days=1)
    )
    first = make_story(issue=issue, headline="First story", slug="first", position=1)
    second = make_story(issue=issue, headline="Second story", slug="second", position=2)
    ana = Contributor.objects.create(
        name="Ana Pérez",
        slug="ana-perez",
        bio="Covers the economy.",
        links="https://ana.example\nnot a link",
    )
    luis = Contributor.objects.create(name="Luis Mora", slug="luis-mora")
    Byline.objects.create(issue=issue, contributor=ana, position=1)
    Byline.objects.create(
        issue=issue,
        story=second,
        contributor=luis,
        role="Reported and translated by",
        position=2,
    )
    return issue, first, second, ana, luis


def json_ld(page):
    return json.loads(
        re.search(
            r'<script type="application/ld\+json">(.*?)</script>', page, re.S
        ).group(1)
    )


def test_the_issue_page_shows_the_issue_s_and_each_story_s_bylines(client, credited):
    issue, first, second, ana, luis = credited

    page = client.get(issue.get_absolute_url()).content.decode()

    assert (
        '<p class="byline">By <a href="/contributors/ana-perez/" rel="author">'
        "Ana Pérez</a></p>" in page
    )
    assert (
        'Reported and translated by <a href="/contributors/luis-mora/" '
        'rel="author">Luis Mora</a>' in page
    )


def test_the_story_page_shows_its_byline_and_its_json_ld_names_the_person(
    client, credited
):
    issue, first, second, ana, luis = credited

    page = client.get(second.get_absolute_url()).content.decode()

    assert "Reported and translated by" in page
    assert json_ld(page)["author"] == [
        {
            "@type": "Person",
            "name": "Luis Mora",
            "url": "http://testserver/contributors/luis-mora/",
        }
    ]
    first_page = client.get(first.get_absolute_url()).content.decode()
    assert json_ld(first_page)["author"][0]["name"] == "Ana Pérez"


def test_the_issue_json_ld_names_everyone_credited(client, credited):
    issue, *_ = credited

    data = json_ld(client.get(issue.get_absolute_url()).content.decode())

    assert [person["name"] for person in data["author"]] == ["Ana Pérez", "Luis Mora"]
    assert all(person["@type"] == "Person" for person in data["author"])
    assert "correction" not in data


def test_an_uncredited_issue_is_by_the_newsroom(client, make_issue):
    issue = make_issue()

    data = json_ld(client.get(issue.get_absolute_url()).content.decode())

    assert data["author"] == {
        "@type": "Organization",
        "name": "Caracas Chronicles",
        "url": "http://testserver/",
    }


def test_feed_entries_carry_the_bylines_and_their_corrections(client, credited):
    issue, first, *_ = credited
    correction = Correction.objects.create(
        issue=issue, story=first, text="The minister's name was misspelt."
    )

    atom = feedparser.parse(client.get("/feed/atom/").content)
    rss = client.get("/feed/").content.decode()

    (entry,) = atom.entries
    assert entry.author == "Ana Pérez, Luis Mora"
    assert "Reported and translated by" in entry.summary
    assert "name was misspelt." in entry.summary
    updated = entry.updated_parsed
    assert (updated.tm_year, updated.tm_mon, updated.tm_mday, updated.tm_hour) == (
        correction.created_at.utctimetuple()[:4]
    )
    assert "Ana Pérez, Luis Mora" in rss


def test_a_contributor_s_page_lists_their_published_work_only(
    client, credited, make_issue
):
    issue, first, second, ana, luis = credited
    draft = make_issue(headline="Not out yet", status=Issue.Status.DRAFT)
    Byline.objects.create(issue=draft, contributor=luis)

    page = client.get(luis.get_absolute_url()).content.decode()

    assert "<h1>Luis Mora</h1>" in page
    assert 'href="/issues/' in page and "Second story" in page
    assert "Not out yet" not in page
    ana_page = client.get(ana.get_absolute_url()).content.decode()
    assert "Covers the economy." in ana_page
    assert 'href="https://ana.example" rel="me noopener"' in ana_page
    assert "not a link" not in ana_page


def test_someone_credited_only_on_a_draft_has_no_page_nor_sitemap_entry(
    client, make_issue
):
    draft = make_issue(status=Issue.Status.DRAFT)
    nobody = Contributor.objects.create(name="Only Drafts", slug="only-drafts")
    Byline.objects.create(issue=draft, contributor=nobody)

    assert client.get(nobody.get_absolute_url()).status_code == 404
    assert (
        "/contributors/only-drafts/" not in client.get("/sitemap.xml").content.decode()
    )


def test_contributor_pages_are_in_the_sitemap(client, credited):
    sitemap = client.get("/sitemap.xml").content.decode()

    assert "/contributors/ana-perez/" in sitemap
    assert "/contributors/luis-mora/" in sitemap
    assert "/corrections/" in sitemap


def test_a_correction_shows_at_the_top_of_the_issue_and_of_its_story(client, credited):
    issue, first, second, *_ = credited
    Correction.objects.create(issue=issue, story=first, text="A date was wrong.")
    Correction.objects.create(
        issue=issue, kind=Correction.Kind.UPDATE, text="The embassy has power again."
    )

    page = client.get(issue.get_absolute_url()).content.decode()
    first_page = client.get(first.get_absolute_url()).content.decode()
    second_page = client.get(second.get_absolute_url()).content.decode()

    top = page.index('class="corrections"')
    assert top < page.index('class="series-intro"')
    assert "Correction, " in page and "A date was wrong." in page
    assert "Update, " in page and "The embassy has power again." in page
    assert 'on “<a href="/issues/' in page
    assert "A date was wrong." in first_page
    assert "The embassy has power again." in first_page
    assert "A date was wrong." not in second_page
    assert "The embassy has power again." in second_page


def test_a_correction_marks_the_json_ld_and_its_modified_date(client, credited):
    issue, *_ = credited
    correction = Correction.objects.create(issue=issue, text="A figure was wrong.")

    data = json_ld(client.get(issue.get_absolute_url()).content.decode())

    assert data["correction"] == [
        {
            "@type": "CorrectionComment",
            "text": "A figure was wrong.",
            "datePublished": data["correction"][0]["datePublished"],
        }
    ]
    assert data["correction"][0]["datePublished"].startswith(
        f"{correction.created_at:%Y-%m-%dT%H:%M}"
    )
    assert data["dateModified"] == data["correction"][0]["datePublished"]


def test_the_corrections_page_lists_them_newest_first_with_a_feed(
    client, credited, make_issue
):
    issue, first, *_ = credited
    older = Correction.objects.create(
        issue=issue, text="Older.", created_at=timezone.now() - timedelta(hours=3)
    )
    newer = Correction.objects.create(issue=issue, story=first, text="Newer.")
    hidden = make_issue(status=Issue.Status.UNPUBLISHED)
    Correction.objects.create(issue=hidden, text="Of an unpublished issue.")

    page = client.get("/corrections/").content.decode()
    feed = feedparser.parse(client.get("/corrections/feed/").content)

    assert page.index("Newer.") < page.index("Older.")
    assert "Of an unpublished issue." not in page
    assert 'href="/corrections/feed/"' in page
    assert [e.title for e in feed.entries] == [
        "Correction: First story",
        f"Correction: {issue.headline}",
    ]
    assert feed.entries[0].link.endswith(
        f"{first.get_absolute_url()}#correction-{newer.pk}"
    )
    assert older.pk != newer.pk


def test_a_retracted_correction_stays_shown_with_its_reason(client, credited, editor):
    issue, *_ = credited
    correction = Correction.objects.create(issue=issue, text="Wrongly corrected.")
    Correction.objects.filter(pk=correction.pk).update(
        retracted_at=timezone.now(), retracted_by=editor, retraction="It was right."
    )

    page = client.get(issue.get_absolute_url()).content.decode()
    listing = client.get("/corrections/").content.decode()
    data = json_ld(page)

    for html in (page, listing):
        assert "Wrongly corrected." in html
        assert "Retracted on" in html and "It was right." in html
    assert "correction" not in data


# The admin.


def test_an_editor_adds_a_correction_to_a_published_issue(client, editor, credited):
    issue, first, *_ = credited
    client.force_login(editor)
    data = change_form_data(
        client,
        issue,
        **{
            "corrections-TOTAL_FORMS": "1",
            "corrections-0-kind": "correction",
            "corrections-0-story": str(first.pk),
            "corrections-0-text": "The minister resigned on Monday, not Sunday.",
        },
    )

    assert client.post(change_url(issue), data).status_code == 302

    correction = Correction.objects.get()
    assert (correction.issue, correction.story, correction.created_by) == (
        issue,
        first,
        editor,
    )
    latest = Version.objects.get_for_object(issue).first().revision
    assert "corrections" in latest.comment
    assert "not Sunday" in client.get(first.get_absolute_url()).content.decode()


def test_a_draft_has_no_corrections_and_nobody_deletes_or_rewrites_one(
    client, editor, writer, make_issue, credited
):
    draft = make_issue(status=Issue.Status.DRAFT)
    issue, *_ = credited
    Correction.objects.create(issue=issue, text="Made earlier.")
    client.force_login(editor)

    assert (
        "corrections-TOTAL_FORMS" not in client.get(change_url(draft)).content.decode()
    )
    page = client.get(change_url(issue)).content.decode()
    assert "Made earlier." in page
    assert 'name="corrections-0-text"' not in page
    assert 'name="corrections-0-DELETE"' not in page
    assert "Retract it…" in page


def test_a_correction_is_retracted_with_a_reason_and_recorded(client, editor, credited):
    issue, *_ = credited
    correction = Correction.objects.create(issue=issue, text="Wrongly corrected.")
    url = reverse(
        "admin:issues_issue_retract_correction", args=[issue.pk, correction.pk]
    )
    client.force_login(editor)

    assert "Retracting does not remove it" in client.get(url).content.decode()
    assert "This field is required" in client.post(url, {}).content.decode()
    response = client.post(url, {"reason": "The first version was right."})

    assert response.status_code == 302
    correction.refresh_from_db()
    assert (correction.retracted_by, correction.retraction) == (
        editor,
        "The first version was right.",
    )
    latest = Version.objects.get_for_object(issue).first().revision
    assert latest.comment.startswith("Retracted the correction “Wrongly corrected.”")
    assert latest.user == editor
    assert client.post(url, {"reason": "Again."}).status_code == 404


def test_a_writer_cannot_retract_a_correction(client, writer, credited):
    issue, *_ = credited
    correction = Correction.objects.create(issue=issue, text="Stays.")
    client.force_login(writer)

    url = reverse(
        "admin:issues_issue_retract_correction", args=[issue.pk, correction.pk]
    )
    assert client.post(url, {"reason": "No."}).status_code == 403
    correction.refresh_from_db()
    assert not correction.is_retracted


def test_a_byline_names_only_stories_of_its_issue(client, editor, credited, make_story):
    issue, first, second, *_ = credited
    elsewhere = make_story(headline="A story of another issue")
    client.force_login(editor)

    page = client.get(change_url(issue)).content.decode()

    bylines_select = re.search(
        r'<select name="bylines-0-story".*?</select>', page, re.S
    ).group(0)
    assert "First story" in bylines_select and "Second story" in bylines_select
    assert elsewhere.headline not in bylines_select
