"""Weekly figures for the admin: weeks start on Monday, and each chart is an
inline SVG drawn on the server, with no script."""

from datetime import timedelta

from django.utils.html import format_html, format_html_join


def week_start(day):
    return day - timedelta(days=day.weekday())


def as_date(value):
    """A TruncWeek result as a date, whichever the database returned."""
    return value.date() if hasattr(value, "date") else value


def fill_weeks(counts, weeks, today):
    """`weeks` (Monday, clicks) pairs ending with this week, zero where none."""
    last = week_start(today)
    starts = [last - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    return [(start, counts.get(start, 0)) for start in starts]


def weekly_chart_svg(series, label="Donate clicks per week", show=str):
    """An inline SVG bar chart of (Monday, figure) pairs, drawn on the server.

    Each bar has a <title> for hover and the figure's accessible name lists
    every week, so the chart needs no script and reads out as text. `show`
    writes a figure (the default as is; money with its currency).
    """
    width, height, gap, top, bottom = 28, 120, 6, 16, 20
    peak = max((count for _, count in series), default=0) or 1
    total_width = len(series) * (width + gap) + gap
    bars = []
    for index, (start, count) in enumerate(series):
        bar_height = round((height - top - bottom) * count / peak)
        x = gap + index * (width + gap)
        y = height - bottom - bar_height
        bars.append(
            (
                x,
                y,
                width,
                bar_height,
                f"Week of {start:%b} {start.day}: {show(count)}",
                x + width / 2,
                y - 3,
                show(count),
                x + width / 2,
                height - 6,
                f"{start.day}/{start.month}",
            )
        )
    summary = "; ".join(
        f"week of {start:%b} {start.day}: {show(count)}" for start, count in series
    )
    return format_html(
        '<svg class="donate-chart" xmlns="http://www.w3.org/2000/svg" role="img"'
        ' width="{}" height="{}" viewBox="0 0 {} {}" aria-label="{}">'
        "<title>{}</title>{}</svg>",
        total_width,
        height,
        total_width,
        height,
        f"{label}: {summary}" if series else label,
        label,
        format_html_join(
            "",
            '<g><rect x="{}" y="{}" width="{}" height="{}" fill="#a4161a">'
            "<title>{}</title></rect>"
            '<text x="{}" y="{}" font-size="10" text-anchor="middle">{}</text>'
            '<text x="{}" y="{}" font-size="9" text-anchor="middle"'
            ' fill="#5a5a60">{}</text></g>',
            bars,
        ),
    )
