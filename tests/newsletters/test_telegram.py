"""Posting an issue to the Telegram channel, against a local fake Bot API:
`post_to_channel ISSUE_SLUG`, once, with 429s retried and refusals explained."""

import io
import socket
from datetime import timedelta
from io import StringIO

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone
from PIL import Image

from issues.models import Issue
from newsroom.newsletters.models import ChannelPost


def post(slug):
    out = StringIO()
    call_command("post_to_channel", slug, stdout=out)
    return out.getvalue()


def test_the_seed_issue_is_posted_in_telegrams_subset_within_its_limits(
    telegram, seed_issue
):
    output = post(seed_issue.slug)

    assert [call["method"] for call in telegram.received] == ["sendMessage"] * 3
    texts = telegram.messages
    whole = " ".join(" ".join(texts).split())
    for sentence in (
        "The Carter Center Says Goodbye with a Damning Verdict",
        "Not even the other chavista rectors were in a position to issue bulletins.",
        "Local organizations did not provide further details on the deal.",
        "Tal Cual: The National Academy of Medicine reports that 40% of doctors",
        "Your collaboration goes a long way in helping us weather the storm.",
    ):
        assert sentence in whole
    first = telegram.received[0]["text"]
    issue_url = f"https://news.example.org{seed_issue.get_absolute_url()}"
    assert first.startswith(f'<b><a href="{issue_url}">The Carter Center')
    assert telegram.received[-1]["text"].endswith(
        f'<a href="{issue_url}">Read this issue on Caracas Chronicles</a>'
    )
    post_row = ChannelPost.objects.get(issue=seed_issue)
    assert post_row.message_ids == [101, 102, 103]
    assert post_row.chat_id == "@nowwhatvenezuela"
    assert post_row.finished_at is not None
    assert "3 messages sent (message ids 101, 102, 103)" in output


def test_a_second_post_of_the_same_issue_sends_nothing(telegram, seed_issue):
    post(seed_issue.slug)

    output = post(seed_issue.slug)

    assert len(telegram.requests) == 3
    assert "was already posted to the channel" in output
    assert "nothing was sent" in output


def test_a_429_is_retried_after_its_retry_after(telegram, seed_issue):
    telegram.answer_429(retry_after=1)

    post(seed_issue.slug)

    (refused_at, _), (retried_at, _) = telegram.requests[:2]
    assert retried_at - refused_at >= 1
    assert len(telegram.received) == 3
    assert ChannelPost.objects.get().message_ids == [101, 102, 103]


def test_a_429_asking_for_too_long_a_wait_is_shown_rather_than_waited_out(
    telegram, seed_issue
):
    telegram.answer_429(retry_after=3600)

    with pytest.raises(CommandError, match="Too Many Requests: retry after 3600"):
        post(seed_issue.slug)

    assert len(telegram.requests) == 1


def test_a_refusal_gives_telegrams_reason_and_exit_status_1(telegram, seed_issue):
    telegram.refuse("Bad Request: not enough rights to send text messages to the chat")

    with pytest.raises(CommandError) as refused:
        post(seed_issue.slug)

    # manage.py exits with a CommandError's returncode.
    assert refused.value.returncode == 1
    assert str(refused.value) == (
        "Telegram refused message 1 of 3: Bad Request: not enough rights to send "
        "text messages to the chat"
    )
    assert not ChannelPost.objects.get().message_ids


def test_a_post_cut_short_resumes_with_the_next_message_and_repeats_none(
    telegram, seed_issue
):
    original = telegram.handle
    calls = []

    def refuse_the_second(path, headers, body):
        calls.append(path)
        if len(calls) == 2:
            return 400, {
                "ok": False,
                "error_code": 400,
                "description": "Bad Request: a passing hiccup",
            }
        return original(path, headers, body)

    telegram.handle = refuse_the_second
    with pytest.raises(CommandError, match="message 2 of 3: Bad Request: a passing"):
        post(seed_issue.slug)
    assert ChannelPost.objects.get().message_ids == [101]

    post(seed_issue.slug)

    texts = telegram.messages
    assert len(texts) == 3
    assert len(set(texts)) == 3
    assert texts[0].startswith("The Carter Center Says Goodbye")
    assert ChannelPost.objects.get().message_ids == [101, 102, 103]


def test_a_post_under_way_is_not_started_twice(telegram, seed_issue):
    ChannelPost.objects.create(
        issue=seed_issue, claimed_until=timezone.now() + timedelta(minutes=5)
    )

    with pytest.raises(CommandError, match="being posted to the channel right now"):
        post(seed_issue.slug)

    assert telegram.requests == []


@pytest.mark.parametrize(
    "state",
    [
        {"status": Issue.Status.DRAFT, "published_at": None},
        {"status": Issue.Status.IN_REVIEW, "published_at": None},
        {"status": Issue.Status.UNPUBLISHED, "published_at": None},
        {
            "status": Issue.Status.PUBLISHED,
            "published_at": timezone.now() + timedelta(days=1),
        },
    ],
    ids=["draft", "review", "unpublished", "scheduled"],
)
def test_only_a_public_issue_is_posted(telegram, make_issue, make_story, state):
    issue = make_issue(**state)
    make_story(issue=issue)

    with pytest.raises(CommandError, match="Only a public issue can be posted"):
        post(issue.slug)

    assert telegram.requests == []
    assert not ChannelPost.objects.exists()


def test_without_a_token_and_chat_the_command_says_what_to_set(
    db, settings, seed_issue
):
    settings.TELEGRAM_BOT_TOKEN = ""

    with pytest.raises(
        CommandError, match="set TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID"
    ):
        post(seed_issue.slug)


def test_an_unknown_slug_is_a_clear_error(telegram, db):
    with pytest.raises(CommandError, match="No issue with the slug “nope”"):
        post("nope")


def test_a_wrong_token_is_refused_without_showing_the_token(
    telegram, settings, seed_issue
):
    settings.TELEGRAM_BOT_TOKEN = "999:secret-wrong-token"

    with pytest.raises(CommandError) as refused:
        post(seed_issue.slug)

    assert "Telegram refused message 1 of 3: Unauthorized" in str(refused.value)
    assert "secret-wrong-token" not in str(refused.value)
    assert "secret-wrong-token" not in ChannelPost.objects.get().error


def test_an_unreachable_telegram_is_a_clear_refusal(telegram, settings, seed_issue):
    with socket.socket() as unused:
        unused.bind(("127.0.0.1", 0))
        port = unused.getsockname()[1]
    settings.TELEGRAM_API_URL = f"http://127.0.0.1:{port}"

    with pytest.raises(CommandError, match="Could not reach Telegram"):
        post(seed_issue.slug)


def test_an_issue_with_a_lead_image_opens_with_the_photo_and_a_short_caption(
    telegram, seed_issue
):
    buffer = io.BytesIO()
    Image.new("RGB", (1600, 900), "steelblue").save(buffer, "JPEG")
    seed_issue.lead_image.save("street.jpg", ContentFile(buffer.getvalue()))
    seed_issue.lead_image_alt = "A street in Caracas"
    seed_issue.save()

    post(seed_issue.slug)

    photo, *texts = telegram.received
    assert photo["method"] == "sendPhoto"
    largest = seed_issue.lead_image_renditions().largest
    assert photo["photo"] == f"https://news.example.org{largest.jpeg_url}"
    assert telegram.messages[0].startswith("The Carter Center Says Goodbye")
    assert all(call["method"] == "sendMessage" for call in texts)
