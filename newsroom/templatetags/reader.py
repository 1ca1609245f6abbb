"""Filters for the reader's pages: `{% load reader %}`.

`html_datetime` spells a time as HTML's `datetime` attribute allows, and
`domain` names a site by its host; both wrap `newsroom.reading`.
"""

from django import template

from newsroom import reading

register = template.Library()


@register.filter
def html_datetime(value):
    """`<time datetime="{{ value|html_datetime }}">`: no fraction of a second."""
    return reading.html_datetime(value) if value else ""


@register.filter
def domain(url):
    """`https://www.elpitazo.net/` → `elpitazo.net`."""
    return reading.domain(url)
