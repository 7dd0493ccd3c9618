"""The results for the university's records system, as CSV and as an Excel workbook.

One row per graded student, in the columns the records office asks for. The examination
date is the day the course responsible signed the results off; before that the file is
marked preliminary and the date is empty.
"""

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from course.exports import csv_writer

COLUMNS = ["Student name", "Email", "Level", "Course code", "Grade", "Examination date"]


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
    for values in records_rows(sheet):
        writer.writerow([v if isinstance(v, str) else (v.isoformat() if v else "") for v in values])


def write_records_xlsx(out, sheet) -> None:
    workbook = Workbook()
    ws = workbook.active
    ws.title = "Results"
    ws.append(COLUMNS)
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row, values in enumerate(records_rows(sheet), start=2):
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
