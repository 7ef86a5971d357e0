"""Throttling that cannot lock everyone out: the client's address behind the HTTPS proxy, known devices, password
reset e-mails, the API's per-user rate, and a cache shared by every process in production."""

import os
import re
import subprocess
import sys

import pytest
from django.core import mail, signing
from django.core.cache import cache
from django.db import connection
from django.test import RequestFactory, override_settings
from django.urls import reverse
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from pti import throttle
from pti.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

PROXY = "127.0.0.1"  # gunicorn sees the HTTPS proxy, on the same machine
ATTACKER = "203.0.113.9"
MARIE_AT_HOME = "198.51.100.7"


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.PTI_LOGIN_MAX_FAILURES = 5  # and 20 for an address
    settings.PTI_TRUSTED_PROXY_COUNT = 1
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def marie(db):
    return UserFactory(username="marie", email="marie@haute-vienne.example")


def login(client, username, password, forwarded_for=None):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return client.post(
        reverse("login"), {"username": username, "password": password}, headers=headers, REMOTE_ADDR=PROXY
    )


def logged_in(response):
    return response.status_code == 302


def locked(response):
    return response.status_code == 200 and "Trop de tentatives de connexion ont échoué" in response.content.decode()


def attack(client, address, usernames=20, on_marie=5):
    """Made-up usernames, then wrong passwords for marie, all from `address`."""
    for n in range(usernames):
        assert not logged_in(login(client, f"inconnu{n}", "x", address))
    for _ in range(on_marie):
        assert not logged_in(login(client, "marie", "devine", address))


# The client's address


@pytest.mark.parametrize(
    "proxies, remote, forwarded, expected",
    [
        (0, "10.0.0.5", None, "10.0.0.5"),
        (0, "10.0.0.5", "198.51.100.7", "10.0.0.5"),  # no trusted proxy: the header is the client's word
        (1, PROXY, "198.51.100.7", "198.51.100.7"),
        (1, PROXY, "6.6.6.6, 198.51.100.7", "198.51.100.7"),  # what the client wrote first is not believed
        (1, PROXY, " 198.51.100.7 ", "198.51.100.7"),
        (2, PROXY, "6.6.6.6, 198.51.100.7, 10.0.0.2", "198.51.100.7"),
        (2, PROXY, "198.51.100.7", PROXY),  # fewer entries than proxies: misconfigured, not believed
        (1, PROXY, "pas-une-adresse", PROXY),
        (1, PROXY, "2001:db8::1", "2001:db8::1"),
        (1, PROXY, None, PROXY),
    ],
)
def test_the_client_address_comes_from_the_trusted_proxies_only(settings, proxies, remote, forwarded, expected):
    settings.PTI_TRUSTED_PROXY_COUNT = proxies
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR=remote, **headers)
    assert throttle.client_ip(request) == expected


def test_behind_the_proxy_an_attacker_does_not_lock_out_other_clients(client, marie):
    attack(client, ATTACKER, usernames=30, on_marie=0)

    assert locked(login(client, "inconnu0", "x", ATTACKER))
    assert logged_in(login(client, "marie", DEFAULT_PASSWORD, MARIE_AT_HOME))


def test_without_trusted_proxy_a_forged_header_does_not_escape_the_address_limit(client, settings, marie):
    settings.PTI_TRUSTED_PROXY_COUNT = 0
    for n in range(20):
        login(client, f"inconnu{n}", "x", f"192.0.2.{n}")  # a new address each time, says the attacker

    assert locked(login(client, "marie", DEFAULT_PASSWORD, "192.0.2.99"))


# Known devices: failures elsewhere, even from the same address, never lock a right pair on its user's browser


def test_failures_from_the_same_address_do_not_lock_marie_out_of_her_own_browser(client, marie):
    marie_browser = client
    assert logged_in(login(marie_browser, "marie", DEFAULT_PASSWORD, MARIE_AT_HOME))
    marie_browser.post(reverse("logout"))

    # Someone behind the same office address fails 20 times with made-up names, then 5 times on marie.
    attack(type(client)(), MARIE_AT_HOME)
    assert locked(login(type(client)(), "marie", DEFAULT_PASSWORD, MARIE_AT_HOME))  # a browser she never used

    assert logged_in(login(marie_browser, "marie", DEFAULT_PASSWORD, MARIE_AT_HOME))


def test_a_known_device_has_its_own_count_of_failures(client, marie):
    assert logged_in(login(client, "marie", DEFAULT_PASSWORD))
    client.post(reverse("logout"))
    for _ in range(5):
        assert not logged_in(login(client, "marie", "mauvais"))

    assert locked(login(client, "marie", DEFAULT_PASSWORD))  # a stolen cookie gives no more tries


def test_a_successful_login_on_a_known_device_resets_its_count(client, marie):
    assert logged_in(login(client, "marie", DEFAULT_PASSWORD))
    for _round in range(3):
        client.post(reverse("logout"))
        for _ in range(4):
            login(client, "marie", "mauvais")
        assert logged_in(login(client, "marie", DEFAULT_PASSWORD))


@pytest.mark.parametrize("cookie", ["forged", "other-user", "tampered"])
def test_only_a_signed_cookie_of_marie_makes_a_browser_hers(client, marie, cookie):
    value = {
        "forged": signing.dumps([throttle._digest("marie")], salt="autre-sel"),
        "other-user": signing.dumps([throttle._digest("paul")], salt=throttle.DEVICE_SALT),
        "tampered": signing.dumps([throttle._digest("paul")], salt=throttle.DEVICE_SALT).replace(
            signing.b64_encode(f'["{throttle._digest("paul")}"]'.encode()).decode(),
            signing.b64_encode(f'["{throttle._digest("marie")}"]'.encode()).decode(),
        ),
    }[cookie]
    attack(type(client)(), MARIE_AT_HOME, usernames=0)
    client.cookies[throttle.DEVICE_COOKIE] = value

    assert locked(login(client, "marie", DEFAULT_PASSWORD, MARIE_AT_HOME))


def test_the_device_cookie_is_signed_http_only_and_secure_in_production(client, settings, marie):
    settings.SESSION_COOKIE_SECURE = True
    response = login(client, "marie", DEFAULT_PASSWORD)

    cookie = response.cookies[throttle.DEVICE_COOKIE]
    assert cookie["httponly"] and cookie["secure"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == 180 * 24 * 3600
    assert "marie" not in cookie.value  # a digest, not the username
    assert throttle.is_known_device(RequestFactory().get("/", HTTP_COOKIE=f"pti_appareil={cookie.value}"), "Marie")


def test_a_shared_computer_stays_a_known_device_of_each_of_its_users(client, marie):
    paul = UserFactory(username="paul")
    for user in (marie, paul):
        assert logged_in(login(client, user.username, DEFAULT_PASSWORD))
        client.post(reverse("logout"))
    attack(type(client)(), PROXY, usernames=0)

    assert logged_in(login(client, "marie", DEFAULT_PASSWORD))


def test_a_reset_link_logs_marie_in_and_makes_her_new_browser_known(client, marie):
    attack(type(client)(), MARIE_AT_HOME)
    new_browser = client
    assert locked(login(new_browser, "marie", DEFAULT_PASSWORD, MARIE_AT_HOME))

    new_browser.post(reverse("password_reset"), {"email": marie.email}, REMOTE_ADDR=PROXY)
    link = re.search(r"http://testserver(/comptes/reset/\S+)", mail.outbox[-1].body).group(1)
    form = new_browser.get(link, follow=True)
    done = new_browser.post(
        form.redirect_chain[-1][0], {"new_password1": "Un-nouveau-mdp-2026", "new_password2": "Un-nouveau-mdp-2026"}
    )
    assert done.status_code == 302
    assert "vous êtes connecté" in new_browser.get(done.url).content.decode()
    new_browser.post(reverse("logout"))

    attack(type(client)(), MARIE_AT_HOME, usernames=0)  # the attack goes on
    assert logged_in(login(new_browser, "marie", "Un-nouveau-mdp-2026", MARIE_AT_HOME))


# Password reset e-mails


def reset(client, email, address=MARIE_AT_HOME):
    response = client.post(
        reverse("password_reset"), {"email": email}, headers={"X-Forwarded-For": address}, REMOTE_ADDR=PROXY
    )
    return response.status_code, response.get("Location")


def test_twenty_reset_requests_send_three_emails_and_all_answer_alike(client, marie):
    answers = {reset(client, "marie@haute-vienne.example") for _ in range(20)}

    assert len(mail.outbox) == 3 and {m.to[0] for m in mail.outbox} == {"marie@haute-vienne.example"}
    assert answers == {(302, reverse("password_reset_done"))}


def test_a_throttled_address_and_an_unknown_one_get_the_same_answer(client, marie):
    for _ in range(3):
        reset(client, "marie@haute-vienne.example")
    sent = len(mail.outbox)

    throttled = reset(client, "Marie@Haute-Vienne.example")
    unknown = reset(client, "inconnu@example.org")

    assert throttled == unknown == (302, reverse("password_reset_done"))
    assert len(mail.outbox) == sent


def test_reset_requests_are_limited_per_client_too(client, settings):
    settings.PTI_PASSWORD_RESET_MAX_PER_CLIENT = 5
    for n in range(8):
        UserFactory(username=f"agent{n}", email=f"agent{n}@haute-vienne.example")

    for n in range(8):
        reset(client, f"agent{n}@haute-vienne.example", ATTACKER)
    assert len(mail.outbox) == 5

    reset(client, "agent7@haute-vienne.example", MARIE_AT_HOME)  # another client
    assert len(mail.outbox) == 6


def test_the_reset_limits_end_with_their_window(client, marie):
    for _ in range(5):
        reset(client, marie.email)
    cache.clear()  # the hour has passed

    reset(client, marie.email)
    assert len(mail.outbox) == 4


# The API


@pytest.fixture
def api_rate(settings):
    settings.PTI_API_THROTTLE_RATE = "3/minute"


def test_the_api_rate_is_300_requests_a_minute_by_default(settings):
    assert settings.PTI_API_THROTTLE_RATE == "300/minute"


@pytest.mark.parametrize("auth", ["token", "session"])
def test_the_api_answers_429_in_french_past_the_rate(api_rate, client, marie, auth):
    api = APIClient()
    if auth == "token":
        api.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=marie).key}")
    else:
        api.force_login(marie)
    url = reverse("v1:pacte-list")

    assert [api.get(url).status_code for _ in range(3)] == [200, 200, 200]
    response = api.get(url)

    assert response.status_code == 429
    detail = response.json()["detail"]
    assert detail.startswith("Trop de requêtes : la limite de l'API est atteinte pour votre compte. Réessayez dans ")
    assert re.search(r"Réessayez dans \d+ secondes?\.$", detail)
    assert 0 < int(response["Retry-After"]) <= 60


def test_a_user_has_one_budget_for_his_token_and_his_session(api_rate, marie):
    by_token = APIClient()
    by_token.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=marie).key}")
    by_session = APIClient()
    by_session.force_login(marie)
    url = reverse("v1:pacte-list")
    for _ in range(3):
        assert by_token.get(url).status_code == 200

    assert by_session.get(url).status_code == 429


def test_one_user_past_the_rate_does_not_hold_up_another(api_rate, marie):
    url = reverse("v1:pacte-list")
    greedy = APIClient()
    greedy.force_login(marie)
    for _ in range(4):
        greedy.get(url)
    other = APIClient()
    other.force_login(UserFactory(username="paul"))

    assert other.get(url).status_code == 200


def test_an_empty_api_rate_means_no_limit(settings, marie):
    settings.PTI_API_THROTTLE_RATE = None
    api = APIClient()
    api.force_login(marie)
    assert {api.get(reverse("v1:pacte-list")).status_code for _ in range(10)} == {200}


# The cache is shared by every process in production


def cache_backend(**environment):
    env = {
        **{name: value for name, value in os.environ.items() if name not in ("CACHE_URL", "DJANGO_DEBUG")},
        "DJANGO_SETTINGS_MODULE": "pti.settings",
        "DJANGO_SECRET_KEY": "x" * 60,
        **environment,
    }
    code = "from django.conf import settings; print(settings.CACHES['default']['BACKEND'])"
    result = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip().rsplit(".", 1)[-1]


def test_production_counts_in_redis_with_cache_url_otherwise_in_the_database():
    assert cache_backend(DJANGO_DEBUG="0", CACHE_URL="redis://127.0.0.1:6379/1") == "RedisCache"
    assert cache_backend(DJANGO_DEBUG="0") == "DatabaseCache"
    assert cache_backend(DJANGO_DEBUG="1") == "LocMemCache"  # development: one process


DATABASE_CACHE = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "pti_cache",
        "OPTIONS": {"MAX_ENTRIES": 1_000_000},
    }
}


def test_the_database_cache_table_comes_with_migrate_and_holds_the_login_counts(client, marie):
    assert "pti_cache" in connection.introspection.table_names()
    with override_settings(CACHES=DATABASE_CACHE):
        for _ in range(5):
            login(client, "marie", "mauvais")
        assert locked(login(client, "marie", DEFAULT_PASSWORD))
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pti_cache")
            assert cursor.fetchone()[0] >= 2  # the username's and the address's counts
