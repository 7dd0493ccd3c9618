import pytest
from django.core.exceptions import ValidationError

from course.validators import ParsedPart, parse_lecture_parts


@pytest.mark.parametrize(
    ("notation", "expected"),
    [
        ("", []),
        ("Lec1, Lec2:1-2:11", [ParsedPart("Lec1"), ParsedPart("Lec2", "1", "2:11")]),
        (
            "9A, 9B, 9C, 9E, 10E",
            [ParsedPart(n) for n in ("9A", "9B", "9C", "9E", "10E")],
        ),
        ("  Lec3 : 1 - 4 ", [ParsedPart("Lec3", "1", "4")]),
    ],
)
def test_parse_lecture_parts_reads_the_course_notation(notation, expected):
    assert parse_lecture_parts(notation) == expected


@pytest.mark.parametrize(
    ("notation", "message"),
    [
        ("Lec2:1-", "“Lec2:1-” has a range without an end"),
        ("Lec2:-2:11", "“Lec2:-2:11” has a range without a start"),
        ("Lec2:", "“Lec2:” has a colon but no range after it"),
        ("Lec2:1", "“Lec2:1” has a range without a dash"),
        ("Lec2:1-2-3", "more than one dash"),
        ("Lec1,,Lec2", "Part 2 is empty"),
        ("Lec1,", "Part 2 is empty"),
        ("<b>", "the part name may only hold"),
        ("9A, 9A", "“9A” is listed twice"),
    ],
)
def test_parse_lecture_parts_explains_what_is_wrong(notation, message):
    with pytest.raises(ValidationError) as error:
        parse_lecture_parts(notation)
    assert message in error.value.messages[0]
    assert "Lec2:1-2:11" in error.value.messages[0] or "twice" in message


def test_parsed_part_prints_back_as_written():
    parts = parse_lecture_parts("Lec1, Lec2:1-2:11")
    assert ", ".join(str(p) for p in parts) == "Lec1, Lec2:1-2:11"
