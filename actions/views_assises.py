"""The Assises de l'insertion of a pacte: everyone signed in reads them; staff record the working groups, their
meetings and their proposals (axes.assises and actions.assises do the writing, with the version check)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from actions import assises as action_assises
from actions.forms_assises import MeetingForm, ProposalForm, WorkingGroupForm
from axes import assises
from axes.closing import ClosedYearError
from axes.forms import DeletionForm
from axes.models import Meeting, Pacte, Proposal, WorkingGroup
from pti import access
from pti.concurrency import ConflictError


def _require_manage(request, pacte):
    if not access.can_manage_assises(request.user):
        raise PermissionDenied(_("Seuls les agents du Département enregistrent les Assises de l'insertion."))
    refusal = assises.refusal(pacte)
    if refusal:
        raise PermissionDenied(refusal)


def _list_url(pacte, anchor=""):
    return redirect(reverse("assises:list", args=[pacte.slug]) + anchor)


def _refused(form, error):
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _form_page(request, form, pacte, *, title, button, conflict=None):
    status = 409 if conflict is not None else (400 if request.method == "POST" else 200)
    return render(
        request,
        "actions/assises/form.html",
        {"form": form, "pacte": pacte, "title": title, "button": button, "conflict": conflict},
        status=status,
    )


def _save(request, form, save):
    """Run `save()` for a valid form: the saved row, or None with the refusal or the conflict put on the form."""
    try:
        return save(), None
    except ConflictError as error:
        return None, error
    except ClosedYearError as error:
        raise PermissionDenied(error.message) from None
    except ValidationError as error:
        _refused(form, error)
        return None, None


@require_GET
def assises_list(request, slug):
    pacte = get_object_or_404(Pacte, slug=slug)
    data = assises.summary(pacte)
    return render(
        request,
        "actions/assises/list.html",
        {
            "pacte": pacte,
            "groups": action_assises.pacte_groups(pacte),
            "assises": data,
            "can_manage": access.can_manage_assises(request.user) and not assises.refusal(pacte),
            "refusal": assises.refusal(pacte),
            "free_axes": assises.axes_without_group(pacte).exists(),
        },
    )


# --- working groups --------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def group_create(request, slug):
    pacte = get_object_or_404(Pacte, slug=slug)
    _require_manage(request, pacte)
    form = WorkingGroupForm(request.POST or None, pacte=pacte)
    if request.method == "POST" and form.is_valid():
        data = form.data_for_service()
        group, _conflict = _save(request, form, lambda: assises.create_group(data["axe"], data, request.user))
        if group:
            messages.success(request, _("Le groupe de travail « %(title)s » a été créé.") % {"title": group.title})
            return _list_url(pacte, f"#groupe-{group.pk}")
    return _form_page(request, form, pacte, title=_("Nouveau groupe de travail"), button=_("Créer le groupe"))


def _get_group(request, pk):
    group = get_object_or_404(WorkingGroup.objects.select_related("axe__pacte"), pk=pk)
    _require_manage(request, group.axe.pacte)
    return group


@require_http_methods(["GET", "POST"])
def group_edit(request, pk):
    group = _get_group(request, pk)
    pacte = group.axe.pacte
    conflict = None
    if request.method == "POST":
        form = WorkingGroupForm(request.POST, instance=WorkingGroup.objects.get(pk=group.pk), pacte=pacte)
        if form.is_valid():
            saved, conflict = _save(
                request,
                form,
                lambda: assises.update_group(
                    group, form.data_for_service(), request.user, form.cleaned_data["version"]
                ),
            )
            if saved:
                messages.success(request, _("Le groupe de travail a été enregistré."))
                return _list_url(pacte, f"#groupe-{group.pk}")
    else:
        form = WorkingGroupForm(instance=group, pacte=pacte)
    title = _("Modifier le groupe de travail « %(title)s »") % {"title": group.title}
    return _form_page(request, form, pacte, title=title, button=_("Enregistrer"), conflict=conflict)


# --- meetings --------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def meeting_create(request, pk):
    group = _get_group(request, pk)
    pacte = group.axe.pacte
    form = MeetingForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        meeting, _conflict = _save(
            request, form, lambda: assises.create_meeting(group, form.data_for_service(), request.user)
        )
        if meeting:
            messages.success(request, _("La réunion a été enregistrée."))
            return _list_url(pacte, f"#groupe-{group.pk}")
    title = _("Nouvelle réunion du groupe « %(title)s »") % {"title": group.title}
    return _form_page(request, form, pacte, title=title, button=_("Enregistrer la réunion"))


@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk):
    meeting = get_object_or_404(Meeting.objects.select_related("group__axe__pacte"), pk=pk)
    pacte = meeting.group.axe.pacte
    _require_manage(request, pacte)
    conflict = None
    if request.method == "POST":
        form = MeetingForm(request.POST, instance=Meeting.objects.get(pk=meeting.pk))
        if form.is_valid():
            saved, conflict = _save(
                request,
                form,
                lambda: assises.update_meeting(
                    meeting, form.data_for_service(), request.user, form.cleaned_data["version"]
                ),
            )
            if saved:
                messages.success(request, _("La réunion a été enregistrée."))
                return _list_url(pacte, f"#groupe-{meeting.group_id}")
    else:
        form = MeetingForm(instance=meeting)
    title = _("Modifier la réunion du %(date)s") % {"date": meeting.date.strftime("%d/%m/%Y")}
    return _form_page(request, form, pacte, title=title, button=_("Enregistrer"), conflict=conflict)


# --- proposals -------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def proposal_create(request, pk):
    group = _get_group(request, pk)
    pacte = group.axe.pacte
    form = ProposalForm(request.POST or None, group=group)
    if request.method == "POST" and form.is_valid():
        proposal, _conflict = _save(
            request,
            form,
            lambda: action_assises.save_proposal(
                group, form.data_for_service(), form.cleaned_data["actions"], request.user
            ),
        )
        if proposal:
            messages.success(request, _("La proposition %(code)s a été enregistrée.") % {"code": proposal.code})
            return _list_url(pacte, f"#proposition-{proposal.pk}")
    title = _("Nouvelle proposition du groupe « %(title)s »") % {"title": group.title}
    return _form_page(request, form, pacte, title=title, button=_("Enregistrer la proposition"))


@require_http_methods(["GET", "POST"])
def proposal_edit(request, pk):
    proposal = get_object_or_404(Proposal.objects.select_related("group__axe__pacte"), pk=pk)
    group = proposal.group
    pacte = group.axe.pacte
    _require_manage(request, pacte)
    conflict = None
    if request.method == "POST":
        form = ProposalForm(request.POST, instance=Proposal.objects.get(pk=proposal.pk), group=group)
        if form.is_valid():
            saved, conflict = _save(
                request,
                form,
                lambda: action_assises.save_proposal(
                    group,
                    form.data_for_service(),
                    form.cleaned_data["actions"],
                    request.user,
                    proposal=proposal,
                    expected_version=form.cleaned_data["version"],
                ),
            )
            if saved:
                messages.success(request, _("La proposition %(code)s a été enregistrée.") % {"code": saved.code})
                return _list_url(pacte, f"#proposition-{proposal.pk}")
    else:
        form = ProposalForm(instance=proposal, group=group)
    title = _("Modifier la proposition %(code)s") % {"code": proposal.code}
    return _form_page(request, form, pacte, title=title, button=_("Enregistrer"), conflict=conflict)


# --- deletions -------------------------------------------------------------------------------------------------


def _delete(request, *, obj, pacte, what, refusal, service, done, anchor):
    conflict = None
    form = DeletionForm(request.POST or None, initial={"version": obj.version})
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            service(obj, request.user, form.cleaned_data["version"])
        except ConflictError as error:
            conflict = error
        except ValidationError as error:
            refusal = error.messages[0]
        except ClosedYearError as error:
            raise PermissionDenied(error.message) from None
        else:
            messages.success(request, done)
            return _list_url(pacte, anchor)
    status = 409 if conflict else (400 if request.method == "POST" else 200)
    return render(
        request,
        "actions/assises/delete.html",
        {"obj": obj, "pacte": pacte, "what": what, "refusal": refusal, "form": form, "conflict": conflict},
        status=status,
    )


@require_http_methods(["GET", "POST"])
def meeting_delete(request, pk):
    meeting = get_object_or_404(Meeting.objects.select_related("group__axe__pacte"), pk=pk)
    pacte = meeting.group.axe.pacte
    _require_manage(request, pacte)
    date = meeting.date.strftime("%d/%m/%Y")
    return _delete(
        request,
        obj=meeting,
        pacte=pacte,
        what=_("la réunion du %(date)s du groupe « %(title)s »") % {"date": date, "title": meeting.group.title},
        refusal=None,
        service=assises.delete_meeting,
        done=_("La réunion du %(date)s a été supprimée.") % {"date": date},
        anchor=f"#groupe-{meeting.group_id}",
    )


@require_http_methods(["GET", "POST"])
def proposal_delete(request, pk):
    proposal = get_object_or_404(Proposal.objects.select_related("group__axe__pacte"), pk=pk)
    pacte = proposal.group.axe.pacte
    _require_manage(request, pacte)
    return _delete(
        request,
        obj=proposal,
        pacte=pacte,
        what=_("la proposition %(code)s « %(text)s »") % {"code": proposal.code, "text": proposal.text},
        refusal=assises.proposal_deletion_refusal(proposal),
        service=assises.delete_proposal,
        done=_("La proposition %(code)s a été supprimée.") % {"code": proposal.code},
        anchor=f"#groupe-{proposal.group_id}",
    )
