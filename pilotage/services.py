"""Operations on COPILs and decisions: one transaction each, called alike by views, the API and commands.

Edits carry the `version` the form was opened on: a save from a stale version raises `ConflictError` (with what
the other person changed) instead of overwriting it.
"""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from pilotage import dashboard
from pilotage.enums import DecisionStatus, Presence
from pilotage.filters import late_first
from pilotage.models import Copil, CopilAttendee, Decision, HighlightedAction
from pti import notifications
from pti.concurrency import ConflictError, expected, lock_version
from pti.enums import NotificationKind
from pti.formats import long_date
from pti.pdf import render_pdf


def _set_highlights(copil, highlights):
    """Make the COPIL's highlighted actions exactly `highlights` ([(action, comment)]), touching only what changed."""
    wanted = {action.pk: comment for action, comment in highlights}
    for highlight in list(copil.highlights.all()):
        if highlight.action_id not in wanted:
            highlight.delete()
        else:
            comment = wanted.pop(highlight.action_id)
            if highlight.comment != comment:
                highlight.comment = comment
                highlight.save(update_fields=["comment"])
    for action_id, comment in wanted.items():
        HighlightedAction.objects.create(copil=copil, action_id=action_id, comment=comment)


def _set_guests(copil, guests):
    """Make the COPIL's attendees without an account exactly `guests` (dicts of name, partner, organisation,
    function and presence, with the `id` of the row they edit, or none for a new one), touching only what changed. An `id` that is not one of this COPIL's
    rows makes a new row: nobody edits another COPIL's list through this one."""
    existing = {guest.pk: guest for guest in copil.guests.all()}
    kept = set()
    for row in guests:
        values = {
            "name": row["name"],
            "partner": row.get("partner"),
            "organisation": row.get("organisation") or "",
            "function": row.get("function") or "",
            "presence": row.get("presence") or Presence.PRESENT,
        }
        guest = existing.get(row.get("id"))
        if guest is None or guest.pk in kept:
            CopilAttendee.objects.create(copil=copil, **values)
            continue
        kept.add(guest.pk)
        changed = [name for name, value in values.items() if getattr(guest, name) != value]
        if changed:
            for name in changed:
                setattr(guest, name, values[name])
            guest.save(update_fields=changed)
    for pk, guest in existing.items():
        if pk not in kept:
            guest.delete()


def _guest_summary(record):
    if record is None or record.history_type == "-":
        return "—"
    details = [part for part in (record.function, str(Presence(record.presence).label)) if part]
    return f"{record.name} ({', '.join(details)})"


def _guest_changes_since(copil, version):
    """What the saves after `version` changed in the COPIL's attendees without an account, for a conflict: the
    COPIL's own history does not hold them."""
    following = copil.history.filter(version__gt=version).order_by("history_date", "history_id").first()
    if following is None:
        return []
    records = CopilAttendee.history.filter(copil_id=copil.pk, history_date__gte=following.history_date).order_by(
        "history_date", "history_id"
    )
    field = _("participant sans compte")
    changes = []
    for record in records:
        before = None if record.history_type == "+" else record.prev_record
        changes.append({"field": field, "before": _guest_summary(before), "after": _guest_summary(record)})
    return changes


@transaction.atomic
def create_copil(pacte, data, attendees=(), partners=(), highlights=(), guests=()):
    copil = Copil.objects.create(pacte=pacte, **data)
    copil.attendees.set(attendees)
    copil.partners.set(partners)
    _set_highlights(copil, highlights or ())
    _set_guests(copil, guests or ())
    return copil


@transaction.atomic
def update_copil(copil, data, expected_version, attendees=None, partners=None, highlights=None, guests=None):
    """Save the COPIL from `expected_version`; a list left None (not sent) stays as it is."""
    try:
        locked = lock_version(Copil.objects.all(), copil.pk, expected_version)
    except ConflictError as error:
        error.changes.extend(_guest_changes_since(copil, expected(expected_version)))
        raise
    for name, value in data.items():
        setattr(locked, name, value)
    locked.version += 1
    locked.save()
    if attendees is not None:
        locked.attendees.set(attendees)
    if partners is not None:
        locked.partners.set(partners)
    if highlights is not None:
        _set_highlights(locked, highlights)
    if guests is not None:
        _set_guests(locked, guests)
    return locked


def attendance(copil):
    """The COPIL's attendance list for its page and its dossier (two queries): the users with an account, who
    were there, then the people without one, present or excused, with the counts."""
    attendees = list(copil.attendees.order_by("last_name", "first_name", "username"))
    guests = list(copil.guests.select_related("partner"))
    excused = sum(1 for guest in guests if guest.presence == Presence.EXCUSED)
    return {
        "attendees": attendees,
        "guests": guests,
        "present_count": len(attendees) + len(guests) - excused,
        "excused_count": excused,
    }


def _record_closure(decision, was_open, today=None):
    """A decision leaving "open" records the day it was closed; one opened again forgets it."""
    if decision.status == DecisionStatus.OPEN:
        decision.closed_on = None
    elif was_open or decision.closed_on is None:
        decision.closed_on = today or timezone.localdate()


def closes(decision, data):
    """Does saving `data` close the (open) `decision`? The pages ask for a confirmation first."""
    return decision.status == DecisionStatus.OPEN and data.get("status", DecisionStatus.OPEN) != DecisionStatus.OPEN


@transaction.atomic
def create_decision(copil, data):
    decision = Decision(copil=copil, **data)
    _record_closure(decision, was_open=True)
    decision.save()
    _tell_owner(decision)
    return decision


@transaction.atomic
def update_decision(decision, data, expected_version):
    locked = lock_version(Decision.objects.all(), decision.pk, expected_version)
    was_open = locked.status == DecisionStatus.OPEN
    previous_owner = locked.owner_id
    for name, value in data.items():
        setattr(locked, name, value)
    _record_closure(locked, was_open)
    locked.version += 1
    locked.save()
    if locked.owner_id != previous_owner:
        _tell_owner(locked)
    return locked


def _tell_owner(decision):
    """The decision's (new) owner is told in "Nouveautés" and by e-mail (pti.notifications), if it is open."""
    if decision.owner is None or decision.status != DecisionStatus.OPEN:
        return
    title = _("Décision du COPIL du %(date)s qui vous est confiée : %(text)s") % {
        "date": long_date(decision.copil.date),
        "text": Truncator(decision.text).chars(120),
    }
    body = _("Échéance : %(date)s.") % {"date": long_date(decision.due_date)} if decision.due_date else ""
    notifications.notify(
        [decision.owner],
        NotificationKind.DECISION_ASSIGNED,
        decision,
        title=title,
        body=body,
        url=reverse("pilotage:decision_follow_up", args=[decision.pk]),
        key=f"v{decision.version}",
    )


# What the owner of a decision may change himself (pti.access.can_follow_up_decision); staff change the rest.
FOLLOW_UP_FIELDS = ("status", "follow_up")


def follow_up_decision(decision, data, expected_version):
    """The owner's update: only the follow-up and the status are written, whatever else `data` holds; same
    version check, history and closure date as any edit."""
    return update_decision(decision, {name: data[name] for name in FOLLOW_UP_FIELDS if name in data}, expected_version)


# --- dossier COPIL -------------------------------------------------------------------------------------

DOSSIER_TEMPLATE = "pilotage/dossier.html"
# The dossier lists at most this many actions needing attention and indicators (the rest stays on the page).
DOSSIER_LIST_LIMIT = 100


def dossier_year(copil):
    """The year a COPIL takes stock of: the year it meets, kept inside the pacte's years."""
    pacte = copil.pacte
    return min(max(copil.date.year, pacte.first_year), pacte.last_year)


def dossier_context(copil, today=None, for_browser=False):
    """What the dossier COPIL shows: the year's dashboard with its charts, the highlighted actions, this COPIL's
    decisions and every open decision of the pacte with its follow-up."""
    today = today or timezone.localdate()
    pacte = copil.pacte
    data = dashboard.dashboard_data(pacte, dossier_year(copil), today, limit=DOSSIER_LIST_LIMIT)
    open_decisions = late_first(
        Decision.objects.filter(copil__pacte=pacte, status=DecisionStatus.OPEN).select_related(
            "copil", "action", "owner"
        ),
        today,
    )
    context = {
        "copil": copil,
        "pacte": pacte,
        "data": data,
        "charts": dashboard.dashboard_charts(data),
        "tables": dashboard.chart_tables(data),
        **attendance(copil),
        "partners": copil.partners.order_by("name"),
        "highlights": copil.highlights.select_related("action__axe").order_by("action__sort_key"),
        "decisions": late_first(copil.decisions.select_related("action", "owner"), today),
        "open_decisions": open_decisions,
        "today": today,
        "for_browser": for_browser,
        "departement": settings.DEPARTEMENT,
    }
    if for_browser:
        context["pdf_static"] = settings.STATIC_URL
    return context


def render_dossier_pdf(copil, today=None):
    return render_pdf(DOSSIER_TEMPLATE, dossier_context(copil, today))
