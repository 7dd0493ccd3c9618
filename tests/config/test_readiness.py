"""/readyz: a load balancer sends traffic to this process only while it can reach the
database, the cache and the file storage; /healthz only says the process answers."""

import socket

import pytest
from django.core.files.storage import default_storage
from django.test import override_settings

from tests.config.test_settings import PRODUCTION, run_manage

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_ready_when_database_cache_and_storage_answer(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.content.decode() == "ready\ndatabase: ok\ncache: ok\nstorage: ok\n"
    assert response["Content-Type"].startswith("text/plain")
    assert "no-cache" in response["Cache-Control"]
    assert default_storage.listdir("readyz")[1] == []  # the probe file is gone again


def test_not_ready_while_the_cache_server_is_down(client):
    # A password in the address, as a real deployment might have: it must not be shown.
    cache = {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://:cache-secret@127.0.0.1:{closed_port()}/0",
    }
    with override_settings(CACHES={"default": cache}):
        response = client.get("/readyz")
    assert response.status_code == 503
    text = response.content.decode()
    assert text.splitlines() == [
        "not ready", "database: ok", "cache: unavailable (ConnectionError)", "storage: ok",
    ]  # fmt: skip
    assert "cache-secret" not in text and "127.0.0.1" not in text


def test_not_ready_when_the_media_folder_cannot_be_written(client, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    with override_settings(MEDIA_ROOT=blocker / "media"):  # even root cannot create it
        response = client.get("/readyz")
    assert response.status_code == 503
    assert "storage: unavailable (NotADirectoryError)" in response.content.decode()
    assert response.content.decode().startswith("not ready\ndatabase: ok\ncache: ok\n")


def test_not_ready_while_the_database_server_is_down():
    """A process of its own, configured with a PostgreSQL server that is not there."""
    result = run_manage(
        "shell",
        "--verbosity=0",
        "-c",
        "from django.test import Client; r = Client().get('/readyz');"
        "print(r.status_code); print(r.content.decode())",
        DJANGO_SETTINGS_MODULE="config.settings.test",
        DATABASE_URL=f"postgres://coursesite:db-secret@127.0.0.1:{closed_port()}/coursesite",
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[:3] == ["503", "not ready", "database: unavailable (OperationalError)"]
    assert "db-secret" not in result.stdout


def test_liveness_needs_none_of_them(client, django_assert_num_queries):
    with override_settings(CACHES={"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": f"redis://127.0.0.1:{closed_port()}/0",
    }}), django_assert_num_queries(0):  # fmt: skip
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_load_balancers_ask_over_plain_http_without_being_redirected(tmp_path):
    """Production redirects http to https, except the two checks a load balancer asks a
    node for directly."""
    result = run_manage(
        "shell",
        "--verbosity=0",
        "-c",
        "from django.test import Client; c = Client(HTTP_HOST='course.example.org')\n"
        "for path in ('/healthz', '/readyz', '/'):\n"
        "    r = c.get(path); print(path, r.status_code, r.get('Location', ''))",
        **PRODUCTION,
        DATABASE_URL=f"sqlite:///{tmp_path}/db.sqlite3",
        MEDIA_ROOT=str(tmp_path / "media"),
    )
    assert result.stdout.splitlines() == [
        "/healthz 200 ",
        "/readyz 200 ",
        "/ 301 https://course.example.org/",
    ], result.stderr
