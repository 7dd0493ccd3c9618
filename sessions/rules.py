"""Who may do what with sessions, attendance and grading (see course/rules.py for `teaches`).

The staff pages declare the rule they need (`permission_required`, asked with the offering);
the grading services ask the same rules. Superusers have every permission.

Attendance records are written through the register (sessions.services.register_save), which
logs every change, so the admin shows them read-only.
"""

import rules

from course.rules import is_responsible, taught_offering_ids, teaches

for model in ("sessionseries", "discussionsession"):
    for action in ("view", "add", "change", "delete"):
        rules.add_perm(f"discussions.{action}_{model}", teaches)


@rules.predicate
def teaches_attendance(user, record=None) -> bool:
    ids = taught_offering_ids(user)
    if record is None:
        return bool(ids)
    return record.session.offering_id in ids


rules.add_perm("discussions.view_attendance", teaches_attendance)
rules.add_perm("discussions.view_attendancechange", teaches)

# Grading. Scales and the rubric are edited in the admin by the offering's staff; grades,
# assessments and the sign-off are written on the staff pages through sessions/grading/,
# so the admin shows them read-only. Each of these models answers `offering_id`.
for model in ("gradingscale", "scalegrade", "rubric", "rubriccriterion", "rubriclevel"):
    for action in ("view", "add", "change", "delete"):
        rules.add_perm(f"discussions.{action}_{model}", teaches)
for model in ("projectassessment", "finalgrade", "gradechange", "resultsevent"):
    rules.add_perm(f"discussions.view_{model}", teaches)

# The staff pages and the writes behind them, each asked with the offering.
rules.add_perm("discussions.take_register", teaches)  # the register and the check-in code
rules.add_perm("discussions.view_attendance_grid", teaches)
rules.add_perm("discussions.view_progress_overview", teaches)
rules.add_perm("discussions.view_grade_sheet", teaches)  # sheet, exports, a student's grades
rules.add_perm("discussions.set_up_grading", teaches)  # the default scales and rubric
rules.add_perm("discussions.assess_project", teaches)
rules.add_perm("discussions.set_grade", teaches)  # one grade, or accept the proposals
rules.add_perm("discussions.sign_off_results", is_responsible)  # and unlock them
