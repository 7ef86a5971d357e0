"""The action's milestones (a section of its sheet) and its follow-up notes (added from the action's page).

Thin views: actions/followup.py does the writes, each with its version check."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from actions import followup
from actions.forms_followup import MilestoneDeleteForm, MilestoneDoneForm, MilestoneEditForm, MilestoneForm, NoteForm
from actions.models import Action, FollowUpNote, Milestone
from actions.views_sheet import _get_sheet_action, _render
from pti import access
from pti.concurrency import ConflictError

SECTION = "milestones"


def _get_milestone(action, milestone_pk):
    return get_object_or_404(Milestone, pk=milestone_pk, action=action)


def _refused(form, error):
    form.add_error(error.field if error.field in form.fields else None, error.message)


@require_GET
def milestones(request, pk):
    action = _get_sheet_action(request, pk, SECTION)
    rows = followup.action_milestones(action)
    today = timezone.localdate()
    for milestone in rows:
        milestone.late = milestone.is_late(today)
    return _render(request, "actions/sheet_milestones.html", action, SECTION, {"milestones": rows})


@require_http_methods(["GET", "POST"])
def milestone_edit(request, pk, milestone=None):
    """Add a milestone (no `milestone`), or change one."""
    action = _get_sheet_action(request, pk, SECTION)
    instance = _get_milestone(action, milestone) if milestone is not None else None
    form_class = MilestoneEditForm if instance else MilestoneForm
    form = form_class(request.POST or None, instance=instance, action=action)
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            if instance is None:
                saved = followup.create_milestone(action, form.milestone_data(), request.user)
            else:
                saved = followup.update_milestone(
                    action, instance, form.milestone_data(), request.user, form.cleaned_data["version"]
                )
        except ConflictError as error:
            conflict = error
        except followup.FollowUpError as error:
            _refused(form, error)
        else:
            messages.success(request, _("L'étape « %(title)s » a été enregistrée.") % {"title": saved.title})
            return redirect("actions:edit_milestones", pk=action.pk)
    return _render(
        request,
        "actions/sheet_milestone_form.html",
        action,
        SECTION,
        {"form": form, "milestone": instance},
        conflict=conflict,
        invalid=request.method == "POST",
    )


@require_http_methods(["GET", "POST"])
def milestone_done(request, pk, milestone):
    """Mark a milestone done, today or on the date given."""
    action = _get_sheet_action(request, pk, SECTION)
    instance = _get_milestone(action, milestone)
    form = MilestoneDoneForm(
        request.POST or None, initial={"version": instance.version, "done_date": timezone.localdate()}
    )
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            followup.mark_done(
                action, instance, form.cleaned_data["done_date"], request.user, form.cleaned_data["version"]
            )
        except ConflictError as error:
            conflict = error
        except followup.FollowUpError as error:
            _refused(form, error)
        else:
            messages.success(request, _("L'étape « %(title)s » est franchie.") % {"title": instance.title})
            return redirect("actions:edit_milestones", pk=action.pk)
    return _render(
        request,
        "actions/sheet_milestone_done.html",
        action,
        SECTION,
        {"form": form, "milestone": instance},
        conflict=conflict,
        invalid=request.method == "POST",
    )


@require_http_methods(["GET", "POST"])
def milestone_delete(request, pk, milestone):
    """Ask once, then delete the milestone."""
    action = _get_sheet_action(request, pk, SECTION)
    instance = _get_milestone(action, milestone)
    form = MilestoneDeleteForm(request.POST or None, initial={"version": instance.version})
    conflict = None
    if request.method == "POST" and form.is_valid():
        try:
            followup.delete_milestone(action, instance, request.user, form.cleaned_data["version"])
        except ConflictError as error:
            conflict = error
        except followup.FollowUpError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("L'étape « %(title)s » a été supprimée.") % {"title": instance.title})
            return redirect("actions:edit_milestones", pk=action.pk)
    return _render(
        request,
        "actions/sheet_milestone_delete.html",
        action,
        SECTION,
        {"form": form, "milestone": instance},
        conflict=conflict,
        invalid=request.method == "POST",
    )


@require_http_methods(["GET", "POST"])
def note_create(request, pk):
    """A referent of the action (or staff) adds a short dated note; the action's page shows the form too."""
    action = get_object_or_404(Action.objects.with_tree().prefetch_related("pacte__closed_years"), pk=pk)
    if not access.can_edit_action(request.user, action):
        raise PermissionDenied(_("Vous n'êtes pas référent de cette action."))
    form = NoteForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            followup.add_note(
                action,
                form.cleaned_data["date"],
                form.cleaned_data["text"],
                request.user,
                form.cleaned_data.get("document"),
                getattr(form, "document_content_type", ""),
            )
        except followup.FollowUpError as error:
            _refused(form, error)
        else:
            messages.success(request, _("La note de suivi a été ajoutée."))
            return redirect(action.get_absolute_url() + "#notes-de-suivi")
    status = 400 if request.method == "POST" else 200
    return render(request, "actions/note_form.html", {"action": action, "form": form}, status=status)


@require_GET
def note_document(request, pk):
    """The document of a follow-up note, for every signed-in user (the action's page is public to them)."""
    note = get_object_or_404(FollowUpNote.objects.select_related("action"), pk=pk)
    if not access.can_view(request.user, note.action):
        raise PermissionDenied
    if not note.document:
        raise Http404(_("Cette note n'a pas de document."))
    try:
        handle = note.document.open("rb")
    except FileNotFoundError as error:
        raise Http404(_("Le fichier n'est plus disponible.")) from error
    filename = note.document.name.rsplit("/", 1)[-1]
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=note.document_content_type or None)


def detail_context(user, action, can_edit):
    """What the action's page shows of its follow-up: the milestones' timeline, the notes, the note form."""
    today = timezone.localdate()
    rows = followup.action_milestones(action)
    for milestone in rows:
        milestone.late = milestone.is_late(today)
    return {
        "milestones": rows,
        "notes": followup.action_notes(action),
        "note_form": NoteForm() if can_edit else None,
        "can_edit_milestones": access.can_edit_action(user, action),
    }
