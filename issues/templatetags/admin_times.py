"""Times in the admin: in the newsroom's time zone, with its offset from UTC.

`stamp(when)` ("2 Dec 2026 12:26 UTC−04:00") for Python, the `stamp` filter
for templates. An editor in another zone, or reading a scheduled time, sees
exactly which moment is meant.
"""

from django import template
from django.utils import timezone

register = template.Library()


def offset(when):
    """`when`'s offset from UTC as "UTC+02:00", "UTC−04:00" (a real minus)."""
    minutes = int(when.utcoffset().total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    hours, minutes = divmod(abs(minutes), 60)
    return f"UTC{sign}{hours:02d}:{minutes:02d}"


@register.filter
def stamp(when):
    """`when` in TIME_ZONE, as "2 Dec 2026 12:26 UTC−04:00"; "—" for None."""
    if when is None:
        return "—"
    local = timezone.localtime(when)
    return f"{local.day} {local:%b %Y %H:%M} {offset(local)}"


@register.filter
def short_stamp(when):
    """`when` in TIME_ZONE without the year when it is this year's."""
    if when is None:
        return "—"
    local = timezone.localtime(when)
    if local.year != timezone.localtime().year:
        return stamp(when)
    return f"{local.day} {local:%b %H:%M} {offset(local)}"
