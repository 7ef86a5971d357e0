"""A real Celery worker consumes the Redis broker and shares the test database (CI: see .ci/run)."""

import pytest
from django.conf import settings

from pti.tasks import ping

pytestmark = pytest.mark.worker


def test_real_worker_answers_ping_through_the_broker(celery_worker, transactional_db):
    if not settings.CELERY_RESULT_BACKEND:
        pytest.fail("CELERY_RESULT_BACKEND doit être défini (le même Redis) pour lire le résultat de la tâche.")

    result = ping.delay()

    assert result.get(timeout=30) == "pong"
    assert result.successful()
    assert celery_worker.running
    assert "pti.tasks.ping" in celery_worker.log()


def test_worker_is_restarted_after_a_crash(celery_worker, transactional_db):
    celery_worker.kill()
    assert not celery_worker.running

    celery_worker.ensure_running()

    assert ping.delay().get(timeout=30) == "pong"
