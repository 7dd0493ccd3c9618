"""Running queued tasks inside a test's transaction, where django-tasks-db's worker cannot
run (it closes the database connection): each call queued for the task is run here, as the
worker would run it, and marked done. Tests that commit use the real worker instead
(tests/test_background_tasks.run_worker)."""

from django_tasks_db.models import DBTaskResult


def run_queued(task) -> list:
    """Run the queued calls of `task` in the order they were queued; their results."""
    results = []
    for row in DBTaskResult.objects.ready().filter(task_path=task.module_path).order_by("pk"):
        row.claim("test")
        value = task.call(*row.args_kwargs["args"], **row.args_kwargs["kwargs"])
        row.set_successful(value)
        results.append(value)
    return results
