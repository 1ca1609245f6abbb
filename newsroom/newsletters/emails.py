"""The messages the newsletters send: the confirmation request and the edition.

An edition's two parts are rendered once per edition, from the same issue
data as its web page; each recipient's message only fills in its own
unsubscribe link. Every header value that is not ours (the address) has
passed `addresses.clean_address`, so none can break a header.

What comes back is read by `receive_mail` (`newsroom.newsletters.inbound`),
so each message carries signed tokens it can trust: the `List-Unsubscribe`
mailto's subject holds the subscriber's unsubscribe token, the Message-ID
and, with NEWSLETTER_BOUNCE_ADDRESS, the envelope sender (VERP) hold the
delivery's.
"""

import uuid
from email.utils import parseaddr
from functools import cached_property
from urllib.parse import quote, urlencode, urlsplit

import css_inline
from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.html import strip_tags

from issues.models import Issue
from newsroom.fundraising.donations import EMAIL
from newsroom.newsletters import tokens
from newsroom.newsletters.plaintext import flowed, html_to_text, wrap_html

#: Stand for one recipient's values in a message rendered once for all.
UNSUBSCRIBE_PLACEHOLDER = "NEWSLETTER-UNSUBSCRIBE-URL-PLACEHOLDER"
TO_PLACEHOLDER = "newsletter-recipient-placeholder@example.invalid"
REFERENCE_PLACEHOLDER = "NEWSLETTER-REFERENCE-PLACEHOLDER"
ID_PLACEHOLDER = "newsletter-message-id-placeholder"
_inliner = css_inline.CSSInliner(keep_style_tags=False, load_remote_stylesheets=False)


def absolute(path):
    """`path` on the site, as a link from outside it (SITE_URL); a URL that is
    absolute already (media on a CDN) as it is."""
    if path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL.rstrip("/") + path


def site_domain():
    return urlsplit(settings.SITE_URL).hostname or "localhost"


def bounce_sender(delivery_id):
    """The VERP envelope sender of one delivery, or None when bounces are not read.

    `bounces@news.example.org` becomes `bounces+<delivery token>@news.example.org`,
    which a mail server with `+` address extensions delivers to `bounces`.
    """
    address = settings.NEWSLETTER_BOUNCE_ADDRESS
    if not address or delivery_id is None:
        return None
    local, _, domain = address.rpartition("@")
    return f"{local}+{tokens.delivery_token(delivery_id)}@{domain}"


def message_id(delivery_id=None):
    """A new Message-ID; a delivery's also carries its token, for bounces."""
    if delivery_id is None:
        return new_message_id()
    return f"<{uuid.uuid4().hex}.{tokens.delivery_token(delivery_id)}@{site_domain()}>"


def unsubscribe_mailto(token):
    """The `mailto:` of List-Unsubscribe: the subject carries the signed token."""
    address = parseaddr(settings.NEWSLETTER_UNSUBSCRIBE_EMAIL)[1]
    address = address or settings.NEWSLETTER_UNSUBSCRIBE_EMAIL
    return f"mailto:{address}?subject=" + quote(f"unsubscribe {token}", safe="")


def unsubscribe_url(subscriber_id, series_id, token=None):
    token = token or tokens.unsubscribe_token(subscriber_id, series_id)
    return absolute(reverse("newsletters:unsubscribe", kwargs={"token": token}))


def confirmation_message(email, series_list):
    """The confirmation request: one link that confirms every list asked for."""
    token = tokens.confirmation_token(email, [series.pk for series in series_list])
    context = {
        "series_list": series_list,
        "names": ", ".join(" ".join(series.name.split()) for series in series_list),
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
        headers={"Message-ID": new_message_id()},
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
            absolute(reverse("fundraising:donate"))
            + "?"
            + urlencode({"from": issue.slug, "via": EMAIL})
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
        """The HTML part, styles inlined, lines short enough for 8-bit mail."""
        html = render_to_string("newsletters/email/edition.html", self.context)
        return wrap_html(_inliner.inline(html))

    @cached_property
    def text(self):
        """The plain-text part, from its own template, as format=flowed lines."""
        text = render_to_string("newsletters/email/edition.txt", self.context)
        lines = [line.rstrip() for line in text.splitlines()]
        collapsed, blank = [], False
        for line in lines:
            if line or not blank:
                collapsed.append(line)
            blank = not line
        return flowed("\n".join(collapsed).strip()) + "\n"

    def list_id(self):
        name = " ".join(self.series.name.replace('"', "").split())
        return f'"{name}" <{self.series.slug}.{site_domain()}>'

    def _message(self, email, link, reference, message_id):
        mailto = unsubscribe_mailto(reference)
        headers = {
            "Message-ID": message_id,
            "List-Id": self.list_id(),
            "List-Unsubscribe": f"<{link}>, <{mailto}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Precedence": "bulk",
            "Auto-Submitted": "auto-generated",
        }
        message = FlowedMessage(
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

    def for_recipient(self, email, subscriber_id, delivery_id=None):
        """The message to one address, with its own unsubscribe link and headers."""
        reference = tokens.unsubscribe_token(subscriber_id, self.series.pk)
        return self._message(
            email,
            unsubscribe_url(subscriber_id, self.series.pk, reference),
            reference,
            message_id(delivery_id),
        )

    def test_message(self, email):
        """A test send: the real message, marked as a test, leaving no one's list."""
        message = self.for_recipient(email, tokens.TEST_SUBSCRIBER)
        message.subject = f"[Test] {message.subject}"
        return message

    @cached_property
    def _template(self):
        """The message's bytes with placeholders, or None if they did not survive.

        Each part is 8-bit text with short lines, so the placeholders stand
        in the bytes as written and each recipient's message is a few
        replacements away: the list's cost is one render, not one per reader.
        """
        message = self._message(
            TO_PLACEHOLDER,
            UNSUBSCRIBE_PLACEHOLDER,
            REFERENCE_PLACEHOLDER,
            f"<{ID_PLACEHOLDER}@{site_domain()}>",
        )
        data = message.message().as_bytes(linesep="\r\n")
        expected = {
            TO_PLACEHOLDER: 1,
            UNSUBSCRIBE_PLACEHOLDER: 3,
            REFERENCE_PLACEHOLDER: 1,
            ID_PLACEHOLDER: 1,
        }
        for placeholder, count in expected.items():
            if data.count(placeholder.encode()) != count:
                return None
        return data

    def recipient_bytes(self, email, subscriber_id, delivery_id=None):
        """One recipient's message as bytes, or None where only the slow way works."""
        if self._template is None or not email.isascii():
            return None
        reference = tokens.unsubscribe_token(subscriber_id, self.series.pk)
        link = unsubscribe_url(subscriber_id, self.series.pk, reference)
        identifier = uuid.uuid4().hex
        if delivery_id is not None:
            identifier += "." + tokens.delivery_token(delivery_id)
        return (
            self._template.replace(TO_PLACEHOLDER.encode(), email.encode())
            .replace(UNSUBSCRIBE_PLACEHOLDER.encode(), link.encode())
            .replace(REFERENCE_PLACEHOLDER.encode(), quote(reference, safe="").encode())
            .replace(ID_PLACEHOLDER.encode(), identifier.encode())
        )


class FlowedMessage(EmailMultiAlternatives):
    """An email whose plain-text part says it is format=flowed (RFC 3676)."""

    def message(self, *args, **kwargs):
        message = super().message(*args, **kwargs)
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                part.set_param("format", "flowed")
        return message


def new_message_id():
    return f"<{uuid.uuid4().hex}@{site_domain()}>"
