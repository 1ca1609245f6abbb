"""The messages the newsletters send: the confirmation request and the edition.

An edition's two parts are rendered once per edition, from the same issue
data as its web page; each recipient's message only fills in its own
unsubscribe link. Every header value that is not ours (the address) has
passed `addresses.clean_address`, so none can break a header.
"""

import logging
from email.utils import make_msgid
from functools import cached_property
from urllib.parse import urlencode, urlsplit

import css_inline
from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import strip_tags

from issues.models import Issue
from newsroom.newsletters import tokens
from newsroom.newsletters.plaintext import html_to_text

logger = logging.getLogger(__name__)

#: Stands for a recipient's unsubscribe URL in the rendered parts.
UNSUBSCRIBE_PLACEHOLDER = "NEWSLETTER-UNSUBSCRIBE-URL-PLACEHOLDER"
_inliner = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)


def absolute(path):
    """`path` on the site, as a link from outside it (SITE_URL)."""
    return settings.SITE_URL.rstrip("/") + path


def site_domain():
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def unsubscribe_url(subscriber_id, series_id):
    token = tokens.unsubscribe_token(subscriber_id, series_id)
    return absolute(reverse("newsletters:unsubscribe", kwargs={"token": token}))


def confirmation_message(email, series_list):
    """The confirmation request: one link that confirms every list asked for."""
    token = tokens.confirmation_token(email, [series.pk for series in series_list])
    context = {
        "series_list": series_list,
        "names": ", ".join(series.name for series in series_list),
        "confirm_url": absolute(
            reverse("newsletters:confirm", kwargs={"token": token})
        ),
        "days": max(1, settings.NEWSLETTER_CONFIRM_MAX_AGE // 86400),
        "site_name": settings.SITE_NAME,
        "site_url": absolute("/"),
    }
    message = EmailMessage(
        subject=f"Confirm your subscription to {context['names']}",
        body=render_to_string("newsletters/email/confirm.txt", context),
        from_email=settings.NEWSLETTER_FROM_EMAIL,
        to=[email],
        reply_to=[settings.NEWSLETTER_REPLY_TO] if settings.NEWSLETTER_REPLY_TO else [],
        headers={"Message-ID": make_msgid(domain=site_domain())},
    )
    return message


class EditionMessage:
    """An issue as an email: subject, preheader, HTML and plain-text parts.

    `for_recipient()` makes one recipient's message; everything but the
    unsubscribe link is shared, so a list of any length costs one render.
    """

    def __init__(self, issue):
        self.issue = (
            Issue.objects.select_related("series").with_contents().get(pk=issue.pk)
        )
        self.series = self.issue.series

    @cached_property
    def context(self):
        issue = self.issue
        donate = (
            absolute(reverse("donate"))
            + "?"
            + urlencode({"from": issue.slug, "via": "email"})
        )
        renditions = issue.lead_image_renditions()
        return {
            "issue": issue,
            "series": self.series,
            "stories": [
                {
                    "story": story,
                    "url": absolute(story.get_absolute_url()),
                    "body_text": html_to_text(story.body),
                    "why_text": html_to_text(story.why_it_matters),
                    "more_text": html_to_text(story.more_information),
                    "sources": [
                        (source.name, absolute(source.get_absolute_url()))
                        for source in story.sources.all()
                    ],
                }
                for story in issue.stories.all()
            ],
            "reads": [
                {
                    "read": read,
                    "source_name": read.source.name if read.source else "",
                    "link": read.link,
                }
                for read in issue.reads.all()
            ],
            "issue_url": absolute(issue.get_absolute_url()),
            "donate_url": donate,
            "image": renditions and renditions.largest,
            "image_url": renditions and absolute(renditions.largest.jpeg_url),
            "intro": issue.effective_intro,
            "channel_call": issue.effective_channel_call,
            "channel_url": issue.effective_channel_url,
            "appeal": issue.effective_appeal,
            "appeal_paragraphs": [
                " ".join(paragraph.split())
                for paragraph in issue.effective_appeal.split("\n\n")
                if paragraph.strip()
            ],
            "intro_paragraphs": [
                " ".join(paragraph.split())
                for paragraph in issue.effective_intro.splitlines()
                if paragraph.strip()
            ],
            "donate_label": self.series.donate_label,
            "unsubscribe_url": UNSUBSCRIBE_PLACEHOLDER,
            "site_name": settings.SITE_NAME,
            "site_url": absolute("/"),
        }

    @property
    def subject(self):
        return " ".join(self.issue.headline.split())

    @property
    def preheader(self):
        return " ".join(strip_tags(self.issue.dek).split())

    @cached_property
    def html(self):
        """The HTML part, styles inlined; rendered once."""
        html = render_to_string("newsletters/email/edition.html", self.context)
        return _inliner.inline(html)

    @cached_property
    def text(self):
        """The plain-text part, from its own template; rendered once."""
        text = render_to_string("newsletters/email/edition.txt", self.context)
        lines = [line.rstrip() for line in text.splitlines()]
        collapsed, blank = [], False
        for line in lines:
            if line or not blank:
                collapsed.append(line)
            blank = not line
        return "\n".join(collapsed).strip() + "\n"

    def list_id(self):
        name = " ".join(self.series.name.replace('"', "").split())
        return f'"{name}" <{self.series.slug}.{site_domain()}>'

    def for_recipient(self, email, subscriber_id):
        """The message to one address, with its own unsubscribe link and headers."""
        link = unsubscribe_url(subscriber_id, self.series.pk)
        mailto = f"mailto:{settings.NEWSLETTER_UNSUBSCRIBE_EMAIL}?" + urlencode(
            {"subject": f"unsubscribe {subscriber_id}.{self.series.pk}"}
        )
        headers = {
            "Message-ID": make_msgid(domain=site_domain()),
            "List-Id": self.list_id(),
            "List-Unsubscribe": f"<{link}>, <{mailto}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Precedence": "bulk",
            "Auto-Submitted": "auto-generated",
        }
        message = EmailMultiAlternatives(
            subject=self.subject,
            body=self.text.replace(UNSUBSCRIBE_PLACEHOLDER, link),
            from_email=settings.NEWSLETTER_FROM_EMAIL,
            to=[email],
            reply_to=(
                [settings.NEWSLETTER_REPLY_TO] if settings.NEWSLETTER_REPLY_TO else []
            ),
            headers=headers,
        )
        message.attach_alternative(
            self.html.replace(UNSUBSCRIBE_PLACEHOLDER, link), "text/html"
        )
        return message

    def test_message(self, email):
        """A test send: the real message, marked as a test, leaving no one's list."""
        message = self.for_recipient(email, tokens.TEST_SUBSCRIBER)
        message.subject = f"[Test] {message.subject}"
        return message
