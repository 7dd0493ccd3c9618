"""Backup and restore tried for real: scripts/backup of the running cluster, a change,
scripts/restore into a fresh database, folder and bucket, and a node serving the restored
site: the counts and a report's bytes came back, the change after the backup did not.

The cluster keeps its files in the S3 emulator's bucket (moto), so the report comes back
through the restored bucket; the test also puts an object of its own there, lost after the
backup. scripts/backup copies MEDIA_ROOT too, for sites that keep files on disk.
"""

import secrets
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

import boto3
import psycopg2
import pytest

from scripts.site_client import (
    ROOT,
    TA,
    Report,
    Visitor,
    free_port,
    gunicorn_command,
    log_errors,
    wait_until_serving,
)
from tests.cluster.helpers import add_announcement

pytestmark = pytest.mark.cluster

RESTORED_DATABASE = "coursesite_cluster_restored"
COUNTED = [
    "accounts_user", "accounts_enrolment", "course_announcement", "course_watchedpart",
    "projects_submission", "discussions_attendance", "discussions_finalgrade",
]  # fmt: skip


def s3(env: dict):
    return boto3.client(
        "s3", endpoint_url=env["S3_ENDPOINT_URL"], aws_access_key_id=env["S3_ACCESS_KEY_ID"],
        aws_secret_access_key=env["S3_SECRET_ACCESS_KEY"], region_name=env["S3_REGION"],
    )  # fmt: skip


def counts(database_url: str) -> dict[str, int]:
    connection = psycopg2.connect(database_url)
    try:
        with connection.cursor() as cursor:
            result = {}
            for table in COUNTED:
                cursor.execute(f"SELECT count(*) FROM {table}")  # the names above
                result[table] = cursor.fetchone()[0]
            return result
    finally:
        connection.close()


def drop(database_url: str) -> None:
    server = urllib.parse.urlsplit(database_url)._replace(path="/postgres").geturl()
    connection = psycopg2.connect(server)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{RESTORED_DATABASE}" WITH (FORCE)')
    connection.close()


@pytest.fixture
def restored_url(cluster):
    url = (
        urllib.parse.urlsplit(cluster.state["database_url"])
        ._replace(path=f"/{RESTORED_DATABASE}")
        .geturl()
    )
    drop(url)
    yield url
    drop(url)


def script(name: str, *args: str, env: dict) -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / name), *args],
        cwd=ROOT, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, f"scripts/{name}: {result.stdout}{result.stderr}"
    return result.stdout


def download(port: int, submission_id: int, env: dict) -> bytes:
    """The report as the TA gets it from the node: streamed from MEDIA_ROOT, or, with S3,
    from the presigned address in the node's bucket that the node redirects to."""
    ta = Visitor(port, "ta", Report(), timeout=60)
    assert ta.log_in(*TA, next_path="/admin/")
    response, content, _ = ta.fetch("GET", f"/files/submissions/{submission_id}/")
    if env.get("S3_BUCKET"):
        assert response.status == 302
        location = response.headers["Location"]
        assert location.startswith(f"{env['S3_ENDPOINT_URL']}/{env['S3_BUCKET']}/"), location
        with urllib.request.urlopen(location, timeout=30) as stored:
            content = stored.read()
    else:
        assert response.status == 200
        assert response.headers["Content-Type"] == "application/pdf"
    assert content.startswith(b"%PDF")
    return content


def test_a_backup_restored_into_a_fresh_database_serves_what_was_backed_up(
    cluster, restored_url, tmp_path
):
    env = cluster.env
    bucket = s3(env)
    key, data = f"backup-check/{secrets.token_hex(4)}.bin", secrets.token_bytes(4096)
    bucket.put_object(Bucket=env["S3_BUCKET"], Key=key, Body=data)
    ((submission_id,),) = cluster.query("SELECT min(id) FROM projects_submission")
    report = download(cluster.a.port, submission_id, env)
    before = counts(cluster.state["database_url"])

    said = script("backup", "--to", str(tmp_path / "backups"), env=env)
    assert "Backup in" in said
    (folder,) = (tmp_path / "backups").iterdir()

    # After the backup: a new announcement, and the object lost.
    ta = Visitor(cluster.a.port, "ta", Report(), timeout=60)
    assert ta.log_in(*TA, next_path="/admin/")
    title = f"After the backup {secrets.token_hex(4)}"
    add_announcement(cluster, ta, title, "Not in the backup.", port=cluster.a.port)
    bucket.delete_object(Bucket=env["S3_BUCKET"], Key=key)
    assert counts(cluster.state["database_url"])["course_announcement"] == (
        before["course_announcement"] + 1
    )

    restored_bucket = f"coursesite-cluster-restored-{secrets.token_hex(3)}"
    restored_env = {
        **env,
        "DATABASE_URL": restored_url,
        "MEDIA_ROOT": str(tmp_path / "restored-media"),
        "S3_BUCKET": restored_bucket,
    }
    said = script("restore", str(folder), env=restored_env)
    assert f"database {RESTORED_DATABASE}" in said

    assert counts(restored_url) == before
    assert bucket.get_object(Bucket=restored_bucket, Key=key)["Body"].read() == data
    connection = psycopg2.connect(restored_url)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM course_announcement WHERE title = %s", (title,))
        assert cursor.fetchone() == (0,)
    connection.close()
    # The restored database needs no migration, and a node on it serves the same report.
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--check"], cwd=ROOT, env=restored_env,
        check=True, capture_output=True,
    )  # fmt: skip
    port, log = free_port(), tmp_path / "restored-node.log"
    with log.open("w") as output:
        node = subprocess.Popen(
            gunicorn_command(Path(sys.executable).parent / "gunicorn", port, workers=1),
            cwd=ROOT, env=restored_env, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
    try:
        assert wait_until_serving(port, node)
        assert download(port, submission_id, restored_env) == report
    finally:
        node.terminate()
        node.wait(30)
    assert not log_errors(log.read_text()), log.read_text()
    for item in bucket.list_objects_v2(Bucket=restored_bucket).get("Contents", []):
        bucket.delete_object(Bucket=restored_bucket, Key=item["Key"])
    bucket.delete_bucket(Bucket=restored_bucket)
