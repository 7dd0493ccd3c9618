"""The grading scales and the project rubric an offering starts with (the 2016 texts).

Only data: grading_setup_defaults() in services.py writes it into an offering.
"""

from accounts.enums import Level

from ..enums import ProjectGrade

DEFAULT_SCALES = {
    Level.MSC: (
        "U, 3, 4, 5",
        [
            ("U", "Fail", False, ProjectGrade.FAIL),
            ("3", "Pass", True, ProjectGrade.THREE),
            ("4", "Pass with credit", True, ProjectGrade.FOUR),
            ("5", "Pass with distinction", True, ProjectGrade.FIVE),
        ],
    ),
    Level.PHD: (
        "U, G, VG",
        [
            ("U", "Fail", False, ProjectGrade.FAIL),
            ("G", "Pass", True, ProjectGrade.THREE),
            ("VG", "Pass with distinction", True, ProjectGrade.FOUR),
        ],
    ),
}

# The 2016 examination text: "Cover a couple of topics from course for passing grade; more
# topics for higher grades" and "projects that show a deeper understanding ... 4 or 5".
DEFAULT_RUBRIC = [
    (
        "Topics covered",
        "The course modules the project uses (listed in the proposal).",
        [
            (0, "Fewer than two topics", True),
            (1, "A couple of topics", False),
            (2, "Three topics, combined", False),
            (3, "Four or more topics, well connected", False),
        ],
    ),
    (
        "Depth of understanding",
        "Choices motivated, results analysed, limitations known.",
        [
            (0, "Insufficient: methods misunderstood", True),
            (1, "Methods applied soundly", False),
            (2, "Choices motivated and results analysed", False),
            (3, "Insight beyond the lectures", False),
        ],
    ),
    (
        "Report",
        "The 4-page report: structure, clarity, figures, references.",
        [
            (0, "Insufficient or missing", True),
            (1, "Clear enough to follow", False),
            (2, "Well written with good figures", False),
            (3, "Of workshop-paper quality", False),
        ],
    ),
    (
        "Presentation",
        "The 20-minute talk and the answers to questions.",
        [
            (0, "Insufficient", True),
            (1, "Adequate", False),
            (2, "Clear and well timed", False),
            (3, "Excellent, answers show command of the subject", False),
        ],
    ),
]
