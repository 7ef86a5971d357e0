"""The SSO of the agents (pti/sso.py) with a provider mocked at the HTTP level (`responses`): its discovery
document, its keys, its token and userinfo endpoints; ID tokens signed here with a test RSA key."""

import json
import time
import uuid
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
import responses
from cryptography.hazmat.primitives.asymmetric import rsa
from django.test import Client
from django.urls import reverse

from pti import sso
from pti.enums import Role
from pti.factories import DEFAULT_PASSWORD, UserFactory
from pti.models import SsoSession, User

pytestmark = pytest.mark.django_db

ISSUER = "https://sso.haute-vienne.example/realms/agents"
CLIENT_ID, CLIENT_SECRET = "pti", "secret-du-client-assez-long-pour-hs256"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
DISCOVERY = {
    "issuer": ISSUER,
    "authorization_endpoint": f"{ISSUER}/protocol/openid-connect/auth",
    "token_endpoint": f"{ISSUER}/protocol/openid-connect/token",
    "userinfo_endpoint": f"{ISSUER}/protocol/openid-connect/userinfo",
    "jwks_uri": f"{ISSUER}/protocol/openid-connect/certs",
    "end_session_endpoint": f"{ISSUER}/protocol/openid-connect/logout",
}


def jwks():
    public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key()))
    return {"keys": [{**public, "kid": "k1", "alg": "RS256", "use": "sig"}]}


@pytest.fixture
def sso_on(settings):
    settings.PTI_OIDC = {
        **settings.PTI_OIDC,
        "provider_name": "Keycloak du Département",
        "issuer": ISSUER,
        "client_id": CLIENT_ID,
        "client_secret": CLIENT_SECRET,
        "role_claim": "groups",
        "role_map": "pti-staff:staff, pti-copil:copil,pti-admin:admin,pti-referent:referent",
    }
    sso.forget_discovery()
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        mock.get(f"{ISSUER}/.well-known/openid-configuration", json=DISCOVERY)
        mock.get(DISCOVERY["jwks_uri"], json=jwks())
        yield mock
    sso.forget_discovery()


def id_token(nonce, key=KEY, **overrides):
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": CLIENT_ID, "sub": "agent-42", "iat": now, "exp": now + 300, "nonce": nonce}
    claims.update(overrides)
    return jwt.encode({k: v for k, v in claims.items() if v is not None}, key, algorithm="RS256", headers={"kid": "k1"})


def start(client, next_url=None):
    """The login button: off to the provider; returns the state and nonce it was sent."""
    url = reverse("sso_login") + (f"?next={next_url}" if next_url else "")
    response = client.get(url)
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    return query, response["Location"]


def sign_in(client, mock, userinfo, token=None, **token_claims):
    """The whole code flow, the provider answering with `userinfo` (and an ID token built from `token_claims`)."""
    query, _location = start(client)
    nonce, state = query["nonce"][0], query["state"][0]
    mock.post(
        DISCOVERY["token_endpoint"],
        json={"id_token": token or id_token(nonce, **token_claims), "access_token": "jeton-d-acces"},
    )
    mock.get(DISCOVERY["userinfo_endpoint"], json={"sub": "agent-42", **userinfo})
    return client.get(reverse("sso_callback"), {"code": "code-du-fournisseur", "state": state})


AGENT = {"email": "Nadia.Nouvelle@haute-vienne.example", "email_verified": True, "given_name": "Nadia"}


# SSO off: nothing changes


def test_without_the_sso_the_login_page_has_only_the_password_form(client):
    content = client.get(reverse("login")).content.decode()
    assert "Se connecter avec" not in content
    assert 'id="id_password"' in content
    assert client.get(reverse("sso_login")).status_code == 404
    assert client.get(reverse("sso_callback"), {"code": "x", "state": "y"}).status_code == 404


def test_switching_local_login_off_is_ignored_while_the_sso_is_off(client, settings):
    settings.PTI_LOCAL_LOGIN = False
    UserFactory(username="marie")
    response = client.post(reverse("login"), {"username": "marie", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


# The login page and the way to the provider


def test_the_login_page_offers_the_provider_and_still_the_local_accounts(client, sso_on):
    content = client.get(reverse("login") + "?next=/actions/").content.decode()
    assert "Se connecter avec Keycloak du Département" in content
    assert 'href="/comptes/sso/connexion/?next=/actions/"' in content
    assert 'id="id_password"' in content


def test_the_button_sends_the_browser_to_the_provider_with_state_nonce_and_pkce(client, sso_on):
    query, location = start(client)
    assert location.startswith(DISCOVERY["authorization_endpoint"] + "?")
    assert query["client_id"] == [CLIENT_ID]
    assert query["response_type"] == ["code"]
    assert query["scope"] == ["openid email profile"]
    assert query["redirect_uri"] == ["http://testserver/comptes/sso/retour/"]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32


def test_a_provider_that_does_not_answer_gives_a_french_message(client, settings):
    settings.PTI_OIDC = {**settings.PTI_OIDC, "issuer": "https://injoignable.example", "client_id": CLIENT_ID}
    sso.forget_discovery()
    with responses.RequestsMock() as mock:
        mock.get("https://injoignable.example/.well-known/openid-configuration", status=503)
        response = client.get(reverse("sso_login"), follow=True)
    assert response.redirect_chain == [("/comptes/login/", 302)]
    assert "le compte du Département ne répond pas" in response.content.decode()


# First sign-in, pending account


def test_an_unknown_agent_gets_an_account_without_role_and_the_holding_page_only(client, sso_on):
    response = sign_in(client, sso_on, {**AGENT, "family_name": "Nouvelle", "groups": ["tous-les-agents"]})
    assert response.status_code == 302 and response["Location"] == "/"
    user = User.objects.get(email="Nadia.Nouvelle@haute-vienne.example")
    assert (user.username, user.role, user.first_name, user.last_name) == (
        "nadia.nouvelle@haute-vienne.example",
        Role.PENDING,
        "Nadia",
        "Nouvelle",
    )
    assert not user.has_usable_password()
    assert client.get("/")["Location"] == "/comptes/en-attente/"
    page = client.get("/comptes/en-attente/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "Compte en attente d'habilitation" in content
    assert "Nadia.Nouvelle@haute-vienne.example" in content
    assert 'href="/actions/"' not in content  # no navigation
    assert client.get("/actions/")["Location"] == "/comptes/en-attente/"
    api = client.get("/api/v1/pactes/")
    assert api.status_code == 403 and "en attente d'habilitation" in api.json()["detail"]


def test_a_pending_agent_with_an_api_token_is_refused_too(client, sso_on):
    from rest_framework.authtoken.models import Token

    user = UserFactory(role=Role.PENDING)
    token = Token.objects.create(user=user)
    response = client.get("/api/v1/pactes/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 403


def test_once_staff_give_him_a_role_he_sees_the_pact(client, sso_on):
    sign_in(client, sso_on, AGENT)
    user = User.objects.get(email__iexact=AGENT["email"])
    user.role = Role.REFERENT
    user.save()
    assert client.get("/").status_code == 200
    assert client.get("/comptes/en-attente/")["Location"] == "/"


def test_the_known_address_signs_in_to_the_existing_account_and_keeps_its_role(client, sso_on):
    marie = UserFactory(username="marie", email="marie.dupont@haute-vienne.example", copil=True)
    response = sign_in(client, sso_on, {"email": "MARIE.DUPONT@haute-vienne.example", "groups": ["autre"]})
    assert response["Location"] == "/"
    marie.refresh_from_db()
    assert marie.role == Role.COPIL
    assert User.objects.count() == 1
    assert client.get("/").status_code == 200


def test_a_deactivated_agent_is_signed_out_and_cannot_sign_in_again(client, sso_on):
    sign_in(client, sso_on, {**AGENT, "groups": ["pti-staff"]})
    assert client.get("/").status_code == 200
    User.objects.filter(email__iexact=AGENT["email"]).update(is_active=False)
    assert client.get("/")["Location"].startswith("/comptes/login/")
    response = sign_in(client, sso_on, {**AGENT, "groups": ["pti-staff"]})
    assert response["Location"] == "/comptes/login/"
    assert client.get("/")["Location"].startswith("/comptes/login/")


def test_a_taken_username_gets_a_free_one(client, sso_on):
    UserFactory(username="nadia", email="autre@haute-vienne.example")
    sign_in(client, sso_on, {**AGENT, "preferred_username": "nadia"})
    assert User.objects.get(email__iexact=AGENT["email"]).username == "nadia.nouvelle@haute-vienne.example"


def test_the_next_page_is_kept_through_the_provider(client, sso_on):
    UserFactory(username="marie", email="marie.dupont@haute-vienne.example")
    query, _ = start(client, next_url="/actions/")
    sso_on.post(DISCOVERY["token_endpoint"], json={"id_token": id_token(query["nonce"][0]), "access_token": "a"})
    sso_on.get(DISCOVERY["userinfo_endpoint"], json={"sub": "agent-42", "email": "marie.dupont@haute-vienne.example"})
    response = client.get(reverse("sso_callback"), {"code": "c", "state": query["state"][0]})
    assert response["Location"] == "/actions/"


# Role mapping


@pytest.mark.parametrize(
    ("groups", "role"),
    [
        (["pti-copil"], Role.COPIL),
        (["tous", "pti-staff"], Role.STAFF),
        (["pti-copil", "pti-admin", "pti-staff"], Role.ADMIN),  # the widest
        ("pti-referent", Role.REFERENT),  # a single value
        (["PTI-STAFF"], None),  # values are compared as sent
        ([], None),
        (None, None),
    ],
)
def test_the_role_claim_maps_to_a_role(sso_on, groups, role):
    assert sso.mapped_role({"groups": groups}) == role


def test_a_nested_claim_is_read_by_its_dotted_path(settings):
    settings.PTI_OIDC = {**settings.PTI_OIDC, "role_claim": "realm_access.roles", "role_map": "pti-staff:staff"}
    assert sso.mapped_role({"realm_access": {"roles": ["offline", "pti-staff"]}}) == Role.STAFF
    assert sso.mapped_role({"realm_access": "pti-staff"}) is None


def test_a_mapping_to_an_unknown_or_pending_role_is_ignored(settings):
    settings.PTI_OIDC = {**settings.PTI_OIDC, "role_claim": "groups", "role_map": "a:pending,b:chef,c,d:copil"}
    assert sso.role_map() == {"d": Role.COPIL}


def test_a_mapped_claim_sets_the_role_at_first_and_at_each_sign_in(client, sso_on):
    sign_in(client, sso_on, {**AGENT, "groups": ["pti-copil"]})
    user = User.objects.get(email__iexact=AGENT["email"])
    assert user.role == Role.COPIL
    client.post(reverse("logout"))
    sign_in(client, sso_on, {**AGENT, "groups": ["pti-staff"]})
    user.refresh_from_db()
    assert user.role == Role.STAFF
    assert client.get(reverse("journal")).status_code == 200


def test_an_administrator_whose_claim_maps_to_copil_loses_the_admin(client, sso_on):
    boss = UserFactory(username="boss", email="boss@haute-vienne.example", admin=True)
    assert boss.is_superuser
    sign_in(client, sso_on, {"email": "boss@haute-vienne.example", "groups": ["pti-copil"]})
    boss.refresh_from_db()
    assert (boss.role, boss.is_staff, boss.is_superuser) == (Role.COPIL, False, False)
    assert client.get("/admin/").status_code == 302


# Refused tokens and answers: nobody signed in, nothing created, a French message


def refused(client, response):
    assert response.status_code == 302 and response["Location"] == "/comptes/login/"
    assert not User.objects.exists()
    assert client.get("/")["Location"].startswith("/comptes/login/")
    message = client.get("/comptes/login/").content.decode()
    assert "La connexion avec Keycloak du Département a échoué" in message


def tampered(nonce):
    header, payload, signature = id_token(nonce).split(".")
    claims = json.loads(jwt.utils.base64url_decode(payload))
    claims["sub"] = "quelqu-un-d-autre"
    forged = jwt.utils.base64url_encode(json.dumps(claims).encode()).decode()
    return f"{header}.{forged}.{signature}"


@pytest.mark.parametrize(
    "make_token",
    [
        pytest.param(tampered, id="tampered payload"),
        pytest.param(lambda nonce: id_token(nonce, key=OTHER_KEY), id="signed by another key"),
        pytest.param(lambda nonce: id_token(nonce, exp=int(time.time()) - 3600), id="expired"),
        pytest.param(lambda nonce: id_token(nonce, exp=None), id="without expiry"),
        pytest.param(lambda nonce: id_token(nonce, aud="une-autre-application"), id="another audience"),
        pytest.param(lambda nonce: id_token(nonce, iss="https://faux.example"), id="another issuer"),
        pytest.param(lambda nonce: id_token("un-autre-nonce"), id="another nonce"),
        pytest.param(
            lambda nonce: jwt.encode({"iss": ISSUER, "aud": CLIENT_ID, "sub": "x", "nonce": nonce}, None, "none"),
            id="unsigned",
        ),
        pytest.param(
            lambda nonce: jwt.encode({"iss": ISSUER, "aud": CLIENT_ID, "sub": "x", "nonce": nonce}, CLIENT_SECRET),
            id="HS256 with the client secret",
        ),
        pytest.param(lambda nonce: "pas-un-jeton", id="not a JWT"),
    ],
)
def test_a_bad_id_token_is_refused(client, sso_on, make_token):
    query, _ = start(client)
    sso_on.post(DISCOVERY["token_endpoint"], json={"id_token": make_token(query["nonce"][0]), "access_token": "a"})
    sso_on.get(DISCOVERY["userinfo_endpoint"], json={"sub": "agent-42", **AGENT})
    refused(client, client.get(reverse("sso_callback"), {"code": "c", "state": query["state"][0]}))


def test_an_unverified_address_is_refused(client, sso_on):
    refused(client, sign_in(client, sso_on, {**AGENT, "email_verified": False}))


def test_userinfo_of_another_subject_is_refused(client, sso_on):
    query, _ = start(client)
    sso_on.post(DISCOVERY["token_endpoint"], json={"id_token": id_token(query["nonce"][0]), "access_token": "a"})
    sso_on.get(DISCOVERY["userinfo_endpoint"], json={**AGENT, "sub": "quelqu-un-d-autre"})
    refused(client, client.get(reverse("sso_callback"), {"code": "c", "state": query["state"][0]}))


def test_a_refused_code_is_refused(client, sso_on):
    query, _ = start(client)
    sso_on.post(DISCOVERY["token_endpoint"], status=400, json={"error": "invalid_grant"})
    refused(client, client.get(reverse("sso_callback"), {"code": "c", "state": query["state"][0]}))


def test_a_state_that_is_not_ours_is_refused_without_error(client, sso_on):
    start(client)
    refused(client, client.get(reverse("sso_callback"), {"code": "c", "state": "etat-inconnu"}))


def test_a_callback_without_a_session_is_refused(client, sso_on):
    refused(client, client.get(reverse("sso_callback"), {"code": "c", "state": "etat"}))


def test_the_provider_s_error_is_refused(client, sso_on):
    query, _ = start(client)
    refused(client, client.get(reverse("sso_callback"), {"error": "access_denied", "state": query["state"][0]}))


# Local accounts switched off


def test_local_login_switched_off_leaves_only_the_provider(client, sso_on, settings):
    settings.PTI_LOCAL_LOGIN = False
    UserFactory(username="marie")
    page = client.get(reverse("login")).content.decode()
    assert "Se connecter avec Keycloak du Département" in page
    assert 'id="id_password"' not in page and "Mot de passe oublié" not in page
    response = client.post(reverse("login"), {"username": "marie", "password": DEFAULT_PASSWORD})
    assert response.status_code == 403
    assert "La connexion par mot de passe est désactivée" in response.content.decode()
    assert client.get(reverse("home")).status_code == 302
    assert not client.login(username="marie", password=DEFAULT_PASSWORD)
    assert client.get(reverse("password_reset")).status_code == 404
    assert client.get(reverse("password_reset_confirm", kwargs={"uidb64": "MQ", "token": "x"})).status_code == 404
    admin = client.post(reverse("admin:login"), {"username": "marie", "password": DEFAULT_PASSWORD})
    assert admin.status_code == 200 and "_auth_user_id" not in client.session


# Signing out


def test_signing_out_of_an_sso_session_ends_the_provider_s_session(client, sso_on):
    sign_in(client, sso_on, {**AGENT, "groups": ["pti-staff"]})
    token = client.session["oidc_id_token"]
    page = client.get(reverse("home"))
    assert "form-action 'self' https://sso.haute-vienne.example" in page["Content-Security-Policy"]
    # Another process, which never read the discovery document: the page does not ask the provider.
    sso.forget_discovery()
    calls = len(sso_on.calls)
    page = client.get(reverse("home"))
    assert "form-action 'self' https://sso.haute-vienne.example" in page["Content-Security-Policy"]
    assert len(sso_on.calls) == calls
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    location = urlsplit(response["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == DISCOVERY["end_session_endpoint"]
    assert parse_qs(location.query) == {
        "id_token_hint": [token],
        "post_logout_redirect_uri": ["http://testserver/comptes/login/"],
        "client_id": [CLIENT_ID],
    }
    assert "_auth_user_id" not in client.session


def test_signing_out_of_a_local_session_stays_here(client, sso_on):
    UserFactory(username="marie")
    client.login(username="marie", password=DEFAULT_PASSWORD)
    assert "form-action 'self';" in client.get(reverse("home"))["Content-Security-Policy"] + ";"
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response["Location"] == "/comptes/login/"


# The provider ends a session (OpenID Connect Back-Channel Logout 1.0): the PTI sessions it names end at once; a
# token PTI does not accept changes nothing and gets a 400 with the reason.

URL = "/comptes/sso/deconnexion-du-fournisseur/"
EVENT = {"http://schemas.openid.net/event/backchannel-logout": {}}


def logout_token(key=KEY, algorithm="RS256", **overrides):
    claims = {
        "iss": ISSUER,
        "aud": CLIENT_ID,
        "iat": int(time.time()),
        "jti": uuid.uuid4().hex,
        "events": EVENT,
        "sub": "agent-42",
        "sid": "session-du-fournisseur-1",
    }
    claims.update(overrides)
    return jwt.encode(
        {k: v for k, v in claims.items() if v is not None}, key, algorithm=algorithm, headers={"kid": "k1"}
    )


def signed_in(mock, sid="session-du-fournisseur-1", sub="agent-42"):
    """A browser signed in through the SSO with the provider's session `sid`."""
    client = Client()
    response = sign_in(client, mock, {**AGENT, "sub": sub}, sid=sid, sub=sub)
    assert response.status_code == 302
    assert client.get(reverse("pending")).status_code == 200  # signed in (a new agent waits for his role)
    return client


def is_signed_in(client):
    return client.get(reverse("pending")).status_code == 200


def test_the_provider_ending_a_session_signs_that_browser_out_and_only_it(sso_on):
    first = signed_in(sso_on, sid="session-du-fournisseur-1")
    second = signed_in(sso_on, sid="session-du-fournisseur-2")
    assert SsoSession.objects.count() == 2
    response = Client().post(URL, {"logout_token": logout_token(sid="session-du-fournisseur-1")})
    assert response.status_code == 200 and response["Cache-Control"].startswith("max-age=0")
    assert not is_signed_in(first)
    assert is_signed_in(second)
    assert list(SsoSession.objects.values_list("sid", flat=True)) == ["session-du-fournisseur-2"]


def test_a_token_naming_only_the_subject_ends_all_his_sessions(sso_on):
    first = signed_in(sso_on, sid="s-1")
    second = signed_in(sso_on, sid="s-2")
    assert Client().post(URL, {"logout_token": logout_token(sid=None)}).status_code == 200
    assert not is_signed_in(first) and not is_signed_in(second)
    assert SsoSession.objects.count() == 0


def test_a_session_of_another_subject_is_not_ended_by_a_token_naming_its_sid_with_another_sub(sso_on):
    browser = signed_in(sso_on, sid="s-1", sub="agent-42")
    assert Client().post(URL, {"logout_token": logout_token(sid="s-1", sub="agent-7")}).status_code == 200
    assert is_signed_in(browser)


@pytest.mark.parametrize(
    ("overrides", "reason"),
    [
        ({"key": OTHER_KEY}, "Signature verification failed"),
        ({"aud": "une-autre-application"}, "Audience"),
        ({"iss": "https://faux.example"}, "issuer"),
        ({"events": None}, "events"),
        ({"events": {"http://schemas.openid.net/event/autre": {}}}, "l'événement de déconnexion"),
        ({"nonce": "n"}, "nonce"),
        ({"sid": None, "sub": None}, "ni session (sid) ni personne (sub)"),
        ({"iat": int(time.time()) - 3600}, "trop ancien"),
        ({"jti": None}, "jti"),
        ({"algorithm": "HS256", "key": "secret-du-client-assez-long-pour-hs256"}, "algorithme inattendu"),
    ],
)
def test_a_token_pti_does_not_accept_gets_a_400_with_the_reason_and_ends_nothing(sso_on, overrides, reason):
    browser = signed_in(sso_on)
    response = Client().post(URL, {"logout_token": logout_token(**overrides)})
    assert response.status_code == 400
    assert response.json()["error"] == "invalid_request"
    assert reason in response.json()["error_description"]
    assert is_signed_in(browser) and SsoSession.objects.count() == 1


def test_a_missing_or_garbled_token_gets_a_400(sso_on):
    assert Client().post(URL).json()["error_description"] == "Le paramètre logout_token manque."
    assert Client().post(URL, {"logout_token": "pas-un-jeton"}).status_code == 400


def test_only_a_post_and_only_with_the_sso_on(client, settings):
    assert client.post(URL, {"logout_token": "x"}).status_code == 404  # SSO off
    assert client.get(URL).status_code == 405


def test_the_provider_keys_unreachable_gives_503_and_ends_nothing(sso_on):
    browser = signed_in(sso_on)
    sso_on.replace(sso_on.GET, f"{ISSUER}/protocol/openid-connect/certs", status=503)
    response = Client().post(URL, {"logout_token": logout_token()})
    assert response.status_code == 503 and response.json()["error"] == "temporarily_unavailable"
    assert is_signed_in(browser)


def test_signing_out_here_forgets_the_session_and_a_password_sign_in_records_none(sso_on, referent):
    browser = signed_in(sso_on)
    assert browser.post(reverse("logout")).status_code == 302
    assert SsoSession.objects.count() == 0
    local = Client()
    local.force_login(referent)
    assert SsoSession.objects.count() == 0
    assert sso.end_sessions(sub="agent-42") == 0
