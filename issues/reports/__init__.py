"""The report pipeline: a plain-text weekly report in, an issue out.

`parser` reads the text into plain dataclasses and `attribution` finds the
sources a story cites, both without the database; `writer` gives the parser
what the site knows and writes its result in one transaction. Callers
import from here.
"""

from issues.reports.parser import (
    IMPORT_MAX_BYTES,
    Report,
    ReportParseError,
    ReportTooLarge,
    parse_report,
)
from issues.reports.writer import (
    ImportOptions,
    ImportRefused,
    SeriesUnclear,
    find_existing_issue,
    import_report,
    read_report,
    series_for,
    series_from_hashtag,
)

__all__ = [
    "IMPORT_MAX_BYTES",
    "ImportOptions",
    "ImportRefused",
    "Report",
    "ReportParseError",
    "ReportTooLarge",
    "SeriesUnclear",
    "find_existing_issue",
    "import_report",
    "parse_report",
    "read_report",
    "series_for",
    "series_from_hashtag",
]
