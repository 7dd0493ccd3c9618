"""Backup and restore of a site: its PostgreSQL database and its files (scripts/backup,
scripts/restore; README "Backup and restore").

A backup is a folder:

    database.dump   pg_dump --format=custom of the database
    media/          a copy of MEDIA_ROOT (uploads, when files are kept on the filesystem)
    bucket/         every object of S3_BUCKET, a file per key (when S3_BUCKET is set)
    manifest.json   when, from where, the row count of every table as the dump holds it,
                    and the SHA-256 of every file

The row counts are taken in the very snapshot pg_dump dumps (an exported snapshot), so a
restore can check them exactly even when the site was busy during the backup.

The site's settings come from the environment, as the site reads them: DATABASE_URL,
MEDIA_ROOT, and S3_BUCKET, S3_ENDPOINT_URL, S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY,
S3_REGION (default us-east-1) for the bucket. `--env-file` reads the site's environment
file (deploy/coursesite.env.example) first.
"""

import hashlib
import json
import os
import shlex
import shutil
import subprocess
import urllib.parse
from datetime import UTC, datetime
from pathlib import Path

import psycopg2
from psycopg2 import sql

ROOT = Path(__file__).resolve().parent.parent


class BackupError(Exception):
    pass


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines, as systemd's EnvironmentFile and deploy/manage read them."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        parsed = shlex.split(value) if value else [""]
        values[key.strip()] = parsed[0] if parsed else ""
    return values


def site_settings(env_file: Path | None) -> dict[str, str]:
    """The environment, with the site's environment file on top (as deploy/manage does)."""
    env = dict(os.environ)
    if env_file:
        env.update(read_env_file(env_file))
    return env


def database_name(url: str) -> str:
    return urllib.parse.unquote(urllib.parse.urlsplit(url).path.lstrip("/"))


def media_root(env: dict) -> Path:
    return Path(env.get("MEDIA_ROOT") or ROOT / "media")  # config/settings/base.py's default


def s3_client(env: dict):
    import boto3  # only sites with S3 need it (django-storages[s3] brings it)

    return boto3.client(
        "s3",
        endpoint_url=env.get("S3_ENDPOINT_URL") or None,
        aws_access_key_id=env.get("S3_ACCESS_KEY_ID") or None,
        aws_secret_access_key=env.get("S3_SECRET_ACCESS_KEY") or None,
        region_name=env.get("S3_REGION") or "us-east-1",
    )


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def files_of(folder: Path) -> dict[str, str]:
    """Relative path -> SHA-256 of every file under the folder."""
    if not folder.is_dir():
        return {}
    return {
        path.relative_to(folder).as_posix(): sha256(path)
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def table_counts(cursor) -> dict[str, int]:
    cursor.execute(
        "SELECT table_name FROM information_schema.tables"
        " WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
    )
    counts = {}
    for (table,) in cursor.fetchall():
        cursor.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(table)))
        counts[table] = cursor.fetchone()[0]
    return counts


def safe_key_path(folder: Path, key: str) -> Path:
    path = (folder / key).resolve()
    if folder.resolve() not in path.parents:
        raise BackupError(f"An object key that leaves the folder: {key!r}")
    return path


def backup(env: dict, destination: Path) -> tuple[Path, dict]:
    """Writes a backup folder under `destination`; returns it and its manifest."""
    url = env.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise BackupError("DATABASE_URL must name the site's PostgreSQL database.")
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    folder = destination / f"coursesite-{database_name(url)}-{stamp}"
    folder.mkdir(parents=True)

    # pg_dump dumps the snapshot this transaction exports, and the counts are read in it.
    connection = psycopg2.connect(url)
    try:
        connection.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            (snapshot,) = cursor.fetchone()
            dump = subprocess.run(
                ["pg_dump", "--format=custom", f"--snapshot={snapshot}",
                 f"--file={folder / 'database.dump'}", f"--dbname={url}"],
                capture_output=True, text=True,
            )  # fmt: skip
            if dump.returncode != 0:
                raise BackupError(f"pg_dump failed: {dump.stderr.strip()}")
            counts = table_counts(cursor)
    finally:
        connection.close()

    media = media_root(env)
    if media.is_dir():
        shutil.copytree(media, folder / "media")
    bucket = env.get("S3_BUCKET", "")
    if bucket:
        client = s3_client(env)
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            for item in page.get("Contents", []):
                if item["Key"].endswith("/"):
                    continue
                target = safe_key_path(folder / "bucket", item["Key"])
                target.parent.mkdir(parents=True, exist_ok=True)
                client.download_file(bucket, item["Key"], str(target))
    manifest = {
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": database_name(url),
        "tables": counts,
        "media_root": str(media) if media.is_dir() else None,
        "media": files_of(folder / "media"),
        "bucket_name": bucket or None,
        "bucket": files_of(folder / "bucket"),
        "database_dump_sha256": sha256(folder / "database.dump"),
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return folder, manifest


def _server_url(url: str) -> str:
    return urllib.parse.urlunsplit(urllib.parse.urlsplit(url)._replace(path="/postgres"))


def restore(folder: Path, env: dict) -> list[str]:
    """Restores a backup folder into the database, MEDIA_ROOT and S3_BUCKET of `env`, each
    of which must be new or empty; checks every table's row count and every file against
    the manifest. Returns what it did, a line each."""
    manifest = json.loads((folder / "manifest.json").read_text())
    if sha256(folder / "database.dump") != manifest["database_dump_sha256"]:
        raise BackupError("database.dump is not the file the backup wrote (SHA-256 differs).")
    url = env.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        raise BackupError("DATABASE_URL must name the PostgreSQL database to restore into.")
    name = database_name(url)
    media = media_root(env)
    bucket = env.get("S3_BUCKET", "")
    if manifest["bucket"] and not bucket:
        raise BackupError(
            f"The backup holds {len(manifest['bucket'])} objects of the bucket "
            f"{manifest['bucket_name']}: set S3_BUCKET (and S3_ENDPOINT_URL, keys) to the "
            "bucket to restore them into."
        )
    if manifest["media"] and media.is_dir() and any(media.iterdir()):
        raise BackupError(f"MEDIA_ROOT {media} is not empty: restore into an empty folder.")
    client = s3_client(env) if manifest["bucket"] else None

    # The database: created when missing, refused when it has tables.
    server = psycopg2.connect(_server_url(url))
    server.autocommit = True
    with server.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,))
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    server.close()
    connection = psycopg2.connect(url)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"
        )
        if cursor.fetchone()[0]:
            connection.close()
            raise BackupError(f"The database {name} has tables: restore into an empty one.")
    if client is not None:
        if not _bucket_exists(client, bucket):
            _create_bucket(client, bucket, env.get("S3_REGION") or "us-east-1")
        elif client.list_objects_v2(Bucket=bucket, MaxKeys=1).get("KeyCount"):
            connection.close()
            raise BackupError(f"The bucket {bucket} is not empty: restore into an empty one.")

    done = []
    result = subprocess.run(
        ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error",
         "--single-transaction", f"--dbname={url}", str(folder / "database.dump")],
        capture_output=True, text=True,
    )  # fmt: skip
    if result.returncode != 0:
        connection.close()
        raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
    with connection.cursor() as cursor:
        counts = table_counts(cursor)
    connection.close()
    if counts != manifest["tables"]:
        differ = sorted(
            t for t in set(counts) | set(manifest["tables"])
            if counts.get(t) != manifest["tables"].get(t)
        )  # fmt: skip
        raise BackupError(f"Row counts differ from the backup's in: {', '.join(differ)}")
    done.append(f"database {name}: {len(counts)} tables, {sum(counts.values())} rows, as backed up")

    if manifest["media"]:
        shutil.copytree(folder / "media", media, dirs_exist_ok=True)
        if files_of(media) != manifest["media"]:
            raise BackupError(f"The files in {media} differ from the backup's.")
        done.append(f"MEDIA_ROOT {media}: {len(manifest['media'])} files, checksums checked")
    if client is not None:
        for key in manifest["bucket"]:
            client.upload_file(str(safe_key_path(folder / "bucket", key)), bucket, key)
        stored = {
            item["Key"]: item["Size"]
            for page in client.get_paginator("list_objects_v2").paginate(Bucket=bucket)
            for item in page.get("Contents", [])
        }
        expected = {
            key: safe_key_path(folder / "bucket", key).stat().st_size for key in manifest["bucket"]
        }
        if stored != expected:
            raise BackupError(f"The bucket {bucket} does not hold what the backup holds.")
        done.append(f"bucket {bucket}: {len(expected)} objects, sizes checked")
    return done


def _bucket_exists(client, bucket: str) -> bool:
    from botocore.exceptions import ClientError

    try:
        client.head_bucket(Bucket=bucket)
    except ClientError as error:
        if error.response.get("Error", {}).get("Code") in {"404", "NoSuchBucket"}:
            return False
        raise
    return True


def _create_bucket(client, bucket: str, region: str) -> None:
    if region == "us-east-1":  # S3's one region that takes no location
        client.create_bucket(Bucket=bucket)
    else:
        client.create_bucket(
            Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region}
        )
