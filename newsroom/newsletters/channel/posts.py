"""Posting an issue to the series' Telegram channel, once; its WhatsApp text.

`post_to_telegram()` is what the admin's button and `post_to_channel` call.
The issue's one `ChannelPost` row is claimed with a conditional UPDATE (no
transaction held open while Telegram answers), each message id is saved as
soon as Telegram gives it, and a finished post makes any later call a no-op.
"""

from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q, prefetch_related_objects
from django.urls import reverse
from django.utils import timezone

from issues.models import Issue
from newsroom.fundraising.donations import CHANNEL
from newsroom.newsletters.channel import text
from newsroom.newsletters.channel.telegram import TelegramClient, TelegramError
from newsroom.newsletters.models import ChannelPost
from stories.models import RecommendedRead

#: How long a post under way keeps others from starting it: longer than the
#: client's retries and timeouts for every message of a long issue.
CLAIM_SECONDS = 10 * 60


class ChannelRefused(Exception):
    """The post cannot be made, or Telegram refused it; `str()` tells the editor why."""


@dataclass(frozen=True)
class PostResult:
    post: ChannelPost
    sent: int  # messages sent by this call
    already_posted: bool = False


def telegram_configured() -> bool:
    return bool(settings.TELEGRAM_BOT_TOKEN and settings.TELEGRAM_CHAT_ID)


def telegram_client() -> TelegramClient:
    return TelegramClient(
        token=settings.TELEGRAM_BOT_TOKEN,
        chat_id=settings.TELEGRAM_CHAT_ID,
        api_url=settings.TELEGRAM_API_URL,
    )


def absolute(url: str) -> str:
    """`url` on the public site, unless it is absolute already (media on a CDN)."""
    if url.startswith(("http://", "https://")):
        return url
    return settings.SITE_URL.rstrip("/") + url


def channel_issue(issue: Issue) -> text.ChannelIssue:
    """What the channel post of `issue` says: its stories and reads, in two queries."""
    prefetch_related_objects(
        [issue],
        "stories",
        Prefetch("reads", queryset=RecommendedRead.objects.select_related("source")),
    )
    stories = tuple(
        text.ChannelStory(
            headline=story.headline,
            url=absolute(story.get_absolute_url()),
            parts=tuple(
                (name, getattr(story, name))
                for name in ("body", "why_it_matters", "more_information")
                if getattr(story, name)
            ),
        )
        for story in issue.stories.all()
    )
    reads = tuple(
        text.ChannelRead(
            outlet=read.source.name if read.source else "",
            summary=read.summary,
            url=read.link,
        )
        for read in issue.reads.all()
    )
    return text.ChannelIssue(
        headline=issue.headline,
        url=absolute(issue.get_absolute_url()),
        site_name=settings.SITE_NAME,
        dek=issue.dek,
        intro=issue.effective_intro,
        stories=stories,
        reads=reads,
        appeal=issue.effective_appeal,
        donate_url=absolute(
            f"{reverse('fundraising:donate')}?from={issue.slug}&via={CHANNEL}"
        ),
        donate_label=issue.series.donate_label or "Donate",
    )


def lead_photo_url(issue: Issue) -> str:
    """The absolute URL of the lead image's largest JPEG, or "" without one."""
    renditions = issue.lead_image_renditions()
    return absolute(renditions.largest.jpeg_url) if renditions else ""


def telegram_plan(issue: Issue, content: text.ChannelIssue | None = None) -> list[dict]:
    """The messages the post of `issue` is made of, as `ChannelPost.messages` keeps them.

    `content` is `channel_issue(issue)`, when the caller has read it already.
    """
    photo = lead_photo_url(issue)
    content = content or channel_issue(issue)
    messages = text.telegram_messages(content, photo=bool(photo))
    return [
        {"html": m.html, "photo": photo if m.photo else "", "length": m.length}
        for m in messages
    ]


def whatsapp_text(issue: Issue, content: text.ChannelIssue | None = None) -> str:
    return text.whatsapp_text(content or channel_issue(issue))


def post_to_telegram(issue: Issue, user=None, client=None) -> PostResult:
    """Post `issue` to the Telegram channel, unless it is already there.

    Raises `ChannelRefused` when Telegram is not configured, the issue is not
    public, another post of it is under way, or Telegram refuses a message
    (its reason is in the message; the messages sent before it are kept, and
    the next call resumes after them).
    """
    if not telegram_configured():
        raise ChannelRefused(
            "Telegram is not set up: set TELEGRAM_BOT_TOKEN and TELEGRAM_CHAT_ID."
        )
    if not Issue.objects.published().filter(pk=issue.pk).exists():
        raise ChannelRefused(
            "Only a public issue can be posted to the channel: this one is "
            f"{issue.state_label.lower()}."
        )
    post = _post_row(issue)
    if post.is_finished:
        return PostResult(post, sent=0, already_posted=True)
    if not _claim(post):
        raise ChannelRefused(
            "This issue is being posted to the channel right now; reload the "
            "page in a minute to see the result."
        )
    post.refresh_from_db()
    if post.is_finished:
        _release(post)
        return PostResult(post, sent=0, already_posted=True)
    if not post.message_ids:
        # Nothing has gone out yet, so the post can still follow the issue's
        # latest text; once a message is out, the rest follow the same plan.
        post.messages = telegram_plan(issue)
        post.chat_id = settings.TELEGRAM_CHAT_ID
        post.posted_by = user
        post.save(update_fields=["messages", "chat_id", "posted_by"])
    return _send_rest(post, client or telegram_client())


def _post_row(issue: Issue) -> ChannelPost:
    try:
        with transaction.atomic():
            post, _ = ChannelPost.objects.get_or_create(
                issue=issue, channel=ChannelPost.Channel.TELEGRAM
            )
    except IntegrityError:
        post = ChannelPost.objects.get(
            issue=issue, channel=ChannelPost.Channel.TELEGRAM
        )
    return post


def _claim(post: ChannelPost) -> bool:
    now = timezone.now()
    return bool(
        ChannelPost.objects.filter(pk=post.pk, finished_at__isnull=True)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
    )


def _release(post: ChannelPost):
    ChannelPost.objects.filter(pk=post.pk).update(claimed_until=None)


def _send_rest(post: ChannelPost, client: TelegramClient) -> PostResult:
    sent = 0
    total = len(post.messages)
    try:
        for index in range(len(post.message_ids), total):
            message = post.messages[index]
            try:
                if message["photo"]:
                    message_id = client.send_photo(message["photo"], message["html"])
                else:
                    message_id = client.send_message(
                        message["html"], link_preview=index == 0
                    )
            except TelegramError as error:
                post.error = (
                    f"Telegram refused message {index + 1} of {total}: "
                    f"{error.description}"
                )[:500]
                post.save(update_fields=["error"])
                raise ChannelRefused(
                    post.error
                    + (f" The {index} sent before it stay posted." if index else "")
                ) from None
            post.message_ids = [*post.message_ids, message_id]
            post.save(update_fields=["message_ids"])
            sent += 1
        post.finished_at = timezone.now()
        post.error = ""
        post.save(update_fields=["finished_at", "error"])
    finally:
        _release(post)
        post.claimed_until = None
    return PostResult(post, sent=sent)
