"""CSV for staff: one writer for every export, whose cells a spreadsheet never runs.

A student's “=HYPERLINK(...)” title, or an address such as “=2+5@example.org”, must stay
text when staff open the file in Excel or LibreOffice: every cell that starts like a formula
gets a leading apostrophe.
"""

import csv

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """The value, made plain text when a spreadsheet would take it for a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


class SafeWriter:
    """csv.writer whose writerow() makes every cell safe (see csv_safe)."""

    def __init__(self, stream, **options):
        self._writer = csv.writer(stream, **options)

    def writerow(self, row):
        return self._writer.writerow([csv_safe(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)


def csv_writer(stream, **options) -> SafeWriter:
    """The CSV writer every export uses."""
    return SafeWriter(stream, **options)
