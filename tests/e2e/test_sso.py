"""In a real browser, against a real OpenID Connect provider (the npm package oidc-provider, tests/oidc/, started
on the loopback by the fixture with the machine's Node): an unknown agent signs in through the SSO and lands on
the holding page, and nothing else; signing out ends the provider's session too; an agent whose groups claim
maps to staff signs in as staff. The login and holding pages pass axe-core and hold at 360 px."""

import base64
import json
import os
import queue
import shutil
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from pti import sso
from pti.enums import Role
from pti.models import SsoSession, User
from tests.e2e.test_accessibility import assert_accessible
from tests.e2e.test_widths import wider_than_the_screen

pytestmark = pytest.mark.django_db(transaction=True)

OIDC_DIR = Path(__file__).resolve().parent.parent / "oidc"
CLIENT_ID, CLIENT_SECRET = "pti-e2e", "secret-de-test-e2e-0123456789"
ACCOUNTS = {
    "nouvel.agent": {
        "email": "nouvel.agent@haute-vienne.example",
        "email_verified": True,
        "given_name": "Nadia",
        "family_name": "Nouvelle",
        "groups": ["tous-les-agents"],
    },
    "chef.service": {
        "email": "chef.service@haute-vienne.example",
        "email_verified": True,
        "given_name": "Serge",
        "family_name": "Chef",
        "groups": ["tous-les-agents", "pti-staff"],
    },
}
START_TIMEOUT_S = 30
PHONE = {"width": 360, "height": 780}


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def install_provider():
    """`npm ci` into tests/oidc/node_modules (gitignored) the first time, from the committed lock file."""
    if (OIDC_DIR / "node_modules" / "oidc-provider" / "package.json").exists():
        return
    subprocess.run(
        ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=OIDC_DIR,
        stdin=subprocess.DEVNULL,
        check=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def provider(live_server):
    if not shutil.which("node") or not shutil.which("npm"):
        pytest.skip("Node.js absent (node, npm) : il démarre le fournisseur OpenID Connect du test SSO.")
    install_provider()
    port = free_port()
    config = {
        "port": port,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "redirect_uri": f"{live_server.url}/comptes/sso/retour/",
        "post_logout_redirect_uri": f"{live_server.url}/comptes/login/",
        "backchannel_logout_uri": f"{live_server.url}/comptes/sso/deconnexion-du-fournisseur/",
        "accounts": ACCOUNTS,
    }
    process = subprocess.Popen(
        ["node", "provider.mjs", json.dumps(config)],
        cwd=OIDC_DIR,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "NODE_ENV": "test"},
    )
    deadline = time.monotonic() + START_TIMEOUT_S
    # One thread reads everything the provider prints (a full pipe would block it). select() on the pipe would
    # miss the READY line when it arrives with the warnings before it, already inside the reader's buffer.
    seen, lines = [], queue.Queue()

    def read():
        for printed in process.stdout:
            seen.append(printed)
            lines.put(printed)
        lines.put(None)

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        while True:
            try:
                line = lines.get(timeout=max(deadline - time.monotonic(), 0.01))
            except queue.Empty:
                line = None
            if line is None:
                raise AssertionError(f"Le fournisseur OpenID Connect n'a pas démarré : {''.join(seen)}")
            if line.startswith("READY "):
                break
        yield line.split()[1]
    finally:
        process.terminate()
        process.wait(timeout=10)
        if reader is not None:
            reader.join(timeout=10)
        process.stdout.close()


@pytest.fixture
def sso_on(provider, settings):
    settings.PTI_OIDC = {
        **settings.PTI_OIDC,
        "provider_name": "le compte du Département",
        "issuer": provider,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "role_claim": "groups",
        "role_map": "pti-staff:staff,pti-copil:copil,pti-admin:admin",
    }
    settings.PTI_LOCAL_LOGIN = False
    sso.forget_discovery()
    yield provider
    sso.forget_discovery()


def sign_in_at_the_provider(page, login):
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("nimporte-quoi")
    page.get_by_role("button", name="Sign-in").click()


def test_agents_sign_in_through_the_sso_wait_for_their_role_and_sign_out_of_the_provider(page, live_server, sso_on):
    # The login page offers only the SSO: local passwords are off.
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/comptes/login/")
    expect(page.locator("#id_password")).to_have_count(0)
    assert_accessible(page, "connexion par le SSO")
    assert wider_than_the_screen(page, PHONE["width"]) is None
    page.get_by_role("link", name="Se connecter avec le compte du Département").click()

    # At the provider, an agent PTI has never seen: his account is created without a role.
    expect(page).to_have_url(f"{sso_on}/interaction/" + page.url.split("/interaction/")[-1])
    sign_in_at_the_provider(page, "nouvel.agent")
    expect(page.get_by_role("heading", level=1)).to_have_text("Compte en attente d'habilitation")
    assert page.url == f"{live_server.url}/comptes/en-attente/"
    expect(page.locator("main")).to_contain_text("nouvel.agent@haute-vienne.example")
    assert_accessible(page, "compte en attente d'habilitation")
    assert wider_than_the_screen(page, PHONE["width"]) is None
    agent = User.objects.get(email="nouvel.agent@haute-vienne.example")
    assert (agent.role, agent.first_name, agent.last_name, agent.has_usable_password()) == (
        Role.PENDING,
        "Nadia",
        "Nouvelle",
        False,
    )
    # Nothing else: a page sends him back, the API refuses.
    page.goto(f"{live_server.url}/actions/")
    assert page.url == f"{live_server.url}/comptes/en-attente/"
    assert page.request.get(f"{live_server.url}/api/v1/pactes/").status == 403

    # Signing out ends the provider's session too.
    page.get_by_role("button", name="Se déconnecter").click()
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page).to_have_url(f"{live_server.url}/comptes/login/")
    page.get_by_role("link", name="Se connecter avec le compte du Département").click()
    expect(page.locator("input[name=login]")).to_be_visible()  # asked again: no session left at the provider

    # An agent whose groups claim maps to staff signs in as staff and sees the staff pages.
    sign_in_at_the_provider(page, "chef.service")
    expect(page.get_by_role("heading", level=1)).not_to_have_text("Compte en attente d'habilitation")
    assert page.url == f"{live_server.url}/"
    chef = User.objects.get(email="chef.service@haute-vienne.example")
    assert chef.role == Role.STAFF
    page.goto(f"{live_server.url}/journal/")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.url == f"{live_server.url}/journal/"


def tampered(token, claims=None):
    """The provider's real ID token with its signature altered, or with other claims under the same signature."""
    header, payload, signature = token.split(".")
    if claims is None:
        signature = ("A" if signature[0] != "A" else "B") + signature[1:]
    else:
        decoded = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        payload = base64.urlsafe_b64encode(json.dumps({**decoded, **claims}).encode()).rstrip(b"=").decode()
    return f"{header}.{payload}.{signature}"


@pytest.mark.parametrize("change", [None, {"email": "chef.service@haute-vienne.example"}], ids=["signature", "claims"])
def test_an_id_token_tampered_on_its_way_back_from_the_real_provider_is_refused(
    page, live_server, sso_on, monkeypatch, change
):
    exchange = sso.SSOBackend.get_token

    def tampered_exchange(self, payload):
        tokens = exchange(self, payload)  # the real token endpoint's answer
        return {**tokens, "id_token": tampered(tokens["id_token"], change)}

    monkeypatch.setattr(sso.SSOBackend, "get_token", tampered_exchange)
    page.goto(f"{live_server.url}/comptes/login/")
    page.get_by_role("link", name="Se connecter avec le compte du Département").click()
    sign_in_at_the_provider(page, "nouvel.agent")

    expect(page.get_by_role("alert").first).to_contain_text("La connexion avec le compte du Département a échoué")
    assert page.url == f"{live_server.url}/comptes/login/"
    assert not User.objects.filter(email__in=["nouvel.agent@haute-vienne.example", change and change["email"]]).exists()


def test_signing_out_at_the_provider_ends_the_pti_session_through_the_back_channel(page, live_server, sso_on):
    page.goto(f"{live_server.url}/comptes/login/")
    page.get_by_role("link", name="Se connecter avec le compte du Département").click()
    sign_in_at_the_provider(page, "chef.service")
    page.goto(f"{live_server.url}/journal/")
    assert page.url == f"{live_server.url}/journal/"
    (opened,) = SsoSession.objects.all()
    assert opened.sid and opened.sub == "chef.service"

    # The agent signs out at the provider itself (another application, the provider's own page), not in PTI: the
    # provider posts a logout token to PTI, whose session ends.
    page.goto(f"{sso_on}/session/end")
    page.get_by_role("button", name="Yes, sign me out").click()
    expect(page.locator("body")).to_contain_text("Sign-out Success")
    assert not SsoSession.objects.exists()
    page.goto(f"{live_server.url}/journal/")
    assert page.url.startswith(f"{live_server.url}/comptes/login/")
