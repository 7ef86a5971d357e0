"""The action's sheet, section by section: a new action (staff), its referents, partners, budget and indicators.

Each section is a small page with its own form; every save carries the action's version (sheet.py)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from actions import sheet
from actions.models import Action, Indicator
from actions.sheet_forms import ActionCreateForm, BudgetForm, IndicatorForm, ReferentsForm, VersionForm, partner_formset
from axes.models import Axe
from pti import access
from pti.concurrency import ConflictError

# (name, label, route, rule): the sections of the sheet, in the order of its tabs.
SECTIONS = [
    ("general", gettext_lazy("Informations générales"), "actions:edit", access.can_edit_action),
    ("referents", gettext_lazy("Référents"), "actions:edit_referents", access.can_edit_action_referents),
    ("partners", gettext_lazy("Partenaires"), "actions:edit_partners", access.can_edit_action_partners),
    ("budget", gettext_lazy("Budget"), "actions:edit_budget", access.can_edit_action_budgets),
    ("indicators", gettext_lazy("Indicateurs"), "actions:edit_indicators", access.can_edit_action_indicators),
    ("milestones", gettext_lazy("Étapes"), "actions:edit_milestones", access.can_edit_action),
]
REFUSALS = {
    "general": gettext_lazy("Vous n'êtes pas référent de cette action."),
    "referents": gettext_lazy("Seuls les agents du Département désignent les référents d'une action."),
    "partners": gettext_lazy("Seuls les agents du Département modifient les partenaires d'une action."),
    "budget": gettext_lazy("Seuls les agents du Département modifient le budget d'une action."),
    "indicators": gettext_lazy("Vous n'êtes pas référent de cette action."),
    "milestones": gettext_lazy("Vous n'êtes pas référent de cette action."),
}


def sheet_sections(user, action, current):
    """The tabs of the sheet the user may edit, the current one marked."""
    return [
        {"name": name, "label": label, "url": reverse(route, args=[action.pk]), "current": name == current}
        for name, label, route, rule in SECTIONS
        if rule(user, action)
    ]


def _get_sheet_action(request, pk, section, prefetch=()):
    """The action (with its pacte's closed years), after checking that the user may edit `section`."""
    queryset = Action.objects.with_tree().prefetch_related("pacte__closed_years", *prefetch)
    action = get_object_or_404(queryset, pk=pk)
    rule = next(rule for name, _label, _route, rule in SECTIONS if name == section)
    if not rule(request.user, action):
        raise PermissionDenied(REFUSALS[section])
    return action


def _render(request, template, action, section, context, *, conflict=None, invalid=False):
    status = 409 if conflict else (400 if invalid else 200)
    context = {
        "action": action,
        "sections": sheet_sections(request.user, action, section),
        "conflict": conflict,
        **context,
    }
    return render(request, template, context, status=status)


def _saved(request, action, message):
    messages.success(request, message)
    return redirect(action.get_absolute_url())


@require_http_methods(["GET", "POST"])
def action_create(request, slug, number):
    axe = get_object_or_404(Axe.objects.select_related("pacte"), pacte__slug=slug, number=number)
    if not access.can_create_action(request.user, axe):
        raise PermissionDenied(_("Seuls les agents du Département créent une action."))
    form = ActionCreateForm(request.POST or None, axe=axe)
    if request.method == "POST":
        if form.is_valid():
            try:
                action = sheet.create_action(
                    axe, form.action_data(), request.user, referents=form.cleaned_data["referents"]
                )
            except ValidationError as error:
                form.add_error(None, error.messages)
            except IntegrityError:
                form.add_error(
                    "number",
                    _("Une autre action de ce pacte porte déjà le numéro %(number)s.")
                    % {"number": form.cleaned_data["number"]},
                )
            else:
                messages.success(request, _("L'action %(number)s a été créée.") % {"number": action.number})
                return redirect(action.get_absolute_url())
    status = 400 if request.method == "POST" else 200
    return render(request, "actions/action_create.html", {"axe": axe, "pacte": axe.pacte, "form": form}, status=status)


@require_http_methods(["GET", "POST"])
def action_referents(request, pk):
    action = _get_sheet_action(request, pk, "referents")
    conflict = None
    form = ReferentsForm(request.POST or None, action=action)
    if request.method == "POST" and form.is_valid():
        try:
            sheet.save_referents(action, form.cleaned_data["referents"], request.user, form.cleaned_data["version"])
        except ConflictError as error:
            conflict = error
        else:
            return _saved(request, action, _("Les référents de l'action ont été enregistrés."))
    return _render(
        request,
        "actions/sheet_referents.html",
        action,
        "referents",
        {"form": form},
        conflict=conflict,
        invalid=request.method == "POST",
    )


@require_http_methods(["GET", "POST"])
def action_partners(request, pk):
    action = _get_sheet_action(request, pk, "partners")
    conflict = None
    data = request.POST if request.method == "POST" else None
    version_form = VersionForm(data, initial={"version": action.version})
    formset = partner_formset(action, data)
    if request.method == "POST" and version_form.is_valid() and formset.is_valid():
        try:
            sheet.save_partners(action, formset.rows(), request.user, version_form.cleaned_data["version"])
        except ConflictError as error:
            conflict = error
        else:
            return _saved(request, action, _("Les partenaires de l'action ont été enregistrés."))
    return _render(
        request,
        "actions/sheet_partners.html",
        action,
        "partners",
        {"form": version_form, "formset": formset},
        conflict=conflict,
        invalid=request.method == "POST",
    )


@require_http_methods(["GET", "POST"])
def action_budget(request, pk):
    action = _get_sheet_action(request, pk, "budget", prefetch=["budgets"])
    conflict = None
    form = BudgetForm(request.POST or None, action=action)
    if request.method == "POST" and form.is_valid():
        try:
            sheet.save_budgets(action, form.budgets(), request.user, form.cleaned_data["version"])
        except ConflictError as error:
            conflict = error
        else:
            return _saved(request, action, _("Le budget de l'action a été enregistré."))
    return _render(
        request,
        "actions/sheet_budget.html",
        action,
        "budget",
        {"form": form},
        conflict=conflict,
        invalid=request.method == "POST",
    )


@require_GET
def action_indicators(request, pk):
    action = _get_sheet_action(request, pk, "indicators")
    indicators = list(Indicator.objects.filter(action=action).prefetch_related("values").order_by("position", "pk"))
    years = action.pacte.years
    rows = [
        {"indicator": indicator, "targets": [{v.year: v.target for v in indicator.values.all()}.get(y) for y in years]}
        for indicator in indicators
    ]
    return _render(request, "actions/sheet_indicators.html", action, "indicators", {"rows": rows, "years": years})


def _get_indicator(action, indicator_pk):
    return get_object_or_404(Indicator.objects.prefetch_related("values"), pk=indicator_pk, action=action)


@require_http_methods(["GET", "POST"])
def indicator_edit(request, pk, indicator=None):
    """Add an indicator to the action (no `indicator`), or change one, with its target for each year."""
    action = _get_sheet_action(request, pk, "indicators")
    instance = _get_indicator(action, indicator) if indicator is not None else Indicator(action=action)
    conflict = None
    form = IndicatorForm(request.POST or None, instance=instance, action=action)
    if request.method == "POST" and form.is_valid():
        try:
            saved = sheet.save_indicator(
                action,
                instance if instance.pk else None,
                form.indicator_data(),
                form.targets(),
                request.user,
                form.cleaned_data["version"],
            )
        except ConflictError as error:
            conflict = error
        else:
            messages.success(request, _("L'indicateur « %(label)s » a été enregistré.") % {"label": saved.label})
            return redirect("actions:edit_indicators", pk=action.pk)
    return _render(
        request,
        "actions/sheet_indicator_form.html",
        action,
        "indicators",
        {"form": form, "indicator": instance if instance.pk else None},
        conflict=conflict,
        invalid=request.method == "POST",
    )


@require_http_methods(["GET", "POST"])
def indicator_delete(request, pk, indicator):
    """Ask once, then delete the indicator with its targets and values (refused if a closed year has data)."""
    action = _get_sheet_action(request, pk, "indicators")
    instance = _get_indicator(action, indicator)
    conflict, error = None, sheet.indicator_deletion_refusal(instance)
    form = VersionForm(request.POST or None, initial={"version": action.version})
    if request.method == "POST" and form.is_valid():
        try:
            sheet.delete_indicator(action, instance, request.user, form.cleaned_data["version"])
        except ConflictError as raised:
            conflict = raised
        except sheet.SheetError as refused:
            error = refused.message
        else:
            messages.success(request, _("L'indicateur « %(label)s » a été supprimé.") % {"label": instance.label})
            return redirect("actions:edit_indicators", pk=action.pk)
    return _render(
        request,
        "actions/sheet_indicator_delete.html",
        action,
        "indicators",
        {"form": form, "indicator": instance, "error": error},
        conflict=conflict,
        invalid=request.method == "POST",
    )
