"""Following the action through the year: its milestones and its referents' follow-up notes.

Every write is one transaction. A milestone's change, its marking as done and its deletion lock the milestone at
the version the form (or the API client) read, and refuse a stale one with a `ConflictError` listing what the other
person changed (pti.concurrency). A closed year (axes.closing) stays closed: no milestone planned or done in it,
and no note dated in it, is added, changed or deleted.
"""

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from actions.models import FollowUpNote, Milestone
from pti.concurrency import lock_version
from pti.history import acting_user

MILESTONE_FIELDS = ("title", "planned_date", "done_date", "note")


class FollowUpError(Exception):
    """A write refused, with a message for the user (in French) and the field it is about, if any."""

    def __init__(self, message, field=None):
        super().__init__(message)
        self.message = message
        self.field = field


def closed_year_refusal(action, *dates, field=None):
    """FollowUpError if one of `dates` falls in a closed year of the action's pacte."""
    for date in dates:
        if date is None:
            continue
        closure = action.pacte.closure(date.year)
        if closure is not None:
            raise FollowUpError(
                _("%(why)s Une étape ou une note de cette année ne peut plus changer.") % {"why": closure.message},
                field,
            )


def history_sources(action_id):
    """[(label, historical queryset)] of the action's milestones and notes, for its history page."""
    return [
        (lambda r: _("Étape « %(title)s »") % {"title": r.title}, Milestone.history.filter(action_id=action_id)),
        (
            lambda r: _("Note de suivi du %(date)s") % {"date": r.date.strftime("%d/%m/%Y")},
            FollowUpNote.history.filter(action_id=action_id),
        ),
    ]


def _lock(action, milestone, expected_version):
    return lock_version(Milestone.objects.filter(action=action), milestone.pk, expected_version)


@transaction.atomic
def create_milestone(action, data, user):
    """A new milestone of `action` with `data` (title, planned_date, done_date, note)."""
    closed_year_refusal(action, data.get("planned_date"), data.get("done_date"), field="planned_date")
    with acting_user(user):
        last = Milestone.objects.filter(action=action).aggregate(last=Max("position"))["last"]
        milestone = Milestone(action=action, position=(last or 0) + 1, **data)
        milestone.save()
    return milestone


@transaction.atomic
def update_milestone(action, milestone, data, user, expected_version):
    """Change the fields of `data` of the milestone, read at `expected_version`."""
    with acting_user(user):
        locked = _lock(action, milestone, expected_version)
        closed_year_refusal(action, locked.planned_date, locked.done_date)
        changed = [name for name, value in data.items() if getattr(locked, name) != value]
        for name in changed:
            setattr(locked, name, data[name])
        closed_year_refusal(action, locked.planned_date, locked.done_date, field="planned_date")
        if changed:
            locked.version += 1
            locked.save(update_fields=[*changed, "version", "updated_at"])
    return locked


def mark_done(action, milestone, done_date, user, expected_version):
    return update_milestone(action, milestone, {"done_date": done_date}, user, expected_version)


@transaction.atomic
def delete_milestone(action, milestone, user, expected_version):
    with acting_user(user):
        locked = _lock(action, milestone, expected_version)
        closed_year_refusal(action, locked.planned_date, locked.done_date)
        locked.delete()


@transaction.atomic
def add_note(action, date, text, user, document=None, content_type=""):
    """A note of `user` on `action`, with an optional `document` (an upload checked by actions.uploads)."""
    closed_year_refusal(action, date, field="date")
    with acting_user(user):
        note = FollowUpNote(action=action, date=date, text=text, author=user)
        if document:
            note.document = document
            note.document_content_type = content_type
        note.save()
        return note


def action_milestones(action):
    return list(Milestone.objects.filter(action=action).ordered())


def action_notes(action, year=None):
    """The action's notes, newest first (of `year` only, if given)."""
    notes = FollowUpNote.objects.filter(action=action).select_related("author")
    if year is not None:
        notes = notes.filter(date__year=year)
    return list(notes.order_by("-date", "-pk"))
