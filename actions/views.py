import functools

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from actions import (
    contributions,
    desk,
    figures,
    followup,
    queries,
    search,
    services,
    sheet,
    views_followup,
    views_sheet,
)
from actions.enums import ReportState
from actions.filters import ActionFilter
from actions.forms import ActionForm, ReportForm, ReportReturnForm
from actions.models import Action, ProgressReport, ReportDocument
from axes.models import Axe, Objectif, Pacte
from pti import access, charts, fragments, history, paging
from pti.concurrency import ConflictError
from pti.inputs import page_number

PAGE_SIZE = 25
# The action list's order, served by the index action_list_order_idx (pacte, sort_key, id).
LIST_ORDER = ("pacte_id", "sort_key", "pk")


def _get_action(request, pk, *, edit=False, queryset=None):
    """Fetch the action and check the access rule, for GET and POST alike."""
    action = get_object_or_404(queryset if queryset is not None else Action.objects.with_tree(), pk=pk)
    if edit and not access.can_edit_action(request.user, action):
        raise PermissionDenied(_("Vous n'êtes pas référent de cette action."))
    return action


def _with_rows(actions, request):
    """`actions` (with their year's facts), each with `row`: its row of a referent's table, kept under what it
    shows and the tables outside the pieces (its pacte, the campaigns' deadlines), shared by the referent's desk and
    a thematic referent's axe (fragments.cached_rows)."""
    rows = fragments.cached_rows("actions/_my_action_row.html", actions, request, tables=figures.outside_pieces())
    for action, row in zip(actions, rows, strict=True):
        action.row = row
    return actions


@require_GET
def my_actions(request):
    """The referent's desk: the actions he is named on, in full, with the reports due from them (the to-do
    list), and a summary of each axe he is thematic referent of (whose actions load on demand: an axe can hold
    hundreds of them)."""
    scope = Action.objects.filter(referents=request.user)
    actions = queries.attach_year_facts(
        scope.select_related("pacte", "axe__pacte", "objectif").order_by(
            "-pacte__first_year", "pacte_id", "axe__number", "sort_key"
        ),
        scope=scope,
    )
    actions = _with_rows(actions, request)
    todo = [a for a in actions if a.report_todo]
    returned = queries.returned_reports(scope)
    returned_ids = {(report.action_id, report.year) for report in returned}
    # The campaigns the user's reports are due to (their deadline shows at the top, through bilans' hook).
    report_campaigns = {}
    for action in actions:
        if action.report_due and action.report_closure is None:
            item = report_campaigns.setdefault(
                (action.pacte_id, action.report_year), {"pacte": action.pacte, "year": action.report_year, "pending": 0}
            )
            item["pending"] += action.report_todo
    return render(
        request,
        "actions/my_actions.html",
        {
            "actions": actions,
            "returned": returned,
            "missing": [a for a in todo if a.report_state == queries.MISSING],
            "drafts": [
                a for a in todo if a.report_state == ReportState.DRAFT and (a.pk, a.report_year) not in returned_ids
            ],
            "thematic_axes": queries.thematic_axes_summary(request.user),
            "can_see_all": access.is_staff(request.user),
            "report_campaigns": list(report_campaigns.values()),
        },
    )


@require_GET
@vary_on_headers("HX-Request")
def my_axe_actions(request, pk):
    """The actions of an axe with this year's report state (loaded into /mes-actions/ by htmx, or a page). The
    rows are the same for every reader: rendered once, then read from the cache while the data is unchanged."""
    axe = get_object_or_404(Axe.objects.select_related("pacte"), pk=pk)
    htmx = bool(request.htmx)
    part = _my_axe_part(axe, page_number(request), htmx, request)
    if htmx:
        return HttpResponse(part["html"])
    context = {"axe": axe, "page": part["page"], "part": part["html"]}
    return render(request, "actions/my_axe_actions.html", context)


def _my_axe_part(axe, requested, htmx, request=None):
    """{"html", "page"}: the page `requested` of a thematic referent's axe, as an htmx part (`htmx`) or in its
    page, from the cache while what it shows is unchanged. `request` only spares the rows' template tags some
    reads (bilans_tags reads the campaigns' deadlines once per request): the part is the same without it (the
    warming's)."""

    def render_part():
        actions, page = queries.paginated(
            Action.objects.filter(axe=axe).select_related("pacte", "axe__pacte", "objectif").order_by("sort_key", "pk"),
            requested,
        )
        actions = queries.attach_year_facts(actions)
        # The first page is a table; the next ones are rows added to it by htmx ("Afficher la suite").
        more = htmx and not page["first"]
        template = "actions/_my_action_more.html" if more else "actions/_my_action_rows.html"
        context = {"axe": axe, "actions": _with_rows(actions, request), "page": page}
        # With the request: the campaigns' deadlines of the rows are read once for all of them (bilans_tags); the
        # rows show nothing of the reader.
        return {"html": render_to_string(template, context, request), "page": page}

    # The rows show no report's text: a draft saved again with new text leaves them in the cache. The first page is
    # the same table for htmx (/mes-actions/ loads it) and for the page: one entry.
    return fragments.cached(
        ("my-axe-actions", axe.pk, requested, htmx and requested > 1, queries.AXE_PAGE_SIZE),
        render_part,
        keep=functools.partial(figures.kept, [axe.pacte_id]),
    )


@require_GET
def pacte_detail(request, slug):
    """The pacte's tree: axes with their figures (actions.figures); each axe's objectives and actions load on
    demand."""
    pacte = get_object_or_404(Pacte.objects.prefetch_related("closed_years"), slug=slug)
    year, per_axe, summary = queries.pacte_figures(pacte)
    empty = figures.finish(figures.empty_figures(year))
    axes = [
        {"axe": axe, "figures": per_axe.get(axe.pk, empty), "statuses": queries.status_list(per_axe.get(axe.pk, empty))}
        for axe in Axe.objects.filter(pacte=pacte).order_by("number")
    ]
    budgets = figures.budget_totals(pacte)
    budget_axes = [{"axe": node["axe"], "budget": budgets["axe_totals"].get(node["axe"].pk)} for node in axes]
    return render(
        request,
        "actions/pacte_detail.html",
        {
            "pacte": pacte,
            "axes": axes,
            "summary": summary,
            "year": year,
            "closure": pacte.closure(year),
            "budgets": budgets,
            "budget_axes": budget_axes,
        },
    )


@require_GET
@vary_on_headers("HX-Request")
def pacte_axe(request, slug, number):
    """One axe of the pacte tree: its objectives and actions with status and progress (htmx part or page). The
    part is the same for every reader: rendered once, then read from the cache while the data is unchanged."""
    axe = get_object_or_404(Axe.objects.select_related("pacte"), pacte__slug=slug, number=number)
    part = _kept_pacte_axe_part(axe, page_number(request))
    if request.htmx:
        return HttpResponse(part["html"])
    context = {"axe": axe, "pacte": axe.pacte, "page": part["page"], "part": part["html"]}
    return render(request, "actions/pacte_axe.html", context)


def _kept_pacte_axe_part(axe, requested):
    """`_pacte_axe_part`, from the cache while what it shows is unchanged: it shows no report's text, so a draft
    saved again with new text leaves it there."""
    return fragments.cached(
        ("pacte-axe", axe.pk, requested, queries.AXE_PAGE_SIZE),
        lambda: _pacte_axe_part(axe, requested),
        keep=functools.partial(figures.kept, [axe.pacte_id]),
    )


def warm_axes():
    """The warming (pti.warm): the first page of each axe, unfolded in its pacte's page and as a thematic
    referent's axe (the page, and the same part /mes-actions/ loads by htmx), rendered for the day as their readers
    read them. How many axes."""
    count = 0
    for axe in Axe.objects.select_related("pacte").order_by("pacte_id", "number"):
        _kept_pacte_axe_part(axe, 1)
        _my_axe_part(axe, 1, htmx=False)
        count += 1
    return count


def _pacte_axe_part(axe, requested):
    """{"html": the axe's page `requested` of objectives and actions, "page": which one it is}."""
    objectifs = list(Objectif.objects.filter(axe=axe).select_related("axe").order_by("number"))
    year, actions, per_objectif, _total, page = queries.axe_figures(axe, page=requested)
    by_objectif = {obj.pk: [] for obj in objectifs}
    loose = []
    for action in actions:
        by_objectif.get(action.objectif_id, loose).append(action)
    # The objectives this page shows: from the one the page starts in (the first on the first page) to the one it
    # ends in (every one left, on the last page), those without actions included where they fall.
    positions = {obj.pk: index for index, obj in enumerate(objectifs)}
    previous = page["previous_objectif_id"]
    first_objectif = actions[0].objectif_id if actions else None
    continued = page["continued"] and first_objectif == previous
    if page["first"]:
        start = 0
    elif previous is None:
        start = len(objectifs)  # the page before ended among the actions without an objective
    else:
        start = positions[previous] + (0 if continued else 1)
    last_objectif = actions[-1].objectif_id if actions else None
    end = len(objectifs) if page["last"] or last_objectif is None else positions[last_objectif] + 1
    # Each action's row is kept under what it shows: after a report saved, the part is rendered again around the
    # rows, and only that action's row is.
    rendered = fragments.cached_rows("actions/_action_row.html", actions)
    row_of = {action.pk: row for action, row in zip(actions, rendered, strict=True)}
    empty = figures.finish(figures.empty_figures(year))
    branches = [
        {
            "objectif": obj,
            "rows": [row_of[action.pk] for action in by_objectif[obj.pk]],
            "figures": per_objectif.get(obj.pk, empty),
            "continued": continued and obj.pk == previous,
        }
        for index, obj in enumerate(objectifs[start:end], start=start)
    ]
    context = {
        "axe": axe,
        "pacte": axe.pacte,
        "branches": branches,
        "loose": [row_of[action.pk] for action in loose],
        "loose_continued": page["continued"] and previous is None,
        "has_objectifs": bool(objectifs),
        "year": year,
        "page": page,
    }
    return {"html": render_to_string("actions/_pacte_axe.html", context), "page": page}


@require_GET
@vary_on_headers("HX-Request")
def action_list(request):
    """The actions, filtered, a page at a time. The results are the same for every reader of the same query:
    rendered once, then read from the cache while what they show is unchanged (pti.fragments)."""
    action_filter, year, results = _action_list_results(request.GET)
    if request.htmx:
        return HttpResponse(results)
    query = request.GET.copy()
    for name in paging.CURSOR_PARAMS:
        query.pop(name, None)
    context = {"filter": action_filter, "results": results, "query": query.urlencode(), "year": year}
    return render(request, "actions/action_list.html", context)


def _action_list_results(query):
    """(the filter, the year chosen, the results' HTML) of the action list for `query` (a QueryDict), the results
    from the cache while what they show is unchanged."""
    action_filter = ActionFilter(query or None, queryset=Action.objects.all())
    year = action_filter.form.cleaned_data.get("annee") if action_filter.is_bound and action_filter.is_valid() else None

    def render_results():
        queryset = action_filter.qs if action_filter.is_bound else Action.objects.all()
        # Pages in the list's indexed order are read from the last row shown (pti.paging), so the last page costs
        # what the first costs; a full-text search is read by rank, page by page.
        searched = search.RANK in queryset.query.annotations
        queryset = search.ordered(queries.list_actions(queryset), *LIST_ORDER)
        page = paging.paginate(queryset, query, LIST_ORDER, PAGE_SIZE, keyset=not searched)
        page.object_list = queries.attach_year_facts(page.object_list, year)
        return render_to_string("actions/_action_results.html", {"page": page})

    asked = tuple(sorted((name, tuple(values)) for name, values in query.lists()))
    # The results show no report's text: kept under the counters of every pacte's pieces, a day at most, a draft
    # saved again with new text leaves them in the cache.
    results = fragments.cached(
        ("action-list", asked, PAGE_SIZE), render_results, keep=functools.partial(figures.kept, None)
    )
    return action_filter, year, results


def warm_action_list():
    """The warming (pti.warm): the first page of the action list, unfiltered, and its filters' options
    (pti.widgets.StampedSelect), as its readers read them. How many pages."""
    action_filter, _year, _results = _action_list_results(QueryDict())
    render_to_string("actions/_action_filter_fields.html", {"filter": action_filter})
    return 1


@require_GET
def action_detail(request, pk):
    action = _get_action(request, pk, queryset=queries.action_detail_queryset())
    years = action.pacte.years
    indicators = []
    for indicator in action.indicators.all():
        rows = queries.indicator_rows(indicator, years)
        chart = charts.indicator_chart(
            indicator.label, years, [r["target"] for r in rows], [r["value"] for r in rows], indicator.unit
        )
        indicators.append({"indicator": indicator, "rows": rows, "chart": chart})
    can_edit = access.can_edit_action(request.user, action)
    report_years = queries.report_years(action, can_edit, user=request.user)
    current = next((row for row in report_years if row["current"]), None)
    return render(
        request,
        "actions/action_detail.html",
        {
            "action": action,
            "indicators": indicators,
            "can_edit": can_edit,
            "sheet_links": {s["name"]: s["url"] for s in views_sheet.sheet_sections(request.user, action, None)},
            "reporting_year": current["year"] if current else services.reporting_year(action.pacte),
            "current": current,
            "report_years": report_years,
            "missing_years": [row["year"] for row in report_years if row["todo"] and not row["report"]],
            **views_followup.detail_context(request.user, action, can_edit),
        },
    )


@require_GET
@vary_on_headers("HX-Request")
def action_history(request, pk):
    """Who changed what and when on the action, its reports and indicators. Loaded by htmx into the action
    page when its history section comes into view, or as a page of its own without JavaScript."""
    action = _get_action(request, pk)
    history_rows = history.history_rows(
        [
            (_("Action"), action.history.all()),
            (
                lambda r: _("Compte rendu %(year)s") % {"year": r.year},
                ProgressReport.history.filter(action_id=action.pk),
            ),
            *sheet.history_sources(action.pk),
            *followup.history_sources(action.pk),
        ]
    )
    template = "actions/_history.html" if request.htmx else "actions/action_history.html"
    return render(request, template, {"action": action, "history": history_rows})


@require_http_methods(["GET", "POST"])
def action_edit(request, pk):
    action = _get_action(request, pk, edit=True)
    conflict = None
    if request.method == "POST":
        form = ActionForm(request.POST, instance=Action.objects.get(pk=action.pk))
        if form.is_valid():
            data = {name: form.cleaned_data[name] for name in form._meta.fields}
            try:
                services.update_action(action, data, request.user, form.cleaned_data["version"])
            except ConflictError as error:
                conflict = error
            else:
                messages.success(request, _("L'action a été enregistrée."))
                return redirect(action.get_absolute_url())
    else:
        form = ActionForm(instance=action)
    status = 409 if conflict else (400 if request.method == "POST" else 200)
    context = {"action": action, "form": form, "conflict": conflict}
    context["sections"] = views_sheet.sheet_sections(request.user, action, "general")
    return render(request, "actions/action_form.html", context, status=status)


def _get_report_action(request, pk, year):
    """The action, after checking that `user` may write its report for `year` (403 with the true reason)."""
    action = _get_action(request, pk)
    if not action.pacte.contains_year(year):
        raise Http404(_("Cette année n'appartient pas au pacte."))
    refusal = access.report_refusal(request.user, action, year)
    if refusal:
        raise PermissionDenied(refusal)
    return action


@require_http_methods(["GET", "POST"])
def report_edit(request, pk, year):
    """The yearly report's form. "Enregistrer le brouillon" saves whatever it holds; "Transmettre" checks that
    the report can be transmitted, saves it, then asks once, with a summary, before transmitting it."""
    action = _get_report_action(request, pk, year)
    report = action.reports.select_related("returned_by").filter(year=year).first()
    indicators = list(action.indicators.prefetch_related("values"))
    indicator_values = {
        iv.indicator_id: iv for indicator in indicators for iv in indicator.values.all() if iv.year == year
    }
    conflict = None
    form_kwargs = {"action": action, "year": year, "indicators": indicators, "indicator_values": indicator_values}
    if request.method == "POST":
        submit = "submit" in request.POST
        form = ReportForm(request.POST, request.FILES, instance=report, submit=submit, **form_kwargs)
        if form.is_valid():
            # A transmitted report being corrected is transmitted again at once; a first transmission is asked.
            correcting = report is not None and report.is_submitted
            try:
                saved = services.save_report(
                    action,
                    year,
                    request.user,
                    form.report_data(),
                    form.indicator_data(),
                    form.cleaned_data["version"],
                    submit=submit and correcting,
                    documents=form.documents(),
                    unavailable_reasons=form.indicator_reasons(),
                )
            except ConflictError as error:
                conflict = error
            else:
                if submit and saved.state != ReportState.SUBMITTED:
                    return redirect("actions:report_transmit", pk=action.pk, year=year)
                if submit:
                    messages.success(request, _("Le compte rendu %(year)s a été corrigé.") % {"year": year})
                    return redirect(action.get_absolute_url())
                messages.success(request, _("Le brouillon a été enregistré : vous pourrez le terminer plus tard."))
                return redirect("actions:report_edit", pk=action.pk, year=year)
    else:
        form = ReportForm(instance=report, **form_kwargs)
    status = 409 if conflict else (400 if request.method == "POST" else 200)
    values_by_year = {(iv.indicator_id, iv.year): iv for indicator in indicators for iv in indicator.values.all()}
    previous = desk.previous_report(action, year)
    return render(
        request,
        "actions/report_form.html",
        {
            "action": action,
            "year": year,
            "form": form,
            "report": report,
            "conflict": conflict,
            "previous_report": previous,
            "text_rows": desk.text_rows(form, previous),
            "contribution_rows": desk.contribution_rows(form, contributions.year_contributions(action, year)),
            "indicator_rows": desk.indicator_rows(form, indicators, values_by_year, year),
            "suggested_progress": desk.suggested_progress(action),
        },
        status=status,
    )


@require_GET
def report_preview(request, pk, year):
    """ "Aperçu": the saved report as the bilan will print it once transmitted (rendered by bilans' own partial,
    through its template tag), reached from the form before transmitting."""
    action = _get_report_action(request, pk, year)
    report = action.reports.select_related("action__pacte").filter(year=year).first()
    if report is None:
        messages.info(request, _("Enregistrez d'abord un brouillon : l'aperçu montre le compte rendu enregistré."))
        return redirect("actions:report_edit", pk=action.pk, year=year)
    return render(request, "actions/report_preview.html", {"action": action, "year": year, "report": report})


@require_http_methods(["GET", "POST"])
def report_transmit(request, pk, year):
    """Ask once before transmitting: the report as it will be read in the bilan, then "Confirmer"."""
    action = _get_report_action(request, pk, year)
    report = action.reports.filter(year=year).first()
    if report is None:
        return redirect("actions:report_edit", pk=action.pk, year=year)
    if report.is_submitted and request.method == "GET":
        messages.info(request, _("Ce compte rendu est déjà transmis."))
        return redirect(action.get_absolute_url())
    status, error = 200, None
    if request.method == "POST":
        try:
            services.transmit_report(action, year, request.user, request.POST.get("version"))
        except ConflictError as conflict:
            status, error = 409, conflict.message
        except services.IncompleteReport:
            messages.error(request, _("Ce compte rendu n'est pas complet : complétez les champs signalés."))
            return redirect("actions:report_edit", pk=action.pk, year=year)
        except services.ReportError as refused:
            status, error = 409, refused.message
        else:
            messages.success(request, _("Le compte rendu %(year)s a été transmis. Merci !") % {"year": year})
            return redirect(action.get_absolute_url())
        report.refresh_from_db()
    return render(
        request,
        "actions/report_transmit.html",
        {"action": action, "year": year, "report": report, "summary": queries.report_summary(report), "error": error},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def report_return(request, pk, year):
    """Staff send a transmitted report back to its referents with what to complete (a "demande de complément")."""
    action = _get_action(request, pk)
    report = get_object_or_404(ProgressReport.objects.select_related("action__pacte"), action=action, year=year)
    refusal = access.report_return_refusal(request.user, report)
    if refusal:
        raise PermissionDenied(refusal)
    form = ReportReturnForm(request.POST or None, initial={"version": report.version})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.return_report(report, request.user, form.cleaned_data["comment"], form.cleaned_data["version"])
            except ConflictError as conflict:
                messages.error(request, conflict.message)
                status = 409
            except services.ReportError as refused:
                form.add_error(None, refused.message)
                status = 409
            else:
                messages.success(
                    request,
                    _("Le compte rendu %(year)s est renvoyé à son référent, qui en est prévenu par e-mail.")
                    % {"year": year},
                )
                return redirect(action.get_absolute_url())
        else:
            status = 400
    return render(
        request,
        "actions/report_return.html",
        {"action": action, "year": year, "report": report, "form": form},
        status=status,
    )


@require_GET
def document_download(request, pk):
    document = get_object_or_404(ReportDocument.objects.select_related("report__action"), pk=pk)
    if not access.can_view(request.user, document):
        raise PermissionDenied
    try:
        handle = document.file.open("rb")
    except FileNotFoundError as error:
        raise Http404(_("Le fichier n'est plus disponible.")) from error
    filename = document.file.name.rsplit("/", 1)[-1]
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=document.content_type or None)
