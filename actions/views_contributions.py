"""The partner's space (/espace-partenaire/): a partner account sees the actions its organisation takes part in,
and writes its organisation's contribution to each of them, year by year. Nothing else of the pacte is shown here
(the referents' reports, the COPILs, the other partners' contributions are not); pti.access says who sees what."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from actions import contributions
from actions.forms_contributions import ContributionForm
from actions.models import Action, ActionPartner, Contribution, Partner
from pti import access
from pti.concurrency import ConflictError, MissingVersion

SPACE_ONLY = _("Cet espace est réservé aux comptes des partenaires.")


def _partner(request):
    """The organisation of the partner account signed in (None if none is attached); 403 for everyone else."""
    if not access.is_partner(request.user):
        raise PermissionDenied(SPACE_ONLY)
    partner_id = access.partner_id_of(request.user)
    return Partner.objects.filter(pk=partner_id).first() if partner_id else None


def _actions(request, partner):
    roles = ActionPartner.objects.filter(partner=partner).order_by("role")
    queryset = (
        Action.objects.select_related("pacte", "axe", "objectif")
        .prefetch_related("pacte__closed_years", Prefetch("partner_roles", queryset=roles, to_attr="own_roles"))
        .order_by("-pacte__first_year", "pacte_id", "sort_key")
    )
    return access.visible_actions(request.user, queryset)


def _year_rows(action, by_year):
    """[{year, contribution, closure}] for each year of the action's pacte."""
    return [
        {"year": year, "contribution": by_year.get(year), "closure": action.pacte.closure(year)}
        for year in action.pacte.years
    ]


@require_GET
def partner_home(request):
    partner = _partner(request)
    actions = list(_actions(request, partner)) if partner else []
    written = {}
    if actions:
        rows = Contribution.objects.filter(partner=partner, action__in=[a.pk for a in actions])
        for row in rows.only("action_id", "year", "updated_at"):
            written[(row.action_id, row.year)] = row
    groups = []
    for action in actions:
        by_year = {year: written.get((action.pk, year)) for year in action.pacte.years}
        item = {"action": action, "years": _year_rows(action, by_year)}
        if groups and groups[-1]["pacte"].pk == action.pacte_id:
            groups[-1]["actions"].append(item)
        else:
            groups.append({"pacte": action.pacte, "actions": [item]})
    return render(request, "actions/partner_space/home.html", {"partner": partner, "groups": groups})


def _partner_action(request, pk):
    partner = _partner(request)
    action = get_object_or_404(_actions_all(), pk=pk)
    if partner is None or not access.can_view(request.user, action):
        raise PermissionDenied(_("Votre organisation ne prend pas part à cette action."))
    action.own_roles = [link for link in action.partner_roles.all() if link.partner_id == partner.pk]
    return partner, action


def _actions_all():
    return Action.objects.select_related("pacte", "axe", "objectif").prefetch_related(
        "pacte__closed_years", "referents", "indicators", "partner_roles"
    )


@require_GET
def partner_action(request, pk):
    partner, action = _partner_action(request, pk)
    by_year = {row.year: row for row in Contribution.objects.filter(action=action, partner=partner)}
    return render(
        request,
        "actions/partner_space/action.html",
        {"partner": partner, "action": action, "years": _year_rows(action, by_year)},
    )


@require_http_methods(["GET", "POST"])
def contribution_edit(request, pk, year):
    partner, action = _partner_action(request, pk)
    if not action.pacte.contains_year(year):
        raise PermissionDenied(_("L'année %(year)s n'appartient pas au pacte.") % {"year": year})
    contribution = Contribution.objects.filter(action=action, partner=partner, year=year).first()
    refusal = access.contribution_refusal(request.user, action, year)
    conflict, status = None, 200
    if request.method == "POST":
        form = ContributionForm(request.POST, contribution=contribution)
        if refusal:
            status = 403
        elif form.is_valid():
            try:
                contributions.save_contribution(
                    action, year, request.user, form.contribution_data(), form.cleaned_data["version"]
                )
            except ConflictError as error:
                conflict, status = error, 409
            except MissingVersion as error:
                form.add_error(None, error.message)
                status = 400
            except contributions.ContributionRefused as error:
                refusal, status = error.message, 403
            else:
                messages.success(
                    request,
                    _(
                        "La contribution %(year)s de %(partner)s a été enregistrée : les référents de l'action la lisent."
                    )
                    % {"year": year, "partner": partner.name},
                )
                return redirect("partner_space:action", pk=action.pk)
        else:
            status = 400
    else:
        form = ContributionForm(contribution=contribution)
    return render(
        request,
        "actions/partner_space/contribution_form.html",
        {
            "partner": partner,
            "action": action,
            "year": year,
            "form": form,
            "contribution": contribution,
            "refusal": refusal,
            "conflict": conflict,
        },
        status=status,
    )
