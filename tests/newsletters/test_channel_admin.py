"""An issue's channel page in the admin: editors post it to Telegram once and
copy its WhatsApp text; writers cannot."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from issues.models import Issue
from newsroom.newsletters.models import ChannelPost


def channel_url(issue):
    return reverse("admin:newsletters_channelpost_issue", args=[issue.pk])


def post_url(issue):
    return reverse("admin:newsletters_channelpost_post", args=[issue.pk])


def change_url(issue):
    return reverse("admin:issues_issue_change", args=[issue.pk])


def messages_of(response):
    return [str(m) for m in response.context["messages"]]


def test_the_issue_page_links_editors_to_the_channel_page(client, editor, seed_issue):
    client.force_login(editor)

    html = client.get(change_url(seed_issue)).content.decode()

    assert (
        f'href="{channel_url(seed_issue)}">Channel: Telegram and WhatsApp</a>' in html
    )


def test_writers_get_no_channel_link_and_no_channel_page(
    client, writer, telegram, make_issue, make_story
):
    issue = make_issue(status=Issue.Status.DRAFT, published_at=None)
    make_story(issue=issue)
    client.force_login(writer)

    html = client.get(change_url(issue)).content.decode()

    assert channel_url(issue) not in html
    assert client.get(channel_url(issue)).status_code == 403
    assert client.post(post_url(issue)).status_code == 403
    assert telegram.requests == []


def test_a_writer_cannot_post_a_public_issue(client, writer, telegram, seed_issue):
    client.force_login(writer)

    assert client.post(post_url(seed_issue)).status_code == 403
    assert telegram.requests == []
    assert not ChannelPost.objects.exists()


def test_the_channel_page_shows_the_telegram_messages_before_they_go(
    client, editor, telegram, seed_issue
):
    client.force_login(editor)

    response = client.get(channel_url(seed_issue))

    html = response.content.decode()
    assert response.status_code == 200
    assert "The post, in 3 messages" in html
    assert "of 4096 characters" in html
    assert "&lt;b&gt;&lt;a href=" in html, "the markup is shown as text"
    assert "Post to Telegram</button>" in html
    assert telegram.requests == []


def test_an_editor_posts_once_and_the_page_then_says_when(
    client, editor, telegram, seed_issue
):
    client.force_login(editor)

    response = client.post(post_url(seed_issue), follow=True)

    assert messages_of(response) == [
        f"Posted “{seed_issue.headline}” to the Telegram channel (3 messages)."
    ]
    html = response.content.decode()
    assert "Posted to @nowwhatvenezuela on" in html
    assert "by editor1: 3 messages (ids 101, 102, 103)" in html
    assert "Post to Telegram</button>" not in html
    assert ChannelPost.objects.get().posted_by == editor

    again = client.post(post_url(seed_issue), follow=True)

    assert messages_of(again) == [
        f"“{seed_issue.headline}” was already posted to the channel; nothing was sent."
    ]
    assert len(telegram.requests) == 3


def test_telegrams_refusal_is_shown_to_the_editor_with_its_reason(
    client, editor, telegram, seed_issue
):
    telegram.refuse("Bad Request: chat not found")
    client.force_login(editor)

    response = client.post(post_url(seed_issue), follow=True)

    assert messages_of(response) == [
        "Telegram refused message 1 of 3: Bad Request: chat not found"
    ]
    html = response.content.decode()
    assert (
        "Last attempt: Telegram refused message 1 of 3: Bad Request: chat not found"
        in html
    )
    assert "Post to Telegram</button>" in html


def test_a_429_from_the_admin_is_waited_out_and_the_post_goes(
    client, editor, telegram, seed_issue
):
    telegram.answer_429(retry_after=1)
    client.force_login(editor)

    response = client.post(post_url(seed_issue), follow=True)

    assert "to the Telegram channel (3 messages)." in messages_of(response)[0]
    assert len(telegram.received) == 3


def test_a_scheduled_issue_offers_no_post_button_and_refuses_a_post(
    client, editor, telegram, seed_issue
):
    Issue.objects.filter(pk=seed_issue.pk).update(
        published_at=timezone.now() + timedelta(days=1)
    )
    client.force_login(editor)

    html = client.get(channel_url(seed_issue)).content.decode()
    response = client.post(post_url(seed_issue), follow=True)

    assert "This issue is scheduled, not public" in html
    assert "Post to Telegram</button>" not in html
    assert messages_of(response) == [
        "Only a public issue can be posted to the channel: this one is scheduled."
    ]
    assert telegram.requests == []


def test_without_telegram_settings_the_page_says_what_to_set(
    client, editor, seed_issue, settings
):
    settings.TELEGRAM_BOT_TOKEN = settings.TELEGRAM_CHAT_ID = ""
    client.force_login(editor)

    html = client.get(channel_url(seed_issue)).content.decode()

    assert "Telegram is not set up" in html
    assert "Post to Telegram</button>" not in html


def test_the_whatsapp_text_is_ready_to_paste_with_a_copy_button(
    client, editor, seed_issue, settings
):
    settings.SITE_URL = "https://news.example.org"
    client.force_login(editor)

    response = client.get(channel_url(seed_issue))

    html = response.content.decode()
    assert '<textarea id="whatsapp-text"' in html
    assert 'data-copy="whatsapp-text">Copy</button>' in html
    text = response.context["whatsapp_text"]
    assert text.startswith("*The Carter Center Says Goodbye with a Damning Verdict*")
    assert f"https://news.example.org{seed_issue.get_absolute_url()}" in text
    assert "Not even the other chavista rectors were in a position" in text
    assert (
        f"Donate: https://news.example.org/donate/?from={seed_issue.slug}&via=channel"
        in text
    )


def test_a_writers_markup_in_a_headline_is_escaped_on_the_channel_page(
    client, editor, make_issue, make_story
):
    issue = make_issue(headline="<script>alert(1)</script> Headline")
    make_story(issue=issue, headline="<img src=x onerror=alert(1)>")
    client.force_login(editor)

    html = client.get(channel_url(issue)).content.decode()

    assert "<script>alert(1)" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Headline" in html


def test_posts_are_listed_read_only_for_editors(client, editor, telegram, seed_issue):
    client.force_login(editor)
    client.post(post_url(seed_issue))

    listing = client.get(reverse("admin:newsletters_channelpost_changelist"))
    row = ChannelPost.objects.get()
    detail = client.get(reverse("admin:newsletters_channelpost_change", args=[row.pk]))

    assert listing.status_code == 200
    assert seed_issue.headline in listing.content.decode()
    assert detail.status_code == 200
    page = detail.content.decode()
    assert "101" in page and "@nowwhatvenezuela" in page
    assert 'name="_save"' not in page, "a record of what was posted is not edited"
    assert "deletelink" not in page


@pytest.fixture
def build_issue(make_issue, make_story, make_read, make_source):
    """A public issue with `size` stories, each citing `size` sources, and `2 * size` reads."""

    def build(size):
        issue = make_issue()
        sources = [make_source() for _ in range(size)]
        for _ in range(size):
            make_story(issue=issue, sources=sources)
            make_read(issue=issue, source=sources[0], url="")
            make_read(issue=issue, source=sources[-1])
        return issue

    return build


@pytest.mark.parametrize("size", [1, 8])
def test_the_channel_page_runs_a_fixed_number_of_queries(
    client, editor, build_issue, django_assert_num_queries, size
):
    issue = build_issue(size)
    client.force_login(editor)

    with django_assert_num_queries(CHANNEL_PAGE_QUERIES):
        assert client.get(channel_url(issue)).status_code == 200


# The session, the user and their permissions (2), the issue with its series,
# its post, its stories, its reads with their outlets, and the admin's check
# for a donate page.
CHANNEL_PAGE_QUERIES = 9
