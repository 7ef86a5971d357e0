"""Spreadsheets in and out: the action list and the indicators as XLSX or CSV (with the list's filters), a whole
pacte in the import layout, and the import of a whole pacte (staff): upload, preview, confirm.

The preview stores the upload under a random token, outside the media files, with the versions of the rows its
plan read (`actions.importer.versions`), and remembers the token and both files' SHA-256 in the session: the
confirmation re-reads that very file, checks it again against the database, plans it again under lock and
writes everything in one transaction, unless a row moved since the preview: then it writes nothing and shows
what changed, with the plan as it would be now to confirm again.
"""

import hashlib
import json
import re
import secrets
import tempfile
import time
from pathlib import Path

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from actions import exports, importer, queries
from actions.filters import ActionFilter
from actions.models import Action
from axes.closing import ClosedYearError
from axes.models import Pacte
from pti import access, paging

IMPORT_DIR = Path(tempfile.gettempdir()) / "pti-imports"
IMPORT_MAX_AGE = 24 * 3600
SESSION_KEY = "pacte_imports"
TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
PREVIEW_ROWS = 500


def _require_staff(request):
    if not access.can_manage_pactes(request.user):
        raise PermissionDenied(_("Seuls les agents du Département importent et exportent des pactes entiers."))


# --- exports of the lists --------------------------------------------------------------------------------------


def _filtered(request):
    """The action list's queryset for this query string, as the list page computes it, and the report year."""
    action_filter = ActionFilter(request.GET or None, queryset=Action.objects.all())
    queryset = action_filter.qs if action_filter.is_bound else Action.objects.all()
    year = action_filter.form.cleaned_data.get("annee") if action_filter.is_bound and action_filter.is_valid() else None
    return queryset, year


@require_GET
def export_actions(request, fmt):
    queryset, year = _filtered(request)
    # Read and written a chunk at a time: the CSV and the workbook leave as they are written.
    rows = queries.iter_year_facts(
        exports.export_actions_queryset(queryset).order_by("pacte_id", "sort_key", "pk"),
        year=year,
        lookups=exports.EXPORT_LOOKUPS,
    )
    if fmt == "csv":
        return exports.csv_response(exports.actions_sheet(rows), "actions")
    ids = queryset.values("pk")
    return exports.xlsx_response([exports.actions_sheet(rows), exports.indicators_sheet(ids)], "actions")


@require_GET
def export_indicators(request, fmt):
    queryset, _year = _filtered(request)
    sheet = exports.indicators_sheet(queryset.values("pk"))
    if fmt == "csv":
        return exports.csv_response(sheet, "indicateurs")
    return exports.xlsx_response([sheet], "indicateurs")


@require_GET
def export_links(request):
    """The export links for the current filters (refreshed by htmx when the filters of the list change)."""
    query = request.GET.copy()
    for name in paging.CURSOR_PARAMS:
        query.pop(name, None)
    return render(request, "actions/_export_links.html", {"query": query.urlencode()})


@require_GET
def export_pacte(request, slug):
    _require_staff(request)
    pacte = get_object_or_404(Pacte, slug=slug)
    response = HttpResponse(exports.pacte_workbook_bytes(pacte), content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{exports.dated_filename(f"pacte-{pacte.slug}", "xlsx")}"'
    return response


@require_GET
def import_template(request):
    _require_staff(request)
    response = HttpResponse(exports.pacte_workbook_bytes(None), content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = 'attachment; filename="modele-import-pacte.xlsx"'
    return response


# --- import of a whole pacte ------------------------------------------------------------------------------------


class PacteImportForm(forms.Form):
    file = forms.FileField(
        label=gettext_lazy("Classeur du pacte (XLSX)"),
        help_text=gettext_lazy("Un classeur au format du modèle, %(max)s Mo au plus.")
        % {"max": importer.MAX_SIZE // (1024 * 1024)},
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx"}),
    )


class ConfirmForm(forms.Form):
    token = forms.RegexField(regex=TOKEN_RE, widget=forms.HiddenInput)


def _stored_path(token):
    return IMPORT_DIR / f"{token}.xlsx"


def _versions_path(token):
    return IMPORT_DIR / f"{token}.json"


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


def _store(request, data, versions):
    """Keep the upload and the versions its preview saw for the confirmation; forget those older than a day."""
    IMPORT_DIR.mkdir(mode=0o700, parents=True, exist_ok=True)
    now = time.time()
    for old in [*IMPORT_DIR.glob("*.xlsx"), *IMPORT_DIR.glob("*.json")]:
        try:
            if now - old.stat().st_mtime > IMPORT_MAX_AGE:
                old.unlink()
        except FileNotFoundError:
            pass
    token = secrets.token_hex(16)
    seen = json.dumps(versions, ensure_ascii=False).encode()
    _stored_path(token).write_bytes(data)
    _versions_path(token).write_bytes(seen)
    pending = request.session.get(SESSION_KEY, {})
    pending = dict(list(pending.items())[-4:])
    pending[token] = {"file": _sha256(data), "versions": _sha256(seen)}
    request.session[SESSION_KEY] = pending
    return token


def _load(request, token):
    """(bytes, versions) stored for `token` by this user's preview, if they are still those he previewed."""
    expected = request.session.get(SESSION_KEY, {}).get(token)
    path, versions_path = _stored_path(token), _versions_path(token)
    if not isinstance(expected, dict) or not path.exists() or not versions_path.exists():
        return None
    data, seen = path.read_bytes(), versions_path.read_bytes()
    if _sha256(data) != expected.get("file") or _sha256(seen) != expected.get("versions"):
        return None
    return data, json.loads(seen)


def _forget(request, token):
    pending = request.session.get(SESSION_KEY, {})
    pending.pop(token, None)
    request.session[SESSION_KEY] = pending
    _stored_path(token).unlink(missing_ok=True)
    _versions_path(token).unlink(missing_ok=True)


def _import_page(request, form, issues=(), status=200):
    context = {"form": form, "issues": issues, "pactes": Pacte.objects.order_by("-first_year", "title")}
    return render(request, "actions/import_pacte.html", context, status=status)


def _render_issues(request, form, issues):
    """The upload form, its field marked invalid, above the table of every error found."""
    if form.is_bound:
        form.add_error(
            "file",
            _(
                "Le fichier contient %(count)s erreur(s) : rien n'a été importé. Corrigez-les, puis déposez-le à nouveau."
            )
            % {"count": len(issues)},
        )
    return _import_page(request, form, issues, status=400)


def _preview(request, data, plan, conflicts=(), status=200):
    """The preview of `plan`, with a new token for its confirmation (and, after a refused one, what changed)."""
    token = _store(request, data, plan.versions)
    pacte = plan.parsed.pacte
    if plan.refusals and status == 200:
        status = 400
    return render(
        request,
        "actions/import_preview.html",
        {
            "conflicts": conflicts,
            "confirm": ConfirmForm(initial={"token": token}),
            "plan": plan,
            "summary": plan.summary(),
            "touched": plan.touched[:PREVIEW_ROWS],
            "hidden": max(0, len(plan.touched) - PREVIEW_ROWS),
            "slug": pacte["Identifiant"],
            "title": pacte["Intitulé"],
            "exists": Pacte.objects.filter(slug=pacte["Identifiant"]).exists(),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def import_pacte(request):
    _require_staff(request)
    if request.method == "GET":
        return _import_page(request, PacteImportForm())
    form = PacteImportForm(request.POST, request.FILES)
    if not form.is_valid():
        return _import_page(request, form, status=400)
    upload = form.cleaned_data["file"]
    parsed = importer.read_workbook(upload)
    if not parsed.is_valid:
        return _render_issues(request, form, parsed.issues)
    upload.seek(0)
    return _preview(request, upload.read(), importer.plan_import(parsed))


@require_POST
def import_confirm(request):
    _require_staff(request)
    confirm = ConfirmForm(request.POST)
    stored = _load(request, confirm.cleaned_data["token"]) if confirm.is_valid() else None
    if stored is None:
        messages.error(request, _("Cet aperçu a expiré ou ne vous appartient pas : déposez le fichier à nouveau."))
        return redirect("actions_io:import_pacte")
    data, seen = stored
    parsed = importer.read_bytes(data)
    if not parsed.is_valid:
        # The database changed since the preview (a referent's account was removed, for example).
        return _render_issues(request, PacteImportForm(), parsed.issues)
    try:
        plan = importer.confirm_import(parsed, seen, request.user)
    except importer.ImportConflict as conflict:
        # Someone edited the pacte since the preview: nothing written; the plan as it would be now, to look at.
        _forget(request, confirm.cleaned_data["token"])
        return _preview(request, data, conflict.plan, conflict.conflicts, status=409)
    except ClosedYearError as error:
        # A year closed since the preview: nothing written.
        _forget(request, confirm.cleaned_data["token"])
        messages.error(request, error.messages[0])
        return _import_page(request, PacteImportForm(), status=409)
    _forget(request, confirm.cleaned_data["token"])
    pacte = plan.pacte
    touched = len(plan.touched)
    if touched:
        messages.success(
            request,
            _("Le pacte « %(title)s » a été importé : %(count)s élément(s) créé(s), modifié(s) ou supprimé(s).")
            % {"title": pacte.title, "count": touched},
        )
    else:
        messages.info(
            request, _("Le fichier correspond déjà au pacte « %(title)s » : rien n'a changé.") % {"title": pacte.title}
        )
    return redirect(pacte.get_absolute_url())
