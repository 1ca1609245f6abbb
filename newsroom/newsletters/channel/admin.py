"""The channel's admin: an issue's channel page, and what was posted.

The issue's change page links to the channel page by its URL name (in
`admin/newsletters/issue_tools.html`), for editors: the
`newsletters.post_to_channel` permission. The page shows the Telegram post (its messages before it goes,
or when it went), a button that posts it, and the WhatsApp text with a copy
button, since WhatsApp has no API for channels.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.decorators import method_decorator
from django.views.decorators.http import require_POST

from issues.models import Issue
from newsroom.newsletters.channel import posts
from newsroom.newsletters.channel.text import CAPTION_LIMIT, TEXT_LIMIT
from newsroom.newsletters.models import ChannelPost

PERMISSION = "newsletters.post_to_channel"


@admin.register(ChannelPost)
class ChannelPostAdmin(admin.ModelAdmin):
    list_display = ["issue", "channel", "chat_id", "message_count", "finished_at"]
    list_filter = ["channel"]
    list_select_related = ["issue"]
    search_fields = ["issue__headline"]
    fields = [
        "issue",
        "channel",
        "chat_id",
        "message_ids",
        "started_at",
        "finished_at",
        "posted_by",
        "error",
    ]
    readonly_fields = fields

    @admin.display(description="messages")
    def message_count(self, obj):
        return len(obj.message_ids)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        def wrap(view):
            return self.admin_site.admin_view(view)

        return [
            path(
                "issue/<int:issue_id>/",
                wrap(self.issue_channel_view),
                name="newsletters_channelpost_issue",
            ),
            path(
                "issue/<int:issue_id>/telegram/",
                wrap(self.post_to_telegram_view),
                name="newsletters_channelpost_post",
            ),
        ] + super().get_urls()

    def issue_channel_view(self, request, issue_id):
        issue = self._issue(request, issue_id)
        post = issue.channel_posts.filter(channel=ChannelPost.Channel.TELEGRAM).first()
        content = posts.channel_issue(issue)
        if post is not None and post.is_finished:
            plan = []
        elif post is not None and post.message_ids:
            plan = post.messages  # a post cut short resumes with this plan
        else:
            plan = posts.telegram_plan(issue, content)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Channel: {issue.headline}",
            "subtitle": None,
            "opts": self.opts,
            "issue": issue,
            "issue_opts": Issue._meta,
            "issue_url": reverse("admin:issues_issue_change", args=[issue.pk]),
            "public_url": posts.absolute(issue.get_absolute_url()),
            "is_public": issue.is_public,
            "telegram_configured": posts.telegram_configured(),
            "post": post,
            "plan": [
                {
                    **message,
                    "limit": CAPTION_LIMIT if message["photo"] else TEXT_LIMIT,
                    "sent": post is not None and n < len(post.message_ids),
                }
                for n, message in enumerate(plan)
            ],
            "whatsapp_text": posts.whatsapp_text(issue, content),
        }
        return TemplateResponse(
            request, "admin/newsletters/channelpost/issue_channel.html", context
        )

    @method_decorator(require_POST)
    def post_to_telegram_view(self, request, issue_id):
        issue = self._issue(request, issue_id)
        try:
            result = posts.post_to_telegram(issue, user=request.user)
        except posts.ChannelRefused as refusal:
            messages.error(request, str(refusal))
        else:
            if result.already_posted:
                messages.info(
                    request,
                    f"“{issue.headline}” was already posted to the channel; "
                    "nothing was sent.",
                )
            else:
                messages.success(
                    request,
                    f"Posted “{issue.headline}” to the Telegram channel "
                    f"({result.sent} messages).",
                )
        return redirect("admin:newsletters_channelpost_issue", issue.pk)

    def _issue(self, request, issue_id):
        if not request.user.has_perm(PERMISSION):
            raise PermissionDenied
        return get_object_or_404(Issue.objects.select_related("series"), pk=issue_id)
