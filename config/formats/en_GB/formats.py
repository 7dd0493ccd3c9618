"""Dates and times in British English: the one set of formats every page, mail, feed and
the book use (named formats: `{{ value|date:"SHORT_DATE_FORMAT" }}`,
`django.utils.formats.date_format(value, "DATETIME_FORMAT")`). Times on the 24-hour clock,
in the site's time zone (Europe/Stockholm). Formats not set here are Django's en_GB ones."""

DATE_FORMAT = "l j F Y"  # Tuesday 22 March 2016
DATETIME_FORMAT = "l j F Y, H:i"  # Tuesday 22 March 2016, 13:15
MONTH_DAY_FORMAT = "l j F"  # Tuesday 22 March
YEAR_MONTH_FORMAT = "F Y"  # March 2016
SHORT_DATE_FORMAT = "j M Y"  # 22 Mar 2016
SHORT_DATETIME_FORMAT = "j M Y, H:i"  # 22 Mar 2016, 13:15
TIME_FORMAT = "H:i"  # 13:15
