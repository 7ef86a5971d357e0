"""Pages of the yearly bilans and of the reporting campaigns.

Access (pti.access): every signed-in user reads them, as he reads everything else in PTI (the API serves the
same bilans to the same users); only département staff (`can_manage_bilans`) changes anything: texts,
generation, submission, approval, rejection, campaigns. Each change is a POST answered by a redirect with a
message, or by the page again with the reason: 400 for bad input, 409 for a move the bilan's state refuses.
"""

import logging

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Prefetch
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from actions.services import reporting_year
from axes.models import Pacte
from bilans import campaigns, services, workflow
from bilans.enums import BilanStatus as S
from bilans.forms import ApprovalForm, BilanTextsForm, CampaignForm, RejectionForm
from bilans.models import Bilan, BilanTransition, Reminder, ReportingCampaign
from pti import access, confirm, fragments
from pti.concurrency import ConflictError, lock_version
from pti.formats import long_date
from pti.inputs import page_number

logger = logging.getLogger(__name__)

REMINDERS_PER_PAGE = 50


def _pacte_year(slug, year):
    pacte = get_object_or_404(Pacte, slug=slug)
    if not pacte.contains_year(year):
        raise Http404(_("Cette année n'appartient pas au pacte."))
    return pacte


def _get_bilan(request, slug, year, *, manage=False, create=False):
    """The bilan of the pacte and year (unsaved if there is none yet, or created with `create`), after the
    access check, for GET and POST alike."""
    if manage and not access.can_manage_bilans(request.user):
        raise PermissionDenied(_("Seuls les agents du Département gèrent les bilans."))
    if not access.can_view(request.user):
        raise PermissionDenied
    pacte = _pacte_year(slug, year)
    if create:
        return services.bilan_for(pacte, year)
    bilan = Bilan.objects.select_related("pacte", "approved_by").filter(pacte=pacte, year=year).first()
    if bilan is not None:
        services.mark_stale_jobs(Bilan.objects.filter(pk=bilan.pk))
        bilan.refresh_from_db()
        return bilan
    return Bilan(pacte=pacte, year=year)


@require_GET
def bilan_list(request):
    """Every bilan of every pacte with its status; each year of each pacte, for staff to start one."""
    services.mark_stale_jobs()
    pactes = list(Pacte.objects.order_by("-first_year", "title"))
    bilans = {(b.pacte_id, b.year): b for b in Bilan.objects.all()}
    campaigns_by_year = {
        (c.pacte_id, c.year): c for c in ReportingCampaign.objects.annotate(reminders_sent=Count("reminders"))
    }
    rows = [
        {
            "pacte": pacte,
            "years": [
                {
                    "year": year,
                    "bilan": bilans.get((pacte.pk, year)),
                    "campaign": campaigns_by_year.get((pacte.pk, year)),
                }
                for year in reversed(pacte.years)
            ],
        }
        for pacte in pactes
    ]
    return render(
        request,
        "bilans/bilan_list.html",
        {"pactes": rows, "can_manage": access.can_manage_bilans(request.user), "bilan_count": len(bilans)},
    )


def _detail_context(request, bilan, **forms):
    manage = access.can_manage_bilans(request.user)
    transitions = []
    if bilan.pk:
        transitions = list(BilanTransition.objects.filter(bilan=bilan).select_related("user").order_by("-at", "-pk"))
    snapshot_texts = None
    if bilan.snapshot:
        snapshot_texts = (bilan.snapshot.get("introduction", ""), bilan.snapshot.get("conclusion", ""))
    completion = campaigns.report_counts(bilan.pacte, bilan.year)
    return {
        "bilan": bilan,
        "pacte": bilan.pacte,
        "year": bilan.year,
        "can_manage": manage,
        "can_generate": manage and workflow.can_generate(bilan),
        "can_edit_texts": manage and workflow.can_edit_texts(bilan),
        "can_submit": manage and workflow.can_submit(bilan),
        "can_decide": manage and workflow.can_decide(bilan),
        "texts_form": forms.get("texts_form") or BilanTextsForm(instance=bilan),
        "approval_form": forms.get("approval_form") or ApprovalForm(initial={"approval_date": timezone.localdate()}),
        "rejection_form": forms.get("rejection_form") or RejectionForm(),
        "conflict": forms.get("conflict"),
        "transitions": transitions,
        "texts_changed": snapshot_texts is not None and snapshot_texts != (bilan.introduction, bilan.conclusion),
        "completion": completion,
        "campaign": ReportingCampaign.objects.filter(pacte=bilan.pacte, year=bilan.year).first(),
        "closure": bilan.pacte.closure(bilan.year),
    }


@require_GET
def bilan_detail(request, slug, year):
    bilan = _get_bilan(request, slug, year)
    return render(request, "bilans/bilan_detail.html", _detail_context(request, bilan))


@require_GET
def bilan_progress(request, slug, year):
    """The generation's progress, polled every second by htmx while a job runs; once it has ended, the page
    reloads itself (HX-Refresh) to show the download link or the failure."""
    bilan = _get_bilan(request, slug, year)
    if not request.htmx:
        return redirect("bilans:detail", slug=slug, year=year)
    response = render(request, "bilans/_progress.html", {"bilan": bilan, "pacte": bilan.pacte, "year": year})
    if not bilan.has_job:
        response["HX-Refresh"] = "true"
    return response


def _refused(request, bilan, message, status=409, **forms):
    """The page again with the reason the change was refused."""
    messages.error(request, message)
    bilan = _get_bilan(request, bilan.pacte.slug, bilan.year)
    return render(request, "bilans/bilan_detail.html", _detail_context(request, bilan, **forms), status=status)


@require_POST
def bilan_texts(request, slug, year):
    bilan = _get_bilan(request, slug, year, manage=True, create=True)
    form = BilanTextsForm(request.POST, instance=Bilan.objects.get(pk=bilan.pk))
    if not form.is_valid():
        return _refused(
            request, bilan, _("Le formulaire contient des erreurs : rien n'a été enregistré."), 400, texts_form=form
        )
    try:
        services.save_texts(
            bilan,
            request.user,
            form.cleaned_data["introduction"],
            form.cleaned_data["conclusion"],
            form.cleaned_data["version"],
        )
    except ConflictError as conflict:
        return _refused(request, bilan, conflict.message, 409, texts_form=form, conflict=conflict)
    except services.BilanError as error:
        return _refused(request, bilan, error.message)
    messages.success(request, _("L'introduction et la conclusion ont été enregistrées."))
    return redirect("bilans:detail", slug=slug, year=year)


@require_POST
def bilan_generate(request, slug, year):
    bilan = _get_bilan(request, slug, year, manage=True)  # unsaved if none yet: created once the job can start
    try:
        bilan = services.request_generation(bilan, request.user)
    except services.BilanError as error:
        status = 503 if isinstance(error, services.JobUnavailable) else 409
        return _refused(request, bilan, error.message, status)
    if bilan.status == S.GENERATED:
        messages.success(request, _("Le bilan a été généré : son PDF est prêt."))
    elif bilan.status == S.FAILED:
        messages.error(request, bilan.error)
    else:
        messages.info(request, _("La génération du bilan a commencé : suivez-la ci-dessous."))
    return redirect("bilans:detail", slug=slug, year=year)


@require_POST
def bilan_submit(request, slug, year):
    bilan = _get_bilan(request, slug, year, manage=True)
    if not bilan.pk:
        raise Http404
    if not confirm.is_confirmed(request) and workflow.can_submit(bilan):
        return _confirm_submission(request, bilan)
    try:
        services.submit(bilan, request.user)
    except services.BilanError as error:
        return _refused(request, bilan, error.message)
    messages.success(request, _("Le bilan a été soumis à l'assemblée départementale."))
    return redirect("bilans:detail", slug=slug, year=year)


def _more(count):
    return ngettext("et %(count)s autre", "et %(count)s autres", count) % {"count": count}


def _confirm_submission(request, bilan):
    """Submitting asks once: which reports are still missing or in draft, by referent, and that approval freezes."""
    completion = campaigns.year_completion(bilan.pacte, bilan.year, page=1)
    totals = completion["totals"]
    if totals[campaigns.DRAFT] + totals[campaigns.MISSING]:
        intro = _(
            "%(submitted)s comptes rendus %(year)s sur %(due)s attendus sont transmis. Le bilan soumis ne reprend que "
            "les comptes rendus transmis : ceux qui manquent ou restent en brouillon n'y figureront pas."
        ) % {"submitted": totals[campaigns.SUBMITTED], "due": totals["due"], "year": bilan.year}
    else:
        intro = _("Les %(due)s comptes rendus %(year)s attendus sont tous transmis.") % {
            "due": totals["due"],
            "year": bilan.year,
        }
    lines = []
    for row in completion["pending"]:
        owed = ", ".join(
            f"{a.number}" + (f" ({_('brouillon')})" if a.report_state == campaigns.DRAFT else "")
            for a in row["pending"]
        )
        if row["pending_more"]:
            owed += " " + _more(row["pending_more"])
        lines.append(f"{row['user']} : {owed}")
    others = completion["pending_count"] - len(completion["pending"])
    if others > 0:
        lines.append(
            ngettext(
                "Et %(count)s autre référent (voir la campagne).",
                "Et %(count)s autres référents (voir la campagne).",
                others,
            )
            % {"count": others}
        )
    if completion["unassigned"]:
        numbers = ", ".join(a.number for a in completion["unassigned"])
        more = completion["unassigned_count"] - len(completion["unassigned"])
        if more > 0:
            numbers += " " + _more(more)
        lines.append(_("Sans référent : %(numbers)s") % {"numbers": numbers})
    lines.append(
        _(
            "Une fois approuvé par l'assemblée, le bilan sera figé : son PDF, son empreinte et ses données ne "
            "changeront plus, et les comptes rendus, valeurs et budgets %(year)s ne pourront plus être modifiés."
        )
        % {"year": bilan.year}
    )
    return confirm.confirmation_page(
        request,
        title=_("Soumettre le bilan %(year)s à l'assemblée départementale ?") % {"year": bilan.year},
        intro=intro,
        lines=lines,
        button=_("Soumettre le bilan"),
        cancel_url=reverse("bilans:detail", args=[bilan.pacte.slug, bilan.year]),
    )


def _confirm_approval(request, bilan, form):
    return confirm.confirmation_page(
        request,
        title=_("Enregistrer l'approbation du bilan %(year)s ?") % {"year": bilan.year},
        intro=_(
            "L'assemblée départementale a approuvé le bilan %(year)s le %(date)s (délibération %(reference)s). Le PDF "
            "définitif sera produit avec la délibération en couverture, puis figé avec son empreinte."
        )
        % {
            "year": bilan.year,
            "date": long_date(form.cleaned_data["approval_date"]),
            "reference": form.cleaned_data["deliberation_reference"],
        },
        lines=[
            _(
                "L'année %(year)s sera close : plus aucun compte rendu, valeur d'indicateur ou budget de %(year)s ne "
                "pourra être modifié, par personne, et cela ne peut pas être défait."
            )
            % {"year": bilan.year}
        ],
        button=_("Approuver et figer le bilan"),
        cancel_url=reverse("bilans:detail", args=[bilan.pacte.slug, bilan.year]),
    )


@require_POST
def bilan_approve(request, slug, year):
    bilan = _get_bilan(request, slug, year, manage=True)
    if not bilan.pk:
        raise Http404
    if bilan.is_frozen:
        return _refused(request, bilan, services.frozen_message())
    form = ApprovalForm(request.POST, bilan=bilan)
    if not form.is_valid():
        return _refused(request, bilan, _("Le formulaire d'approbation contient des erreurs."), 400, approval_form=form)
    if not confirm.is_confirmed(request) and workflow.can_decide(bilan):
        return _confirm_approval(request, bilan, form)
    try:
        bilan = services.request_approval(
            bilan, request.user, form.cleaned_data["approval_date"], form.cleaned_data["deliberation_reference"]
        )
    except services.InvalidInput as error:
        form.add_error(error.field, error.message)
        return _refused(request, bilan, _("Le formulaire d'approbation contient des erreurs."), 400, approval_form=form)
    except services.BilanError as error:
        status = 503 if isinstance(error, services.JobUnavailable) else 409
        return _refused(request, bilan, error.message, status)
    if bilan.status == S.APPROVED:
        messages.success(request, _("Le bilan est approuvé : son PDF et ses données sont figés."))
    elif bilan.error:
        messages.error(request, bilan.error)
    else:
        messages.info(request, _("Le PDF approuvé est en cours de production : suivez-la ci-dessous."))
    return redirect("bilans:detail", slug=slug, year=year)


@require_POST
def bilan_reject(request, slug, year):
    bilan = _get_bilan(request, slug, year, manage=True)
    if not bilan.pk:
        raise Http404
    if bilan.is_frozen:
        return _refused(request, bilan, services.frozen_message())
    form = RejectionForm(request.POST)
    if not form.is_valid():
        return _refused(request, bilan, _("Le motif du rejet est obligatoire."), 400, rejection_form=form)
    try:
        services.reject(bilan, request.user, form.cleaned_data["rejection_reason"])
    except services.BilanError as error:
        return _refused(request, bilan, error.message)
    messages.success(request, _("Le rejet a été enregistré. Le bilan peut être corrigé puis généré de nouveau."))
    return redirect("bilans:detail", slug=slug, year=year)


@require_GET
def bilan_pdf(request, slug, year):
    """The PDF, served only once its SHA-256 matches the recorded one (otherwise a page says why: 409 or 410)."""
    bilan = _get_bilan(request, slug, year)
    if not bilan.pk or not bilan.can_download:
        raise Http404(_("Ce bilan n'a pas de PDF à télécharger."))
    try:
        handle = services.verified_pdf(bilan)
    except (services.AlteredPdf, services.PdfUnavailable) as error:
        return render(
            request,
            "bilans/pdf_error.html",
            {"bilan": bilan, "pacte": bilan.pacte, "year": bilan.year, "message": error.message},
            status=error.status_code,
        )
    return FileResponse(
        handle, as_attachment=True, filename=services.pdf_filename(bilan), content_type="application/pdf"
    )


# --- the reporting campaign ----------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def campaign(request, slug, year):
    """The year's reporting campaign of a pacte: open it (or change its deadline), follow its completion."""
    pacte = _pacte_year(slug, year)
    manage = access.can_manage_bilans(request.user)
    if request.method == "POST" and not manage:
        raise PermissionDenied(_("Seuls les agents du Département ouvrent les campagnes de comptes rendus."))
    closure = pacte.closure(year)
    if request.method == "POST" and closure is not None:
        raise PermissionDenied(closure.message)
    campaign = (
        ReportingCampaign.objects.select_related("opened_by")
        .prefetch_related(Prefetch("reminders", queryset=_reminders()))
        .filter(pacte=pacte, year=year)
        .first()
    )
    conflict = None
    status = 200
    form = CampaignForm(instance=campaign or ReportingCampaign(pacte=pacte, year=year)) if manage else None
    if request.method == "POST":
        form = CampaignForm(request.POST, instance=campaign or ReportingCampaign(pacte=pacte, year=year))
        if form.is_valid():
            try:
                opened = _save_campaign(pacte, year, campaign, form, request.user)
            except ConflictError as error:
                conflict, status = error, 409
            else:
                messages.success(
                    request,
                    _("La campagne %(year)s est ouverte.") % {"year": year}
                    if opened
                    else _("La campagne a été mise à jour."),
                )
                return redirect("bilans:campaign", slug=slug, year=year)
        else:
            status = 400
    context = {
        "pacte": pacte,
        "year": year,
        "campaign": campaign,
        "form": form,
        "conflict": conflict,
        "can_manage": manage,
        "reporting_year": reporting_year(pacte),
        "completion": _campaign_completion(campaign, page_number(request)) if campaign else None,
        "bilan": Bilan.objects.filter(pacte=pacte, year=year).first(),
        "closure": pacte.closure(year),
    }
    return render(request, "bilans/campaign.html", context, status=status)


def _campaign_completion(campaign, page):
    """The campaign's figures and its tables by axe and by referent (page `page` of them), the same for every
    reader: rendered once, then read from the cache while the data is unchanged (pti.fragments). {"html", and the
    few figures the page shows around it: "totals", "past_deadline", "days_left"}."""

    def render_part():
        completion = campaigns.completion(campaign, page=page)

        def draw():
            return {
                "html": render_to_string("bilans/_campaign_completion.html", {"completion": completion}),
                **{name: completion[name] for name in ("totals", "past_deadline", "days_left")},
            }

        # Drawn again only when what it shows changed (a draft saved again leaves the tables as they were).
        key = ("campaign-completion-drawn", campaign.pk, page, campaigns.REFERENTS_PER_PAGE)
        return fragments.cached(key, draw, content=fragments.plain(completion))

    # Kept as the completion is (a draft or a progress saved leaves it, and the part is not drawn again).
    return fragments.cached(
        ("campaign-completion", campaign.pk, page, campaigns.REFERENTS_PER_PAGE),
        render_part,
        keep=campaigns.kept(campaign),
    )


def _reminder_recipients(campaign, preview):
    """The table of the referents reminded today (the preview's page), the same for every reader: rendered once,
    then read from the cache while the data is unchanged (pti.fragments)."""
    recipients = preview["recipients"]

    def render_table():
        return render_to_string("bilans/_reminder_recipients.html", {"recipients": recipients})

    return fragments.cached(
        ("reminder-recipients", campaign.pk, recipients.number, recipients.paginator.per_page),
        render_table,
        keep=campaigns.kept(campaign),
    )


@require_http_methods(["GET", "POST"])
def campaign_reminders(request, slug, year):
    """ "Envoyer les relances maintenant": who gets which reminder today (the preview), then, once confirmed, the
    sending, by a task queued after the commit; each reminder is recorded, none twice the same day."""
    pacte = _pacte_year(slug, year)
    if not access.can_manage_bilans(request.user):
        raise PermissionDenied(_("Seuls les agents du Département relancent les référents."))
    campaign = get_object_or_404(ReportingCampaign.objects.select_related("pacte"), pacte=pacte, year=year)
    closure = pacte.closure(year)
    if request.method == "POST" and closure is not None:
        raise PermissionDenied(closure.message)
    preview = campaigns.reminders_preview(campaign, page_number(request), REMINDERS_PER_PAGE)
    count = preview["count"]
    if request.method == "POST" and confirm.is_confirmed(request):
        if not count:
            messages.info(
                request,
                _(
                    "Aucune relance à envoyer aujourd'hui : chaque compte rendu attendu a déjà été rappelé "
                    "aujourd'hui à son référent, ou tout est transmis."
                ),
            )
            return redirect("bilans:campaign", slug=slug, year=year)
        try:
            with transaction.atomic():
                campaigns.queue_reminders_now(campaign, request.user)
        except services.JobUnavailable:
            messages.error(
                request,
                _(
                    "L'envoi des courriels en arrière-plan est indisponible pour le moment : aucune relance n'est "
                    "partie. Réessayez dans quelques minutes ; si le problème persiste, prévenez l'administrateur."
                ),
            )
            return redirect("bilans:campaign", slug=slug, year=year)
        messages.success(
            request,
            ngettext(
                "La relance de %(count)s référent part maintenant (date limite du %(deadline)s) ; elle apparaît "
                "dans « Relances envoyées » une fois envoyée.",
                "Les relances de %(count)s référents partent maintenant (date limite du %(deadline)s) ; elles "
                "apparaissent dans « Relances envoyées » une fois envoyées.",
                count,
            )
            % {"count": count, "deadline": long_date(campaign.deadline)},
        )
        return redirect("bilans:campaign", slug=slug, year=year)
    return render(
        request,
        "bilans/campaign_reminders.html",
        {
            "pacte": pacte,
            "year": year,
            "campaign": campaign,
            "preview": preview,
            # Hundreds of referents at the scale of a big département: a page of them at a time.
            "recipients_table": _reminder_recipients(campaign, preview),
            "count": count,
            "closure": closure,
            "cancel_url": reverse("bilans:campaign", args=[slug, year]),
            "button": ngettext(
                "Envoyer la relance à %(count)s référent", "Envoyer les relances à %(count)s référents", count
            )
            % {"count": count},
        },
    )


def _reminders():
    return Reminder.objects.select_related("recipient", "sent_by").order_by("-sent_at", "pk")


def _save_campaign(pacte, year, campaign, form, user):
    """Create the campaign, or update it unless someone changed it since the form was opened. True if created."""
    data = {name: form.cleaned_data[name] for name in ("deadline", "reminder_days_before", "reminder_days_after")}
    with transaction.atomic():
        if campaign is None:
            try:
                with transaction.atomic():
                    created = ReportingCampaign.objects.create(pacte=pacte, year=year, opened_by=user, **data)
                    campaigns.announce_opening(created)
                    return True
            except IntegrityError:
                campaign = ReportingCampaign.objects.get(pacte=pacte, year=year)
        locked = lock_version(ReportingCampaign.objects.all(), campaign.pk, form.cleaned_data["version"])
        for name, value in data.items():
            setattr(locked, name, value)
        locked.version += 1
        locked.save()
    return False


def warm_campaigns():
    """The night's warming (pti.warm): the first page of the figures and tables of each campaign whose year is
    still open, and of its reminders' preview, computed and rendered for the day. How many campaigns."""
    count = 0
    for campaign in campaigns.open_year_campaigns().order_by("pk"):
        _campaign_completion(campaign, 1)
        campaigns.reminders_preview(campaign, 1, REMINDERS_PER_PAGE)
        count += 1
    return count


def warm_bilans():
    """The warming, after the main pages (pti.warm, `last`): the reports' completion each bilan page shows, for
    every year of every pacte up to its reporting year (`campaigns.report_counts`). How many pages."""
    count = 0
    for pacte in Pacte.objects.order_by("pk"):
        for year in range(reporting_year(pacte), pacte.first_year - 1, -1):
            campaigns.report_counts(pacte, year)
            count += 1
    return count
