"""An agent waiting for his role (`Role.PENDING`, created by his first SSO sign-in, pti/sso.py) sees one page,
"en attente d'habilitation", until staff give him a role in the administration: every other page sends him
there, the API answers 403. Public pages (login, /healthz) and signing out stay open to him."""

from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from pti import access


def pending_message():
    return _(
        "Votre compte est en attente d'habilitation : un agent du Département doit vous attribuer un rôle "
        "avant que vous puissiez consulter le pacte."
    )


class PendingUserMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not access.is_pending(getattr(request, "user", None)):
            return None
        if request.path_info.startswith("/api/"):
            return JsonResponse({"detail": pending_message()}, status=403)
        if getattr(view_func, "pending_allowed", False) or not getattr(view_func, "login_required", True):
            return None
        return redirect("pending")


@require_GET
def pending(request):
    """The holding page; anyone else signed in goes home."""
    if not access.is_pending(request.user):
        return redirect("home")
    return render(request, "pti/pending.html")


pending.pending_allowed = True
