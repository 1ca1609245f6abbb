"""Read a weekly report written as plain text into plain dataclasses.

This module knows nothing of Django's ORM, so it is tested without a database
and shared by `import_report`, `load_demo` and the admin's "Import from text";
`issues.reports.writer` writes its result.

The format, as the reports in `seeds/` use it (one paragraph per line; blank
lines are ignored; Windows or old Mac line endings are fine):

1. The **headline** is the first line, the **dek** the second. (If the second
   line starts with a hashtag there is no dek and it is the intro.)
2. The **series intro** is the paragraph that starts with a hashtag
   (``#NowWhatVenezuela keeps you informed…``); the line after it, unless it is
   a story heading, is the **call to action** ("Join our official channel…").
   Nothing else may come before the first story.
3. A **story heading** is a short line (at most 120 characters) that does not
   end like a sentence (``. : ! ? ; , … " ” ’``). The story's lines follow:
   paragraphs, and ``- `` bullet items that are grouped into one list.
4. ``Why it matters:`` and ``More information:`` begin labelled parts; the text
   after the label opens the part, and the unlabelled paragraphs after it stay
   in that part until the next label or heading. A label needs text after it,
   and a story may use each label once.
5. ``Recommended reads:`` ends the stories. Each of its items is
   ``- Outlet: summary``, optionally followed by the read's address, bare or in
   parentheses: ``- Outlet: summary https://…`` or ``(https://…)``.
6. The **closing appeal** starts at a paragraph ending "… is 100%
   reader-supported." (or "… are reader-supported.") and runs to the end. A last
   short line without end punctuation ("Donate") is the button's label. A
   report without an appeal is fine; the series' appeal is used then.

Everything is text: the HTML built for stories is escaped, so a ``<script>``
typed in a report shows as text. Any line that fits none of these rules raises
`ReportParseError` naming its line, so nothing is guessed silently.

Sources are found in each story's text by `issues.reports.attribution.find_sources`:
outlets named as the attribution of a statement, and names the caller
already knows (the sources in the database, and the outlets of the report's
recommended reads) wherever they appear.
"""

import codecs
import html
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from issues.reports.attribution import find_sources

IMPORT_MAX_BYTES = 256 * 1024
MAX_HEADING_LENGTH = 120
MAX_HEADLINE_LENGTH = 300
MAX_CALL_LENGTH = 300
MAX_HASHTAG_LENGTH = 100
MAX_OUTLET_LENGTH = 100
MAX_URL_LENGTH = 1000
MAX_DONATE_LABEL_LENGTH = 40

RECOMMENDED_READS = "recommended reads:"
WHY_IT_MATTERS = "why_it_matters"
MORE_INFORMATION = "more_information"
LABELS = {"why it matters:": WHY_IT_MATTERS, "more information:": MORE_INFORMATION}
LABEL_TEXT = {WHY_IT_MATTERS: "Why it matters:", MORE_INFORMATION: "More information:"}

SENTENCE_ENDINGS = tuple(".:!?;,…\"”’'")
HASHTAG_RE = re.compile(r"#\w+")
APPEAL_START_RE = re.compile(
    r"\b(?:is|are) (?:100% )?reader[- ]supported\.$", re.IGNORECASE
)
READ_RE = re.compile(r"^-\s+(?P<outlet>[^:]+?)\s*:\s*(?P<summary>.*)$")
TRAILING_URL_RE = re.compile(
    r"\s*(?:\((?P<wrapped>https?://[^\s()]+)\)|(?P<bare>https?://\S+))\s*$"
)
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


class ReportParseError(ValueError):
    """A report that does not follow the format; `line_number` says where."""

    def __init__(self, message: str, line_number: int):
        super().__init__(message, line_number)
        self.message = message
        self.line_number = line_number

    def __str__(self):
        return f"line {self.line_number}: {self.message}"


class ReportTooLarge(ValueError):
    """A report longer than `IMPORT_MAX_BYTES`, refused before it is parsed.

    Parsing takes time in proportion to the text, so the bound is what keeps
    one paste or one file from tying up a worker or a terminal.
    """

    def __init__(self):
        super().__init__(f"A report is at most {IMPORT_MAX_BYTES // 1024} kB.")


@dataclass(frozen=True)
class StoryDraft:
    """A story as read. `line` is its heading's line in the report and
    `part_lines` the first line of each part ("body", "why_it_matters",
    "more_information"): where the admin's preview says it read them."""

    headline: str
    body_html: str
    why_it_matters_html: str = ""
    more_information_html: str = ""
    source_names: list[str] = field(default_factory=list)
    line: int = field(default=0, compare=False)
    part_lines: dict = field(default_factory=dict, compare=False)


@dataclass(frozen=True)
class ReadDraft:
    outlet: str
    summary: str
    url: str = ""
    line: int = field(default=0, compare=False)


@dataclass(frozen=True)
class Unsure:
    """A line the parser read one way where the text alone does not settle it."""

    line: int
    text: str
    note: str


@dataclass(frozen=True)
class Report:
    headline: str
    dek: str
    intro: str
    channel_call: str
    stories: list[StoryDraft]
    reads: list[ReadDraft]
    appeal: str = ""
    donate_label: str = ""
    # Where each of the issue's texts was read ("headline", "dek", "intro",
    # "channel_call", "appeal", "reads"), and the lines worth a second look.
    lines: dict = field(default_factory=dict, compare=False)
    unsure: list[Unsure] = field(default_factory=list, compare=False)

    @property
    def hashtag(self) -> str:
        """The series' hashtag, as the intro opens with it ("#NowWhatVenezuela")."""
        match = HASHTAG_RE.match(self.intro)
        return match.group() if match else ""


@dataclass
class _Line:
    number: int
    text: str


@dataclass
class _Block:
    """Paragraphs and bullet lists of one part of a story, in order."""

    items: list[tuple[str, str]] = field(default_factory=list)
    first_line: int = 0

    def add(self, kind: str, text: str, line: int = 0):
        if not self.items:
            self.first_line = line
        self.items.append((kind, text))

    def text(self) -> str:
        return "\n".join(text for _, text in self.items)

    def to_html(self) -> str:
        parts, bullets = [], []
        for kind, text in self.items + [("end", "")]:
            if kind == "bullet":
                bullets.append(f"<li>{html.escape(text, quote=False)}</li>")
                continue
            if bullets:
                parts.append("<ul>" + "".join(bullets) + "</ul>")
                bullets = []
            if kind == "paragraph":
                parts.append(f"<p>{html.escape(text, quote=False)}</p>")
        return "".join(parts)


@dataclass
class _Story:
    heading: _Line
    parts: dict[str, _Block] = field(
        default_factory=lambda: {
            "body": _Block(),
            WHY_IT_MATTERS: _Block(),
            MORE_INFORMATION: _Block(),
        }
    )
    current: str = "body"
    # Short lines ending like a sentence, read into this story after one of
    # its labelled parts: each may be the heading of a story of its own.
    maybe_headings: list[_Line] = field(default_factory=list)
    # Every line read into the story after its heading, in order.
    lines: list[_Line] = field(default_factory=list)
    # Why the heading was read as one although it ends like a sentence.
    unsure_heading: str = ""

    def text(self) -> str:
        return "\n".join(block.text() for block in self.parts.values())

    def is_empty(self) -> bool:
        return not any(block.items for block in self.parts.values())


@dataclass
class _Header:
    """What comes before the first story, and where the stories start."""

    headline: _Line
    dek: str = ""
    intro: str = ""
    channel_call: str = ""
    end: int = 1
    lines: dict = field(default_factory=dict)


@dataclass
class _Sections:
    """The lines after the header, sorted into stories, reads and the appeal."""

    stories: list[_Story] = field(default_factory=list)
    read_lines: list[_Line] = field(default_factory=list)
    appeal_lines: list[_Line] = field(default_factory=list)
    reads_heading: _Line | None = None


def report_text(data: bytes | str) -> str:
    """The text of a report given as a file's bytes or a pasted text.

    Raises `ReportTooLarge` past `IMPORT_MAX_BYTES`, and `ReportParseError`
    for bytes that are not text (see `text_from_bytes`).
    """
    size = len(data) if isinstance(data, bytes) else len(data.encode())
    if size > IMPORT_MAX_BYTES:
        raise ReportTooLarge
    return text_from_bytes(data) if isinstance(data, bytes) else data


def text_from_bytes(data: bytes) -> str:
    """Decode an uploaded or read report: UTF-8, with or without a BOM.

    Anything else is refused with the line where decoding failed, rather than
    guessed at, so a wrong file (a PDF, a Word document) is reported clearly.
    """
    if b"\x00" in data:
        line = data[: data.index(b"\x00")].count(b"\n") + 1
        raise ReportParseError(
            "contains NUL bytes: this is not a plain-text file.", line
        )
    try:
        return codecs.decode(data, "utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ReportParseError(
            "is not valid UTF-8 text; save the report as UTF-8 plain text.", line
        ) from None


def parse_report(text: str, known_sources: Iterable[str] = ()) -> Report:
    """Parse one report; raise `ReportParseError` naming the line it cannot read."""
    lines = _lines(text)
    if not lines:
        raise ReportParseError("the report is empty.", 1)
    header = _read_header(lines)
    sections = _read_sections(lines[header.end :])
    _check_sections(sections, last_line=lines[-1])

    reads = [_parse_read(line) for line in sections.read_lines]
    appeal, donate_label = _parse_appeal(sections.appeal_lines)
    known = [*known_sources, *(read.outlet for read in reads)]
    found_at = {"headline": header.headline.number, **header.lines}
    if sections.reads_heading:
        found_at["reads"] = sections.reads_heading.number
    if sections.appeal_lines:
        found_at["appeal"] = sections.appeal_lines[0].number
    unsure = []
    for story in sections.stories:
        if story.unsure_heading:
            unsure.append(
                Unsure(story.heading.number, story.heading.text, story.unsure_heading)
            )
        unsure += [
            Unsure(
                line.number,
                line.text,
                f"read as part of the story “{story.heading.text}”, since it "
                f"ends with “{line.text[-1]}”; if it is a story's heading, take "
                "that off.",
            )
            for line in story.maybe_headings
        ]
    unsure.sort(key=lambda u: u.line)
    return Report(
        headline=header.headline.text,
        dek=header.dek,
        intro=header.intro,
        channel_call=header.channel_call,
        stories=[_finish_story(story, known) for story in sections.stories],
        reads=reads,
        appeal=appeal,
        donate_label=donate_label,
        lines=found_at,
        unsure=unsure,
    )


def _read_header(lines: list[_Line]) -> _Header:
    """The headline, the dek, the series intro and its call to action (rules 1–2)."""
    header = _Header(headline=lines[0])
    _check_length(header.headline, MAX_HEADLINE_LENGTH, "The headline")
    pos = 1
    if pos < len(lines) and not HASHTAG_RE.match(lines[pos].text):
        header.dek = lines[pos].text
        header.lines["dek"] = lines[pos].number
        pos += 1

    if pos < len(lines) and HASHTAG_RE.match(lines[pos].text):
        header.intro = lines[pos].text
        header.lines["intro"] = lines[pos].number
        if len(HASHTAG_RE.match(header.intro).group()) > MAX_HASHTAG_LENGTH:
            raise ReportParseError(
                f"the hashtag is longer than {MAX_HASHTAG_LENGTH} characters.",
                lines[pos].number,
            )
        pos += 1
        if pos < len(lines) and _is_plain_paragraph(lines[pos].text):
            _check_length(lines[pos], MAX_CALL_LENGTH, "The call to action")
            header.channel_call = lines[pos].text
            header.lines["channel_call"] = lines[pos].number
            pos += 1
    header.end = pos
    return header


def _read_sections(lines: list[_Line]) -> _Sections:
    """Sort each line into a story, the reads or the appeal (rules 3–6)."""
    found = _Sections()
    section = "stories"
    for line in lines:
        text = line.text
        if section == "stories" and text.lower() == RECOMMENDED_READS:
            if not found.stories:
                raise ReportParseError(
                    "“Recommended reads:” comes before any story.", line.number
                )
            section = "reads"
            found.reads_heading = line
        elif section != "appeal" and APPEAL_START_RE.search(text):
            section = "appeal"
            found.appeal_lines.append(line)
        elif section == "appeal":
            found.appeal_lines.append(line)
        elif section == "reads":
            if not text.startswith("- "):
                raise ReportParseError(
                    "expected a recommended read (“- Outlet: summary”) or the "
                    "closing appeal (“… is 100% reader-supported.”).",
                    line.number,
                )
            found.read_lines.append(line)
        elif _is_heading(text):
            found.stories.append(_Story(heading=line))
        elif not found.stories:
            raise ReportParseError(_before_first_story(text), line.number)
        else:
            story = _add_to_story(found.stories[-1], line)
            if story is not found.stories[-1]:
                found.stories.append(story)
    return found


def _check_sections(sections: _Sections, last_line: _Line):
    """Refuse a report with no story, an empty story, or reads without items."""
    if not sections.stories:
        raise ReportParseError(
            "no story found: a story starts with a short heading line that does "
            "not end with punctuation.",
            last_line.number,
        )
    for story in sections.stories:
        if story.is_empty():
            raise ReportParseError(
                f"the story “{story.heading.text}” has no text; a short line "
                "without end punctuation is read as a story heading.",
                story.heading.number,
            )
    if sections.reads_heading and not sections.read_lines:
        raise ReportParseError(
            "“Recommended reads:” has no items (“- Outlet: summary”).",
            sections.reads_heading.number,
        )


def _lines(text: str) -> list[_Line]:
    """The non-blank lines with their 1-based numbers, trimmed."""
    text = text.removeprefix("\ufeff")
    result = []
    for number, raw in enumerate(re.split(r"\r\n|\r|\n", text), start=1):
        if CONTROL_RE.search(raw):
            raise ReportParseError(
                "contains control characters: this does not look like a text file.",
                number,
            )
        stripped = " ".join(raw.split())
        if stripped:
            result.append(_Line(number, stripped))
    return result


def _check_length(line: _Line, limit: int, what: str):
    if len(line.text) > limit:
        raise ReportParseError(
            f"{what} is {len(line.text)} characters long; the limit is {limit}.",
            line.number,
        )


def _is_heading(text: str) -> bool:
    return (
        len(text) <= MAX_HEADING_LENGTH
        and not text.endswith(SENTENCE_ENDINGS)
        and not text.startswith(("- ", "#"))
        and _label(text) is None
    )


def _is_plain_paragraph(text: str) -> bool:
    return not (
        _is_heading(text)
        or text.startswith("- ")
        or _label(text)
        or text.lower() == RECOMMENDED_READS
    )


def _label(text: str) -> tuple[str, str] | None:
    """(part, text after the label) when the line opens a labelled part."""
    lowered = text.lower()
    for label, part in LABELS.items():
        if lowered.startswith(label):
            return part, text[len(label) :].strip()
    return None


def _before_first_story(text: str) -> str:
    if text.startswith("- "):
        return "a bullet item comes before the first story heading."
    if _label(text):
        return f"“{text.split(':')[0]}:” comes before the first story heading."
    return (
        "text before the first story heading: before the stories come only the "
        "headline, the dek, the intro starting with the series' #hashtag and the "
        "call to action."
    )


def _add_to_story(story: _Story, line: _Line) -> _Story:
    """Read `line` into `story`; return the story it ends up in.

    That is a new one when the line is a label the story already has and a
    single line since its earlier labelled part looks like a heading but for
    its end punctuation: the structure says that line starts a story.
    """
    text = line.text
    labelled = _label(text)
    if labelled:
        part, rest = labelled
        if not rest:
            raise ReportParseError(
                f"“{LABEL_TEXT[part]}” needs text after it on the same line.",
                line.number,
            )
        if story.parts[part].items:
            return _split_at_heading(story, part, line)
        story.current = part
        story.parts[part].add("paragraph", rest, line.number)
    elif text.startswith("- "):
        story.parts[story.current].add("bullet", text[2:].strip(), line.number)
    else:
        if story.current != "body" and _looks_like_heading(text):
            story.maybe_headings.append(line)
        story.parts[story.current].add("paragraph", text, line.number)
    story.lines.append(line)
    return story


def _split_at_heading(story: _Story, part: str, line: _Line) -> _Story:
    """Start a new story at the first heading-like line since the story's
    part labelled like `line`: a story has each label once, so one started
    there. Without such a line, refuse the label naming it."""
    first = story.parts[part].first_line
    candidates = [line for line in story.maybe_headings if line.number > first]
    if not candidates:
        raise ReportParseError(
            f"a second “{LABEL_TEXT[part]}” in the story “{story.heading.text}”; "
            "if another story starts before this line, its heading must be a "
            "short line without end punctuation.",
            line.number,
        )
    heading = candidates[0]
    at = story.lines.index(heading)
    before, after = story.lines[:at], story.lines[at + 1 :]
    earlier = _Story(heading=story.heading, unsure_heading=story.unsure_heading)
    for kept in before:
        earlier = _add_to_story(earlier, kept)
    story.__dict__.update(earlier.__dict__)
    later = _Story(
        heading=heading,
        unsure_heading=(
            f"read as a story's heading, though it ends with “{heading.text[-1]}”: "
            f"the story before it already has its “{LABEL_TEXT[part]}”, and line "
            f"{line.number} has another."
        ),
    )
    for moved in [*after, line]:
        if _add_to_story(later, moved) is not later:
            raise ReportParseError(
                f"a second “{LABEL_TEXT[part]}” in the story “{heading.text}”.",
                moved.number,
            )
    return later


def _looks_like_heading(text: str) -> bool:
    """A heading but for its end punctuation: "Situation at the embassy."."""
    return (
        len(text) <= MAX_HEADING_LENGTH
        and len(text.split()) <= 16
        and text.endswith(SENTENCE_ENDINGS)
        and not text.startswith(("- ", "#"))
        and _label(text) is None
        and text.rstrip(".?!…").count(".") == 0
    )


def _parse_read(line: _Line) -> ReadDraft:
    match = READ_RE.match(line.text)
    if not match or not match.group("outlet") or "//" in match.group("outlet"):
        raise ReportParseError(
            "a recommended read must read “- Outlet: summary”.", line.number
        )
    outlet, summary = match.group("outlet").strip(), match.group("summary")
    if len(outlet) > MAX_OUTLET_LENGTH:
        raise ReportParseError(
            f"the outlet's name is longer than {MAX_OUTLET_LENGTH} characters; "
            "a recommended read must read “- Outlet: summary”.",
            line.number,
        )
    url = ""
    url_match = TRAILING_URL_RE.search(summary)
    if url_match:
        url = url_match.group("wrapped") or url_match.group("bare")
        summary = summary[: url_match.start()].strip()
        parts = urlsplit(url)
        if not parts.netloc or len(url) > MAX_URL_LENGTH:
            raise ReportParseError(f"“{url}” is not a usable address.", line.number)
    if not summary:
        raise ReportParseError(
            f"the recommended read from {outlet} has no summary.", line.number
        )
    return ReadDraft(outlet=outlet, summary=summary, url=url, line=line.number)


def _parse_appeal(lines: list[_Line]) -> tuple[str, str]:
    if not lines:
        return "", ""
    label = ""
    last = lines[-1].text
    if (
        len(lines) > 1
        and len(last) <= MAX_DONATE_LABEL_LENGTH
        and not last.endswith(SENTENCE_ENDINGS)
    ):
        label = last
        lines = lines[:-1]
    return "\n\n".join(line.text for line in lines), label


def _finish_story(story: _Story, known_sources: Iterable[str]) -> StoryDraft:
    return StoryDraft(
        headline=story.heading.text,
        body_html=story.parts["body"].to_html(),
        why_it_matters_html=story.parts[WHY_IT_MATTERS].to_html(),
        more_information_html=story.parts[MORE_INFORMATION].to_html(),
        source_names=find_sources(story.text(), known_sources),
        line=story.heading.number,
        part_lines={
            name: block.first_line for name, block in story.parts.items() if block.items
        },
    )
