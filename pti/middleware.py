"""Cache-Control of what the application serves to a signed-in user.

A page, a document or a PDF shown to someone signed in (session or API token) carries what he may see: no shared
cache (proxy, CDN) may keep it, and the browser keeps no copy of a page (`private, no-store`). A PDF may stay in
the browser's cache but is checked again before each use (`private, no-cache`), so that a viewer can open it.
Public answers (the login page, /healthz, static files served by WhiteNoise above this middleware) keep their
own headers.
"""

from django.core.exceptions import PermissionDenied
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

PDF = "application/pdf"


def _signed_in(request):
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated


class PrivateCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        # The API authenticates inside its views (a token): DRF sets `request.user` on this request then.
        if _signed_in(request):
            if response.get("Content-Type", "").split(";")[0].strip() == PDF:
                patch_cache_control(response, private=True, no_cache=True)
            else:
                patch_cache_control(response, private=True, no_store=True)
        return response


class PartnerScopeMiddleware:
    """A partner account reaches only the routes `pti.access.partner_may_request` lets it (its space, its
    contributions, the API's scoped endpoints) and the public pages: everything else is a 403, whatever the view
    would have said, so that a page added later is closed to partners until someone opens it on purpose. The API
    asks the same function again for token-authenticated calls (`pti.api.AccessPermission`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        from pti import access

        user = getattr(request, "user", None)
        if not access.is_partner(user):
            return None
        # Public pages (login_not_required) stay public; DRF marks every API view so, and the API is not public.
        if getattr(view_func, "login_required", True) is False and not hasattr(view_func, "cls"):
            return None
        match = request.resolver_match
        if match is not None and access.partner_may_request(user, match.view_name):
            return None
        raise PermissionDenied(_("Cette page n'est pas ouverte aux comptes des partenaires."))
