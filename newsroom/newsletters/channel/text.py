"""An issue as channel text: Telegram messages within its limits, WhatsApp text.

Plain Python, no ORM: `posts.channel_issue()` reads the issue into a
`ChannelIssue`, and everything here works on that, so it is tested without a
database.

Telegram takes a small HTML subset (`TELEGRAM_TAGS`) and counts a message's
length after its tags are parsed, in UTF-16 code units, as its clients do: at
most 4,096 for a text message, 1,024 for a photo's caption. The issue is cut
into units (a heading, a paragraph, a list item…), packed into as few
messages as fit, and a unit longer than a whole message is cut at a word.
A story's heading stays with its first paragraph.

The channel call is left out: whoever reads a channel post is in the
channel already. Every post links to the issue page (its headline, and a
last line), and the appeal ends with the donate link.
"""

import html
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from newsroom.richtext import Block, Run, blocks

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
TELEGRAM_TAGS = frozenset(
    {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "a", "code", "pre"}
    | {"blockquote", "tg-spoiler", "span"}
)
LINK_SCHEMES = {"http", "https", "tg"}
LABELS = {"why_it_matters": "Why it matters:", "more_information": "More information:"}


@dataclass(frozen=True)
class ChannelStory:
    headline: str
    url: str
    #: (part name: "body", "why_it_matters" or "more_information", cleaned HTML)
    parts: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class ChannelRead:
    outlet: str
    summary: str
    url: str = ""


@dataclass(frozen=True)
class ChannelIssue:
    """What a channel post says, read from an issue by `posts.channel_issue()`."""

    headline: str
    url: str
    site_name: str
    dek: str = ""
    intro: str = ""
    stories: tuple[ChannelStory, ...] = ()
    reads: tuple[ChannelRead, ...] = ()
    appeal: str = ""
    donate_url: str = ""
    donate_label: str = "Donate"


@dataclass(frozen=True)
class TelegramMessage:
    """One message of a post: its Telegram HTML, and whether it is a photo's caption."""

    html: str
    photo: bool = False

    @property
    def length(self) -> int:
        return telegram_length(self.html)


def utf16_length(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def telegram_length(markup: str) -> int:
    """A message's length as Telegram counts it: its text once tags are parsed."""
    return utf16_length(html.unescape(re.sub(r"<[^>]*>", "", markup)))


# Telegram.


@dataclass
class _Unit:
    """A piece of a message that is never cut unless it alone is too long."""

    runs: tuple[Run, ...]
    quote: bool = False
    tight: bool = False  # follows the previous unit on the next line (list items)

    @property
    def length(self) -> int:
        return sum(utf16_length(run.text) for run in self.runs)

    def to_html(self) -> str:
        inner = "".join(_run_html(run) for run in self.runs)
        return f"<blockquote>{inner}</blockquote>" if self.quote else inner


@dataclass
class _Group:
    """Units that go in one message if they can: a heading and what follows it."""

    units: list[_Unit] = field(default_factory=list)


def telegram_messages(
    issue: ChannelIssue, photo: bool = False
) -> list[TelegramMessage]:
    """The issue as Telegram messages, in order, each within Telegram's limit.

    With `photo`, the first message is the caption of the lead image: the
    headline, and the dek if it fits in the caption's 1,024 characters.
    """
    groups = _telegram_groups(issue)
    messages = []
    if photo:
        head = groups.pop(0)
        caption_units = head.units
        if sum(u.length for u in head.units) + 2 > CAPTION_LIMIT:
            caption_units = head.units[:1]
            groups.insert(0, _Group(head.units[1:]))
        messages.append(
            TelegramMessage(
                _join(_pack([_Group(caption_units)], CAPTION_LIMIT)[0]), True
            )
        )
    messages += [TelegramMessage(_join(units)) for units in _pack(groups, TEXT_LIMIT)]
    return messages


def _telegram_groups(issue: ChannelIssue) -> list[_Group]:
    groups = [_Group([_Unit((Run(issue.headline, bold=True, href=issue.url),))])]
    if issue.dek:
        groups[0].units.append(_Unit((Run(issue.dek, italic=True),)))
    groups += [_Group([_Unit((Run(p),))]) for p in _paragraphs(issue.intro)]
    for story in issue.stories:
        units = [_Unit((Run(story.headline, bold=True, href=story.url),))]
        for part, markup in story.parts:
            previous = None
            for n, block in enumerate(blocks(markup)):
                unit = _block_unit(block)
                if n == 0 and part in LABELS:
                    unit.runs = (Run(LABELS[part], bold=True), Run(" "), *unit.runs)
                # A list follows its lead-in line, and its items each other.
                unit.tight = unit.tight and previous in {None, "paragraph", block.kind}
                units.append(unit)
                previous = block.kind
        groups += _heading_groups(units)
    if issue.reads:
        units = [_Unit((Run("Recommended reads", bold=True),))]
        for read in issue.reads:
            runs = (
                Run("• "),
                Run(read.outlet, bold=True),
                Run(": "),
                Run(read.summary, href=_link(read.url)),
            )
            units.append(_Unit(runs, tight=True))
        groups += _heading_groups(units)
    for paragraph in _paragraphs(issue.appeal):
        groups.append(_Group([_Unit((Run(paragraph),))]))
    if issue.appeal and issue.donate_url:
        groups.append(
            _Group(
                [_Unit((Run(issue.donate_label, bold=True, href=issue.donate_url),))]
            )
        )
    groups.append(
        _Group([_Unit((Run(f"Read this issue on {issue.site_name}", href=issue.url),))])
    )
    return [group for group in groups if group.units]


def _heading_groups(units: list[_Unit]) -> list[_Group]:
    """A heading kept with the unit after it; each later unit on its own."""
    return [_Group(units[:2])] + [_Group([unit]) for unit in units[2:]]


def _block_unit(block: Block) -> _Unit:
    runs = tuple(
        Run(run.text, run.bold or block.kind == "heading", run.italic, _link(run.href))
        for run in block.runs
    )
    if block.kind == "bullet":
        return _Unit((Run("• "), *runs), tight=True)
    if block.kind == "numbered":
        return _Unit((Run(f"{block.number}. "), *runs), tight=True)
    return _Unit(runs, quote=block.kind == "quote")


def _link(url: str) -> str:
    """`url` if Telegram accepts it as a link, else "" (the text stays, unlinked)."""
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return ""
    return url if scheme in LINK_SCHEMES else ""


def _pack(groups: list[_Group], limit: int) -> list[list[_Unit]]:
    """Units into messages of at most `limit`, a group together where it fits."""
    messages: list[list[_Unit]] = []
    current: list[_Unit] = []
    size = 0

    def add(unit):
        nonlocal current, size
        needed = unit.length + (_gap(unit) if current else 0)
        if current and size + needed > limit:
            messages.append(current)
            current, size = [], 0
            needed = unit.length
        current.append(unit)
        size += needed

    for group in groups:
        units = [piece for unit in group.units for piece in _cut(unit, limit)]
        total = sum(u.length for u in units) + sum(_gap(u) for u in units[1:])
        if current and total <= limit and size + _gap(units[0]) + total > limit:
            messages.append(current)
            current, size = [], 0
        for unit in units:
            add(unit)
    if current:
        messages.append(current)
    return messages


def _gap(unit: _Unit) -> int:
    return 1 if unit.tight else 2


def _join(units: list[_Unit]) -> str:
    out = []
    for n, unit in enumerate(units):
        if n:
            out.append("\n" if unit.tight else "\n\n")
        out.append(unit.to_html())
    return "".join(out)


def _cut(unit: _Unit, limit: int) -> list[_Unit]:
    """`unit` in pieces of at most `limit`, cut after a sentence or a word."""
    pieces = []
    runs = list(unit.runs)
    while sum(utf16_length(r.text) for r in runs) > limit:
        head, runs = _split_runs(runs, limit)
        pieces.append(
            _Unit(tuple(head), unit.quote, unit.tight if not pieces else False)
        )
    pieces.append(_Unit(tuple(runs), unit.quote, unit.tight if not pieces else False))
    return pieces


def _split_runs(runs: list[Run], limit: int) -> tuple[list[Run], list[Run]]:
    text = "".join(run.text for run in runs)
    cut = _cut_point(text, limit)
    head, tail, pos = [], [], 0
    for run in runs:
        start, end = pos, pos + len(run.text)
        pos = end
        if end <= cut:
            head.append(run)
        elif start >= cut:
            tail.append(run)
        else:
            head.append(Run(run.text[: cut - start], run.bold, run.italic, run.href))
            tail.append(Run(run.text[cut - start :], run.bold, run.italic, run.href))
    head[-1] = Run(
        head[-1].text.rstrip(), head[-1].bold, head[-1].italic, head[-1].href
    )
    tail[0] = Run(tail[0].text.lstrip(), tail[0].bold, tail[0].italic, tail[0].href)
    return [r for r in head if r.text], [r for r in tail if r.text]


def _cut_point(text: str, limit: int) -> int:
    """Where to cut `text` so the head is at most `limit` UTF-16 units and ends well."""
    end = units = 0
    for char in text:
        units += 2 if ord(char) > 0xFFFF else 1
        if units > limit:
            break
        end += 1
    window = text[:end]
    for pattern in (r"[.!?…][\"”’)]?\s", r"\s"):
        matches = list(re.finditer(pattern, window))
        if matches and matches[-1].end() > end // 2:
            return matches[-1].end()
    return end


def _run_html(run: Run) -> str:
    markup = html.escape(run.text, quote=False)
    if run.href:
        markup = f'<a href="{html.escape(run.href, quote=True)}">{markup}</a>'
    if run.italic:
        markup = f"<i>{markup}</i>"
    if run.bold:
        markup = f"<b>{markup}</b>"
    return markup


def _paragraphs(text: str) -> list[str]:
    return [" ".join(p.split()) for p in re.split(r"\n\s*\n", text or "") if p.strip()]


# WhatsApp.


def whatsapp_text(issue: ChannelIssue) -> str:
    """The issue as one text to paste into a WhatsApp channel.

    WhatsApp has no API for channels, so an editor pastes this. Its markup
    is WhatsApp's own: *bold*, _italic_, "> " quotes; links are written out.
    """
    out = [f"*{issue.headline}*"]
    if issue.dek:
        out.append(f"_{issue.dek}_")
    out.append(issue.url)
    sections = ["\n".join(out)]
    sections += _paragraphs(issue.intro)
    for story in issue.stories:
        out = [f"*{story.headline}*"]
        for part, markup in story.parts:
            previous = None
            for n, block in enumerate(blocks(markup)):
                text = _whatsapp_block(block)
                if n == 0 and part in LABELS:
                    text = f"*{LABELS[part]}* {text}"
                tight = block.kind in {"bullet", "numbered"} and previous in {
                    None,
                    "paragraph",
                    block.kind,
                }
                out.append(("\n" if tight and n else "\n\n") + text)
                previous = block.kind
        sections.append("".join(out))
    if issue.reads:
        lines = ["*Recommended reads*"]
        for read in issue.reads:
            line = f"• *{read.outlet}*: {read.summary}"
            lines.append(f"{line} {read.url}" if read.url else line)
        sections.append("\n".join(lines))
    sections += _paragraphs(issue.appeal)
    if issue.appeal and issue.donate_url:
        sections.append(f"{issue.donate_label}: {issue.donate_url}")
    sections.append(f"Read this issue on {issue.site_name}: {issue.url}")
    return "\n\n".join(sections) + "\n"


def _whatsapp_block(block: Block) -> str:
    text = "".join(_whatsapp_run(run) for run in block.runs)
    if block.kind == "heading":
        return f"*{block.text}*"
    if block.kind == "bullet":
        return f"• {text}"
    if block.kind == "numbered":
        return f"{block.number}. {text}"
    if block.kind == "quote":
        return "\n".join(f"> {line}" for line in text.split("\n"))
    return text


def _whatsapp_run(run: Run) -> str:
    core = run.text.strip()
    if not core:
        return run.text
    lead = run.text[: len(run.text) - len(run.text.lstrip())]
    trail = run.text[len(run.text.rstrip()) :]
    if run.italic:
        core = f"_{core}_"
    if run.bold:
        core = f"*{core}*"
    if run.href and run.href != run.text.strip():
        core = f"{core} ({run.href})"
    return f"{lead}{core}{trail}"
