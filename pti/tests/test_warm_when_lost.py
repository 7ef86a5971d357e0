"""A cache that lost its stamps (Redis restarted or emptied) has the main pages warmed at once by a Celery worker
(pti.warm.when_cache_lost), instead of leaving their readers to compute whole pactes until the beat's next round."""

import logging

import pytest
from django.core.cache import cache
from django.urls import reverse

from axes.factories import PacteFactory
from pti import stamps, tasks
from pti.factories import UserFactory


@pytest.fixture
def queued(settings, monkeypatch):
    """The warmings queued for a worker (a broker and a worker, not eager tasks)."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.PTI_WARM_WHEN_CACHE_LOST = True
    calls = []
    monkeypatch.setattr(tasks.warm_caches, "apply_async", lambda **options: calls.append(options))
    return calls


def test_a_lost_cache_queues_one_warming_whoever_sees_it_first(queued):
    cache.clear()  # Redis restarted
    stamps.current()
    assert queued == [{"retry": False}]
    stamps.current()
    stamps.current_of(("axes_axe",))  # the epoch was lost too: already queued
    assert len(queued) == 1
    cache.delete(stamps.TABLE_KEY + "axes_axe")  # one table's stamp evicted: nothing else was lost
    stamps.current_of(("axes_axe",))
    assert len(queued) == 1
    cache.clear()  # lost again
    stamps.current_of(("axes_axe",))
    assert len(queued) == 2


def test_with_eager_tasks_or_turned_off_a_lost_cache_queues_nothing(queued, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # the embedded default: the request would compute everything
    cache.clear()
    stamps.current()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.PTI_WARM_WHEN_CACHE_LOST = False
    cache.clear()
    stamps.current()
    assert queued == []


@pytest.mark.django_db(transaction=True)  # committed: the page reads the cache
def test_a_page_read_after_the_loss_is_served_and_queues_the_warming_even_with_the_broker_down(
    client, settings, monkeypatch, caplog
):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.PTI_WARM_WHEN_CACHE_LOST = True

    def broker_down(**options):
        raise ConnectionRefusedError("Redis")

    monkeypatch.setattr(tasks.warm_caches, "apply_async", broker_down)
    pacte = PacteFactory(slug="pti-perdu")
    client.force_login(UserFactory(copil=True))
    cache.clear()
    with caplog.at_level(logging.ERROR, logger="pti.warm"):
        response = client.get(reverse("pilotage:dashboard", args=[pacte.slug]))
    assert response.status_code == 200
    assert "queueing the warming after a lost cache failed" in caplog.text
