"""Which outlets a story cites, read from its plain text.

A plain module, no database: `issues.report_parser` calls it for each story.
A story names its sources as the attribution of what it reports ("Runrunes
reported", "according to a report from El Pitazo"); people are quoted the
same way, so the rules below keep to names that look like organisations.
"""

import re
from collections.abc import Iterable

MAX_SOURCE_NAME_WORDS = 8
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

    for known in known_sources:
        name = normalise_source_name(known)
        match = name and re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text)
        if match:
            add(name, match.start())
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


def _attributions(text: str) -> list[tuple[str, int]]:
    """(name, position) for each organisation the text attributes something to."""
    found = []
    for match in ATTRIBUTION_RE.finditer(text):
        if match.group("verb"):
            words, start, article = _name_before(text, match.start("verb"))
            speech = match.group("verb") in SPEECH_VERBS
        else:
            words, start = _name_after(text, match.start("after"))
            article, speech = bool(match.group("the")), False
        for name in _split_conjunction(words):
            if len(name) > MAX_SOURCE_NAME_WORDS:
                continue
            if _looks_like_organisation(name, article) or (
                not speech and len(name) == 1 and not _is_surname(name[0], text)
            ):
                found.append((" ".join(name), start))
    return found


def _is_capitalised(word: str) -> bool:
    return word[:1].isupper()


def _name_before(text: str, end: int) -> tuple[list[str], int, bool]:
    """The capitalised words right before `end`, and whether "the" precedes them."""
    words: list[str] = []
    start = end
    article = False
    for token in reversed(list(re.finditer(r"\S+", text[:end]))):
        word = token.group()
        if not NAME_WORD_RE.fullmatch(word) or (words and word.endswith(".")):
            break
        if word.lower() == "the":
            article = bool(words)
            start = token.start() if words else start
            break
        if _is_capitalised(word) or (words and word.lower() in CONNECTORS):
            words.insert(0, word)
            start = token.start()
        else:
            break
    while words and (
        words[0].lower() in CONNECTORS - SPANISH_ARTICLES
        or words[0].lower() in SENTENCE_OPENERS
    ):
        words.pop(0)
    return words, start, article


def _name_after(text: str, begin: int) -> tuple[list[str], int]:
    """The capitalised words starting at `begin` ("El Pitazo", "Runrunes")."""
    words: list[str] = []
    for token in re.finditer(r"\S+", text[begin:]):
        word = token.group()
        bare = word.rstrip(".,;:)”’\"'")
        if not NAME_WORD_RE.fullmatch(bare):
            break
        if _is_capitalised(bare) or (words and bare.lower() in CONNECTORS):
            words.append(bare)
        else:
            break
        if bare != word:
            break
    while words and words[-1].lower() in CONNECTORS:
        words.pop()
    return words, begin


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


def _is_surname(word: str, text: str) -> bool:
    """True when `word` also follows a capitalised first name: "Elvis Amoroso"."""
    pattern = rf"(?<![\w-])([^\W\d_][\w’'-]*)\s+{re.escape(word)}(?![\w-])"
    for match in re.finditer(pattern, text):
        first = match.group(1)
        if _is_capitalised(first) and first.lower() not in {"the"} | SENTENCE_OPENERS:
            return True
    return False
