"""Subscriber lists as CSV: the export's rows and the import's addresses.

No ORM here. Every cell written goes through `csv_safe`, so a spreadsheet
shows an address like `=HYPERLINK(...)@example.org` as text and never runs it.
"""

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError

from newsroom.newsletters.addresses import clean_address
from newsroom.spreadsheets import csv_safe

EXPORT_HEADER = [
    "email",
    "series",
    "state",
    "signed_up_at",
    "confirmed_at",
    "unsubscribed_at",
    "bounced_at",
    "complained_at",
    "signed_up_on",
    "agreed_before_import",
]
#: Column titles an import takes as the address column.
ADDRESS_COLUMNS = {"email", "e-mail", "email address", "address", "email_address"}
MAX_IMPORT_BYTES = 5 * 1024 * 1024


class Echo:
    """A file-like object that hands back what is written, for streaming."""

    def write(self, value):
        return value


def export_rows(subscribers):
    """CSV lines (header first) for `subscribers`, formula-safe, one at a time."""
    writer = csv.writer(Echo())
    yield writer.writerow(EXPORT_HEADER)
    for row in subscribers:
        yield writer.writerow(
            [
                csv_safe(value)
                for value in (
                    row.email,
                    row.series.name,
                    row.state,
                    _time(row.signed_up_at),
                    _time(row.confirmed_at),
                    _time(row.unsubscribed_at),
                    _time(row.bounced_at),
                    _time(row.complained_at),
                    row.source,
                    "yes" if row.consent_by_import else "no",
                )
            ]
        )


def _time(value):
    return value.isoformat(timespec="seconds") if value else ""


@dataclass
class ParsedAddresses:
    addresses: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    repeated: int = 0


def parse_addresses(data):
    """The addresses in a CSV file (bytes), each once, ignoring case.

    The address column is the one titled "email" (or "address"); without
    such a header, the first column of every row. Each bad address is
    reported with its line, and the caller imports nothing unless `errors`
    is empty.
    """
    result = ParsedAddresses()
    if len(data) > MAX_IMPORT_BYTES:
        result.errors.append("The file is larger than 5 MB: split it into parts.")
        return result
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        result.errors.append("The file is not UTF-8 text.")
        return result
    reader = csv.reader(io.StringIO(text, newline=""))
    seen = set()
    column = 0
    try:
        for cells in reader:
            line = reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            if line == 1:
                titles = [cell.strip().lower() for cell in cells]
                found = [
                    n for n, title in enumerate(titles) if title in ADDRESS_COLUMNS
                ]
                if found:
                    column = found[0]
                    continue
            value = cells[column] if column < len(cells) else ""
            try:
                address = clean_address(value)
            except ValidationError as error:
                result.errors.append(
                    f"line {line}: {value[:80]!r}: {error.messages[0]}"
                )
                continue
            if address.lower() in seen:
                result.repeated += 1
                continue
            seen.add(address.lower())
            result.addresses.append(address)
    except csv.Error as error:
        result.errors.append(f"line {reader.line_num}: {error}")
    if not result.addresses and not result.errors:
        result.errors.append("The file holds no address.")
    return result
