"""The yearly report's draft saving itself while the referent types (static/pti/js/report_autosave.js).

The same form, service and version check as "Enregistrer le brouillon" (actions/views.py report_edit); the answer
is small JSON: the new version and the time, the French messages of a refused input (400), the reason the draft is
not saved automatically (403: not his action, a closed year, a transmitted report), or the conflict display with
the other person's changes (409), and nothing is written then."""

from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from actions import services
from actions.forms import ReportForm
from actions.views import _get_report_action
from pti.concurrency import ConflictError

# The upload fields: a document is added with "Enregistrer le brouillon", never in the background.
UPLOAD_FIELDS = ("document", "document_title")


def _stopped(message, status=403):
    return JsonResponse({"stopped": str(message)}, status=status)


@require_POST
def report_autosave(request, pk, year):
    try:
        action = _get_report_action(request, pk, year)
    except PermissionDenied as refusal:
        return _stopped(refusal.args[0] if refusal.args else _("Vous ne pouvez pas modifier ce compte rendu."))
    report = action.reports.filter(year=year).first()
    if report is not None and report.is_submitted:
        return _stopped(
            _(
                "Ce compte rendu est transmis : il n'est pas enregistré automatiquement. "
                "Enregistrez la correction quand vous avez fini."
            )
        )
    indicators = list(action.indicators.prefetch_related("values"))
    indicator_values = {
        iv.indicator_id: iv for indicator in indicators for iv in indicator.values.all() if iv.year == year
    }
    data = request.POST.copy()
    for name in UPLOAD_FIELDS:
        data.pop(name, None)
    form = ReportForm(
        data, instance=report, action=action, year=year, indicators=indicators, indicator_values=indicator_values
    )
    if not form.is_valid():
        errors = {field: [str(message) for message in messages] for field, messages in form.errors.items()}
        return JsonResponse(
            {
                "message": _("Le brouillon n'a pas été enregistré automatiquement : corrigez les champs signalés."),
                "errors": errors,
            },
            status=400,
        )
    try:
        saved = services.save_report(
            action,
            year,
            request.user,
            form.report_data(),
            form.indicator_data(),
            form.cleaned_data["version"],
            submit=False,
            unavailable_reasons=form.indicator_reasons(),
        )
    except ConflictError as conflict:
        html = render_to_string("_conflict.html", {"conflict": conflict}, request=request)
        return JsonResponse({"message": conflict.message, "conflict": html}, status=409)
    saved_at = timezone.localtime(saved.updated_at).strftime("%H:%M")
    return JsonResponse(
        {
            "version": saved.version,
            "saved_at": saved_at,
            "message": _("Brouillon enregistré à %(time)s") % {"time": saved_at},
        }
    )
