"""Staff of an offering manage its sessions and see its attendance (see course/rules.py).

Attendance records are written through the register (sessions.services.register_save), which
logs every change, so the admin shows them read-only.
"""

import rules

from course.rules import taught_offering_ids, teaches

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
# assessments and the sign-off are written on the staff pages through sessions/grading.py,
# so the admin shows them read-only. Each of these models answers `offering_id`.
for model in ("gradingscale", "scalegrade", "rubric", "rubriccriterion", "rubriclevel"):
    for action in ("view", "add", "change", "delete"):
        rules.add_perm(f"discussions.{action}_{model}", teaches)
for model in ("projectassessment", "finalgrade", "gradechange", "resultsevent"):
    rules.add_perm(f"discussions.view_{model}", teaches)
