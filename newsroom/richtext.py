"""Sanitised rich text: the one allow-list shared by the editor and every save.

The editor (django-prose-editor) only offers what is listed here, and
`clean_html` applies the same list with nh3 whenever a model is saved, so HTML
that arrives by another road (the importer, the shell, a crafted POST) is
cleaned too. Templates may mark a cleaned value safe; nothing else.
"""

from html import unescape

import nh3
from django.utils.html import strip_tags

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "a", "ul", "ol", "li", "blockquote", "h3", "h4",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}

EDITOR_CONFIG = {
    "extensions": {
        "Bold": True,
        "Italic": True,
        "BulletList": True,
        "OrderedList": True,
        "ListItem": True,
        "Blockquote": True,
        "Heading": {"levels": [3, 4]},
        "HardBreak": True,
        "Link": {"protocols": ["http", "https", "mailto"]},
        "History": True,
    }
}

_cleaner = nh3.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=ALLOWED_URL_SCHEMES,
    link_rel="noopener noreferrer",
    strip_comments=True,
)


def clean_html(html: str) -> str:
    """Return `html` reduced to the allow-list; an editor's empty paragraph is ''."""
    cleaned = _cleaner.clean(html or "").strip()
    if cleaned in {"<p></p>", "<p><br></p>"}:
        return ""
    return cleaned


def plain_text(value: str) -> str:
    """Stored rich text as a reader reads it: no tags, no entities, single spaces."""
    return " ".join(unescape(strip_tags(value or "")).split())
