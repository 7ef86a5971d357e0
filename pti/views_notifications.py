"""The "Nouveautés" of the signed-in user (pti.notifications): the panel of /mes-actions/, the full list, marking
read (one, or all: htmx swaps the panel; without JavaScript, a POST answered by a redirect), and his profile page
with the e-mail preferences (version checked)."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from pti import notifications
from pti.concurrency import ConflictError, MissingVersion
from pti.forms_notifications import PreferencesForm
from pti.inputs import InvalidInput, bounded_int, refused_response

LIST_PAGE_SIZE = 30


def _back(request):
    """Where the no-JS form goes back to: its `next` if it is one of our pages, else /mes-actions/."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return reverse("actions:my_actions")


def _panel_response(request):
    context = {"panel": notifications.panel(request.user), "next": _back(request)}
    return render(request, "pti/_notifications_panel.html", context)


@require_GET
def notification_list(request):
    """Every notification of the user, latest first, read ones included."""
    try:
        page_number = bounded_int(request.GET.get("page") or 1, 1, 10_000, label=_("Page"))
    except InvalidInput as error:
        return refused_response(request, error.message)
    paginator = Paginator(notifications.notifications_of(request.user).recent_first(), LIST_PAGE_SIZE)
    page = paginator.get_page(page_number)
    return render(
        request,
        "pti/notification_list.html",
        {"page": page, "unread_count": notifications.notifications_of(request.user).unread().count()},
    )


@require_POST
@vary_on_headers("HX-Request")
def notification_read(request, pk):
    """Mark one of the user's notifications read; 404 if he has none with that id."""
    if notifications.mark_read(request.user, pk) is None:
        raise Http404(_("Cette notification n'existe pas ou ne vous est pas adressée."))
    if request.htmx:
        return _panel_response(request)
    messages.success(request, _("Notification marquée comme lue."))
    return redirect(_back(request))


@require_POST
@vary_on_headers("HX-Request")
def notification_read_all(request):
    count = notifications.mark_all_read(request.user)
    if request.htmx:
        return _panel_response(request)
    if count:
        messages.success(request, _("Toutes vos notifications sont marquées comme lues."))
    return redirect(_back(request))


@require_http_methods(["GET", "POST"])
def profile(request):
    """The user's profile: who he is, his password, and which notifications he receives by e-mail."""
    current = notifications.preferences(request.user)
    status = 200
    conflict = None
    if request.method == "POST":
        form = PreferencesForm(request.POST, instance=current)
        if form.is_valid():
            try:
                notifications.update_preferences(request.user, form.preference_data(), form.cleaned_data["version"])
            except ConflictError as error:
                conflict = error
                status = 409
            except MissingVersion as error:
                form.add_error(None, error.message)
                status = 400
            else:
                messages.success(request, _("Vos préférences de notification sont enregistrées."))
                return redirect("profile")
        else:
            status = 400
        if conflict is not None:
            form = PreferencesForm(instance=notifications.preferences(request.user))
    else:
        form = PreferencesForm(instance=current)
    return render(request, "pti/profile.html", {"form": form, "conflict": conflict}, status=status)
