"""Production settings pass Django's deployment checks; error pages use the site layout."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.template import loader

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            **env,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "SECRET_KEY": "x" * 30 + "-production-like-key-for-the-check-0123456789",
    "ALLOWED_HOSTS": "course.example.org",
    "SITE_URL": "https://course.example.org",
}


def test_production_settings_pass_the_deployment_checks():
    result = run_manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_settings_refuse_a_missing_secret_key():
    result = run_manage("check", **{**PRODUCTION, "SECRET_KEY": ""})
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr


def test_load_demo_refuses_production_settings():
    result = run_manage("load_demo", **PRODUCTION, DATABASE_URL="sqlite:////nonexistent/x.db")
    assert result.returncode != 0
    assert "production database" in result.stderr


@pytest.mark.django_db
def test_server_error_page_renders_without_a_request():
    html = loader.get_template("500.html").render()
    assert "Something went wrong" in html


@pytest.mark.django_db
def test_health_check_answers_without_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.content == b"ok"


def test_without_redis_the_processes_of_a_machine_share_the_cache(tmp_path):
    """Two gunicorn workers are two processes: a change one of them makes (a new content
    version, course/caching.py) must be seen by the other at once."""
    env = {"DJANGO_SETTINGS_MODULE": "config.settings.development", "CACHE_DIR": str(tmp_path),
           "REDIS_URL": "", "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}  # fmt: skip
    read = "from course.caching import versions; print(versions(['catalogue'])[0])"
    first = run_manage("shell", "-c", read, **env)
    assert first.returncode == 0, first.stderr
    assert run_manage("shell", "-c", read, **env).stdout == first.stdout  # the same token
    bumped = run_manage("shell", "-c", "from course.caching import bump; bump('catalogue')", **env)
    assert bumped.returncode == 0, bumped.stderr
    assert run_manage("shell", "-c", read, **env).stdout != first.stdout  # seen by the next
