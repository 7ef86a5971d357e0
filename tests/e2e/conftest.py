"""Browser tests: Playwright (sync API) driving Debian's headless Chromium against pytest-django's `live_server`.

Every test in this folder is marked `e2e`. Without /usr/bin/chromium (`apt-get install -y chromium`) they are
skipped with the reason; Playwright never downloads a browser of its own.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
DEFAULT_TIMEOUT_MS = 10_000
LOGIN_PATH = "/comptes/login/"

# The same address for the server and the browser (no "localhost" resolving to ::1 on one side only).
os.environ.setdefault("DJANGO_LIVE_TEST_SERVER_ADDRESS", "127.0.0.1")

E2E_DIR = Path(__file__).parent


def pytest_collection_modifyitems(config, items):
    for item in items:
        if E2E_DIR in Path(item.path).parents:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="module")
def _live_server_closes_its_connections():
    """Each request of the live server closes its database connection when it ends (CONN_MAX_AGE=0).

    Chromium keeps its HTTP connections alive, so a server thread may outlive the test; with a persistent
    database connection it would still be using the test database when pytest-django drops it.
    """
    from django.db import connections

    previous = {alias: connections.settings[alias].get("CONN_MAX_AGE", 0) for alias in connections}
    for alias in connections:
        connections.settings[alias]["CONN_MAX_AGE"] = 0
    yield
    for alias, value in previous.items():
        connections.settings[alias]["CONN_MAX_AGE"] = value


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium per test module, closed before the next module runs.

    While Playwright's sync API is active, an asyncio loop is running in the test thread, so Django (through
    asgiref) keeps this thread's database connections apart from the usual ones. Scoping the browser to the
    module and closing those connections at the end keeps other tests off them and leaves no session open on
    the test database when pytest-django drops it.
    """
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium absent ({CHROMIUM}) : `apt-get install -y chromium` pour les tests navigateur.")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Django refuses ORM calls from a thread with a running event loop unless told it is safe here: the tests
    # (factories, assertions) make them between Playwright's calls.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
                connections.close_all()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(_live_server_closes_its_connections, browser, live_server):
    """A fresh page in its own browser context (no cookies shared between tests), French locale."""
    context = browser.new_context(locale="fr-FR", timezone_id="Europe/Paris", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def login(page, live_server, username, password):
    """Sign in through the login form, as a person would; fails clearly if the form comes back."""
    page.goto(f"{live_server.url}{LOGIN_PATH}")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation():
        page.get_by_role("button", name="Se connecter").click()
    if page.url.split("?")[0].endswith(LOGIN_PATH):
        raise AssertionError(f"La connexion de {username!r} a échoué : le formulaire est revenu ({page.url}).")
    return page
