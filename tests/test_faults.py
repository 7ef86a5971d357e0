"""Faults: the database connection drops in the middle of a request. The user gets the French error page,
nothing half-written stays, and the next request works (Django reconnects: CONN_HEALTH_CHECKS)."""

import pytest
from django.db import connection
from django.urls import reverse

from actions.factories import ActionFactory
from actions.models import ProgressReport

pytestmark = pytest.mark.django_db(transaction=True)


def kill_own_backend():
    """Terminate this process's PostgreSQL backend, as a restart or a network cut would."""
    import psycopg

    pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(
        **{k: v for k, v in params.items() if k in {"dbname", "user", "host", "port", "password"}}
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


def test_a_connection_dropped_mid_request_gives_the_error_page_and_the_next_request_works(client, referent, settings):
    if connection.vendor != "postgresql":
        pytest.skip("Coupure de connexion simulée sur PostgreSQL seulement (DATABASE_URL=postgres://…).")
    settings.DEBUG = False
    action = ActionFactory(referents=[referent])
    client.force_login(referent)
    url = reverse("actions:report_edit", args=[action.pk, 2024])
    assert client.get(url).status_code == 200

    calls = {"n": 0}

    def drop_on_third_query(execute, sql, params, many, context):
        calls["n"] += 1
        if calls["n"] == 3:
            kill_own_backend()
        return execute(sql, params, many, context)

    client.raise_request_exception = False
    data = {"version": 0, "status": "in_progress", "progress": 50, "weather": "on_track", "advances": "Fait."}
    data["submit"] = "1"
    with connection.execute_wrapper(drop_on_third_query):
        response = client.post(url, data)
    assert response.status_code == 500
    assert "erreur temporaire" in response.content.decode()

    connection.close_if_unusable_or_obsolete()
    assert client.get(reverse("actions:my_actions")).status_code == 200
    assert not ProgressReport.objects.exists()
    assert client.post(url, data).status_code == 302
    assert ProgressReport.objects.get().progress == 50


@pytest.fixture(autouse=True)
def _fresh_connection_afterwards():
    """The killed connection must not leak into the next test: start it afresh."""
    yield
    connection.close()


def test_the_error_page_needs_no_database():
    from django.template.loader import get_template

    content = get_template("500.html").render({})
    # A static page: it renders even when the database is down.
    assert "erreur temporaire" in content and "{%" not in content


def test_redis_down_while_staff_ask_for_a_bilan_then_back_again(client, staff, monkeypatch, settings):
    """Redis down: a French message, nothing lost; once it is back, the same click produces the bilan."""
    from bilans.enums import BilanStatus
    from bilans.factories import BilanFactory
    from bilans.models import Bilan
    from pti.celery import app

    bilan = BilanFactory(pacte=ActionFactory().pacte, year=2024)
    client.force_login(staff)
    url = reverse("bilans:generate", args=[bilan.pacte.slug, 2024])
    previous = {name: app.conf[name] for name in ("broker_url", "broker_write_url", "task_always_eager")}
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    app.conf.update(broker_url="redis://127.0.0.1:1/0", broker_write_url=None, task_always_eager=False)
    try:
        down = client.post(url)
    finally:
        app.conf.update(previous)
        monkeypatch.delenv("CELERY_BROKER_URL")
    assert down.status_code == 503 and "indisponible" in down.content.decode()
    assert Bilan.objects.get(pk=bilan.pk).status == BilanStatus.DRAFT

    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    try:
        back = client.post(url)
    finally:
        app.conf.update(previous)
    assert back.status_code in (200, 302)
    assert Bilan.objects.get(pk=bilan.pk).status == BilanStatus.GENERATED


def test_redis_down_on_a_year_without_bilan_leaves_no_new_bilan_behind(client, staff, monkeypatch):
    from bilans.models import Bilan, BilanTransition
    from pti.celery import app

    pacte = ActionFactory().pacte
    client.force_login(staff)
    previous = {name: app.conf[name] for name in ("broker_url", "broker_write_url", "task_always_eager")}
    monkeypatch.setenv("CELERY_BROKER_URL", "redis://127.0.0.1:1/0")
    app.conf.update(broker_url="redis://127.0.0.1:1/0", broker_write_url=None, task_always_eager=False)
    try:
        response = client.post(reverse("bilans:generate", args=[pacte.slug, 2024]))
    finally:
        app.conf.update(previous)
        monkeypatch.delenv("CELERY_BROKER_URL")
    assert response.status_code == 503 and "indisponible" in response.content.decode()
    assert not Bilan.objects.exists() and not BilanTransition.objects.exists()
