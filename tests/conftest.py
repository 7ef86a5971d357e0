"""Fixtures for the cross-app tests: a real Celery worker process.

Tests marked `worker` run only when CELERY_BROKER_URL is set in the environment and the database is
PostgreSQL (CI sets both, see .ci/run); otherwise they are skipped with the reason. The rest of the suite
stays eager (CI also sets CELERY_TASK_ALWAYS_EAGER=1): only the `celery_worker` fixture turns eagerness off
in the test process, for the duration of one test.

The worker is started once per session, on pytest-django's test database (`test_<name>`), and stopped
at the end. A test may kill it (`celery_worker.kill()`) to simulate a crash mid-task; the next test that
asks for `celery_worker` gets a fresh one. Tests that need the worker to see their rows must use
`transactional_db` (data committed), not `db` (data in a transaction the worker cannot see).

Tests that use these fixtures live under tests/ (a fixture of tests/conftest.py is not seen elsewhere).
`make test` does not use pytest-xdist: each xdist process would start its own worker, on its own test
database, consuming the same queue; and `--dist loadgroup`, which could keep them together, does not group
with pytest 9.2 (pytest-dev/pytest-xdist#1386).
"""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.conf import settings
from django.db import connection

READY_TIMEOUT = 60
STOP_TIMEOUT = 20


class CeleryWorker:
    """One `celery -A pti worker --pool=solo` process talking to the test database."""

    def __init__(self, database_url, media_root, log_path):
        self.database_url = database_url
        self.media_root = Path(media_root)
        self.log_path = Path(log_path)
        self.process = None
        self._starts = 0

    @property
    def running(self):
        return self.process is not None and self.process.poll() is None

    def log(self):
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def start(self):
        self._starts += 1
        hostname = f"pti-test-{os.getpid()}-{self._starts}@%h"
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "pti.settings",
            "DATABASE_URL": self.database_url,
            # Close the connection after each task, so that pytest-django can flush and drop the database.
            "DATABASE_CONN_MAX_AGE": "0",
            "CELERY_TASK_ALWAYS_EAGER": "0",
            # The tests empty the cache: the worker must not warm the test database's pages behind their back.
            "PTI_WARM_WHEN_CACHE_LOST": "0",
            "DJANGO_MEDIA_ROOT": str(self.media_root),
            "PYTHONUNBUFFERED": "1",
        }
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "pti",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=info",
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-n",
            hostname,
        ]
        log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
        log_file = open(self.log_path, "ab")  # noqa: SIM115 - the child process keeps it
        try:
            self.process = subprocess.Popen(
                command,
                cwd=settings.BASE_DIR,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        finally:
            log_file.close()
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"Le worker Celery s'est arrêté au démarrage :\n{self.log()[log_offset:]}")
            if " ready." in self.log()[log_offset:]:
                return self
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"Le worker Celery n'est pas prêt après {READY_TIMEOUT} s :\n{self.log()[log_offset:]}")

    def ensure_running(self):
        if not self.running:
            self.start()
        return self

    def stop(self):
        """Warm shutdown (SIGTERM), then SIGKILL if it does not stop in time."""
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                self.kill()
        self.process = None

    def kill(self):
        """SIGKILL the worker, as a crash would (its current task is left unfinished)."""
        if self.process is None:
            return
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=STOP_TIMEOUT)
        self.process = None


def _test_database_url():
    """DATABASE_URL pointing at the database pytest-django created (`test_<name>`)."""
    parts = urlsplit(os.environ["DATABASE_URL"])
    return urlunsplit(parts._replace(path="/" + connection.settings_dict["NAME"]))


@pytest.fixture(scope="session")
def celery_worker_process(django_db_setup, tmp_path_factory):
    """The session's worker controller; depends on `django_db_setup` so it stops before the database is dropped."""
    if not os.environ.get("CELERY_BROKER_URL"):
        pytest.skip("CELERY_BROKER_URL n'est pas défini : pas de broker Redis, donc pas de vrai worker Celery.")
    if connection.vendor != "postgresql" or not os.environ.get("DATABASE_URL"):
        pytest.skip("Un vrai worker Celery demande PostgreSQL (DATABASE_URL) : il doit voir la base de test.")
    database_url = _test_database_url()
    directory = tmp_path_factory.mktemp("celery-worker")
    worker = CeleryWorker(database_url, directory / "media", directory / "worker.log")
    try:
        yield worker
    finally:
        worker.stop()


@pytest.fixture
def celery_worker(celery_worker_process):
    """A running worker, with tasks sent to the broker (not run eagerly) during the test."""
    from pti.celery import app

    celery_worker_process.ensure_running()
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    try:
        yield celery_worker_process
    finally:
        app.conf.task_always_eager = previous
