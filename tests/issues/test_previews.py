"""Signed preview links: an issue in any state, for anyone holding a valid link,
until it expires or an editor revokes it; tokens never reach the access log."""

import runpy
import time
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from gunicorn.config import Config
from reversion.models import Version

from issues.models import Issue
from issues.previews import PATH_PREFIX, preview_path, preview_token
from newsroom.access_log import mask_preview_tokens
from tests.issues.admin_forms import change_url

ROOT = Path(__file__).resolve().parents[2]

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


# Revoking links.


def revoke_url(issue):
    return reverse("admin:issues_issue_revoke_previews", args=[issue.pk])


def test_an_editor_revoking_preview_links_stops_every_link_made_before(
    client, editor, draft
):
    old_links = [preview_path(draft), preview_path(draft)]
    client.force_login(editor)

    response = client.post(revoke_url(draft), follow=True)

    assert "made so far has stopped working" in response.content.decode()
    anonymous = Client()
    for link in old_links:
        assert anonymous.get(link).status_code == 404
    new_link = response.context["preview_url"]
    assert new_link not in [f"http://testserver{link}" for link in old_links]
    assert "Secret draft headline" in anonymous.get(new_link).content.decode()


def test_revoking_one_issues_links_leaves_another_issues_links_working(
    client, editor, draft, make_issue
):
    other = make_issue(headline="Other draft", status=Issue.Status.DRAFT)
    other_link = preview_path(other)
    client.force_login(editor)

    client.post(revoke_url(draft))

    assert Client().get(other_link).status_code == 200


def test_a_writer_cannot_revoke_preview_links(client, writer, draft):
    link = preview_path(draft)
    client.force_login(writer)

    page = client.get(change_url(draft)).content.decode()
    response = client.post(revoke_url(draft))

    assert "Revoke preview links" not in page
    assert response.status_code == 403
    assert Client().get(link).status_code == 200


def test_revoking_needs_a_post(client, editor, draft):
    link = preview_path(draft)
    client.force_login(editor)

    assert client.get(revoke_url(draft)).status_code == 405
    assert Client().get(link).status_code == 200


def test_a_link_made_while_the_issue_was_published_stops_working_when_unpublished(
    client, editor, make_issue, make_story
):
    issue = make_issue(headline="Published, then pulled")
    make_story(issue=issue)
    link = preview_path(issue)
    assert Client().get(link).status_code == 200
    client.force_login(editor)

    client.post(reverse("admin:issues_issue_transition", args=[issue.pk, "unpublish"]))

    issue.refresh_from_db()
    assert issue.status == Issue.Status.UNPUBLISHED
    response = Client().get(link)
    assert response.status_code == 404
    assert "Published, then pulled" not in response.content.decode()
    fresh = client.get(change_url(issue)).context["preview_url"]
    assert Client().get(fresh).status_code == 200


def test_restoring_a_revision_does_not_bring_back_revoked_links(client, editor, draft):
    client.force_login(editor)
    client.get(change_url(draft))  # the first revision, with today's key
    old_link = preview_path(draft)
    client.post(revoke_url(draft))
    revision = Version.objects.get_for_object(draft).get().revision

    client.post(
        reverse("admin:issues_issue_restore", args=[draft.pk, revision.pk]),
    )

    assert Client().get(old_link).status_code == 404


def test_links_made_before_preview_keys_existed_no_longer_work(client, draft):
    old_style = signing.TimestampSigner(salt="issues.preview").sign(str(draft.pk))

    assert client.get(f"/preview/{old_style}/").status_code == 404


# Who may make a link.


@pytest.mark.parametrize(
    "state", DRAFT_STATES[1:], ids=["review", "unpublished", "scheduled"]
)
def test_a_writer_gets_no_preview_link_for_an_issue_they_may_not_edit(
    client, writer, make_issue, state
):
    issue = make_issue(headline="With the editors", **state)
    client.force_login(writer)

    response = client.get(change_url(issue))

    assert response.status_code == 200
    assert "/preview/" not in response.content.decode()
    assert "preview_url" not in response.context
    assert not response.context["has_absolute_url"]


def test_a_writer_gets_a_working_preview_link_for_a_draft(client, writer, draft):
    client.force_login(writer)

    response = client.get(change_url(draft))

    assert Client().get(response.context["preview_url"]).status_code == 200
    assert response.context["absolute_url"].startswith("/preview/")


def test_an_editor_gets_a_preview_link_for_an_issue_in_any_state(
    client, editor, make_issue
):
    client.force_login(editor)
    for state in DRAFT_STATES:
        issue = make_issue(**state)
        link = client.get(change_url(issue)).context["preview_url"]
        assert Client().get(link).status_code == 200


# Keeping tokens out of the access log.


def access_log_line(path, capsys, referrer="-"):
    """What gunicorn, configured by the project's gunicorn.conf.py, logs for `path`."""
    conf = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    config = Config()
    config.set("accesslog", "-")
    config.set("logger_class", conf["logger_class"])
    logger = config.logger_class(config)
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": path,
        "PATH_INFO": path.split("?")[0],
        "QUERY_STRING": "",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "203.0.113.5",
        "HTTP_REFERER": referrer,
    }
    response = SimpleNamespace(status="200 OK", headers=[], sent=1234)
    logger.access(response, SimpleNamespace(headers=[]), environ, timedelta(0))
    return capsys.readouterr().out


def test_the_access_log_never_shows_a_preview_token(draft, capsys):
    path = preview_path(draft)
    token = path.removeprefix("/preview/").removesuffix("/")

    line = access_log_line(path, capsys, referrer=f"https://news.example.org{path}")

    assert '"GET /preview/…/ HTTP/1.1" 200 1234' in line
    assert token not in line
    assert draft.preview_key not in line


def test_the_access_log_keeps_other_paths_as_they_are(db, capsys):
    line = access_log_line("/issues/?page=2", capsys)

    assert '"GET /issues/?page=2 HTTP/1.1" 200' in line


def test_the_masked_prefix_is_where_preview_paths_start(draft):
    assert preview_path(draft).startswith(PATH_PREFIX)
    assert mask_preview_tokens(preview_path(draft)) == f"{PATH_PREFIX}…/"
