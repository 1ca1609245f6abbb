"""Signed preview links: an issue in any state, for anyone holding a valid link."""

import time
from datetime import timedelta

import pytest
from django.core import signing
from django.utils import timezone

from issues.models import Issue
from issues.previews import preview_path, preview_token

DRAFT_STATES = [
    {"status": Issue.Status.DRAFT, "published_at": None},
    {"status": Issue.Status.IN_REVIEW, "published_at": None},
    {"status": Issue.Status.UNPUBLISHED, "published_at": None},
    {
        "status": Issue.Status.PUBLISHED,
        "published_at": timezone.now() + timedelta(days=3),
    },
]


@pytest.fixture
def draft(make_issue, make_story, make_read):
    issue = make_issue(
        headline="Secret draft headline", status=Issue.Status.DRAFT, published_at=None
    )
    make_story(issue=issue, headline="A story nobody has seen")
    make_read(issue=issue, summary="A read for the draft")
    return issue


def with_last_char_changed(path):
    token = path.removeprefix("/preview/").removesuffix("/")
    changed = token[:-1] + ("A" if token[-1] != "A" else "B")
    return f"/preview/{changed}/"


@pytest.mark.parametrize(
    "state", DRAFT_STATES, ids=["draft", "review", "unpublished", "scheduled"]
)
def test_anonymous_reader_sees_an_unpublished_issue_through_its_link(
    client, make_issue, state
):
    issue = make_issue(headline="Not public yet", **state)
    assert client.get(issue.get_absolute_url()).status_code == 404

    response = client.get(preview_path(issue))

    assert response.status_code == 200
    assert "Not public yet" in response.content.decode()


def test_preview_shows_the_whole_issue_with_banner_and_noindex(client, draft):
    response = client.get(preview_path(draft))
    html = response.content.decode()

    assert [t.name for t in response.templates][0] == "issues/issue_detail.html"
    assert "Secret draft headline" in html
    assert "A story nobody has seen" in html and "A read for the draft" in html
    assert 'class="preview-banner"' in html and "<strong>Preview</strong>" in html
    expires = timezone.localtime(timezone.now() + timedelta(days=7))
    assert f"this link works until {expires:%B} {expires.day}, {expires.year}" in html
    assert '<meta name="robots" content="noindex, nofollow">' in html


def test_preview_is_never_cached_nor_indexed(client, draft):
    response = client.get(preview_path(draft))

    assert response["Cache-Control"] == "private, no-store"
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"


def test_a_one_character_change_to_the_link_is_a_404(client, draft):
    path = preview_path(draft)

    response = client.get(with_last_char_changed(path))

    assert response.status_code == 404
    assert "Secret draft headline" not in response.content.decode()


def test_a_link_for_one_issue_cannot_be_turned_into_another(client, draft, make_issue):
    other = make_issue(
        headline="Other secret", status=Issue.Status.DRAFT, published_at=None
    )
    token = preview_token(draft)
    forged = token.replace(f"{draft.pk}:", f"{other.pk}:", 1)

    response = client.get(f"/preview/{forged}/")

    assert response.status_code == 404
    assert "Other secret" not in response.content.decode()


@pytest.mark.parametrize(
    "forge",
    [
        lambda pk: "nonsense",
        lambda pk: f"{pk}:1abcde:not-a-signature",
        lambda pk: signing.TimestampSigner().sign(str(pk)),
        lambda pk: signing.TimestampSigner(salt="another.salt").sign(str(pk)),
        lambda pk: signing.Signer(salt="issues.preview").sign(str(pk)),
    ],
    ids=["garbage", "made-up", "no-salt", "other-salt", "no-timestamp"],
)
def test_forged_links_are_404(client, draft, forge):
    response = client.get(f"/preview/{forge(draft.pk)}/")

    assert response.status_code == 404
    assert "Secret draft headline" not in response.content.decode()


def test_an_expired_link_is_a_404(client, draft, settings, monkeypatch):
    settings.PREVIEW_MAX_AGE = 3600
    path = preview_path(draft)
    signed_at = time.time()

    monkeypatch.setattr(signing.time, "time", lambda: signed_at + 3599)
    assert client.get(path).status_code == 200

    monkeypatch.setattr(signing.time, "time", lambda: signed_at + 3601)
    assert client.get(path).status_code == 404


def test_links_expire_after_seven_days_by_default(client, draft, monkeypatch):
    path = preview_path(draft)
    seven_days = 7 * 24 * 3600
    signed_at = time.time()

    monkeypatch.setattr(signing.time, "time", lambda: signed_at + seven_days + 1)

    assert client.get(path).status_code == 404


def test_a_link_to_a_deleted_issue_is_a_404(client, draft):
    path = preview_path(draft)
    draft.delete()

    assert client.get(path).status_code == 404


def test_preview_shows_the_latest_edit_never_a_stored_copy(client, draft):
    path = preview_path(draft)
    client.get(path)
    Issue.objects.filter(pk=draft.pk).update(headline="Headline after the edit")

    html = client.get(path).content.decode()

    assert "Headline after the edit" in html
    assert "Secret draft headline" not in html


def test_preview_of_an_unpublished_issue_links_its_stories_within_the_page(
    client, draft
):
    story = draft.stories.get()

    html = client.get(preview_path(draft)).content.decode()

    assert "This issue is not public yet" in html
    assert f'href="#{story.slug}"' in html
    assert story.get_absolute_url() not in html


def test_preview_of_a_public_issue_says_so_and_links_to_its_story_pages(
    client, make_issue, make_story
):
    issue = make_issue(headline="Already public")
    story = make_story(issue=issue)

    html = client.get(preview_path(issue)).content.decode()

    assert "This issue is public" in html
    assert f'href="{story.get_absolute_url()}"' in html
