"""docs/deployment.md's backup and restore procedure, run for real: pg_dump of the database, pg_restore into
an empty database, the same number of rows in every table."""

import io
import os
import shutil
import subprocess
import uuid

import pytest
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)


def row_counts(dsn):
    import psycopg

    with psycopg.connect(dsn) as conn:
        tables = [
            row[0]
            for row in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            ).fetchall()
        ]
        return {table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables}


def test_a_dump_restored_into_an_empty_database_has_the_same_rows(tmp_path):
    if connection.vendor != "postgresql" or not shutil.which("pg_dump"):
        pytest.skip("Sauvegarde testée sur PostgreSQL avec pg_dump/pg_restore (DATABASE_URL=postgres://…).")
    call_command("seed_demo", stdout=io.StringIO())
    settings = connection.settings_dict
    base = {"host": settings["HOST"] or "127.0.0.1", "port": str(settings["PORT"] or 5432), "user": settings["USER"]}
    args = ["-h", base["host"], "-p", base["port"], "-U", base["user"]]
    env = {"PGPASSWORD": settings.get("PASSWORD") or ""}
    source = settings["NAME"]
    target = f"pti_restore_{uuid.uuid4().hex[:8]}"
    dump = tmp_path / "pti.dump"

    def run(*command):
        subprocess.run(command, check=True, capture_output=True, env={**os.environ, **env})

    run("pg_dump", *args, "--format=custom", "--no-owner", f"--file={dump}", source)
    run("createdb", *args, target)
    try:
        run("pg_restore", *args, "--no-owner", "--exit-on-error", f"--dbname={target}", str(dump))

        def dsn(name):
            password = f" password={settings['PASSWORD']}" if settings.get("PASSWORD") else ""
            return f"host={base['host']} port={base['port']} user={base['user']} dbname={name}{password}"

        before, after = row_counts(dsn(source)), row_counts(dsn(target))
        assert before == after
        assert before["actions_action"] >= 135 and before["axes_pacte"] == 2
    finally:
        run("dropdb", *args, "--if-exists", target)
