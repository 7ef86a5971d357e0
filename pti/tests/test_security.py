import pytest
from django.core.cache import cache
from django.urls import reverse

from pti.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def login(client, username, password, url=None):
    return client.post(url or reverse("login"), {"username": username, "password": password})


def test_after_five_failures_even_the_right_password_is_refused_for_a_while(client, settings):
    settings.PTI_LOGIN_MAX_FAILURES = 5
    UserFactory(username="marie")
    for _ in range(5):
        assert login(client, "marie", "mauvais").status_code == 200
    response = login(client, "Marie", DEFAULT_PASSWORD)
    assert response.status_code == 200
    assert "Trop de tentatives de connexion ont échoué" in response.content.decode()
    assert "_auth_user_id" not in client.session
    cache.clear()  # the lockout window has passed
    assert login(client, "marie", DEFAULT_PASSWORD).status_code == 302


def test_a_successful_login_clears_the_failures_of_its_browser(client, settings):
    settings.PTI_LOGIN_MAX_FAILURES = 3
    UserFactory(username="marie")
    login(client, "marie", "mauvais")
    login(client, "marie", "mauvais")
    assert login(client, "marie", DEFAULT_PASSWORD).status_code == 302
    client.post(reverse("logout"))  # as a browser does: its cookies stay
    login(client, "marie", "mauvais")
    login(client, "marie", "mauvais")
    assert login(client, "marie", DEFAULT_PASSWORD).status_code == 302


def test_one_address_trying_many_usernames_is_locked_out(client, settings):
    settings.PTI_LOGIN_MAX_FAILURES = 2
    UserFactory(username="marie")
    for i in range(8):
        login(client, f"inconnu{i}", "x")
    response = login(client, "marie", DEFAULT_PASSWORD)
    assert "Trop de tentatives" in response.content.decode()


def test_the_admin_login_is_throttled_too(client, settings):
    settings.PTI_LOGIN_MAX_FAILURES = 2
    UserFactory(username="chef", admin=True)
    url = reverse("admin:login")
    login(client, "chef", "x", url)
    login(client, "chef", "x", url)
    response = login(client, "chef", DEFAULT_PASSWORD, url)
    assert response.status_code == 200 and "Trop de tentatives" in response.content.decode()


def test_pages_send_a_content_security_policy_without_inline_scripts(client, referent):
    client.force_login(referent)
    response = client.get(reverse("actions:my_actions"))
    policy = response.headers["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert "unsafe-inline" not in directives["script-src"] and "unsafe-eval" not in directives["script-src"]
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert "<script>" not in response.content.decode()  # every script is an external file


def test_pages_load_no_third_party_asset(client, referent):
    client.force_login(referent)
    content = client.get(reverse("actions:my_actions")).content.decode()
    assert "cdn" not in content.lower() and "googleapis" not in content
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in content
    assert "/static/django_htmx/htmx-2.min.js" in content


def test_static_assets_come_from_the_pinned_packages(client):
    from django.contrib.staticfiles import finders

    assert finders.find("vendor/bootstrap/css/bootstrap.min.css")
    assert finders.find("vendor/bootstrap/js/bootstrap.bundle.min.js")
    assert finders.find("django_htmx/htmx-2.min.js")
