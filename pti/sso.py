"""Single sign-on of the département's agents through its OpenID Connect provider (Keycloak, Azure AD, ProConnect…).

Everything comes from `settings.PTI_OIDC` (the `PTI_OIDC_*` environment variables, docs/deployment.md) and is
read at each request, so that tests can switch it. The SSO is off while no client id and no provider are given:
nothing changes then. mozilla-django-oidc does the authorisation code flow (with PKCE and a nonce); this module
gives it its settings, finds the endpoints in the provider's discovery document (once per process), checks the
ID token (signature, algorithm, audience, issuer, expiry), and decides who the agent is:

- an account with the same e-mail address is his (local accounts keep working under the SSO);
- an unknown agent gets a new account with no role (`Role.PENDING`): he sees the holding page until staff give
  him one (pti/pending.py);
- when the provider sends the role claim (`PTI_OIDC_ROLE_CLAIM`), a value of `PTI_OIDC_ROLE_MAP` sets the role at
  each sign-in (the widest one if several match); without a mapped value, the role staff gave stays.

Signing out ends the provider's session too (its `end_session_endpoint`, with `id_token_hint` and
`post_logout_redirect_uri`). The other way round, a provider that ends a session (the agent signed out elsewhere,
his account was closed) tells PTI through the back-channel logout (`backchannel_logout`, OpenID Connect
Back-Channel Logout 1.0): the PTI sessions opened with that provider session, or of that subject, end at once.
Local passwords can be switched off with `PTI_LOCAL_LOGIN=0` once the SSO is on.
"""

import datetime
import functools
import logging
from importlib import import_module
from urllib.parse import urlencode, urlsplit

import jwt
import requests
from django.conf import settings
from django.contrib import auth, messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.dispatch import receiver
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from mozilla_django_oidc import views as oidc_views
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

from pti.enums import Role
from pti.models import SsoSession

logger = logging.getLogger(__name__)

# When several mapped values match, the widest role wins.
ROLE_RANK = [Role.REFERENT, Role.COPIL, Role.STAFF, Role.ADMIN]
# Clock skew allowed between the provider and us, in seconds.
LEEWAY = 60


def conf():
    return settings.PTI_OIDC


def enabled():
    """The SSO is on: a client id, and a provider to find (its issuer, its discovery document or its endpoints)."""
    c = conf()
    provider = c["issuer"] or c["discovery_url"] or (c["authorization_endpoint"] and c["token_endpoint"])
    return bool(c["client_id"] and provider)


def local_login_enabled():
    """Local passwords sign in, unless switched off (PTI_LOCAL_LOGIN=0) while the SSO is on."""
    return bool(settings.PTI_LOCAL_LOGIN) or not enabled()


def provider_name():
    return conf()["provider_name"]


def discovery_url():
    c = conf()
    if c["discovery_url"]:
        return c["discovery_url"]
    return f"{c['issuer']}/.well-known/openid-configuration" if c["issuer"] else ""


# The providers' discovery documents, by address, once fetched in this process.
_DISCOVERED = {}


def _discover(url, verify, timeout):
    if url not in _DISCOVERED:
        response = requests.get(url, verify=verify, timeout=timeout)
        response.raise_for_status()
        document = response.json()
        if not isinstance(document, dict):
            raise ValueError("discovery document is not a JSON object")
        _DISCOVERED[url] = document
    return _DISCOVERED[url]


def forget_discovery():
    _DISCOVERED.clear()


def _origin(url):
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme in ("http", "https") and parts.netloc else ""


def logout_origins():
    """Where the logout form may be sent on to, without asking the provider anything: the origins of the
    end_session_endpoint (given, or already discovered by this process), of the issuer and of the discovery
    document (a provider's logout lives beside them)."""
    c = conf()
    discovered = _DISCOVERED.get(discovery_url(), {}).get("end_session_endpoint") if discovery_url() else ""
    urls = [c["end_session_endpoint"], discovered, c["issuer"], c["discovery_url"]]
    return sorted({origin for origin in map(_origin, urls) if origin})


def metadata(name):
    """A provider's value (`token_endpoint`, `jwks_uri`, `issuer`…): from the settings if given, else from its
    discovery document, fetched once per process. Raises requests.RequestException if the provider is down."""
    c = conf()
    if c.get(name):
        return c[name]
    url = discovery_url()
    if not url:
        return ""
    return _discover(url, c["verify_ssl"], c["timeout"]).get(name) or ""


def role_map():
    """{claim value: role} from PTI_OIDC_ROLE_MAP ("pti-staff:staff,pti-copil:copil"); unknown roles ignored."""
    mapping = {}
    for item in conf()["role_map"].split(","):
        value, sep, role = item.strip().rpartition(":")
        value, role = value.strip(), role.strip()
        if sep and value and role in ROLE_RANK:
            mapping[value] = Role(role)
        elif item.strip():
            logger.warning("PTI_OIDC_ROLE_MAP: %r ignored (expected value:role, role among %s)", item, ROLE_RANK)
    return mapping


def claim_values(claims):
    """The values of the role claim (PTI_OIDC_ROLE_CLAIM, a dotted path for nested claims), as a list of text."""
    path = conf()["role_claim"]
    if not path:
        return []
    value = claims
    for part in path.split("."):
        if not isinstance(value, dict):
            return []
        value = value.get(part)
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)):
        return [item for item in value if isinstance(item, str)]
    return []


def mapped_role(claims):
    """The role the provider's claim gives, or None when it gives none."""
    mapping = role_map()
    roles = {mapping[value] for value in claim_values(claims) if value in mapping}
    for role in reversed(ROLE_RANK):
        if role in roles:
            return role
    return None


_SETTINGS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": lambda: metadata("authorization_endpoint"),
    "OIDC_OP_TOKEN_ENDPOINT": lambda: metadata("token_endpoint"),
    "OIDC_OP_USER_ENDPOINT": lambda: metadata("userinfo_endpoint"),
    "OIDC_OP_JWKS_ENDPOINT": lambda: metadata("jwks_uri"),
    "OIDC_RP_CLIENT_ID": lambda: conf()["client_id"],
    "OIDC_RP_CLIENT_SECRET": lambda: conf()["client_secret"],
    "OIDC_RP_SCOPES": lambda: conf()["scopes"],
    "OIDC_RP_SIGN_ALGO": lambda: conf()["sign_algo"],
    "OIDC_VERIFY_SSL": lambda: conf()["verify_ssl"],
    "OIDC_TIMEOUT": lambda: conf()["timeout"],
    "OIDC_USE_NONCE": lambda: True,
    "OIDC_USE_PKCE": lambda: True,
    "OIDC_STORE_ID_TOKEN": lambda: True,
    "OIDC_CREATE_USER": lambda: True,
    "OIDC_ALLOW_UNSECURED_JWT": lambda: False,
    "OIDC_AUTHENTICATION_CALLBACK_URL": lambda: "sso_callback",
}


def get_setting(attr, *default):
    """mozilla-django-oidc's settings, from PTI_OIDC."""
    if attr in _SETTINGS:
        return _SETTINGS[attr]()
    return import_from_settings(attr, *default)


def _lazy(attr):
    return property(lambda self: get_setting(attr))


class LocalPasswordBackend(ModelBackend):
    """Django's username and password, unless local accounts are switched off (PTI_LOCAL_LOGIN=0 with the SSO)."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not local_login_enabled():
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class SSOBackend(OIDCAuthenticationBackend):
    """The agent the provider vouches for. Endpoints are read when used (not when Django loads the backend to
    find a session's user), and any fault of the provider or of its token refuses the sign-in, never a 500."""

    get_settings = staticmethod(get_setting)
    OIDC_OP_TOKEN_ENDPOINT = _lazy("OIDC_OP_TOKEN_ENDPOINT")
    OIDC_OP_USER_ENDPOINT = _lazy("OIDC_OP_USER_ENDPOINT")
    OIDC_OP_JWKS_ENDPOINT = _lazy("OIDC_OP_JWKS_ENDPOINT")
    OIDC_RP_CLIENT_ID = _lazy("OIDC_RP_CLIENT_ID")
    OIDC_RP_CLIENT_SECRET = _lazy("OIDC_RP_CLIENT_SECRET")
    OIDC_RP_SIGN_ALGO = _lazy("OIDC_RP_SIGN_ALGO")
    OIDC_RP_IDP_SIGN_KEY = None

    def __init__(self, *args, **kwargs):
        self.UserModel = auth.get_user_model()

    def authenticate(self, request, **kwargs):
        # Only the callback's call (it passes the nonce), and only while the SSO is on.
        if request is None or "nonce" not in kwargs or not enabled():
            return None
        try:
            return super().authenticate(request, **kwargs)
        except (SuspiciousOperation, jwt.InvalidTokenError, requests.RequestException, ValueError, KeyError) as exc:
            logger.warning("SSO sign-in refused: %s", exc)
            return None

    def get_user(self, user_id):
        # Django's rule, which mozilla-django-oidc's skips: a deactivated account's sessions end at once.
        return ModelBackend.get_user(self, user_id)

    def _verify_jws(self, payload, key):
        """The ID token: signed with the expected algorithm by the provider's key, for us, by our provider, not
        expired (jwt raises InvalidTokenError otherwise)."""
        if jwt.get_unverified_header(payload).get("alg") != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation("unexpected ID token algorithm")
        return self.decode(payload, key, require=["exp", "iat", "sub", "aud", "iss"])

    def decode(self, token, key, require):
        """The claims of a token the provider signed (an ID token, a logout token), checked as every one of them
        is: signature by `key` with the expected algorithm, audience (our client), issuer, times with LEEWAY, and
        the `require`d claims present (jwt raises InvalidTokenError otherwise)."""
        return jwt.decode(
            token,
            key,
            algorithms=[self.OIDC_RP_SIGN_ALGO],
            audience=self.OIDC_RP_CLIENT_ID,
            issuer=metadata("issuer") or None,
            leeway=LEEWAY,
            options={"require": require},
        )

    def signing_key(self, token):
        """The key that checks `token`: the provider's (its JWKS) for an asymmetric algorithm, else our secret."""
        if self.OIDC_RP_SIGN_ALGO.startswith(("RS", "ES", "PS")):
            return self.retrieve_matching_jwk(token)
        return self.OIDC_RP_CLIENT_SECRET

    def get_userinfo(self, access_token, id_token, payload):
        """The ID token's claims, completed by the userinfo endpoint's (for the same subject)."""
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            info = super().get_userinfo(access_token, id_token, payload)
            if not isinstance(info, dict) or info.get("sub") != payload.get("sub"):
                raise SuspiciousOperation("userinfo subject differs from the ID token's")
            claims.update(info)
        return claims

    def verify_claims(self, claims):
        # An address the provider says it has not verified cannot claim an existing account.
        return bool(claims.get("sub") and claims.get("email")) and claims.get("email_verified") is not False

    def filter_users_by_claims(self, claims):
        return self.UserModel.objects.filter(email__iexact=claims["email"].strip())

    def _free_username(self, claims):
        validate = UnicodeUsernameValidator()
        email = claims["email"].strip().lower()
        for candidate in [claims.get("preferred_username"), email]:
            if not isinstance(candidate, str) or not candidate or len(candidate) > 150:
                continue
            try:
                validate(candidate)
            except ValidationError:
                continue
            if not self.UserModel.objects.filter(username__iexact=candidate).exists():
                return candidate
        base = email[:140]
        n = 2
        while self.UserModel.objects.filter(username__iexact=f"{base}-{n}").exists():
            n += 1
        return f"{base}-{n}"

    @staticmethod
    def _names(user, claims):
        changed = []
        for field, claim in (("first_name", "given_name"), ("last_name", "family_name")):
            value = claims.get(claim)
            if isinstance(value, str) and value.strip() and getattr(user, field) != value.strip()[:150]:
                setattr(user, field, value.strip()[:150])
                changed.append(field)
        return changed

    def create_user(self, claims):
        """An unknown agent: a new account, with the role his claim maps to, or none (pending)."""
        user = self.UserModel(
            username=self._free_username(claims),
            email=claims["email"].strip(),
            role=mapped_role(claims) or Role.PENDING,
        )
        self._names(user, claims)
        user.set_unusable_password()
        user.save()
        logger.info("SSO: account %s created (%s)", user.username, user.role)
        return user

    def update_user(self, user, claims):
        """At each sign-in: the role the claim maps to (if any) and the names the provider sends."""
        changed = self._names(user, claims)
        role = mapped_role(claims)
        if role is not None and role != user.role:
            if user.role == Role.ADMIN or user.is_superuser:
                user.is_staff = user.is_superuser = False
                changed += ["is_staff", "is_superuser"]
            user.role = role
            changed.append("role")
            logger.info("SSO: %s gets the role %s from the provider", user.username, role)
        if changed:
            user.save()
        return user


def _require_enabled():
    if not enabled():
        raise Http404(_("La connexion unique n'est pas activée."))


def _failure(request, reason=None):
    messages.error(
        request,
        reason
        or _("La connexion avec %(provider)s a échoué. Réessayez ; si cela persiste, prévenez le service.")
        % {"provider": provider_name()},
    )
    return redirect("login")


class SSOLoginView(oidc_views.OIDCAuthenticationRequestView):
    """/comptes/sso/connexion/: off to the provider, with a state, a nonce and a PKCE challenge."""

    get_settings = staticmethod(get_setting)
    OIDC_OP_AUTH_ENDPOINT = _lazy("OIDC_OP_AUTHORIZATION_ENDPOINT")
    OIDC_RP_CLIENT_ID = _lazy("OIDC_RP_CLIENT_ID")

    def __init__(self, **kwargs):
        View.__init__(self, **kwargs)  # the parent reads the endpoints here; we read them in get()

    def get(self, request):
        _require_enabled()
        try:
            if not self.OIDC_OP_AUTH_ENDPOINT:
                raise ValueError("no authorization endpoint")
        except (requests.RequestException, ValueError) as exc:
            logger.warning("SSO provider unreachable: %s", exc)
            return _failure(
                request,
                _("%(provider)s ne répond pas. Réessayez dans quelques minutes.") % {"provider": provider_name()},
            )
        return super().get(request)


class SSOCallbackView(oidc_views.OIDCAuthenticationCallbackView):
    """/comptes/sso/retour/: the provider sends the agent back with a code; a refused code, token or state sends
    him to the login page with a French message."""

    get_settings = staticmethod(get_setting)

    def get(self, request):
        _require_enabled()
        try:
            return super().get(request)
        except SuspiciousOperation as exc:  # a state that is not ours (replayed, or another browser's)
            logger.warning("SSO callback refused: %s", exc)
            return self.login_failure()

    def login_failure(self):
        return _failure(self.request)


sso_login = login_not_required(SSOLoginView.as_view())
sso_callback = login_not_required(SSOCallbackView.as_view())


def logout_url(request, id_token):
    """Where to send the browser once signed out here: the provider's end_session_endpoint (so that its session
    ends too) for an SSO session, else the login page."""
    local = reverse(settings.LOGOUT_REDIRECT_URL)
    if not id_token or not enabled():
        return local
    try:
        endpoint = metadata("end_session_endpoint")
    except (requests.RequestException, ValueError) as exc:
        logger.warning("SSO provider unreachable at logout: %s", exc)
        return local
    if not endpoint:
        return local
    params = urlencode(
        {
            "id_token_hint": id_token,
            "post_logout_redirect_uri": request.build_absolute_uri(local),
            "client_id": conf()["client_id"],
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{params}"


@require_POST
def logout(request):
    """Sign out (POST, with the CSRF token), of the provider too when signed in through it."""
    id_token = request.session.get("oidc_id_token")
    target = logout_url(request, id_token)
    auth.logout(request)
    return HttpResponseRedirect(target)


logout.pending_allowed = True


def local_login_required(view):
    """Password pages (reset, change) exist only while local accounts sign in."""

    @functools.wraps(view)
    def wrapped(request, *args, **kwargs):
        if not local_login_enabled():
            raise Http404(_("La connexion par mot de passe est désactivée."))
        return view(request, *args, **kwargs)

    return wrapped


class LoginView(auth_views.LoginView):
    """The login page: the SSO's button when it is on, the password form while local accounts sign in."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(sso_enabled=enabled(), sso_provider=provider_name(), local_login=local_login_enabled())
        return context

    def post(self, request, *args, **kwargs):
        if not local_login_enabled():
            form = self.get_form()
            form.errors.clear()
            context = self.get_context_data(form=form, local_refused=True)
            return self.render_to_response(context, status=403)
        return super().post(request, *args, **kwargs)


class LogoutFormActionMiddleware:
    """The pages of an SSO session may send their logout form on to the provider's end_session_endpoint: the
    browser applies the page's CSP `form-action` to the redirect that follows the form, so the provider's origin
    is added to it (and only for those sessions)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is None or not session.get("oidc_id_token") or not enabled():
            return response
        origins = logout_origins()  # never a request to the provider: pages do not wait for it
        if origins:
            update = dict(getattr(response, "_csp_update", None) or {})
            update["form-action"] = [*update.get("form-action", []), *origins]
            response._csp_update = update
        return response


# --- back-channel logout ----------------------------------------------------------------------------------

BACKCHANNEL_EVENT = "http://schemas.openid.net/event/backchannel-logout"
# A logout token older than this is refused (the provider sends it as the session ends; a replay changes nothing
# anyway: the sessions it names are gone).
LOGOUT_TOKEN_MAX_AGE = 10 * 60


class LogoutTokenError(ValueError):
    """A logout token PTI does not accept (its message, in French, is the answer's error_description)."""


def verify_logout_token(token):
    """The claims of a back-channel logout token: signed by the provider's key with the expected algorithm, for
    us, by our provider, recent, with the back-channel logout event, a `sid` or a `sub`, and no nonce (so that an
    ID token cannot pass for one)."""
    backend = SSOBackend()
    try:
        if jwt.get_unverified_header(token).get("alg") != backend.OIDC_RP_SIGN_ALGO:
            raise LogoutTokenError(_("Jeton de déconnexion signé avec un algorithme inattendu."))
        claims = backend.decode(token, backend.signing_key(token), require=["iat", "iss", "aud", "jti", "events"])
    except (jwt.InvalidTokenError, SuspiciousOperation, KeyError, TypeError) as exc:
        raise LogoutTokenError(_("Jeton de déconnexion refusé : %(reason)s.") % {"reason": exc}) from exc
    events = claims.get("events")
    if not isinstance(events, dict) or BACKCHANNEL_EVENT not in events:
        raise LogoutTokenError(_("Le jeton ne porte pas l'événement de déconnexion."))
    if "nonce" in claims:
        raise LogoutTokenError(_("Un jeton de déconnexion ne porte pas de nonce."))
    if not any(isinstance(claims.get(name), str) and claims[name] for name in ("sid", "sub")):
        raise LogoutTokenError(_("Le jeton ne nomme ni session (sid) ni personne (sub)."))
    if claims["iat"] < timezone.now().timestamp() - LOGOUT_TOKEN_MAX_AGE - LEEWAY:
        raise LogoutTokenError(_("Jeton de déconnexion trop ancien."))
    return claims


def end_sessions(sid=None, sub=None):
    """End the PTI sessions opened with the provider's session `sid` (of subject `sub`, when given both), or
    every session of `sub`; returns how many ended."""
    opened = SsoSession.objects.all()
    if sid:
        opened = opened.filter(sid=sid)
    if sub:
        opened = opened.filter(sub=sub)
    keys = list(opened.values_list("session_key", flat=True))
    store = import_module(settings.SESSION_ENGINE).SessionStore
    for key in keys:
        store(session_key=key).delete()
    SsoSession.objects.filter(session_key__in=keys).delete()
    return len(keys)


@csrf_exempt  # the provider posts it, server to server, without any cookie
@login_not_required
@never_cache
@require_POST
def backchannel_logout(request):
    """/comptes/sso/deconnexion-du-fournisseur/: the provider ends a session; its `logout_token` names it. 200
    when the token is good (even if no PTI session was open), 400 with the reason otherwise."""
    _require_enabled()
    token = request.POST.get("logout_token", "")
    try:
        if not token:
            raise LogoutTokenError(_("Le paramètre logout_token manque."))
        claims = verify_logout_token(token)
    except LogoutTokenError as exc:
        logger.warning("SSO back-channel logout refused: %s", exc)
        return JsonResponse({"error": "invalid_request", "error_description": str(exc)}, status=400)
    except (requests.RequestException, ValueError) as exc:
        logger.warning("SSO provider's keys unreachable at back-channel logout: %s", exc)
        return JsonResponse(
            {"error": "temporarily_unavailable", "error_description": _("Clés du fournisseur injoignables.")},
            status=503,
        )
    ended = end_sessions(sid=claims.get("sid"), sub=claims.get("sub"))
    logger.info("SSO back-channel logout: %s session(s) ended (sid %s)", ended, claims.get("sid") or "-")
    return HttpResponse(status=200)


@receiver(user_logged_in, dispatch_uid="pti.sso:remember-session")
def remember_session(sender, request, user, **kwargs):
    """A sign-in through the SSO: its session is kept with the ID token's `sid` and `sub` (the token was checked a
    moment ago by SSOBackend), so that the provider's back-channel logout finds it."""
    session = getattr(request, "session", None)
    id_token = session.get("oidc_id_token") if session is not None else None
    if not id_token:
        return
    if session.session_key is None:
        session.save()
    claims = jwt.decode(id_token, options={"verify_signature": False})
    lifetime = datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE)
    SsoSession.objects.filter(created_at__lt=timezone.now() - lifetime).delete()  # their sessions have expired
    SsoSession.objects.update_or_create(
        session_key=session.session_key,
        defaults={"sid": str(claims.get("sid") or "")[:255], "sub": str(claims.get("sub") or "")[:255], "user": user},
    )


@receiver(user_logged_out, dispatch_uid="pti.sso:forget-session")
def forget_session(sender, request, user, **kwargs):
    session = getattr(request, "session", None)
    if session is not None and session.session_key:
        SsoSession.objects.filter(session_key=session.session_key).delete()
