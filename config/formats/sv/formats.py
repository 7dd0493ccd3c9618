"""Dates and times in Swedish, as a Swedish university writes them ("tisdag 22 mars 2016
kl. 13.15"): the same named formats as config/formats/en_GB/formats.py. Formats not set here
(the decimal comma, the thousands separator, input formats) are Django's sv ones."""

DATE_FORMAT = "l j F Y"  # tisdag 22 mars 2016
DATETIME_FORMAT = r"l j F Y \k\l. H.i"  # tisdag 22 mars 2016 kl. 13.15
MONTH_DAY_FORMAT = "l j F"  # tisdag 22 mars
YEAR_MONTH_FORMAT = "F Y"  # mars 2016
SHORT_DATE_FORMAT = "j F Y"  # 22 mars 2016
SHORT_DATETIME_FORMAT = r"j F Y \k\l. H.i"  # 22 mars 2016 kl. 13.15
TIME_FORMAT = "H.i"  # 13.15
