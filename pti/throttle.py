"""Login throttling: too many failed logins for one username, or from one address, lock further attempts
for a while, without even checking the password (the usual brute-force and credential-stuffing guard).

Counters live in the cache (Redis in production, shared by every gunicorn process: see CACHE_URL). A
successful login clears the username's counter. (django-axes would do this, but its Python package and app
label are both `axes`, the name of our own app.)
"""

import hashlib

from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

IP_FACTOR = 4


def client_ip(request):
    return (request.META.get("REMOTE_ADDR") or "inconnue") if request is not None else "inconnue"


def _key(kind, value):
    return "pti:login-failures:" + kind + ":" + hashlib.sha256(value.encode()).hexdigest()


def _keys(username, request):
    return _key("user", (username or "").strip().lower()), _key("ip", client_ip(request))


def is_locked(username, request):
    user_key, ip_key = _keys(username, request)
    limit = settings.PTI_LOGIN_MAX_FAILURES
    return cache.get(user_key, 0) >= limit or cache.get(ip_key, 0) >= limit * IP_FACTOR


def _increment(key):
    timeout = settings.PTI_LOGIN_LOCKOUT_SECONDS
    if not cache.add(key, 1, timeout):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout)


@receiver(user_login_failed)
def record_failure(sender, credentials, request=None, **kwargs):
    for key in _keys(credentials.get("username"), request):
        _increment(key)


@receiver(user_logged_in)
def clear_failures(sender, request, user, **kwargs):
    cache.delete(_keys(user.get_username(), request)[0])


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
