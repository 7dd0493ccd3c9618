"""CSV for staff: values a spreadsheet would run as formulas are made plain text."""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_safe(value):
    """A student's “=HYPERLINK(...)” title must stay text when staff open the file in Excel."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value
