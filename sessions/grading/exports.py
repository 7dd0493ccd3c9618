"""The results for the university's records system, as CSV and as an Excel workbook.

One row per graded student, in the columns the records office asks for. The examination
date is the day the course responsible signed the results off; before that the file is
marked preliminary and the date is empty.

Up to settings.EXPORT_INLINE_MAX_STUDENTS students the file is made within the request
(well under a second); above, the task worker makes it (ResultsExport) and the grade sheet
offers it for EXPORTS_KEPT_DAYS days.

The file is not translated: its column headings, sheet names and values (the level) stay in
English whatever language the page is shown in. It is a fixed format for the records office
and the programs that read it, and the same file whether a request makes it or the task
worker (which has no language) does.
"""

import io
import logging
import uuid
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone, translation
from django_tasks import task
from openpyxl import Workbook
from openpyxl.styles import Font

from accounts.models import User
from course.exports import csv_writer
from course.models import Offering

from ..enums import ExportStatus
from ..models import ResultsExport
from .sheet import GradeSheet, grade_sheet, graded_enrolments

logger = logging.getLogger(__name__)
EXPORTS_KEPT_DAYS = 7

COLUMNS = ["Student name", "Email", "Level", "Course code", "Grade", "Examination date"]
RECORDS_LANGUAGE = "en-gb"  # the source language; see the module's docstring


def records_rows(sheet):
    signed = sheet.state.signed_off_at
    exam_date = timezone.localtime(signed).date() if signed else None
    code = sheet.offering.course.code
    for row in sheet.rows:
        student = row.enrolment.student
        yield [
            student.full_name,
            student.email,
            row.enrolment.get_level_display(),
            code,
            row.final.grade if row.graded else "",
            exam_date,
        ]


def records_filename(sheet, extension: str) -> str:
    offering = sheet.offering
    state = "" if sheet.state.locked else "-preliminary"
    return (
        f"results-{offering.course.code or offering.course.slug}-{offering.slug}{state}.{extension}"
    )


def write_records_csv(out, sheet, *, bom: bool = False) -> None:
    """`bom` starts the file with a byte-order mark, so that Excel reads Å and é as UTF-8."""
    if bom:
        out.write("\ufeff")
    writer = csv_writer(out)
    writer.writerow(COLUMNS)
    with translation.override(RECORDS_LANGUAGE):
        for values in records_rows(sheet):
            writer.writerow(
                [v if isinstance(v, str) else (v.isoformat() if v else "") for v in values]
            )


def write_records_xlsx(out, sheet) -> None:
    workbook = Workbook()
    ws = workbook.active
    ws.title = "Results"
    ws.append(COLUMNS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    with translation.override(RECORDS_LANGUAGE):
        rows = list(records_rows(sheet))
    for row, values in enumerate(rows, start=2):
        for column, value in enumerate(values, start=1):
            cell = ws.cell(row=row, column=column, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text stays text: a name "=..." is no formula
        cell.number_format = "yyyy-mm-dd"  # the last column: the examination date
    for column, width in zip("ABCDEF", [28, 32, 8, 12, 8, 16], strict=True):
        ws.column_dimensions[column].width = width
    ws.freeze_panes = "A2"
    if not sheet.state.locked:
        notes = workbook.create_sheet("Note")
        notes.append(["Preliminary: the results are not signed off yet."])
    workbook.save(out)


def export_in_background(offering: Offering) -> bool:
    """Whether an export of the offering is too large to make within a request."""
    return graded_enrolments(offering).count() > settings.EXPORT_INLINE_MAX_STUDENTS


def write_records(kind: str, sheet: GradeSheet) -> bytes:
    if kind == "csv":
        text = io.StringIO()
        write_records_csv(text, sheet, bom=True)
        return text.getvalue().encode()
    data = io.BytesIO()
    write_records_xlsx(data, sheet)
    return data.getvalue()


@transaction.atomic
def results_export_request(*, offering: Offering, kind: str, by: User) -> ResultsExport:
    """Ask the task worker for a records export. Side effects: a ResultsExport row, and its
    task queued when the transaction commits."""
    if kind not in {"csv", "xlsx"}:
        raise ValueError(kind)
    export = ResultsExport.objects.create(offering=offering, kind=kind, requested_by=by)
    transaction.on_commit(lambda: build_results_export.enqueue(export.pk))
    return export


@task()
def build_results_export(export_id: int) -> str:
    """Make a requested export and store it (the task worker runs it)."""
    with transaction.atomic():
        export = (
            ResultsExport.objects.select_for_update(skip_locked=True)
            .select_related("offering__course")
            .filter(pk=export_id, status=ExportStatus.PREPARING)
            .first()
        )
        if export is None:
            return "nothing to do"
        try:
            sheet = grade_sheet(export.offering)
            content = write_records(export.kind, sheet)
            export.filename = records_filename(sheet, export.kind)
            export.file = default_storage.save(
                f"exports/{export.offering_id}/{uuid.uuid4().hex}.{export.kind}",
                ContentFile(content),
            )
        except Exception as error:
            logger.exception("The results export %s failed", export_id)
            export.status, export.error = ExportStatus.FAILED, f"{type(error).__name__}: {error}"
        else:
            export.status, export.students = ExportStatus.READY, len(sheet.rows)
        export.finished_at = timezone.now()
        export.save()
    return export.status


def recent_exports(offering: Offering) -> list[ResultsExport]:
    since = timezone.now() - timedelta(days=EXPORTS_KEPT_DAYS)
    return list(
        ResultsExport.objects.filter(offering=offering, requested_at__gte=since).select_related(
            "requested_by"
        )[:10]
    )


def results_exports_prune(*, now=None) -> int:
    """Delete exports (and their files) older than EXPORTS_KEPT_DAYS: they hold grades and
    email addresses and are made again in a minute. Returns how many."""
    before = (now or timezone.now()) - timedelta(days=EXPORTS_KEPT_DAYS)
    old = list(ResultsExport.objects.filter(requested_at__lt=before))
    for export in old:
        if export.file:
            default_storage.delete(export.file)
    ResultsExport.objects.filter(pk__in=[e.pk for e in old]).delete()
    return len(old)
