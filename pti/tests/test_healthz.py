def test_healthz_reports_database_and_eager_broker(client, db, settings):
    settings.CELERY_BROKER_URL = ""
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"]["ok"] is True
    assert body["broker"] == {"ok": True, "mode": "eager"}


def test_healthz_answers_503_when_broker_is_down(client, db, settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["broker"]["ok"] is False
    assert body["database"]["ok"] is True


def test_healthz_is_public_but_home_requires_login(client, db):
    assert client.get("/healthz").status_code == 200
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/comptes/login/")


def test_healthz_reports_a_reachable_broker(client, db, settings):
    import os

    import pytest

    url = os.environ.get("CELERY_BROKER_URL")
    if not url:
        pytest.skip("CELERY_BROKER_URL n'est pas défini : pas de broker à interroger.")
    settings.CELERY_BROKER_URL = url
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["broker"] == {"ok": True, "mode": "broker"}


def test_healthz_answers_over_plain_http_when_https_redirect_is_on(client, db, settings):
    """The proxy's health check talks plain HTTP: it sees the 503, not a redirect (the rest is redirected)."""
    settings.SECURE_SSL_REDIRECT = True
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"
    assert client.get("/healthz").status_code == 503
    settings.CELERY_BROKER_URL = ""
    assert client.get("/healthz").status_code == 200
    login = client.get("/comptes/login/")
    assert login.status_code == 301 and login["Location"].startswith("https://")
