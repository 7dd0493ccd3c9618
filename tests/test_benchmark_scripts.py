"""The benchmark's and explain_pages' own logic: every page they measure answers on the
demo and the generated data, wrk's rounds merge into one distribution, plans are flagged.
Nothing here is timed: timings belong to the scripts, not to the tests."""

from io import StringIO

import pytest
from django.core.management import call_command

from scripts import bench_pages, benchmark, explain_pages


@pytest.mark.django_db
def test_every_benchmarked_page_answers_on_the_demo_and_the_generated_data():
    call_command("load_demo", stdout=StringIO())
    values = bench_pages.placeholders()
    # Without generated data, only the admin's lists over every offering are left.
    assert {p.who for p in bench_pages.resolve(bench_pages.UNIVERSITY_PAGES, values)} == {"admin"}
    call_command("generate_load_data", "--courses", "3", "--students", "120", "--sessions", "4",
                 stdout=StringIO())  # fmt: skip
    values = bench_pages.placeholders()
    pages = bench_pages.resolve(bench_pages.PAGES + bench_pages.UNIVERSITY_PAGES, values)
    assert len(pages) == len(bench_pages.PAGES) + len(bench_pages.UNIVERSITY_PAGES)
    assert not any("{" in page.path for page in pages)
    captured = bench_pages.capture(pages, values, runs=1)
    assert {
        page.path: result.status for page, result in captured.items() if result.status != 200
    } == {}
    assert all(result.queries for result in captured.values())


def wrk_output(requests: int, micros: int, latencies: dict[int, int], status_errors=0) -> str:
    lines = [f"TOTAL {requests} {micros} 123456 0 0 0 {status_errors} 0"]
    lines += [f"LATENCY {value} {count}" for value, count in latencies.items()]
    return "Running 3s test @ http://127.0.0.1:1/\n" + "\n".join(lines) + "\n"


def test_wrk_rounds_merge_into_one_distribution():
    total = benchmark.Run()
    total.add(benchmark.parse_wrk(wrk_output(300, 3_000_000, {10_000: 290, 50_000: 10})))
    total.add(benchmark.parse_wrk(wrk_output(100, 1_000_000, {20_000: 98, 90_000: 2}, 1)))
    assert total.requests == 400 and total.rps == 100.0
    assert total.errors == 1
    assert total.percentile(50) == 10.0  # ms
    assert total.percentile(80) == 20.0
    assert total.percentile(99) == 50.0
    assert total.percentile(100) == 90.0


def test_pages_measured_while_the_machine_was_busier_are_marked():
    def result(path, hello):
        return benchmark.Result("public", path, path, 10.0, hello, 10 / hello, 1, 2, 3, 100, 0, 1.0)

    results = [result("/a", 3000), result("/b", 3100), result("/c", 2900), result("/d", 1500)]
    assert benchmark.noisy(results) == {"/d"}


def test_gunicorn_runs_without_its_access_log_and_nothing_else_changes():
    command = ["gunicorn", "app", "--access-logfile", "-", "--error-logfile", "-", "--workers", "2"]
    assert benchmark.without_access_log(command) == [
        "gunicorn", "app", "--error-logfile", "-", "--workers", "2",
    ]  # fmt: skip


def test_explain_flags_sequential_scans_of_big_tables_only():
    plan = {
        "Node Type": "Hash Join",
        "Plans": [
            {"Node Type": "Seq Scan", "Relation Name": "accounts_enrolment",
             "Filter": "((status)::text = 'accepted'::text)", "Rows Removed by Filter": 7297},
            {"Node Type": "Seq Scan", "Relation Name": "course_course"},
            {"Node Type": "Index Scan", "Relation Name": "accounts_user"},
        ],
    }  # fmt: skip
    sizes = {"accounts_enrolment": 78_799, "course_course": 301, "accounts_user": 31_229}
    flags = explain_pages.plan_flags(plan, "SELECT 1", 5.0, sizes, big=10_000, slow_ms=20)
    assert [(f.kind, f.table) for f in flags] == [("seq scan", "accounts_enrolment")]
    assert "7,297 rows removed" in flags[0].detail
    slow = explain_pages.plan_flags({"Node Type": "Result"}, "SELECT 1", 25.0, sizes, 10_000, 20)
    assert [f.kind for f in slow] == ["slow"]


def test_explain_flags_email_matched_with_upper():
    sql = (
        'SELECT "accounts_user"."id" FROM "accounts_user" WHERE '
        'UPPER("accounts_user"."email"::text) = UPPER(\'Student@Example.org\')'
    )
    flags = explain_pages.plan_flags({"Node Type": "Result"}, sql, 1.0, {}, 10_000, 20)
    assert [f.kind for f in flags] == ["upper()"]


def test_explain_counts_one_query_whatever_its_values():
    one = explain_pages.normalise("SELECT * FROM t WHERE id IN (1, 2, 3) AND name = 'a''b'")
    other = explain_pages.normalise("SELECT * FROM t WHERE id IN (7) AND name = 'x'")
    assert one == other
    assert one != explain_pages.normalise("SELECT * FROM t WHERE id = 1")
