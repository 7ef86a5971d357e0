"""Operations on COPILs and decisions: one transaction each, called alike by views, the API and commands.

Edits carry the `version` the form was opened on: a save from a stale version raises `ConflictError` (with what
the other person changed) instead of overwriting it.
"""

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from pilotage import dashboard
from pilotage.enums import DecisionStatus
from pilotage.filters import late_first
from pilotage.models import Copil, Decision, HighlightedAction
from pti.concurrency import lock_version
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


@transaction.atomic
def create_copil(pacte, data, attendees=(), partners=(), highlights=()):
    copil = Copil.objects.create(pacte=pacte, **data)
    copil.attendees.set(attendees)
    copil.partners.set(partners)
    _set_highlights(copil, highlights)
    return copil


@transaction.atomic
def update_copil(copil, data, expected_version, attendees=None, partners=None, highlights=None):
    locked = lock_version(Copil.objects.all(), copil.pk, expected_version)
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
    return locked


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
    return decision


@transaction.atomic
def update_decision(decision, data, expected_version):
    locked = lock_version(Decision.objects.all(), decision.pk, expected_version)
    was_open = locked.status == DecisionStatus.OPEN
    for name, value in data.items():
        setattr(locked, name, value)
    _record_closure(locked, was_open)
    locked.version += 1
    locked.save()
    return locked


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
        "attendees": copil.attendees.order_by("last_name", "first_name"),
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
