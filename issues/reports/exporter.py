"""Write an issue back as a plain-text report, in the format the parser reads.

The reverse of `issues.reports.parser`, and like it plain Python with no
ORM: it takes the parser's own `Report` dataclass (`writer.report_of()`
reads one from an issue), so `parse_report(export_report(report))` is the same report
again. The text is laid out as the seed reports are, with a blank line
between paragraphs so it reads well pasted into a channel.

Not every issue edited in the admin fits the format: rich text's bold,
links, headings and numbered lists are not part of it, and a paragraph that
looks like a story heading (short, no end punctuation) would start a story.
`round_trip_problems()` reads the text back with the real parser and names
every difference, so the editor knows before re-importing it.
"""

import re
from collections.abc import Iterable

from issues.reports.attribution import normalise_source_name
from issues.reports.parser import (
    LABEL_TEXT,
    MORE_INFORMATION,
    WHY_IT_MATTERS,
    ReadDraft,
    Report,
    ReportParseError,
    StoryDraft,
    parse_report,
)
from newsroom.richtext import blocks, clean_html

RECOMMENDED_READS = "Recommended reads:"
PARTS = (
    ("body", "body_html"),
    (WHY_IT_MATTERS, "why_it_matters_html"),
    (MORE_INFORMATION, "more_information_html"),
)


def export_report(report: Report) -> str:
    """`report` as the text of a weekly report, ending with a newline."""
    head = [_line(report.headline)]
    if report.dek:
        head.append(_line(report.dek))
    sections = ["\n".join(head)]
    opening = [_line(report.intro)] if report.intro else []
    if report.channel_call:
        opening.append(_line(report.channel_call))
    if opening:
        sections.append("\n\n".join(opening))
    sections += [_story_text(story) for story in report.stories]
    if report.reads:
        sections.append(
            "\n".join([RECOMMENDED_READS, *(_read_line(r) for r in report.reads)])
        )
    if report.appeal:
        appeal = [_line(p) for p in re.split(r"\n\s*\n", report.appeal) if p.strip()]
        if report.donate_label:
            appeal.append(_line(report.donate_label))
        sections.append("\n\n".join(appeal))
    return "\n\n".join(sections) + "\n"


def _line(text: str) -> str:
    return " ".join(text.split())


def _story_text(story: StoryDraft) -> str:
    out = [_line(story.headline)]
    for part, attribute in PARTS:
        previous = None
        for n, block in enumerate(blocks(getattr(story, attribute))):
            is_item = block.kind in {"bullet", "numbered"}
            for k, text in enumerate(t for t in block.text.split("\n") if t.strip()):
                text = _line(text)
                if is_item and k == 0:
                    text = f"- {text}"
                if n == 0 and k == 0 and part in LABEL_TEXT:
                    text = f"{LABEL_TEXT[part]} {text}"
                tight = is_item and k == 0 and previous in {"paragraph", "bullet"}
                out.append(("\n" if tight else "\n\n") + text)
                previous = "bullet" if is_item else "paragraph"
    return out[0] + "".join(out[1:])


def _read_line(read: ReadDraft) -> str:
    line = f"- {_line(read.outlet)}: {_line(read.summary)}"
    return f"{line} {read.url}" if read.url else line


def round_trip_problems(report: Report, known_sources: Iterable[str] = ()) -> list[str]:
    """What importing `export_report(report)` would not bring back as it is.

    Empty when the text re-imports to the same issue: the same headline,
    dek, intro, call, stories (parts and sources), reads and appeal.
    `known_sources` are the names the importer would know, as for the parser.
    """
    problems = [
        f"Recommended read {n} names no source, and a read in the text must "
        "start with its outlet."
        for n, read in enumerate(report.reads, 1)
        if not read.outlet.strip()
    ]
    try:
        again = parse_report(export_report(report), known_sources=known_sources)
    except ReportParseError as error:
        return problems + [f"The text cannot be imported as it is: {error}"]

    for label, was, now in (
        ("headline", report.headline, again.headline),
        ("dek", report.dek, again.dek),
        ("intro", report.intro, again.intro),
        ("channel call", report.channel_call, again.channel_call),
        ("appeal", report.appeal, again.appeal),
    ):
        if _line(was) != _line(now) or (label == "appeal" and was != now):
            problems.append(_changed(label.capitalize(), was, now))
    if report.appeal and report.donate_label != again.donate_label:
        problems.append(
            _changed(
                "The donate button's label", report.donate_label, again.donate_label
            )
        )
    problems += _story_problems(report.stories, again.stories)
    problems += _read_problems(report.reads, again.reads)
    return problems


def _changed(what: str, was: str, now: str) -> str:
    if not was:
        return f"{what}: none in the issue, but the text would give “{_short(now)}”."
    if not now:
        return f"{what}: “{_short(was)}” would be lost."
    return f"{what}: “{_short(was)}” would come back as “{_short(now)}”."


def _short(text: str, limit: int = 80) -> str:
    text = _line(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _story_problems(stories, again) -> list[str]:
    if len(stories) != len(again):
        return [
            f"The issue has {len(stories)} stories, but the text would give "
            f"{len(again)}: a line that is short and has no end punctuation "
            "starts a story, and a story heading must be one."
        ]
    problems = []
    for n, (story, back) in enumerate(zip(stories, again, strict=True), 1):
        name = f"Story {n} (“{_short(story.headline, 60)}”)"
        if story.headline != back.headline:
            problems.append(
                _changed(f"{name}: the heading", story.headline, back.headline)
            )
        for part, attribute in PARTS:
            if _shown(getattr(story, attribute)) != _shown(getattr(back, attribute)):
                what = "its text" if part == "body" else f"“{LABEL_TEXT[part]}”"
                problems.append(
                    f"{name}: {what} would not come back as it is. The text "
                    "format holds paragraphs and bulleted lists only: no bold, "
                    "italics, links, headings, quotes or numbered lists."
                )
        lost = _names(story.source_names) - _names(back.source_names)
        gained = _names(back.source_names) - _names(story.source_names)
        if lost:
            problems.append(
                f"{name} cites {_listed(story.source_names, lost)}, which its "
                "text does not name as a source: a re-import would not cite it."
            )
        if gained:
            problems.append(
                f"{name}: a re-import would also cite "
                f"{_listed(back.source_names, gained)}, which its text names."
            )
    return problems


def _read_problems(reads, again) -> list[str]:
    if len(reads) != len(again):
        return [
            f"The issue has {len(reads)} recommended reads, but the text would give "
            f"{len(again)}."
        ]
    problems = []
    for n, (read, back) in enumerate(zip(reads, again, strict=True), 1):
        if not read.outlet.strip():
            continue
        if _names([read.outlet]) != _names([back.outlet]):
            problems.append(
                _changed(f"Recommended read {n}: the outlet", read.outlet, back.outlet)
            )
        if read.summary != back.summary:
            problems.append(
                _changed(
                    f"Recommended read {n}: the summary", read.summary, back.summary
                )
            )
        if read.url != back.url:
            problems.append(
                _changed(f"Recommended read {n}: the URL", read.url, back.url)
            )
    return problems


def _shown(html: str) -> list:
    """Rich text as readers see it: its blocks and their formatting.

    The editor writes a list item as `<li><p>…</p></li>` and the parser as
    `<li>…</li>`; the page is the same, so the round trip is too.
    """
    return blocks(clean_html(html))


def _names(names: Iterable[str]) -> set[str]:
    return {normalise_source_name(name).casefold() for name in names}


def _listed(names: Iterable[str], keys: set[str]) -> str:
    return ", ".join(
        name for name in names if normalise_source_name(name).casefold() in keys
    )
