"""The partners' directory (/partenaires/): everyone signed in reads the list, a partner's page and the exports;
staff create and edit partners (with the version check of every edit form) and merge duplicates, after a preview
that says what will move."""

from django.contrib import messages
from django.contrib.auth.forms import PasswordResetForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from actions import contributions, exports, partners
from actions.exports_partners import partners_sheet
from actions.filters_partners import PartnerFilter
from actions.forms_contributions import AttachAccountForm, PartnerAccountForm
from actions.forms_partners import PartnerForm, PartnerMergeForm
from actions.models import ActionPartner, Partner, PartnerMember
from pti import access, confirm, history, stamps
from pti.concurrency import ConflictError
from pti.inputs import ID_MAX, InvalidInput, bounded_int, page_number

PAGE_SIZE = 25


def _require_manage(request):
    if not access.can_manage_partners(request.user):
        raise PermissionDenied(_("Seuls les agents du Département créent, modifient et fusionnent les partenaires."))


def _filtered(request):
    """(filter, partners with their figures, the pacte the figures are restricted to) for this query string."""
    partner_filter = PartnerFilter(request.GET or None, queryset=Partner.objects.all())
    pacte = partner_filter.selected_pacte()
    queryset = partners.with_figures(partner_filter.qs, pacte).order_by("name", "pk")
    return partner_filter, queryset, pacte


@require_GET
def partner_list(request):
    partner_filter, queryset, pacte = _filtered(request)
    page = stamps.page(queryset, PAGE_SIZE, page_number(request))  # each row counts a partner's many actions
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "actions/partners/partner_list.html",
        {
            "filter": partner_filter,
            "page": page,
            "pacte": pacte,
            "query": query.urlencode(),
            "can_manage": access.can_manage_partners(request.user),
        },
    )


@require_GET
def partner_export(request, fmt):
    _filter, queryset, pacte = _filtered(request)
    sheet = partners_sheet(queryset.iterator(chunk_size=exports.CHUNK_SIZE), pacte)
    if fmt == "csv":
        return exports.csv_response(sheet, "partenaires")
    return exports.xlsx_response([sheet], "partenaires")


def _link_label(record):
    """A link's history row is named by the merge that moved it, or by its action (which may have been deleted)."""
    if record.history_change_reason:
        return record.history_change_reason
    if record.action is None:
        return _("Action supprimée")
    return _("Action %(number)s") % {"number": record.action.number}


@require_GET
def partner_detail(request, pk):
    partner = get_object_or_404(Partner, pk=pk)
    groups = partners.links_by_pacte(partners.partner_links(partner))
    funded = [group["funded"] for group in groups if group["funded"] is not None]
    rows = history.history_rows(
        [
            (lambda r: r.history_change_reason or _("Fiche du partenaire"), partner.history.all()),
            (
                _link_label,
                ActionPartner.history.filter(partner_id=partner.pk).select_related("action"),
            ),
        ],
        limit=20,
    )
    return render(
        request,
        "actions/partners/partner_detail.html",
        {
            "partner": partner,
            "groups": groups,
            "action_count": len({link.action_id for group in groups for link in group["links"]}),
            "funded": sum(funded) if funded else None,
            "history": rows,
            "can_manage": access.can_manage_partners(request.user),
            "members": contributions.members(partner) if access.can_manage_partner_accounts(request.user) else None,
        },
    )


def _form_page(request, form, partner=None, conflict=None):
    if conflict:
        status = 409
    else:
        status = 400 if request.method == "POST" else 200
    return render(
        request,
        "actions/partners/partner_form.html",
        {"form": form, "partner": partner, "conflict": conflict},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def partner_create(request):
    _require_manage(request)
    form = PartnerForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            partner = partners.create_partner(form.partner_data(), request.user)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, _("Le partenaire « %(name)s » a été créé.") % {"name": partner.name})
            return redirect(partner.get_absolute_url())
    return _form_page(request, form)


def _add_errors(form, error):
    for name, errors in error.error_dict.items():
        form.add_error(name if name in form.fields else None, errors)


@require_http_methods(["GET", "POST"])
def partner_edit(request, pk):
    _require_manage(request)
    partner = get_object_or_404(Partner, pk=pk)
    conflict = None
    if request.method == "POST":
        form = PartnerForm(request.POST, instance=Partner.objects.get(pk=partner.pk))
        if form.is_valid():
            try:
                partners.update_partner(partner, form.partner_data(), request.user, form.cleaned_data["version"])
            except ConflictError as error:
                conflict = error
            except ValidationError as error:
                _add_errors(form, error)
            else:
                messages.success(request, _("Le partenaire a été enregistré."))
                return redirect(partner.get_absolute_url())
    else:
        form = PartnerForm(instance=partner)
    return _form_page(request, form, partner, conflict)


def _kept_initial(request):
    value = request.GET.get("garder")
    if not value:
        return {}
    try:
        return {"kept": Partner.objects.filter(pk=bounded_int(value, 1, ID_MAX)).first()}
    except InvalidInput:
        return {}


def _merge_preview(request, plan, status=200, intro=None):
    names = ", ".join(f"« {dup.name} »" for dup in plan.duplicates)
    carried = [
        (name, value)
        for name in request.POST
        for value in request.POST.getlist(name)
        if name not in ("csrfmiddlewaretoken", confirm.CONFIRMED, "fingerprint")
    ]
    return confirm.confirmation_page(
        request,
        title=_("Fusionner %(dups)s dans « %(kept)s » ?") % {"dups": names, "kept": plan.kept.name},
        intro=intro
        or _("Voici ce que fera la fusion, en une fois : tout ce qui désignait les doublons désignera « %(kept)s ».")
        % {"kept": plan.kept.name},
        lines=plan.lines(),
        button=_("Fusionner"),
        cancel_url=reverse("partners:merge"),
        status=status,
        extra={"carried": [*carried, ("fingerprint", plan.fingerprint)]},
    )


@require_http_methods(["GET", "POST"])
def partner_merge(request):
    """Choose the partner to keep and its duplicates, see what will move, confirm: one transaction."""
    _require_manage(request)
    if request.method == "GET":
        form = PartnerMergeForm(initial=_kept_initial(request))
        return render(request, "actions/partners/partner_merge.html", {"form": form})
    form = PartnerMergeForm(request.POST)
    if not form.is_valid():
        return render(request, "actions/partners/partner_merge.html", {"form": form}, status=400)
    kept, duplicates = form.cleaned_data["kept"], list(form.cleaned_data["duplicates"])
    if not confirm.is_confirmed(request):
        return _merge_preview(request, partners.merge_plan(kept, duplicates))
    try:
        plan = partners.merge_partners(
            kept.pk, [dup.pk for dup in duplicates], request.user, form.cleaned_data["fingerprint"]
        )
    except partners.MergeConflict as conflict:
        return _merge_preview(request, conflict.plan, status=409, intro=conflict.message)
    except partners.PartnerError as error:
        form.add_error(None, error.message)
        return render(request, "actions/partners/partner_merge.html", {"form": form}, status=409)
    messages.success(
        request,
        _("Fusion faite : %(dups)s n'existe plus, tout est rattaché à « %(kept)s ».")
        % {"dups": ", ".join(f"« {dup.name} »" for dup in plan.duplicates), "kept": plan.kept.name},
    )
    return redirect(plan.kept.get_absolute_url())


# --- partner accounts (issue 16): staff create them, attach existing ones and detach them -----------------------


def _require_accounts(request, partner):
    if not access.can_manage_partner_accounts(request.user, partner):
        raise PermissionDenied(_("Seuls les agents du Département gèrent les comptes des partenaires."))


def _send_password_link(request, user):
    """The person chooses his password through Django's reset e-mail (the link proves the mailbox)."""
    form = PasswordResetForm({"email": user.email})
    if form.is_valid():
        form.save(request=request, use_https=request.is_secure())


@require_http_methods(["GET", "POST"])
def partner_members(request, pk):
    """The partner's accounts: who speaks for the organisation, a new account, or an existing one attached."""
    partner = get_object_or_404(Partner, pk=pk)
    _require_accounts(request, partner)
    create_form = PartnerAccountForm(prefix="nouveau")
    attach_form = AttachAccountForm(prefix="rattacher")
    status = 200
    if request.method == "POST":
        status = 400
        if "create" in request.POST:
            create_form = PartnerAccountForm(request.POST, prefix="nouveau")
            if create_form.is_valid():
                try:
                    user = contributions.create_account(partner, create_form.cleaned_data, request.user)
                except contributions.AccountError as error:
                    create_form.add_error(error.field, error.message)
                else:
                    _send_password_link(request, user)
                    messages.success(
                        request,
                        _(
                            "Le compte « %(username)s » a été créé pour %(partner)s : un lien pour choisir son mot de "
                            "passe a été envoyé à %(email)s."
                        )
                        % {"username": user.username, "partner": partner.name, "email": user.email},
                    )
                    return redirect("partners:members", pk=partner.pk)
        elif "attach" in request.POST:
            attach_form = AttachAccountForm(request.POST, prefix="rattacher")
            if attach_form.is_valid():
                try:
                    user = contributions.attach_account(partner, attach_form.cleaned_data["username"], request.user)
                except contributions.AccountError as error:
                    attach_form.add_error("username", error.message)
                else:
                    messages.success(
                        request,
                        _("Le compte « %(username)s » est rattaché à %(partner)s.")
                        % {"username": user.username, "partner": partner.name},
                    )
                    return redirect("partners:members", pk=partner.pk)
        else:
            messages.error(request, _("Choisissez de créer un compte ou d'en rattacher un : rien n'a été modifié."))
    return render(
        request,
        "actions/partners/partner_members.html",
        {
            "partner": partner,
            "members": contributions.members(partner),
            "create_form": create_form,
            "attach_form": attach_form,
        },
        status=status,
    )


@require_POST
def partner_member_remove(request, pk, member):
    partner = get_object_or_404(Partner, pk=pk)
    _require_accounts(request, partner)
    membership = get_object_or_404(PartnerMember.objects.select_related("user"), pk=member, partner=partner)
    user = contributions.detach_account(membership, request.user)
    messages.success(
        request,
        _("Le compte « %(username)s » n'est plus rattaché à %(partner)s ; il est désactivé.")
        % {"username": user.username, "partner": partner.name},
    )
    return redirect("partners:members", pk=partner.pk)
