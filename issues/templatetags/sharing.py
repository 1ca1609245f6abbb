"""Sharing: `{% sharing_meta obj %}`, `{% share_links obj %}`, `{% describe obj %}`
and the feeds' `absolute_urls`.

`sharing_meta` renders the canonical URL, Open Graph and Twitter card tags and
NewsArticle JSON-LD from objects the page already loaded, so it adds no query.
`share_links` are plain links to each network's own share page: they need no
JavaScript and the page loads nothing from those networks (a click is the
reader's own visit). `describe` is the page's meta description.
Absolute URLs use the request's host, as the feeds and the sitemap do
(ALLOWED_HOSTS vouches for it). The JSON-LD is escaped like Django's
`json_script`: `<`, `>` and `&` become JSON escapes, so no headline can close
the script element.
"""

import json
import re
from urllib.parse import quote, urlencode

from django import template
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils.html import conditional_escape, escape, format_html
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

from issues.models import Issue
from newsroom.reading import first_sentence

register = template.Library()

_ROOT_RELATIVE = re.compile(r'(\s(?:href|src)=")/(?!/)')
_SRCSET = re.compile(r'(\ssrcset=")([^"]*)"')
_JSON_ESCAPES = {ord("<"): "\\u003C", ord(">"): "\\u003E", ord("&"): "\\u0026"}
DESCRIPTION_WORDS = 40


def json_ld(data) -> str:
    """`data` as a JSON-LD script element that nothing inside can break out of."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(_JSON_ESCAPES)),
    )


def _description(obj):
    """An issue's dek (else its intro's first sentence); a story's first sentence."""
    if isinstance(obj, Issue):
        if obj.dek:
            return Truncator(obj.dek).words(DESCRIPTION_WORDS)
        return first_sentence(obj.effective_intro, DESCRIPTION_WORDS)
    return first_sentence(obj.plain_text(), DESCRIPTION_WORDS)


@register.simple_tag
def describe(obj):
    """The meta description of an issue's or a story's page."""
    return _description(obj)


def share_targets(url: str, title: str) -> list[tuple[str, str]]:
    """(network, link) for each place a reader may share `url`, titled `title`.

    Every link is the network's documented share address with `url` in its
    query, percent-encoded; email is a `mailto:` with the link in its body.
    """
    text = f"{title} {url}"

    def query(**parameters):
        return urlencode(parameters, quote_via=quote)

    return [
        ("Email", f"mailto:?{query(subject=title, body=text)}"),
        ("WhatsApp", f"https://wa.me/?{query(text=text)}"),
        ("Telegram", f"https://t.me/share/url?{query(url=url, text=title)}"),
        ("Bluesky", f"https://bsky.app/intent/compose?{query(text=text)}"),
        ("X", f"https://x.com/intent/post?{query(url=url, text=title)}"),
        ("Facebook", f"https://www.facebook.com/sharer/sharer.php?{query(u=url)}"),
    ]


@register.inclusion_tag("includes/share.html", takes_context=True)
def share_links(context, obj, label="Share"):
    """Links to share an issue or a story, and its address to copy by hand.

    Story pages add a "Copy link" button with share.js; issue pages run no
    script at all.
    """
    url = context["request"].build_absolute_uri(obj.get_absolute_url())
    return {"url": url, "label": label, "targets": share_targets(url, obj.headline)}


def _keywords(obj):
    """The tags' names: from the issue's snapshot when the page read it."""
    keywords = getattr(obj, "keywords", None)
    if keywords is None:
        keywords = [tag.name for tag in obj.tags.all()]
    return keywords


@register.inclusion_tag("includes/meta.html", takes_context=True)
def sharing_meta(context, obj):
    """The head tags that make a shared link to an issue or story look right."""
    request = context["request"]
    issue = obj if isinstance(obj, Issue) else obj.issue
    canonical = request.build_absolute_uri(obj.get_absolute_url())
    image_url, image_width, image_height, image_alt = issue.share_image()
    image = request.build_absolute_uri(image_url)
    description = _description(obj)
    organisation = {
        "@type": "Organization",
        "name": settings.SITE_NAME,
        "url": request.build_absolute_uri(reverse("home")),
    }
    if isinstance(obj, Issue):
        credited = issue.contributors()
        corrections = list(issue.corrections.all())
    else:
        credited = [b.contributor for b in obj.credits()] or [
            b.contributor for b in issue.credits()
        ]
        corrections = obj.story_corrections()
    authors = [_person(request, person) for person in credited]
    data = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": obj.headline,
        "description": description,
        "datePublished": issue.published_at,
        "dateModified": issue.modified_at,
        "author": authors or organisation,
        "publisher": organisation,
        "image": [image],
        "mainEntityOfPage": {"@type": "WebPage", "@id": canonical},
        "articleSection": issue.series.name,
        "keywords": _keywords(obj),
    }
    shown = [c for c in corrections if not c.is_retracted]
    if shown:
        data["correction"] = [
            {
                "@type": "CorrectionComment",
                "text": correction.text,
                "datePublished": correction.created_at,
            }
            for correction in shown
        ]
    return {
        "site_name": settings.SITE_NAME,
        "canonical": canonical,
        "title": obj.headline,
        "description": description,
        "image": image,
        "image_width": image_width,
        "image_height": image_height,
        "image_alt": image_alt,
        "published": issue.published_at,
        "modified": issue.modified_at,
        "section": issue.series.name,
        "json_ld": json_ld(data),
    }


def _absolute(url, base):
    return base + url if url.startswith("/") and not url.startswith("//") else url


@register.filter
def absolute_urls(html, base):
    """Point the root-relative links and images in `html` at `base`.

    For feeds: a feed reader shows an entry away from the site, where `/issues/…`
    means nothing. Unsafe input is escaped first, as any filter's would be.
    """
    html = str(conditional_escape(html))
    base = escape(base.rstrip("/"))
    html = _ROOT_RELATIVE.sub(lambda m: f"{m.group(1)}{base}/", html)
    html = _SRCSET.sub(
        lambda m: (
            m.group(1)
            + ", ".join(_absolute(part.strip(), base) for part in m.group(2).split(","))
            + '"'
        ),
        html,
    )
    return mark_safe(html)


def _person(request, contributor):
    """A contributor in JSON-LD: name, page and, if they have one, their photo."""
    person = {
        "@type": "Person",
        "name": contributor.name,
        "url": request.build_absolute_uri(contributor.get_absolute_url()),
    }
    photo = contributor.photo_renditions()
    if photo is not None:
        person["image"] = request.build_absolute_uri(photo.largest.jpeg_url)
    return person
