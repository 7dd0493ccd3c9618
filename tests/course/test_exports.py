"""CSV exports: no cell a spreadsheet would run as a formula, in any export."""

import csv
import io

import pytest

from accounts.enums import EnrolmentStatus as S
from course.exports import csv_safe, csv_writer
from tests.factories import DiscussionSessionFactory, EnrolmentFactory

pytestmark = pytest.mark.django_db


def test_csv_cells_never_start_a_formula():
    assert csv_safe('=HYPERLINK("http://evil/","x")') == '\'=HYPERLINK("http://evil/","x")'
    assert csv_safe("-1+1") == "'-1+1"
    assert csv_safe("Deep Learning") == "Deep Learning"
    assert csv_safe(3) == 3


def test_the_writer_makes_every_cell_safe():
    out = io.StringIO()
    csv_writer(out).writerow(["=1+1", "@SUM(A1)", "plain", 7])
    assert next(csv.reader(io.StringIO(out.getvalue()))) == ["'=1+1", "'@SUM(A1)", "plain", "7"]


def test_the_attendance_export_neutralises_the_email_column_too(client, offering, ta):
    """An address such as =2+5@example.org is valid; it must not run in Excel."""
    EnrolmentFactory(
        offering=offering, status=S.ACCEPTED, student__email="=2+5@example.org",
        student__full_name="=Formula Name",
    )  # fmt: skip
    DiscussionSessionFactory(offering=offering)
    client.force_login(ta)
    text = client.get("/courses/deep-learning/2016/staff/attendance/?format=csv").content
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    student = next(r for r in rows[1:] if "Formula" in r[0])
    assert student[:2] == ["'=Formula Name", "'=2+5@example.org"]
