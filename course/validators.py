"""Validation of course content that admin forms, services and load_demo share."""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

ID = re.compile(r"[0-9]{1,18}")  # ASCII digits only ("²".isdigit() is True), within bigint


def parse_id(value) -> int | None:
    """A database id from a form or URL value, or None for anything else."""
    value = str(value)
    return int(value) if ID.fullmatch(value) else None


_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._ ]*$")
_MARK = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.:]*$")
EXAMPLE = gettext_lazy(
    "write parts as NAME or NAME:FROM-TO separated by commas, e.g. “Lec1, Lec2:1-2:11”"
)


@dataclass(frozen=True)
class ParsedPart:
    """One part of a video lecture to watch: a whole video ("9A") or a range ("Lec2:1-2:11")."""

    name: str
    range_start: str = ""
    range_end: str = ""

    def __str__(self):
        if self.range_start:
            return f"{self.name}:{self.range_start}-{self.range_end}"
        return self.name


def parse_lecture_parts(text: str) -> list[ParsedPart]:
    """Parse the course's own notation for the parts of a lecture to watch.

    "Lec1, Lec2:1-2:11" is part Lec1 whole and part Lec2 from section 1 to section 2:11;
    "9A, 9B, 9C, 9E, 10E" are five whole parts. An empty text means "the whole lecture".
    Raises ValidationError naming the first part that is wrong and why.
    """
    text = (text or "").strip()
    if not text:
        return []
    parts: list[ParsedPart] = []
    for index, raw in enumerate(text.split(","), start=1):
        item = raw.strip()
        if not item:
            raise ValidationError(
                _("Part %(index)s is empty: remove the extra comma (%(example)s)."),
                code="empty_part",
                params={"index": index, "example": EXAMPLE},
            )
        name, colon, span = item.partition(":")
        name = name.strip()
        if not _NAME.match(name):
            raise ValidationError(
                _(
                    "“%(item)s”: the part name may only hold letters, digits, dots, spaces and "
                    "underscores (%(example)s)."
                ),
                code="bad_name",
                params={"item": item, "example": EXAMPLE},
            )
        if not colon:
            parts.append(ParsedPart(name))
            continue
        start, dash, end = (piece.strip() for piece in span.partition("-"))
        if not span.strip():
            problem = _("“%(item)s” has a colon but no range after it (%(example)s).")
        elif not dash:
            problem = _(
                "“%(item)s” has a range without a dash between its start and end (%(example)s)."
            )
        elif not start:
            problem = _("“%(item)s” has a range without a start (%(example)s).")
        elif not end:
            problem = _("“%(item)s” has a range without an end (%(example)s).")
        elif "-" in end:
            problem = _("“%(item)s” has more than one dash in its range (%(example)s).")
        elif not (_MARK.match(start) and _MARK.match(end)):
            problem = _(
                "“%(item)s” has a range whose start or end is not made of letters, digits, "
                "dots or colons (%(example)s)."
            )
        else:
            problem = ""
        if problem:
            raise ValidationError(
                problem, code="bad_range", params={"item": item, "example": EXAMPLE}
            )
        parts.append(ParsedPart(name, start, end))
    seen = set()
    for part in parts:
        if str(part) in seen:
            raise ValidationError(
                _("“%(part)s” is listed twice."), code="duplicate_part", params={"part": str(part)}
            )
        seen.add(str(part))
    return parts


def validate_lecture_parts(text: str) -> None:
    parse_lecture_parts(text)


def validate_percentage(value) -> None:
    if value is None or not 0 <= value <= 100:
        raise ValidationError(_("Give a percentage between 0 and 100."), code="percentage")


def reminder_days(text: str) -> list[int]:
    """The days before a deadline written as "3, 1": [3, 1], largest first. Refused: anything
    but whole numbers from 1 to 60 separated by commas."""
    days = []
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        if not (part.isascii() and part.isdigit()) or not 1 <= int(part) <= 60:
            raise ValidationError(
                _(
                    "“%(part)s” is not a number of days from 1 to 60: write the days before "
                    "the deadline separated by commas, e.g. “3, 1”."
                )
                % {"part": part}
            )
        days.append(int(part))
    return sorted(set(days), reverse=True)


def validate_reminder_days(text: str) -> None:
    reminder_days(text)
