from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Max, Q
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods
from django.views.decorators.vary import vary_on_headers

from actions.services import reporting_year
from axes.models import Pacte
from pilotage import dashboard, jobs, services
from pilotage.enums import DecisionStatus
from pilotage.filters import DecisionFilter, late_first
from pilotage.forms import CopilForm, DecisionFollowUpForm, DecisionForm, YearForm
from pilotage.models import Copil, Decision, decision_late_q
from pti import access, confirm, fragments
from pti.concurrency import ConflictError
from pti.enums import JobStatus
from pti.formats import long_date
from pti.inputs import page_number

# Rows of the long lists of the dashboard (actions needing attention, indicators) shown at once; the next
# ones load on demand.
LIST_PAGE = 25
DECISIONS_PAGE = 25


def _require_manage(request):
    if not access.can_manage_pilotage(request.user):
        raise PermissionDenied(_("Seuls les agents du Département gèrent les COPIL et leurs décisions."))


def _get_copil(request, pk, *, manage=False):
    """Fetch the COPIL and check the access rule, for GET and POST alike."""
    copil = get_object_or_404(Copil.objects.select_related("pacte"), pk=pk)
    if manage:
        _require_manage(request)
    elif not access.can_view(request.user, copil):
        raise PermissionDenied
    return copil


def _get_decision(request, pk, *, manage=False):
    decision = get_object_or_404(Decision.objects.select_related("copil__pacte"), pk=pk)
    if manage:
        _require_manage(request)
    return decision


def _status(request, conflict=False):
    if conflict:
        return 409
    return 400 if request.method == "POST" else 200


# --- hub -----------------------------------------------------------------------------------------------


@require_GET
def index(request):
    """Pilotage: each pacte's dashboard and COPILs, and the open decisions."""
    today = timezone.localdate()
    pactes = Pacte.objects.order_by("-first_year").annotate(
        copil_count=Count("copils", distinct=True),
        last_copil=Max("copils__date"),
        open_decisions=Count("copils__decisions", filter=Q(copils__decisions__status=DecisionStatus.OPEN)),
        late_decisions=Count("copils__decisions", filter=decision_late_q(today, "copils__decisions__")),
    )
    rows = [{"pacte": pacte, "year": reporting_year(pacte, today)} for pacte in pactes]
    return render(
        request, "pilotage/index.html", {"rows": rows, "can_manage": access.can_manage_pilotage(request.user)}
    )


# --- dashboard -----------------------------------------------------------------------------------------


def _dashboard_year(request, pacte):
    """(form, year): the year asked for in `?annee=`, or the pacte's reporting year; year None if refused."""
    default = reporting_year(pacte)
    if "annee" not in request.GET:
        return YearForm(pacte=pacte, initial={"annee": default}), default
    form = YearForm(request.GET, pacte=pacte)
    if not form.is_valid():
        return form, None
    year = form.cleaned_data["annee"]
    # A fresh form shows the chosen year without "valid field" styling.
    return YearForm(pacte=pacte, initial={"annee": year}), year


@require_GET
@vary_on_headers("HX-Request")
def dashboard_page(request, slug):
    pacte = get_object_or_404(Pacte, slug=slug)
    form, year = _dashboard_year(request, pacte)
    context = {"pacte": pacte, "form": form, "year": year}
    if year is None:
        context["body"] = render_to_string("pilotage/_dashboard_body.html", context, request)
    else:
        context["body"] = _dashboard_body(pacte, year)
    status = 400 if year is None else 200
    if request.htmx:
        return HttpResponse(context["body"], status=status)
    return render(request, "pilotage/dashboard.html", context, status=status)


def _dashboard_body(pacte, year):
    """The dashboard's figures, charts and lists, the same for every reader: rendered once, then read from the
    cache while what it shows is unchanged (pti.fragments); its charts and tables were most of the page's time."""

    def render_body(data):
        context = {
            "pacte": pacte,
            "year": year,
            "data": data,
            "charts": dashboard.dashboard_charts(data),
            "tables": dashboard.chart_tables(data),
            "attention_next": 2 if data["attention"]["truncated"] else None,
            "indicators_next": 2 if data["indicators"]["truncated"] else None,
        }
        return render_to_string("pilotage/_dashboard_body.html", context)

    def body():
        # After a write: the figures and lists come from the cache piece by piece (actions.figures, pti.stamps),
        # and the charts and tables are drawn again only when what they show changed.
        data = dashboard.dashboard_data(pacte, year, limit=LIST_PAGE)
        return fragments.cached(("dashboard-body", pacte.pk, year, LIST_PAGE), lambda: render_body(data), content=data)

    # While nothing was written, the body as it was last shown, at once.
    return fragments.cached(("dashboard-body-shown", pacte.pk, year, LIST_PAGE), body)


def warm_dashboards():
    """The warming (pti.warm): the dashboard's body of each pacte in its reporting year (the year the dashboard
    opens on), computed and rendered for the day. How many."""
    count = 0
    for pacte in Pacte.objects.order_by("pk"):
        _dashboard_body(pacte, reporting_year(pacte))
        count += 1
    return count


def warm_past_dashboards():
    """The warming, after the main pages (pti.warm, `last`): each pacte's dashboard in every year before its
    reporting year (the COPIL reviews the past year). How many."""
    count = 0
    for pacte in Pacte.objects.order_by("pk"):
        for year in range(reporting_year(pacte) - 1, pacte.first_year - 1, -1):
            _dashboard_body(pacte, year)
            count += 1
    return count


@require_GET
@vary_on_headers("HX-Request")
def attention_page(request, slug):
    """One page of the actions needing attention (loaded into the dashboard by htmx, or a page of its own)."""
    pacte = get_object_or_404(Pacte, slug=slug)
    form, year = _dashboard_year(request, pacte)
    if year is None:
        return render(request, "pilotage/attention.html", {"pacte": pacte, "form": form}, status=400)
    page = page_number(request)
    items = dashboard.attention_items(pacte, year, limit=LIST_PAGE + 1, offset=(page - 1) * LIST_PAGE)
    context = {
        "pacte": pacte,
        "form": form,
        "year": year,
        "items": items[:LIST_PAGE],
        "page": page,
        "next_page": page + 1 if len(items) > LIST_PAGE else None,
    }
    template = "pilotage/_attention_rows.html" if request.htmx else "pilotage/attention.html"
    return render(request, template, context)


@require_GET
@vary_on_headers("HX-Request")
def indicators_page(request, slug):
    """One page of the pacte's indicators, most worrying first (htmx part or page)."""
    pacte = get_object_or_404(Pacte, slug=slug)
    form, year = _dashboard_year(request, pacte)
    if year is None:
        return render(request, "pilotage/indicators.html", {"pacte": pacte, "form": form}, status=400)
    page = page_number(request)
    items = dashboard.indicator_items(pacte, year, limit=LIST_PAGE, offset=(page - 1) * LIST_PAGE)
    total = items[0]["total"] if items else 0
    context = {
        "pacte": pacte,
        "form": form,
        "year": year,
        "items": items,
        "years": pacte.years,
        "page": page,
        "next_page": page + 1 if page * LIST_PAGE < total else None,
    }
    template = "pilotage/_indicator_rows.html" if request.htmx else "pilotage/indicators.html"
    return render(request, template, context)


# --- COPIL ---------------------------------------------------------------------------------------------


@require_GET
def copil_list(request, slug):
    pacte = get_object_or_404(Pacte, slug=slug)
    copils = pacte.copils.annotate(
        highlight_count=Count("highlights", distinct=True),
        decision_count=Count("decisions", distinct=True),
        open_count=Count("decisions", filter=Q(decisions__status=DecisionStatus.OPEN), distinct=True),
    ).order_by("-date")
    return render(
        request,
        "pilotage/copil_list.html",
        {"pacte": pacte, "copils": copils, "can_manage": access.can_manage_pilotage(request.user)},
    )


def _copil_form_page(request, form, pacte, copil=None, conflict=None):
    return render(
        request,
        "pilotage/copil_form.html",
        {"form": form, "pacte": pacte, "copil": copil, "conflict": conflict},
        status=_status(request, conflict is not None),
    )


@require_http_methods(["GET", "POST"])
def copil_create(request, slug):
    pacte = get_object_or_404(Pacte, slug=slug)
    _require_manage(request)
    if request.method == "POST":
        form = CopilForm(request.POST, pacte=pacte)
        if form.is_valid():
            copil = services.create_copil(
                pacte,
                form.copil_data(),
                attendees=form.cleaned_data["attendees"],
                partners=form.cleaned_data["partners"],
                highlights=form.cleaned_data["highlights"],
                guests=form.cleaned_data["guests"],
            )
            messages.success(request, _("Le COPIL a été créé."))
            return redirect("pilotage:copil_detail", pk=copil.pk)
    else:
        form = CopilForm(pacte=pacte)
    return _copil_form_page(request, form, pacte)


@require_GET
def copil_detail(request, pk):
    copil = _get_copil(request, pk)
    highlights = copil.highlights.select_related("action__axe").order_by("action__sort_key")
    decisions = late_first(copil.decisions.select_related("action", "owner"))
    return render(
        request,
        "pilotage/copil_detail.html",
        {
            "copil": copil,
            "pacte": copil.pacte,
            **services.attendance(copil),
            "partners": copil.partners.order_by("name"),
            "highlights": highlights,
            "decisions": decisions,
            "dossier_year": services.dossier_year(copil),
            "can_manage": access.can_manage_pilotage(request.user),
            "today": timezone.localdate(),
        },
    )


@require_http_methods(["GET", "POST"])
def copil_edit(request, pk):
    copil = _get_copil(request, pk, manage=True)
    conflict = None
    if request.method == "POST":
        form = CopilForm(request.POST, instance=Copil.objects.get(pk=copil.pk), pacte=copil.pacte)
        if form.is_valid():
            try:
                services.update_copil(
                    copil,
                    form.copil_data(),
                    form.cleaned_data["version"],
                    attendees=form.cleaned_data["attendees"],
                    partners=form.cleaned_data["partners"],
                    highlights=form.cleaned_data["highlights"],
                    guests=form.cleaned_data["guests"],
                )
            except ConflictError as error:
                conflict = error
            else:
                messages.success(request, _("Le COPIL a été enregistré."))
                return redirect("pilotage:copil_detail", pk=copil.pk)
    else:
        form = CopilForm(instance=copil, pacte=copil.pacte)
    return _copil_form_page(request, form, copil.pacte, copil, conflict)


# --- decisions -----------------------------------------------------------------------------------------


def _confirm_closing(request, decision, form, cancel_url=None):
    """Closing a decision asks once: it leaves the open decisions, with today as its closure date."""
    status = DecisionStatus(form.cleaned_data["status"])
    return confirm.confirmation_page(
        request,
        title=_("Clore la décision ?"),
        intro=_(
            "« %(text)s » passera à l'état « %(status)s » : elle sortira des décisions ouvertes suivies sur le tableau "
            "de bord et dans le dossier COPIL, et sa date de clôture, le %(date)s, sera enregistrée."
        )
        % {
            "text": Truncator(decision.text).chars(120),
            "status": status.label,
            "date": long_date(timezone.localdate()),
        },
        lines=[_("Suivi : %(text)s") % {"text": form.cleaned_data["follow_up"]}]
        if form.cleaned_data["follow_up"]
        else [],
        button=_("Clore la décision"),
        cancel_url=cancel_url or request.get_full_path(),
    )


def _decision_form_page(request, form, copil, decision=None, conflict=None):
    return render(
        request,
        "pilotage/decision_form.html",
        {"form": form, "copil": copil, "pacte": copil.pacte, "decision": decision, "conflict": conflict},
        status=_status(request, conflict is not None),
    )


@require_http_methods(["GET", "POST"])
def decision_create(request, pk):
    copil = _get_copil(request, pk, manage=True)
    if request.method == "POST":
        form = DecisionForm(request.POST, copil=copil)
        if form.is_valid():
            services.create_decision(copil, form.decision_data())
            messages.success(request, _("La décision a été enregistrée."))
            return redirect("pilotage:copil_detail", pk=copil.pk)
    else:
        form = DecisionForm(copil=copil)
    return _decision_form_page(request, form, copil)


@require_http_methods(["GET", "POST"])
def decision_edit(request, pk):
    decision = _get_decision(request, pk, manage=True)
    conflict = None
    if request.method == "POST":
        form = DecisionForm(request.POST, instance=Decision.objects.get(pk=decision.pk), copil=decision.copil)
        if (
            form.is_valid()
            and services.closes(decision, form.decision_data())
            and form.cleaned_data["version"] == decision.version  # a stale save goes straight to its conflict
            and not confirm.is_confirmed(request)
        ):
            return _confirm_closing(request, decision, form)
        if form.is_valid():
            try:
                services.update_decision(decision, form.decision_data(), form.cleaned_data["version"])
            except ConflictError as error:
                conflict = error
            else:
                messages.success(request, _("La décision a été enregistrée."))
                if request.POST.get("next") == "decisions":
                    return redirect("pilotage:decision_list")
                return redirect("pilotage:copil_detail", pk=decision.copil_id)
    else:
        form = DecisionForm(instance=decision, copil=decision.copil)
    return _decision_form_page(request, form, decision.copil, decision, conflict)


# Where an owner's follow-up returns: the page he updated it from (`next`), the decisions' list by default.
FOLLOW_UP_NEXT = {"mes-actions": "actions:my_actions", "decisions": "pilotage:decision_list"}


def _follow_up_next(request):
    key = (request.POST if request.method == "POST" else request.GET).get("next")
    return key if key in FOLLOW_UP_NEXT else "decisions"


@require_http_methods(["GET", "POST"])
def decision_follow_up(request, pk):
    """The owner of a decision (or staff) updates where it stands and its status; closing it asks first."""
    decision = get_object_or_404(Decision.objects.select_related("copil__pacte", "action", "owner"), pk=pk)
    if not access.can_follow_up_decision(request.user, decision):
        raise PermissionDenied(
            _("Seuls le responsable de la décision et les agents du Département mettent à jour son suivi.")
        )
    next_key = _follow_up_next(request)
    back = reverse(FOLLOW_UP_NEXT[next_key])
    conflict = None
    if request.method == "POST":
        form = DecisionFollowUpForm(request.POST, instance=Decision.objects.get(pk=decision.pk))
        if (
            form.is_valid()
            and services.closes(decision, form.decision_data())
            and form.cleaned_data["version"] == decision.version  # a stale save goes straight to its conflict
            and not confirm.is_confirmed(request)
        ):
            return _confirm_closing(request, decision, form, cancel_url=back)
        if form.is_valid():
            try:
                saved = services.follow_up_decision(decision, form.decision_data(), form.cleaned_data["version"])
            except ConflictError as error:
                conflict = error
            else:
                if services.closes(decision, form.decision_data()):
                    message = _("La décision est close (%(status)s) ; sa date de clôture est enregistrée.") % {
                        "status": saved.get_status_display()
                    }
                else:
                    message = _("Le suivi de la décision a été enregistré.")
                messages.success(request, message)
                return redirect(back)
    else:
        form = DecisionFollowUpForm(instance=decision)
    return render(
        request,
        "pilotage/decision_follow_up.html",
        {
            "form": form,
            "decision": decision,
            "copil": decision.copil,
            "pacte": decision.copil.pacte,
            "conflict": conflict,
            "next": next_key,
            "back": back,
        },
        status=_status(request, conflict is not None),
    )


@require_GET
@vary_on_headers("HX-Request")
def decision_list(request):
    """Decisions across COPILs, open ones by default, late ones first."""
    decision_filter = DecisionFilter(request.GET, queryset=Decision.objects.all())
    queryset = late_first(decision_filter.qs.select_related("copil__pacte", "action", "owner"))
    page = Paginator(queryset, DECISIONS_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    template = "pilotage/_decision_results.html" if request.htmx else "pilotage/decision_list.html"
    return render(
        request,
        template,
        {
            "filter": decision_filter,
            "page": page,
            "query": query.urlencode(),
            "today": timezone.localdate(),
            "can_manage": access.can_manage_pilotage(request.user),
            # The owner of a listed decision updates its follow-up from here (no query: owner_id is read).
            "follow_up_links": any(access.can_follow_up_decision(request.user, d) for d in page.object_list),
        },
    )


# --- dossier COPIL -------------------------------------------------------------------------------------


def _dossier_page(request, copil, job, status=200, message=None):
    return render(
        request,
        "pilotage/dossier_job.html",
        {"copil": copil, "pacte": copil.pacte, "job": job, "message": message},
        status=status,
    )


def _unavailable(request, copil, error):
    return _dossier_page(request, copil, jobs.job_for(copil), status=503, message=error.message)


@require_http_methods(["GET", "POST"])
def dossier_job(request, pk):
    """The dossier COPIL's page: the PDF's download once it is ready for the data as it is now, its progress
    while it is being made (queued by Celery, or rendered on the spot by the first poll without a broker), or
    the failure with a retry (POST)."""
    copil = _get_copil(request, pk)
    try:
        job = jobs.request_dossier(copil, retry=request.method == "POST")
    except jobs.DossierUnavailable as error:
        return _unavailable(request, copil, error)
    if request.method == "POST":
        return redirect("pilotage:dossier_job", pk=copil.pk)
    return _dossier_page(request, copil, job)


@require_GET
def dossier_progress(request, pk):
    """The job's progress, polled every second by htmx while it runs; once it has ended, the page reloads itself
    (HX-Refresh) to offer the download or show the failure."""
    copil = _get_copil(request, pk)
    if not request.htmx:
        return redirect("pilotage:dossier_job", pk=copil.pk)
    job = jobs.job_for(copil)
    if job is not None:
        job = jobs.run_here(job)
    response = render(request, "pilotage/_dossier_progress.html", {"copil": copil, "job": job})
    if job is None or not job.is_running:
        response["HX-Refresh"] = "true"
    return response


@require_GET
def dossier_pdf(request, pk):
    """The dossier COPIL as a PDF/A: the year's dashboard, highlighted actions and decisions. Served from the
    job's cache when it holds the dossier of the data as it is now; otherwise the job is asked for: rendered
    here without a broker, else queued while the dossier's page shows its progress."""
    copil = _get_copil(request, pk)
    for _attempt in range(2):
        try:
            job = jobs.request_dossier(copil)
        except jobs.DossierUnavailable as error:
            return _unavailable(request, copil, error)
        job = jobs.run_here(job)
        if job.status != JobStatus.DONE or not job.pdf:
            return redirect("pilotage:dossier_job", pk=copil.pk)
        pdf = jobs.read_pdf(job)
        if pdf is not None:
            response = HttpResponse(pdf, content_type="application/pdf")
            response["Content-Disposition"] = f'inline; filename="{jobs.filename(copil)}"'
            return response
        jobs.forget_pdf(job)  # missing or altered on the disk: made again
    return redirect("pilotage:dossier_job", pk=copil.pk)


@require_GET
def dossier_print(request, pk):
    """The same dossier as an HTML page, to print from the browser."""
    copil = _get_copil(request, pk)
    return render(request, services.DOSSIER_TEMPLATE, services.dossier_context(copil, for_browser=True))
