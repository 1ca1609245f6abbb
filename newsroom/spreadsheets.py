"""CSV files that editors open in a spreadsheet.

Every cell written goes through `csv_safe`, so a cell that starts like a
formula (`=`, `+`, `-`, `@`, a tab or a carriage return) is shown as text and
never run (CSV injection).
"""

import csv

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """A cell a spreadsheet will show as text, never run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def write_csv(stream, header, rows):
    writer = csv.writer(stream)
    writer.writerow([csv_safe(cell) for cell in header])
    for row in rows:
        writer.writerow([csv_safe(cell) for cell in row])
