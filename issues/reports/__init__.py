"""The report pipeline: a plain-text weekly report in, an issue out.

`parser` reads the text into plain dataclasses and `attribution` finds the
sources a story cites, both without the database; `writer` gives the parser
what the site knows and writes its result in one transaction. `exporter`
writes a report back as text, and names what a re-import would not keep;
`writer.report_of` reads an issue into a report for it. Callers import
from here.
"""

from issues.reports.exporter import export_report, round_trip_problems
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
    report_of,
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
    "export_report",
    "find_existing_issue",
    "import_report",
    "parse_report",
    "read_report",
    "report_of",
    "round_trip_problems",
    "series_for",
    "series_from_hashtag",
]
