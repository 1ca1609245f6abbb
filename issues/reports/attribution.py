"""Which outlets a story cites, read from its plain text.

A plain module, no database: `issues.reports.parser` calls it for each story.
A story names its sources as the attribution of what it reports ("Runrunes
reported", "according to a report from El Pitazo"); people are quoted the
same way, so the rules below keep to names that look like organisations.
"""

import re
from bisect import bisect_left
from collections import defaultdict
from collections.abc import Iterable
from functools import cached_property
from itertools import pairwise

MAX_SOURCE_NAME_WORDS = 8
MAX_SOURCE_NAME_LENGTH = 100
REPORTING_VERBS = {
    "reported", "reports", "revealed", "reveals", "released", "releases",
    "published", "publishes", "highlighted", "highlights", "documented",
    "documents", "denounced", "denounces",
}  # fmt: skip
SPEECH_VERBS = {
    "said", "says", "stated", "states", "warned", "warns", "noted", "notes",
    "announced", "announces", "confirmed", "confirms", "explained", "explains",
}  # fmt: skip
ATTRIBUTION_RE = re.compile(
    r"(?<!\S)(?P<verb>" + "|".join(sorted(REPORTING_VERBS | SPEECH_VERBS)) + r")\b"
    r"|\baccording to (?:an? (?:\w+ )?(?:report|post|statement|article|analysis|"
    r"investigation|study) (?:from|by|in|of) )?(?P<the>the )?(?P<after>\S+)"
)
CONNECTORS = {"of", "for", "de", "del", "la", "las", "los", "y", "and", "&"}
SPANISH_ARTICLES = {"el", "la", "los", "las"}
SENTENCE_OPENERS = {
    "also", "and", "but", "however", "later", "meanwhile", "now", "then",
    "this", "today", "yesterday", "on", "in", "last", "after", "before",
}  # fmt: skip
FIRST_NAME_NOT = {"the"} | SENTENCE_OPENERS
ORGANISATION_WORDS = {
    "academy", "agency", "alliance", "association", "bank", "board", "bureau",
    "center", "centre", "chamber", "coalition", "commission", "committee",
    "council", "court", "department", "federation", "forum", "foundation",
    "front", "fund", "group", "institute", "ministry", "network", "news",
    "observatory", "office", "organization", "organisation", "party", "press",
    "program", "programme", "project", "radio", "service", "society", "tv",
    "union", "university", "watch", "centro", "foro", "fundación",
    "ministerio", "observatorio", "programa",
}  # fmt: skip
NAME_WORD_RE = re.compile(r"[^\W\d_][\w’'&.-]*")
TOKEN_RE = re.compile(r"\S+")
MENTION_START_RE = re.compile(r"(?<![\w-])(?:\w+|[^\w\s])")
NAME_KEY_RE = re.compile(r"\w+|.")
NAME_ENDS_RE = re.compile(r"(?![\w-])")
NOT_NAME_END_RE = re.compile(r"[^\w-]")
NAME_TAIL_REVERSED_RE = re.compile(r"[\w’'-]*")
FIRST_NAME_START_RE = re.compile(r"(?:^|(?<=[’']))[^\W\d_]")


def find_sources(text: str, known_sources: Iterable[str] = ()) -> list[str]:
    """Names of the sources a story's `text` cites, in order of first mention.

    Known names (from the database, or the outlets of the report's reads)
    count wherever they appear as whole words, in their known spelling; other
    names count when the text attributes something to them (see
    `attributed_sources`). A leading "The" and case-insensitive duplicates are
    folded together.
    """
    found: dict[str, tuple[int, str]] = {}

    def add(name: str, position: int):
        key = name.casefold()
        if key in found:
            position = min(position, found[key][0])
            name = found[key][1]
        found[key] = (position, name)

    names = [normalise_source_name(known) for known in known_sources]
    mentions = _first_mentions(text, names)
    for name in names:
        if name in mentions:
            add(name, mentions[name])
    for name, position in _attributions(text):
        add(name, position)
    return [name for _, name in sorted(found.values())]


def attributed_sources(text: str) -> list[str]:
    """Organisations and outlets that `text` attributes statements to.

    Two shapes are read: a capitalised name right before a reporting verb
    ("Runrunes reported", "SOS Orinoco highlights", "The Carter Center
    released") and a name after "according to" ("according to a report from
    El Pitazo", "according to the … Program Wayamoutheri on Instagram").

    People are quoted too, so a name only counts when it looks like an
    organisation: it follows "the", starts with a Spanish article ("El
    Pitazo"), holds a word such as Center, Program or Ministry, or an acronym
    ("SOS Orinoco"). A single word ("Runrunes") also counts with a reporting
    verb or after "according to", unless the text elsewhere uses it as a
    surname after a first name ("Eugenia Olavarría … Olavarría stated").
    Speech verbs ("said", "warned", "noted") always need the organisation look,
    and two capitalised words alone ("Jennie Lincoln") are taken for a person.
    """
    return [name for name, _ in _attributions(text)]


def normalise_source_name(name: str) -> str:
    """Trim spaces and punctuation, and drop a leading "The" ("Carter Center")."""
    name = " ".join(name.split()).strip(" .,;:’'\"“”()")
    if name.lower().startswith("the "):
        name = name[4:]
    return name


def _first_mentions(text: str, names: Iterable[str]) -> dict[str, int]:
    """Where each name first appears in `text` as whole words, in its spelling.

    One pass over the text, looking up the names that begin with each word
    (or sign) there, instead of one search of the whole text per name: the
    names come from the database and from the report's own reads, so a long
    list must not multiply the time a long story takes.
    """
    wanted: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for name in names:
        if name:
            wanted[NAME_KEY_RE.match(name).group()][len(name)].add(name)
    first: dict[str, int] = {}
    for start in MENTION_START_RE.finditer(text):
        by_length = wanted.get(start.group())
        if not by_length:
            continue
        position = start.start()
        for length, candidates in by_length.items():
            end = position + length
            mention = text[position:end]
            if mention in candidates and NAME_ENDS_RE.match(text, end):
                candidates.discard(mention)
                first[mention] = position
    return first


class _Words:
    """A text's words (runs of non-space), found once.

    Each attribution looks its name up among them instead of reading the
    text again, so the time a story takes grows with its length, not with
    its length times the number of verbs in it.
    """

    def __init__(self, text: str):
        self.tokens = [(m.start(), m.group()) for m in TOKEN_RE.finditer(text)]
        self.starts = [start for start, _ in self.tokens]

    def index_at(self, position: int) -> int:
        """The index of the first word that starts at `position` or later."""
        return bisect_left(self.starts, position)

    @cached_property
    def surnames(self) -> set[str]:
        """Every word that follows a capitalised first name ("Elvis Amoroso").

        A word counts as it may be cut from the text: up to a character that
        cannot continue a name ("Amoroso" in "Amoroso’s"), at most
        `MAX_SOURCE_NAME_LENGTH` long, the longest a source's name can be.
        """
        found = set()
        for (_, before), (_, word) in pairwise(self.tokens):
            first = _first_name(before)
            if not (_is_capitalised(first) and first.lower() not in FIRST_NAME_NOT):
                continue
            head = word[: MAX_SOURCE_NAME_LENGTH + 1]
            ends = [m.start() for m in NOT_NAME_END_RE.finditer(head)]
            if len(word) <= MAX_SOURCE_NAME_LENGTH:
                ends.append(len(word))
            found.update(word[:end] for end in ends if end)
        return found


def _first_name(token: str) -> str:
    """The name a word ends with when it is read as a first name, or "".

    The leftmost start of its closing run of letters, digits, apostrophes
    and hyphens that is a letter at the run's start or after an apostrophe
    ("Jean-Luc"; "O’Brien" in "(O’Brien").
    """
    length = NAME_TAIL_REVERSED_RE.match(token[::-1]).end()
    tail = token[len(token) - length :]
    start = FIRST_NAME_START_RE.search(tail)
    return tail[start.start() :] if start else ""


def _attributions(text: str) -> list[tuple[str, int]]:
    """(name, position) for each organisation the text attributes something to."""
    words = _Words(text)
    found = []
    for match in ATTRIBUTION_RE.finditer(text):
        if match.group("verb"):
            name_words, start, article = _name_before(words, match.start("verb"))
            speech = match.group("verb") in SPEECH_VERBS
        else:
            name_words, start = _name_after(words, match.start("after"))
            article, speech = bool(match.group("the")), False
        for name in _split_conjunction(name_words):
            joined = " ".join(name)
            if (
                len(name) > MAX_SOURCE_NAME_WORDS
                or len(joined) > MAX_SOURCE_NAME_LENGTH
            ):
                continue
            if _looks_like_organisation(name, article) or (
                not speech and len(name) == 1 and name[0] not in words.surnames
            ):
                found.append((joined, start))
    return found


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper()


def _name_before(words: _Words, end: int) -> tuple[list[str], int, bool]:
    """The capitalised words right before `end`, and whether "the" precedes them."""
    found: list[str] = []
    start = end
    article = False
    for index in range(words.index_at(end) - 1, -1, -1):
        position, word = words.tokens[index]
        if not NAME_WORD_RE.fullmatch(word) or (found and word.endswith(".")):
            break
        if word.lower() == "the":
            article = bool(found)
            start = position if found else start
            break
        if _is_capitalised(word) or (found and word.lower() in CONNECTORS):
            found.append(word)
            start = position
        else:
            break
    found.reverse()
    lead = 0
    while lead < len(found) and (
        found[lead].lower() in CONNECTORS - SPANISH_ARTICLES
        or found[lead].lower() in SENTENCE_OPENERS
    ):
        lead += 1
    return found[lead:], start, article


def _name_after(words: _Words, begin: int) -> tuple[list[str], int]:
    """The capitalised words starting at `begin` ("El Pitazo", "Runrunes")."""
    found: list[str] = []
    for index in range(words.index_at(begin), len(words.tokens)):
        word = words.tokens[index][1]
        bare = word.rstrip(".,;:)”’\"'")
        if not NAME_WORD_RE.fullmatch(bare):
            break
        if _is_capitalised(bare) or (found and bare.lower() in CONNECTORS):
            found.append(bare)
        else:
            break
        if bare != word:
            break
    while found and found[-1].lower() in CONNECTORS:
        found.pop()
    return found, begin


def _split_conjunction(words: list[str]) -> list[list[str]]:
    """ "Runrunes and El Pitazo" names two sources."""
    names: list[list[str]] = [[]]
    for word in words:
        if word.lower() in {"and", "y", "&"}:
            names.append([])
        else:
            names[-1].append(word)
    return [name for name in names if name]


def _looks_like_organisation(words: list[str], article: bool) -> bool:
    if article or words[0].lower() in SPANISH_ARTICLES:
        return True
    for word in words:
        bare = word.strip(".’'")
        if bare.lower() in ORGANISATION_WORDS or (len(bare) >= 2 and bare.isupper()):
            return True
    return False
