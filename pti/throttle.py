"""Login and password-reset throttling: guessing a password is slowed down to a few tries, and nobody can lock
the real users out by failing on purpose.

Who is the client. `client_ip` reads REMOTE_ADDR or, behind `PTI_TRUSTED_PROXY_COUNT` trusted proxies (the
HTTPS proxy of docs/deployment.md: 1), the address the outermost of them put in X-Forwarded-For; what the
client itself wrote there is never believed. And a browser in which someone has logged in as a user is a
*known device* for that user: it holds a signed cookie (OWASP's "device cookies"), renewed at each login.

The rules (counters in the shared cache, `PTI_LOGIN_LOCKOUT_SECONDS` windows):
- a username that failed `PTI_LOGIN_MAX_FAILURES` times from browsers that are not its known devices is
  locked for such browsers only: its password is not even checked there;
- an address that failed 4 × as often (whatever the usernames: credential stuffing) is locked the same way,
  for browsers that are not known devices of the username they try;
- a known device has its own count for its user (a stolen cookie gives no more tries), and is never held up by
  what other browsers did, from elsewhere or from the same address (a whole office behind one NAT address);
- a password reset link, which proves the mailbox, logs its user in and makes the browser a known device: a
  user locked out on a new browser while someone attacks his account gets in with « Mot de passe oublié ? ».

So a right username/password pair is refused because of failures made elsewhere only on a browser that never
logged in as that user, and only until the reset e-mail arrives. A successful login clears its device's
count, not the count of unknown browsers (it would hand an attacker a fresh set of tries).

The public pages and open data (no account) are counted per client address (`public_wait`), answered past
`PTI_PUBLIC_MAX_REQUESTS` per `PTI_PUBLIC_WINDOW_SECONDS` with a French 429 and Retry-After.

Password reset requests are counted per e-mail address and per client address, whether the address has an
account or not, and answered the same way: past the limits, no e-mail leaves.

The API gets a per-user rate (`PTI_API_THROTTLE_RATE`, token and session clients alike), answered past it with
a French 429 and Retry-After.

Every counter lives in the cache, which production shares between all processes (Redis with CACHE_URL, or the
database's `pti_cache` table: see pti/settings.py).

(django-axes would do part of this, but its Python package and app label are both `axes`, the name of our own
app.)
"""

import hashlib
import ipaddress

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _
from rest_framework import throttling
from rest_framework.exceptions import Throttled

IP_FACTOR = 4
UNKNOWN = "inconnue"

DEVICE_COOKIE = "pti_appareil"
DEVICE_SALT = "pti.throttle.known-device"
DEVICE_MAX_AGE = 180 * 24 * 3600
DEVICE_MAX_USERS = 10  # a shared office computer stays a known device of its last ten users


def client_ip(request):
    """The client's address: REMOTE_ADDR, or, behind PTI_TRUSTED_PROXY_COUNT proxies that each append to
    X-Forwarded-For the address they received the request from, the entry the outermost one appended (the
    entries on its left are whatever the client sent). A header that does not carry that many entries, or
    whose entry is not an address, is not believed."""
    if request is None:
        return UNKNOWN
    remote = request.META.get("REMOTE_ADDR") or UNKNOWN
    count = settings.PTI_TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < count:
        return remote
    try:
        return str(ipaddress.ip_address(forwarded[-count]))
    except ValueError:
        return remote


def _normalise(username):
    return (username or "").strip().lower()


def _digest(value):
    return hashlib.sha256(value.encode()).hexdigest()


def _key(kind, value):
    return f"pti:throttle:{kind}:{_digest(value)}"


# Known devices


def _known_users(request):
    """Digests of the usernames that logged in from this browser (the signed cookie), newest first."""
    value = request.COOKIES.get(DEVICE_COOKIE) if request is not None else None
    if not value:
        return []
    try:
        users = signing.loads(value, salt=DEVICE_SALT, max_age=DEVICE_MAX_AGE)
    except signing.BadSignature:
        return []
    return [user for user in users if isinstance(user, str)] if isinstance(users, list) else []


def is_known_device(request, username):
    return _digest(_normalise(username)) in _known_users(request)


class KnownDeviceMiddleware:
    """Gives the browser its known-device cookie on the response to a successful login (the site's, the admin's
    or a password reset's)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        username = getattr(request, "_pti_logged_in_as", None)
        if username is not None:
            user = _digest(_normalise(username))
            users = [user, *(known for known in _known_users(request) if known != user)][:DEVICE_MAX_USERS]
            response.set_cookie(
                DEVICE_COOKIE,
                signing.dumps(users, salt=DEVICE_SALT),
                max_age=DEVICE_MAX_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response


# Counters


def _count(key):
    return cache.get(key, 0)


def _increment(key, timeout):
    """Count one more in the window that started with the first one (atomic with Redis)."""
    if not cache.add(key, 1, timeout):
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout)
    return 1


def _counters(username, request):
    """The (counter, limit) pairs that hold this browser's attempts at `username`: its own, if it is a known
    device of the username; otherwise the username's and the address's counts of failures from unknown browsers."""
    username = _normalise(username)
    limit = settings.PTI_LOGIN_MAX_FAILURES
    if is_known_device(request, username):
        return [(_key("known-device-user", username), limit)]
    return [(_key("user", username), limit), (_key("ip", client_ip(request)), limit * IP_FACTOR)]


def is_locked(username, request):
    return any(_count(key) >= limit for key, limit in _counters(username, request))


@receiver(user_login_failed)
def record_failure(sender, credentials, request=None, **kwargs):
    for key, _limit in _counters(credentials.get("username"), request):
        _increment(key, settings.PTI_LOGIN_LOCKOUT_SECONDS)


@receiver(user_logged_in)
def clear_failures(sender, request, user, **kwargs):
    if request is None:
        return
    username = user.get_username()
    cache.delete(_key("known-device-user", _normalise(username)))
    request._pti_logged_in_as = username


LOCKED_MESSAGE = _(
    "Trop de tentatives de connexion ont échoué. Par sécurité, réessayez dans quelques minutes "
    "ou utilisez « Mot de passe oublié ? »."
)


class ThrottleMixin:
    def clean(self):
        if is_locked(self.data.get("username"), self.request):
            raise ValidationError(LOCKED_MESSAGE, code="locked")
        return super().clean()


class ThrottledAuthenticationForm(ThrottleMixin, AuthenticationForm):
    pass


class ThrottledAdminAuthenticationForm(ThrottleMixin, AdminAuthenticationForm):
    pass


# Password reset


def reset_allowed(email, request):
    """Count a reset request for `email` from this client; False past either limit (then no e-mail is sent).
    Every request counts, whether the address has an account or not: the answer says nothing about it."""
    window = settings.PTI_PASSWORD_RESET_WINDOW_SECONDS
    for_email = _increment(_key("reset-email", _normalise(email)), window)
    for_client = _increment(_key("reset-ip", client_ip(request)), window)
    return (
        for_email <= settings.PTI_PASSWORD_RESET_MAX_PER_EMAIL
        and for_client <= settings.PTI_PASSWORD_RESET_MAX_PER_CLIENT
    )


class ThrottledPasswordResetForm(PasswordResetForm):
    def save(self, *args, request=None, **kwargs):
        if reset_allowed(self.cleaned_data["email"], request):
            super().save(*args, request=request, **kwargs)


# The public pages and open data


def public_wait(request):
    """Count one request to the public pages from this client; None while within PTI_PUBLIC_MAX_REQUESTS per
    PTI_PUBLIC_WINDOW_SECONDS, else the seconds to wait (the window's length: counters do not say when they end)."""
    window = settings.PTI_PUBLIC_WINDOW_SECONDS
    count = _increment(_key("public-ip", client_ip(request)), window)
    return None if count <= settings.PTI_PUBLIC_MAX_REQUESTS else window


PUBLIC_THROTTLED_MESSAGE = _(
    "Trop de requêtes depuis votre adresse : la limite des pages publiques et des données ouvertes est atteinte. "
    "Réessayez dans %(seconds)s secondes."
)


# The API (DRF)


class ApiUserThrottle(throttling.UserRateThrottle):
    """PTI_API_THROTTLE_RATE requests per user, whether he signs in by token or by session (one budget per user),
    read at each request. Unauthenticated requests are refused (401) before throttling; the address is only a
    fallback, read as everywhere else."""

    scope = "user"

    def get_rate(self):
        return settings.PTI_API_THROTTLE_RATE

    def get_ident(self, request):
        return client_ip(request)


class TooManyRequests(Throttled):
    default_detail = _("Trop de requêtes : la limite de l'API est atteinte pour votre compte.")
    extra_detail_singular = "Réessayez dans {wait} seconde."
    extra_detail_plural = "Réessayez dans {wait} secondes."


def api_exception_handler(exc, context):
    """DRF's handler, with throttled requests answered in French (429, with Retry-After as DRF sets it)."""
    from rest_framework.views import exception_handler  # not at import: DRF's views read our throttle class

    if isinstance(exc, Throttled) and not isinstance(exc, TooManyRequests):
        exc = TooManyRequests(exc.wait)
    return exception_handler(exc, context)
