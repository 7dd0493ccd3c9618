"""Next year's offering from this year's: everything but the people's work, dates shifted.

Copied: the offering's texts and settings, staff, modules, lectures with their parts,
quizzes with questions and choices, session series and the dated discussion sessions,
deliverables, presentation sessions, mail templates, the grading scales with their grades
and the project rubric with its criteria and levels. Not copied: students, applications,
groups, proposals, submissions, attendance, quiz attempts, announcements, assessments,
final grades and their history, and the results' sign-off.

Every date moves by the same number of whole weeks, so Tuesdays stay Tuesdays; times of
day stay the same local times, also across a change to or from summer time.

This module copies course's own content. Each app above course copies its own part (mail
templates, deliverables and presentation sessions, session series and sessions, scales and
rubric) in a step it registers in COPY_STEPS from its AppConfig.ready(): course never
imports them.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import overload

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .enums import OfferingStatus
from .models import LecturePart, Offering, Quiz, QuizChoice, VideoLecture
from .rendering import MarkdownModel

#: What a copy made, as people read it: "3 modules". The keys are those the COPY_STEPS of
#: every app count under (plan.count("modules")); a key not here is written as it is.
CREATED_TEXTS: dict[str, Callable[[int], str]] = {
    "staff": lambda n: ngettext("%(count)d staff", "%(count)d staff", n),
    "modules": lambda n: ngettext("%(count)d module", "%(count)d modules", n),
    "lectures": lambda n: ngettext("%(count)d lecture", "%(count)d lectures", n),
    "quizzes": lambda n: ngettext("%(count)d quiz", "%(count)d quizzes", n),
    "session series": lambda n: ngettext("%(count)d session series", "%(count)d session series", n),
    "discussion sessions": lambda n: ngettext(
        "%(count)d discussion session", "%(count)d discussion sessions", n
    ),
    "grading scales": lambda n: ngettext("%(count)d grading scale", "%(count)d grading scales", n),
    "rubrics": lambda n: ngettext("%(count)d rubric", "%(count)d rubrics", n),
    "rubric criteria": lambda n: ngettext(
        "%(count)d rubric criterion", "%(count)d rubric criteria", n
    ),
    "mail templates": lambda n: ngettext("%(count)d mail template", "%(count)d mail templates", n),
    "deliverables": lambda n: ngettext("%(count)d deliverable", "%(count)d deliverables", n),
    "presentation sessions": lambda n: ngettext(
        "%(count)d presentation session", "%(count)d presentation sessions", n
    ),
}


def created_text(created: dict) -> str:
    """What a copy made (CopyPlan.created), e.g. "2 staff, 6 modules, 1 quiz"."""
    return ", ".join(
        CREATED_TEXTS[what](n) % {"count": n} if what in CREATED_TEXTS else f"{n} {what}"
        for what, n in created.items()
    )


@dataclass
class CopyPlan:
    offering: Offering
    shift: timedelta
    created: dict = field(default_factory=dict)  # what -> how many
    dates: list = field(default_factory=list)  # (what, old, new) for the dry run
    modules: dict = field(default_factory=dict)  # old module id -> its copy
    warnings: list = field(default_factory=list)  # sentences for staff: dates in the texts

    def count(self, what: str, number: int = 1) -> None:
        self.created[what] = self.created.get(what, 0) + number

    def moved(self, moment: datetime | None) -> datetime | None:
        """A date and time of the source offering, moved to the new one."""
        return shift_datetime(moment, self.shift)


#: function(source, plan) copying one app's part of an offering into plan.offering; they run
#: in the order the apps are installed, after course's own content.
COPY_STEPS: list[Callable[[Offering, CopyPlan], None]] = []


@overload
def shift_datetime(moment: datetime, shift: timedelta) -> datetime: ...


@overload
def shift_datetime(moment: None, shift: timedelta) -> None: ...


def shift_datetime(moment: datetime | None, shift: timedelta) -> datetime | None:
    """The same local time of day, `shift` days later (summer time handled)."""
    if moment is None:
        return None
    local = timezone.localtime(moment)
    return timezone.make_aware(datetime.combine(local.date() + shift, local.time()))


def week_shift(source: Offering, start: date) -> timedelta:
    if start.weekday() != source.start_date.weekday():
        before = start - timedelta(days=(start.weekday() - source.start_date.weekday()) % 7)
        # The dates as the form and the command take them (YYYY-MM-DD), to copy from here.
        raise ValidationError(
            _(
                "%(date)s is a %(weekday)s, but %(offering)s started on a %(start_weekday)s: "
                "give a %(start_weekday)s so that every weekday stays the same, e.g. "
                "%(before)s or %(after)s."
            )
            % {
                "date": start.isoformat(),
                "weekday": formats.date_format(start, "l"),
                "offering": source,
                "start_weekday": formats.date_format(source.start_date, "l"),
                "before": before.isoformat(),
                "after": (before + timedelta(days=7)).isoformat(),
            }
        )
    return start - source.start_date


@transaction.atomic
def offering_copy(*, source: Offering, slug: str, start: date, dry_run: bool = False) -> CopyPlan:
    """Create the next offering of the course from `source`, starting on `start`.

    Refused (nothing written) when the slug is taken in the course or `start` falls on
    another weekday than the source's start. With dry_run, everything is created inside a
    transaction that is rolled back, and the plan says what would have been made.
    """
    if Offering.objects.filter(course=source.course_id, slug=slug).exists():
        raise ValidationError(
            _("%(course)s already has an offering “%(slug)s”.")
            % {"course": source.course, "slug": slug}
        )
    shift = week_shift(source, start)
    days = lambda moment: shift_datetime(moment, shift)  # noqa: E731 - local shorthand
    new = Offering.objects.get(pk=source.pk)
    new.pk = None
    new.slug = slug
    new.name = str(start.year) if slug == str(start.year) else slug
    new.start_date, new.end_date = source.start_date + shift, source.end_date + shift
    new.status = OfferingStatus.PLANNED
    new.is_published = False
    new.notice = ""
    new.publish_book = False
    for name in ("registration_opens", "registration_closes", "preferences_deadline",
                 "abstracts_deadline"):  # fmt: skip
        setattr(new, name, days(getattr(source, name)))
    new.save()
    plan = CopyPlan(offering=new, shift=shift)
    plan.dates.append(("offering", source.start_date, new.start_date))

    for staff in source.staff.all():
        staff.pk, staff.offering = None, new
        staff.save()
        plan.count("staff")
    modules = plan.modules
    for module in source.modules.order_by("order", "pk"):
        old_pk = module.pk
        module.pk, module.offering = None, new
        module.save()
        modules[old_pk] = module
        plan.count("modules")
    for lecture in VideoLecture.objects.filter(module__offering=source).prefetch_related("parts"):
        parts = list(lecture.parts.all())
        old_module = lecture.module_id
        lecture.pk, lecture.module = None, modules[old_module]
        lecture.save()
        LecturePart.objects.bulk_create(
            LecturePart(lecture=lecture, order=p.order, name=p.name, range_start=p.range_start,
                        range_end=p.range_end)
            for p in parts
        )  # fmt: skip
        plan.count("lectures")
    for quiz in Quiz.objects.filter(module__offering=source).prefetch_related("questions__choices"):
        questions = list(quiz.questions.all())
        plan.dates.append((f"quiz “{quiz.title}” closes", quiz.closes_at, days(quiz.closes_at)))
        quiz.pk, quiz.module = None, modules[quiz.module_id]
        quiz.opens_at, quiz.closes_at = days(quiz.opens_at), days(quiz.closes_at)
        quiz.save()
        for question in questions:
            choices = list(question.choices.all())
            question.pk, question.quiz = None, quiz
            question.save()
            QuizChoice.objects.bulk_create(
                QuizChoice(question=question, order=c.order, text=c.text, is_correct=c.is_correct)
                for c in choices
            )
        plan.count("quizzes")
    for step in COPY_STEPS:
        step(source, plan)
    plan.warnings = hand_written_date_warnings(new)
    if dry_run:
        transaction.set_rollback(True)
    return plan


# Dates written by hand in the texts: a copied text keeps them, so next year's page would say
# "Tuesday, May 31st" of last year. The copy finds them and warns; placeholders
# ({deliverable:report}, {presentations}, {start}...) are what keeps a text current.
MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan", "januari"), ("february", "feb", "februari"),
            ("march", "mar", "mars"), ("april", "apr"), ("may", "maj"), ("june", "jun", "juni"),
            ("july", "jul", "juli"), ("august", "aug", "augusti"),
            ("september", "sep", "sept"), ("october", "oct", "oktober", "okt"),
            ("november", "nov"), ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}  # fmt: skip
WEEKDAYS = {
    name: number
    for number, names in enumerate(
        [
            ("monday", "mon", "måndag"), ("tuesday", "tue", "tisdag"),
            ("wednesday", "wed", "onsdag"), ("thursday", "thu", "torsdag"),
            ("friday", "fri", "fredag"), ("saturday", "sat", "lördag"),
            ("sunday", "sun", "söndag"),
        ]
    )
    for name in names
}  # fmt: skip
_MONTH = "(?P<month>" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = "(?:(?P<weekday>" + "|".join(sorted(WEEKDAYS, key=len, reverse=True)) + r")\.?,?\s+)?"
_DAY = r"(?P<day>\d{1,2})(?:st|nd|rd|th|:e|:a)?"
_YEAR = r"(?:,?\s+(?P<year>\d{4}))?"
DATE_PATTERNS = [
    re.compile(r"\b" + _WEEKDAY + _MONTH + r"\s+" + _DAY + r"\b" + _YEAR, re.IGNORECASE),
    re.compile(r"\b" + _WEEKDAY + _DAY + r"\.?\s+" + _MONTH + r"\b" + _YEAR, re.IGNORECASE),
    re.compile(r"\b(?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})\b"),
]


def hand_written_dates(text: str) -> list[tuple[str, int | None, int, int, int | None]]:
    """The dates written in a text: (as written, year or None, month, day, weekday or None)."""
    found: dict[int, tuple[str, int | None, int, int, int | None]] = {}
    for pattern in DATE_PATTERNS:
        for match in pattern.finditer(text or ""):
            if any(start <= match.start() < start + len(f[0]) for start, f in found.items()):
                continue
            parts = match.groupdict()
            month = parts["month"]
            month_number = int(month) if month.isdigit() else MONTHS[month.lower()]
            weekday = parts.get("weekday")
            found[match.start()] = (
                match.group(0),
                int(parts["year"]) if parts.get("year") else None,
                month_number,
                int(parts["day"]),
                WEEKDAYS[weekday.lower()] if weekday else None,
            )
    return [found[start] for start in sorted(found)]


def _texts_of(offering: Offering):
    """(where, text) for every text staff write for the offering: its own, and those of the
    rows that belong to it (modules, deliverables...; found through the relations, so
    course names no app above it)."""
    for name in offering.markdown_fields:
        yield getattr(offering._meta.get_field(name), "verbose_name", name), getattr(offering, name)
    for relation in Offering._meta.related_objects:
        model = relation.related_model
        if not (isinstance(model, type) and issubclass(model, MarkdownModel)):
            continue
        if not model.has_placeholders or relation.many_to_many or relation.one_to_one:
            continue
        for row in model._default_manager.filter(**{relation.field.name: offering}):
            for name in model.markdown_fields:
                yield f"{model._meta.verbose_name} “{row}”", getattr(row, name)


def hand_written_date_warnings(offering: Offering) -> list[str]:
    """Sentences for staff: each date written by hand in the offering's texts that falls
    outside the offering, or on another weekday than the one written."""
    warnings = []
    start, end = offering.start_date, offering.end_date
    for where, text in _texts_of(offering):
        for written, year, month, day, weekday in hand_written_dates(text):
            if year is None:
                year = start.year if month >= start.month or start.year == end.year else end.year
            try:
                day_meant = date(year, month, day)
            except ValueError:
                continue
            values = {
                "where": where,
                "written": written,
                "date": formats.date_format(day_meant, "DATE_FORMAT"),
                "start": formats.date_format(start, "DATE_FORMAT"),
                "end": formats.date_format(end, "DATE_FORMAT"),
            }
            if not start <= day_meant <= end:
                warnings.append(
                    _(
                        "%(where)s: “%(written)s” is a date written by hand and %(date)s falls "
                        "outside the offering (%(start)s to %(end)s). A placeholder such as "
                        "{deliverable:…}, {presentations}, {start} or {end} keeps it current."
                    )
                    % values
                )
            elif weekday is not None and weekday != day_meant.weekday():
                warnings.append(
                    _(
                        "%(where)s: “%(written)s” is a date written by hand, and in the "
                        "offering's year that day is %(date)s. A placeholder such as "
                        "{deliverable:…} or {presentations} keeps it current."
                    )
                    % values
                )
    return warnings
