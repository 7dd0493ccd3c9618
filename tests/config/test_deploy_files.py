"""deploy/ matches the settings and the README: the environment example names every
variable the settings read and passes the deployment check once filled in, the systemd units
are valid and agree on paths, and the nginx site passes the headers and the body limit."""

import re
import shutil
import subprocess
import sys

import pytest
from django.conf import settings
from django.core.management import get_commands

from tests.config.test_settings import ROOT

DEPLOY = ROOT / "deploy"
EXAMPLE = DEPLOY / "coursesite.env.example"
README = (ROOT / "README.md").read_text()
UNITS = ["coursesite-web.service", "coursesite-worker.service", "coursesite-periodic.service",
         "coursesite-periodic.timer", "coursesite-frequent.service",
         "coursesite-frequent.timer"]  # fmt: skip
# Read by others than our settings: manage.py, gunicorn.
NOT_SETTINGS = {"DJANGO_SETTINGS_MODULE", "GUNICORN_CMD_ARGS"}


def variables_read_by_the_settings() -> set[str]:
    source = "".join(p.read_text() for p in (ROOT / "config" / "settings").glob("*.py"))
    names = set(re.findall(r'(?:environ\.get|env_bool|env_list)\(\s*"([A-Z_]+)"', source))
    return names - {"TEST_DATABASE_NAME"}  # config.settings.test only


def variables_in_the_example() -> set[str]:
    return set(re.findall(r"^#? ?([A-Z_]+)=", EXAMPLE.read_text(), re.MULTILINE))


def test_every_variable_is_in_the_example_and_the_readme():
    read = variables_read_by_the_settings()
    assert {"REDIS_URL", "CONN_MAX_AGE", "MAX_UPLOAD_BYTES", "SITE_URL"} <= read
    assert read - variables_in_the_example() == set()
    assert variables_in_the_example() - read - NOT_SETTINGS == set()  # none made up
    assert [name for name in sorted(read | NOT_SETTINGS) if f"`{name}`" not in README] == []


def filled_in(tmp_path, **values) -> str:
    text = EXAMPLE.read_text()
    for name, value in values.items():
        text, found = re.subn(rf"^{name}=.*$", f"{name}={value}", text, flags=re.MULTILINE)
        assert found == 1, name
    path = tmp_path / "coursesite.env"
    path.write_text(text)
    return str(path)


def deploy_manage(env_file, *args):
    return subprocess.run(
        [str(DEPLOY / "manage"), *args],
        env={"PATH": "/usr/bin:/bin", "COURSESITE_ENV": env_file, "COURSESITE_VENV": sys.prefix},
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip


def test_the_example_filled_in_passes_the_deployment_check(tmp_path):
    env_file = filled_in(
        tmp_path,
        SECRET_KEY="k" * 20 + "-a-real-deployment-would-use-random-characters",
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
        STATIC_ROOT=str(tmp_path / "static"),
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    result = deploy_manage(env_file, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_example_as_shipped_does_not_go_live(tmp_path):
    result = deploy_manage(str(EXAMPLE), "check", "--deploy")
    assert result.returncode != 0
    assert "Set SECRET_KEY to a random string of at least 50 characters." in result.stderr


def test_gunicorn_reads_its_arguments_from_the_example():
    from gunicorn.config import Config

    line = re.search(r'^GUNICORN_CMD_ARGS="(.*)"$', EXAMPLE.read_text(), re.MULTILINE)
    config = Config()
    config.load_settings_from_cmdline = None
    parsed = config.parser().parse_args(line.group(1).split())
    assert parsed.bind == ["127.0.0.1:8000"]
    assert parsed.workers == 3
    assert parsed.timeout == 60


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not installed")
def test_the_systemd_units_are_valid():
    result = subprocess.run(
        ["systemd-analyze", "verify", "--man=no", *[str(DEPLOY / unit) for unit in UNITS]],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    problems = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        # The virtualenv of a real installation is not on this machine.
        if line.strip() and "/srv/coursesite/venv/bin/" not in line
    ]
    assert problems == []


def test_the_units_run_the_sites_commands_with_its_environment():
    commands = get_commands()
    for unit in [u for u in UNITS if u.endswith(".service")]:
        text = (DEPLOY / unit).read_text()
        assert "EnvironmentFile=/etc/coursesite/coursesite.env" in text, unit
        assert "WorkingDirectory=/srv/coursesite/app" in text, unit
        for command in re.findall(r"manage\.py (\w+)", text):
            assert command in commands, f"{unit}: {command}"
    worker = (DEPLOY / "coursesite-worker.service").read_text()
    assert "manage.py db_worker" in worker
    assert "/etc/coursesite/coursesite.env" in EXAMPLE.read_text()


def test_the_nginx_site_passes_the_headers_and_the_body_limit():
    site = (DEPLOY / "nginx-coursesite.conf").read_text()
    limit_mib = settings.MAX_UPLOAD_BYTES // (1024 * 1024)
    assert limit_mib * 1024 * 1024 == settings.MAX_UPLOAD_BYTES  # nginx counts whole MiB
    assert f"client_max_body_size {limit_mib}m;" in site
    assert f"client_max_body_size {limit_mib}m;" in README
    for header in ("Host $host", "X-Forwarded-Proto $scheme",
                   "X-Forwarded-For $proxy_add_x_forwarded_for"):  # fmt: skip
        assert f"proxy_set_header {header};" in site
    directives = [line.split("#")[0] for line in site.splitlines()]
    assert not [d for d in directives if re.search(r"\b(alias|root)\b|/media", d)]


def test_the_readme_installs_every_file_of_deploy():
    for path in DEPLOY.iterdir():
        if path.name not in {"manage", "coursesite.env.example"}:
            assert path.name in README or path.name.startswith("coursesite-"), path.name
    assert "deploy/coursesite-*.service deploy/coursesite-*.timer" in README
    for name in ("deploy/nginx-coursesite.conf", "deploy/coursesite.env.example",
                 "deploy/manage"):  # fmt: skip
        assert name in README


def test_the_demo_sends_mail_links_to_the_address_it_serves():
    """scripts/demo's address rule, run by sh the way the script runs it."""
    script = (ROOT / "scripts" / "demo").read_text()
    rule = script[script.index('address="${PORT') : script.index("# The task worker")]
    for port, expected in [
        ("", "http://127.0.0.1:8000"),
        ("8765", "http://127.0.0.1:8765"),
        ("0.0.0.0:8001", "http://127.0.0.1:8001"),
        ("192.0.2.4:9000", "http://192.0.2.4:9000"),
    ]:
        result = subprocess.run(
            ["sh", "-c", rule + 'echo "$SITE_URL"'],
            env={"PATH": "/usr/bin:/bin", **({"PORT": port} if port else {})},
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        assert result.stdout.strip() == expected
