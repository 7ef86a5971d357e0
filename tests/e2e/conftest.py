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


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium absent ({CHROMIUM}) : `apt-get install -y chromium` pour les tests navigateur.")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in the test thread: Django would otherwise refuse the ORM calls
    # that the tests (factories, assertions) make from it while the browser is open.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            try:
                yield browser
            finally:
                browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser, live_server):
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
