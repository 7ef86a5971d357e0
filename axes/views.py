"""Staff build the plan's skeleton here: pactes, their axes and objectives (axes.services does the writing)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from axes import services
from axes.closing import ClosedYearError
from axes.enums import PacteStatus
from axes.forms import AxeForm, DeletionForm, ObjectifForm, PacteForm
from axes.models import Axe, Objectif, Pacte
from pti import access, confirm, stamps
from pti.concurrency import ConflictError
from pti.models import User


def _require_manage(request):
    if not access.can_manage_pactes(request.user):
        raise PermissionDenied(_("Seuls les agents du Département construisent le plan : pactes, axes et objectifs."))


def _require_open(pacte):
    refusal = services.plan_refusal(pacte)
    if refusal:
        raise PermissionDenied(refusal)


def _get_pacte(request, slug):
    pacte = get_object_or_404(Pacte, slug=slug)
    _require_manage(request)
    return pacte


def _get_axe(request, pk):
    axe = get_object_or_404(Axe.objects.select_related("pacte"), pk=pk)
    _require_manage(request)
    _require_open(axe.pacte)
    return axe


def _get_objectif(request, pk):
    objectif = get_object_or_404(Objectif.objects.select_related("axe__pacte"), pk=pk)
    _require_manage(request)
    _require_open(objectif.axe.pacte)
    return objectif


def _status(request, conflict=None):
    if conflict is not None:
        return 409
    return 400 if request.method == "POST" else 200


def _refused(form, error):
    """A refusal of the service (closed years, a number pushed too far) shown next to the fields."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, errors in error.error_dict.items():
        form.add_error(field if field in form.fields else None, errors)


def _plan_url(pacte):
    return redirect("axes:plan", slug=pacte.slug)


# --- the plan --------------------------------------------------------------------------------------------


@require_GET
def plan(request, slug):
    """The pacte's skeleton, for staff to build: its axes with their referents and objectives, and what each
    holds (an axe or an objective with actions cannot be deleted)."""
    pacte = _get_pacte(request, slug)
    objectifs = Objectif.objects.order_by("number")
    referents = User.objects.order_by("last_name", "first_name", "username")
    axes = list(
        Axe.objects.filter(pacte=pacte)
        .prefetch_related(Prefetch("objectifs", queryset=objectifs), Prefetch("thematic_referents", referents))
        .order_by("number")
    )
    # What each axe and objective holds: counts over every action of the pacte, from the cache while the plan
    # and the actions are unchanged (pti.stamps).
    in_axes = dict(stamps.rows(Axe.objects.filter(pacte=pacte).annotate(n=Count("actions")).values_list("pk", "n")))
    in_objectifs = dict(
        stamps.rows(Objectif.objects.filter(axe__pacte=pacte).annotate(n=Count("actions")).values_list("pk", "n"))
    )
    for axe in axes:
        axe.action_count = in_axes.get(axe.pk, 0)
        for objectif in axe.objectifs.all():
            objectif.action_count = in_objectifs.get(objectif.pk, 0)
    return render(
        request,
        "axes/plan.html",
        {"pacte": pacte, "axes": axes, "refusal": services.plan_refusal(pacte)},
    )


# --- pactes ----------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def pacte_create(request):
    _require_manage(request)
    if request.method == "POST":
        form = PacteForm(request.POST)
        if form.is_valid():
            try:
                pacte = services.create_pacte(form.pacte_data(), request.user)
            except ValidationError as error:
                _refused(form, error)
            else:
                messages.success(request, _("Le pacte a été créé. Ajoutez-lui ses axes et ses objectifs."))
                return _plan_url(pacte)
    else:
        form = PacteForm()
    return render(request, "axes/pacte_form.html", {"form": form, "pacte": None}, status=_status(request))


def _confirm_closing(request, pacte):
    return confirm.confirmation_page(
        request,
        title=_("Clore le pacte ?"),
        intro=_(
            "« %(title)s » passera à l'état « clos » : toutes ses années seront closes, ses comptes rendus, "
            "indicateurs et budgets ne pourront plus être modifiés, ni ses axes et ses objectifs."
        )
        % {"title": pacte.title},
        lines=[_("Seul un administrateur pourra le rouvrir.")],
        button=_("Clore le pacte"),
        cancel_url=pacte.get_absolute_url(),
    )


@require_http_methods(["GET", "POST"])
def pacte_edit(request, slug):
    pacte = _get_pacte(request, slug)
    _require_open(pacte)
    conflict = None
    if request.method == "POST":
        form = PacteForm(request.POST, instance=Pacte.objects.get(pk=pacte.pk))
        if form.is_valid():
            closing = form.cleaned_data["status"] == PacteStatus.CLOSED
            if closing and not confirm.is_confirmed(request):
                return _confirm_closing(request, pacte)
            try:
                services.update_pacte(pacte, form.pacte_data(), request.user, form.cleaned_data["version"])
            except ConflictError as error:
                conflict = error
            except ClosedYearError as error:
                raise PermissionDenied(error.message) from None
            except ValidationError as error:
                _refused(form, error)
            else:
                messages.success(request, _("Le pacte a été enregistré."))
                return redirect(pacte.get_absolute_url())
    else:
        form = PacteForm(instance=pacte)
    return render(
        request,
        "axes/pacte_form.html",
        {"form": form, "pacte": pacte, "conflict": conflict},
        status=_status(request, conflict),
    )


# --- axes ------------------------------------------------------------------------------------------------


def _axe_form_page(request, form, pacte, axe=None, conflict=None):
    return render(
        request,
        "axes/axe_form.html",
        {"form": form, "pacte": pacte, "axe": axe, "conflict": conflict},
        status=_status(request, conflict),
    )


@require_http_methods(["GET", "POST"])
def axe_create(request, slug):
    pacte = _get_pacte(request, slug)
    _require_open(pacte)
    if request.method == "POST":
        form = AxeForm(request.POST, pacte=pacte)
        if form.is_valid():
            try:
                axe = services.create_axe(
                    pacte, form.axe_data(), request.user, referents=form.cleaned_data["thematic_referents"]
                )
            except ClosedYearError as error:
                raise PermissionDenied(error.message) from None
            except ValidationError as error:
                _refused(form, error)
            else:
                messages.success(request, _("L'axe %(number)s a été créé.") % {"number": axe.number})
                return _plan_url(pacte)
    else:
        form = AxeForm(pacte=pacte)
    return _axe_form_page(request, form, pacte)


@require_http_methods(["GET", "POST"])
def axe_edit(request, pk):
    axe = _get_axe(request, pk)
    conflict = None
    if request.method == "POST":
        form = AxeForm(request.POST, instance=Axe.objects.get(pk=axe.pk), pacte=axe.pacte)
        if form.is_valid():
            try:
                saved = services.update_axe(
                    axe,
                    form.axe_data(),
                    request.user,
                    form.cleaned_data["version"],
                    referents=form.cleaned_data["thematic_referents"],
                )
            except ConflictError as error:
                conflict = error
            except ClosedYearError as error:
                raise PermissionDenied(error.message) from None
            except ValidationError as error:
                _refused(form, error)
            else:
                messages.success(request, _("L'axe %(number)s a été enregistré.") % {"number": saved.number})
                return _plan_url(axe.pacte)
    else:
        form = AxeForm(instance=axe, pacte=axe.pacte)
    return _axe_form_page(request, form, axe.pacte, axe, conflict)


def _deletion_page(request, *, what, obj, pacte, refusal, lines, form=None, conflict=None, status=200):
    return render(
        request,
        "axes/delete.html",
        {
            "what": what,
            "obj": obj,
            "pacte": pacte,
            "refusal": refusal,
            "lines": lines,
            "form": form or DeletionForm(initial={"version": obj.version}),
            "conflict": conflict,
        },
        status=status,
    )


def _following(numbers, number, one, many, prefix=""):
    """What the deletion does to the following rows (they move up one place), as a French line."""
    after = sorted(n for n in numbers if n > number)
    if not after:
        return []
    if len(after) == 1:
        return [one % {"old": f"{prefix}{after[0]}", "new": f"{prefix}{after[0] - 1}"}]
    return [
        many
        % {
            "first": f"{prefix}{after[0]}",
            "last": f"{prefix}{after[-1]}",
            "new_first": f"{prefix}{after[0] - 1}",
            "new_last": f"{prefix}{after[-1] - 1}",
        }
    ]


def _delete(request, *, obj, pacte, what, refusal, lines, service, done):
    if request.method == "GET":
        return _deletion_page(request, what=what, obj=obj, pacte=pacte, refusal=refusal, lines=lines)
    form = DeletionForm(request.POST)
    conflict = None
    if form.is_valid():
        try:
            service(obj, request.user, form.cleaned_data["version"])
        except ConflictError as error:
            conflict = error
        except services.NotEmpty as error:
            refusal = error.messages[0]
        else:
            messages.success(request, done)
            return _plan_url(pacte)
    return _deletion_page(
        request,
        what=what,
        obj=obj,
        pacte=pacte,
        refusal=refusal,
        lines=lines,
        form=form,
        conflict=conflict,
        status=_status(request, conflict),
    )


@require_http_methods(["GET", "POST"])
def axe_delete(request, pk):
    axe = _get_axe(request, pk)
    objectifs = list(axe.objectifs.order_by("number"))
    lines = [_("Ses objectifs seront supprimés avec lui : %(list)s.") % {"list": ", ".join(map(str, objectifs))}]
    lines = (lines if objectifs else []) + _following(
        axe.pacte.axes.values_list("number", flat=True),
        axe.number,
        _("L'axe %(old)s deviendra l'axe %(new)s."),
        _("Les axes %(first)s à %(last)s deviendront les axes %(new_first)s à %(new_last)s."),
    )
    return _delete(
        request,
        obj=axe,
        pacte=axe.pacte,
        what=_("l'axe %(number)s « %(title)s »") % {"number": axe.number, "title": axe.title},
        refusal=services.axe_deletion_refusal(axe),
        lines=lines,
        service=services.delete_axe,
        done=_("L'axe %(number)s a été supprimé.") % {"number": axe.number},
    )


# --- objectives ------------------------------------------------------------------------------------------


def _objectif_form_page(request, form, pacte, objectif=None, conflict=None):
    return render(
        request,
        "axes/objectif_form.html",
        {"form": form, "pacte": pacte, "objectif": objectif, "conflict": conflict},
        status=_status(request, conflict),
    )


@require_http_methods(["GET", "POST"])
def objectif_create(request, pk):
    axe = _get_axe(request, pk)
    pacte = axe.pacte
    if request.method == "POST":
        form = ObjectifForm(request.POST, pacte=pacte)
        if form.is_valid():
            try:
                objectif = services.create_objectif(axe, form.objectif_data(), request.user)
            except ClosedYearError as error:
                raise PermissionDenied(error.message) from None
            except ValidationError as error:
                _refused(form, error)
            else:
                messages.success(request, _("L'objectif %(code)s a été créé.") % {"code": objectif.code})
                return _plan_url(pacte)
    else:
        form = ObjectifForm(pacte=pacte, initial={"axe": axe.pk})
    return _objectif_form_page(request, form, pacte)


@require_http_methods(["GET", "POST"])
def objectif_edit(request, pk):
    objectif = _get_objectif(request, pk)
    pacte = objectif.axe.pacte
    conflict = None
    if request.method == "POST":
        form = ObjectifForm(request.POST, instance=Objectif.objects.get(pk=objectif.pk), pacte=pacte)
        if form.is_valid():
            try:
                saved = services.update_objectif(
                    objectif, form.objectif_data(), request.user, form.cleaned_data["version"]
                )
            except ConflictError as error:
                conflict = error
            except ClosedYearError as error:
                raise PermissionDenied(error.message) from None
            except ValidationError as error:
                _refused(form, error)
            else:
                messages.success(request, _("L'objectif %(code)s a été enregistré.") % {"code": saved.code})
                return _plan_url(pacte)
    else:
        form = ObjectifForm(instance=objectif, pacte=pacte)
    return _objectif_form_page(request, form, pacte, objectif, conflict)


@require_http_methods(["GET", "POST"])
def objectif_delete(request, pk):
    objectif = _get_objectif(request, pk)
    axe = objectif.axe
    return _delete(
        request,
        obj=objectif,
        pacte=axe.pacte,
        what=_("l'objectif %(code)s « %(text)s »") % {"code": objectif.code, "text": objectif.text},
        refusal=services.objectif_deletion_refusal(objectif),
        lines=_following(
            axe.objectifs.values_list("number", flat=True),
            objectif.number,
            _("L'objectif %(old)s deviendra l'objectif %(new)s."),
            _("Les objectifs %(first)s à %(last)s deviendront les objectifs %(new_first)s à %(new_last)s."),
            prefix=f"{axe.number}.",
        ),
        service=services.delete_objectif,
        done=_("L'objectif %(code)s a été supprimé.") % {"code": objectif.code},
    )
