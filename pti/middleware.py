"""Cache-Control of what the application serves to a signed-in user.

A page, a document or a PDF shown to someone signed in (session or API token) carries what he may see: no shared
cache (proxy, CDN) may keep it, and the browser keeps no copy of a page (`private, no-store`). A PDF may stay in
the browser's cache but is checked again before each use (`private, no-cache`), so that a viewer can open it.
Public answers (the login page, /healthz, static files served by WhiteNoise above this middleware) keep their
own headers.
"""

from django.utils.cache import patch_cache_control

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
