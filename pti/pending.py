"""An agent waiting for his role (`Role.PENDING`, created by his first SSO sign-in, pti/sso.py) sees one page,
"en attente d'habilitation", until staff give him a role (/comptes/habilitations/, or the administration):
every other page sends him there, the API answers 403. Public pages (login, /healthz) and signing out stay open
to him."""

import logging

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from pti import access
from pti.enums import Role
from pti.inputs import refused_response

logger = logging.getLogger(__name__)


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


def _check_grant(request):
    if not access.can_grant_roles(request.user):
        raise PermissionDenied(_("Seuls les agents du Département habilitent les comptes."))


def _pending_page(request, status=200):
    users = get_user_model().objects.filter(role=Role.PENDING, is_active=True).order_by("-date_joined", "pk")
    context = {
        "pending_users": users,
        "roles": [(role.value, role.label) for role in access.grantable_roles(request.user)],
    }
    return render(request, "pti/pending_list.html", context, status=status)


@require_GET
def pending_list(request):
    """Staff: the agents waiting for a role, newest first, each with the roles staff may give."""
    _check_grant(request)
    return _pending_page(request)


@require_POST
def grant_role(request, pk):
    """Give a waiting agent his role. Only a pending account is changed: if someone else gave it one meanwhile,
    409 and nothing changes."""
    _check_grant(request)
    role = request.POST.get("role", "")
    allowed = access.grantable_roles(request.user)
    if role not in allowed:
        return refused_response(
            request,
            _("Rôle inconnu ou que vous ne pouvez pas donner : choisissez parmi %(roles)s.")
            % {"roles": ", ".join(str(r.label) for r in allowed)},
        )
    with transaction.atomic():
        agent = get_object_or_404(get_user_model().objects.select_for_update(), pk=pk)
        if agent.role != Role.PENDING:
            messages.error(
                request,
                _("%(name)s a déjà le rôle « %(role)s » : rien n'a été changé.")
                % {"name": agent, "role": agent.get_role_display()},
            )
            return _pending_page(request, status=409)
        agent.role = Role(role)
        agent.save()
    logger.info("%s gives the role %s to %s", request.user.username, role, agent.username)
    messages.success(
        request, _("%(name)s a désormais le rôle : %(role)s.") % {"name": agent, "role": agent.get_role_display()}
    )
    return redirect("pending_list")
