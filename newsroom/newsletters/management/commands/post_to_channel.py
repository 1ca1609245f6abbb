"""`manage.py post_to_channel ISSUE_SLUG`: post a public issue to the Telegram channel.

Once: the message ids are stored, and running it again for the same issue
sends nothing. A refusal (Telegram's, or an issue that is not public) is
printed with its reason and the command exits with status 1.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from issues.models import Issue
from newsroom.newsletters.channel.posts import ChannelRefused, post_to_telegram


class Command(BaseCommand):
    help = (
        "Post a public issue to the series' Telegram channel (TELEGRAM_BOT_TOKEN "
        "and TELEGRAM_CHAT_ID), once: a second run for the same issue does nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("issue_slug", metavar="ISSUE_SLUG")

    def handle(self, *args, issue_slug, **options):
        issue = Issue.objects.filter(slug=issue_slug).first()
        if issue is None:
            raise CommandError(f"No issue with the slug “{issue_slug}”.")
        try:
            result = post_to_telegram(issue)
        except ChannelRefused as refusal:
            raise CommandError(str(refusal)) from None
        post = result.post
        if result.already_posted:
            self.stdout.write(
                f"“{issue.headline}” was already posted to the channel on "
                f"{timezone.localtime(post.finished_at):%Y-%m-%d %H:%M %Z} "
                f"({len(post.message_ids)} messages); nothing was sent."
            )
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Posted “{issue.headline}” to the channel {post.chat_id}: "
                f"{result.sent} messages sent (message ids "
                f"{', '.join(map(str, post.message_ids))})."
            )
        )
