"""Staff of an offering manage its groups, proposals, deliverables and submissions.

Submissions are never deleted from the admin (grades rest on them), only given feedback.
"""

import rules

from course.rules import taught_offering_ids, teaches

from .models import ProjectGroup


@rules.predicate
def teaches_group_of(user, obj=None) -> bool:
    """For a group's records (and for the group itself, when the admin asks about inlines)."""
    ids = taught_offering_ids(user)
    if obj is None:
        return bool(ids)
    group = obj if isinstance(obj, ProjectGroup) else getattr(obj, "group", None)
    return group is not None and group.offering_id in ids


for model in ("projectgroup", "deliverable"):
    for action in ("view", "add", "change", "delete"):
        rules.add_perm(f"projects.{action}_{model}", teaches)
for model in ("membership", "extension"):
    for action in ("view", "add", "change", "delete"):
        rules.add_perm(f"projects.{action}_{model}", teaches_group_of)
for action in ("view", "change"):
    rules.add_perm(f"projects.{action}_proposal", teaches_group_of)
    rules.add_perm(f"projects.{action}_submission", teaches_group_of)
rules.add_perm("projects.view_proposalevent", teaches)
for action in ("view", "add", "change", "delete"):
    rules.add_perm(f"projects.{action}_presentationsession", teaches)


@rules.predicate
def teaches_slot(user, slot=None) -> bool:
    ids = taught_offering_ids(user)
    if slot is None:
        return bool(ids)
    return slot.session.offering_id in ids


for action in ("view", "change"):
    rules.add_perm(f"projects.{action}_presentationslot", teaches_slot)


# The staff pages of projects and their actions, each asked with the offering.
rules.add_perm("projects.view_project_overview", teaches)  # overview, CSV, a group's page
rules.add_perm("projects.remind_students", teaches)
rules.add_perm("projects.decide_proposal", teaches)
rules.add_perm("projects.give_feedback", teaches)
rules.add_perm("projects.grant_extension", teaches)
rules.add_perm("projects.mark_presented", teaches)
