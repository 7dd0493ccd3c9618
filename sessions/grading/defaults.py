"""The grading scales and the project rubric an offering starts with (the 2016 texts).

Only data: grading_setup_defaults() in services.py writes it into an offering. The texts
people read (grade labels, criteria, levels) are lazy translations: they are written in the
language of whoever creates the defaults, and are the offering's own texts from then on
(edited in the administration). Grade codes and scale names are the records system's and
stay as they are.
"""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.enums import Level

from ..enums import ProjectGrade

# The same English label is a different Swedish one on each scale ("Pass with distinction"
# is "Med beröm godkänd" for a 5, "Väl godkänd" for a VG): a context per scale, written out
# (makemessages reads only literal contexts).
DEFAULT_SCALES = {
    Level.MSC: (
        "U, 3, 4, 5",
        [
            ("U", pgettext_lazy("grade on the U-5 scale", "Fail"), False, ProjectGrade.FAIL),
            ("3", pgettext_lazy("grade on the U-5 scale", "Pass"), True, ProjectGrade.THREE),
            (
                "4",
                pgettext_lazy("grade on the U-5 scale", "Pass with credit"),
                True,
                ProjectGrade.FOUR,
            ),
            (
                "5",
                pgettext_lazy("grade on the U-5 scale", "Pass with distinction"),
                True,
                ProjectGrade.FIVE,
            ),
        ],
    ),
    Level.PHD: (
        "U, G, VG",
        [
            ("U", pgettext_lazy("grade on the U-VG scale", "Fail"), False, ProjectGrade.FAIL),
            ("G", pgettext_lazy("grade on the U-VG scale", "Pass"), True, ProjectGrade.THREE),
            (
                "VG",
                pgettext_lazy("grade on the U-VG scale", "Pass with distinction"),
                True,
                ProjectGrade.FOUR,
            ),
        ],
    ),
}

# The 2016 examination text: "Cover a couple of topics from course for passing grade; more
# topics for higher grades" and "projects that show a deeper understanding ... 4 or 5".
DEFAULT_RUBRIC = [
    (
        _("Topics covered"),
        _("The course modules the project uses (listed in the proposal)."),
        [
            (0, _("Fewer than two topics"), True),
            (1, _("A couple of topics"), False),
            (2, _("Three topics, combined"), False),
            (3, _("Four or more topics, well connected"), False),
        ],
    ),
    (
        _("Depth of understanding"),
        _("Choices motivated, results analysed, limitations known."),
        [
            (0, _("Insufficient: methods misunderstood"), True),
            (1, _("Methods applied soundly"), False),
            (2, _("Choices motivated and results analysed"), False),
            (3, _("Insight beyond the lectures"), False),
        ],
    ),
    (
        _("Report"),
        _("The 4-page report: structure, clarity, figures, references."),
        [
            (0, _("Insufficient or missing"), True),
            (1, _("Clear enough to follow"), False),
            (2, _("Well written with good figures"), False),
            (3, _("Of workshop-paper quality"), False),
        ],
    ),
    (
        _("Presentation"),
        _("The 20-minute talk and the answers to questions."),
        [
            (0, _("Insufficient"), True),
            (1, _("Adequate"), False),
            (2, _("Clear and well timed"), False),
            (3, _("Excellent, answers show command of the subject"), False),
        ],
    ),
]
