"""The Assises de l'insertion of a pacte: what they add up to (`summary`, for the pacte page, the bilan and the
public page alike), and the writes of staff (groups, meetings, proposals), one transaction each.

`summary(pacte)` reads three queries whatever the number of groups, meetings and proposals, and returns plain
data (numbers, strings, lists, dicts: JSON, so that a bilan can freeze it). `summary_chart(summary)` draws the
proposals by fate and thematic from that data alone.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Min, Sum
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from axes.closing import ClosedYearError, Closure
from axes.enums import ParticipantCategory, ProposalFate
from axes.models import Axe, Meeting, Proposal, WorkingGroup
from axes.models_assises import CATEGORIES
from axes.services import plan_refusal
from pti import charts, palette
from pti.concurrency import lock_version
from pti.formats import long_date
from pti.history import acting_user

FATES = ProposalFate.values


def _months(first, last):
    """How many calendar months the Assises ran over, both ends included (March to September: 7)."""
    if not first or not last:
        return 0
    return (last.year - first.year) * 12 + last.month - first.month + 1


def summary(pacte):
    """The Assises of `pacte` in figures (see the module docstring); `groups` is empty when it had none."""
    groups = list(WorkingGroup.objects.filter(axe__pacte=pacte).select_related("axe").order_by("axe__number"))
    meetings = {
        row["group_id"]: row
        for row in Meeting.objects.filter(group__axe__pacte=pacte)
        .values("group_id")
        .annotate(n=Count("id"), first=Min("date"), last=Max("date"), **{c: Sum(c) for c in CATEGORIES})
        .order_by()
    }
    proposals = {}
    for row in (
        Proposal.objects.filter(group__axe__pacte=pacte).values("group_id", "fate").annotate(n=Count("id")).order_by()
    ):
        proposals.setdefault(row["group_id"], {})[row["fate"]] = row["n"]

    group_rows = []
    for group in groups:
        met = meetings.get(group.pk, {})
        made = proposals.get(group.pk, {})
        group_rows.append(
            {
                "id": group.pk,
                "axe_number": group.axe.number,
                "title": group.title,
                "members": group.counts,
                "members_total": group.total,
                "meetings": met.get("n", 0),
                "participants": {c: met.get(c) or 0 for c in CATEGORIES},
                "proposals": {fate: made.get(fate, 0) for fate in FATES},
                "proposals_total": sum(made.values()),
            }
        )
    firsts = [row["first"] for row in meetings.values() if row["first"]]
    lasts = [row["last"] for row in meetings.values() if row["last"]]
    first, last = (min(firsts), max(lasts)) if firsts else (None, None)
    categories = [
        {
            "value": category,
            "label": capfirst(str(label)),
            "members": sum(row["members"][category] for row in group_rows),
            "participants": sum(row["participants"][category] for row in group_rows),
        }
        for category, label in ParticipantCategory.choices
    ]
    fates = [
        {
            "value": fate,
            "label": capfirst(str(label)),
            "count": sum(row["proposals"][fate] for row in group_rows),
        }
        for fate, label in ProposalFate.choices
    ]
    return {
        "groups": group_rows,
        "meetings": sum(row["meetings"] for row in group_rows),
        "first_date": first.isoformat() if first else None,
        "last_date": last.isoformat() if last else None,
        "months": _months(first, last),
        "categories": categories,
        "members_total": sum(c["members"] for c in categories),
        "participations_total": sum(c["participants"] for c in categories),
        "fates": fates,
        "proposals_total": sum(f["count"] for f in fates),
    }


def intro(data):
    """The Assises of `data` (a summary) in two French sentences: the pages' and the bilan's introduction."""
    first = datetime.date.fromisoformat(data["first_date"]) if data["first_date"] else None
    last = datetime.date.fromisoformat(data["last_date"]) if data["last_date"] else None
    groups, meetings, months = len(data["groups"]), data["meetings"], data["months"]
    parts = [
        ngettext("%(n)s groupe de travail", "%(n)s groupes de travail", groups) % {"n": groups},
        ngettext("%(n)s acteur", "%(n)s acteurs", data["members_total"]) % {"n": data["members_total"]},
        ngettext("%(n)s réunion", "%(n)s réunions", meetings) % {"n": meetings},
    ]
    text = _("Le pacte a été préparé par les Assises de l'insertion : %(parts)s") % {"parts": ", ".join(parts)}
    if first:
        span = ngettext("sur %(n)s mois", "sur %(n)s mois", months) % {"n": months}
        if (first.year, first.month) == (last.year, last.month):
            when = _("en %(month)s") % {"month": long_date(first, "F Y")}
        else:
            when = _("de %(first)s à %(last)s") % {"first": long_date(first, "F Y"), "last": long_date(last, "F Y")}
        text += f" {span}, {when}"
    text += "."
    total = data["proposals_total"]
    fates = [
        ngettext(FATE_COUNTS[fate["value"]][0], FATE_COUNTS[fate["value"]][1], fate["count"]) % {"n": fate["count"]}
        for fate in data["fates"]
        if fate["count"]
    ]
    made = ngettext("%(n)s proposition a été faite", "%(n)s propositions ont été faites", total) % {"n": total}
    if len(fates) == 1:
        made += " : " + fates[0]
    elif fates:
        made += " : " + ", ".join(fates[:-1]) + _(" et ") + fates[-1]
    return f"{text} {made}."


FATE_COUNTS = {
    ProposalFate.RETAINED: ("%(n)s retenue", "%(n)s retenues"),
    ProposalFate.MERGED: ("%(n)s fusionnée dans une autre", "%(n)s fusionnées dans d'autres"),
    ProposalFate.NOT_RETAINED: ("%(n)s non retenue", "%(n)s non retenues"),
}


def summary_chart(data):
    """The proposals of each thematic by fate, as stacked bars in the fates' colours (pti.palette); None when
    there is no proposal to draw."""
    if not data or not data["proposals_total"]:
        return None
    categories = [_("Thématique %(number)s") % {"number": row["axe_number"]} for row in data["groups"]]
    series = [
        (fate["label"], [row["proposals"].get(fate["value"], 0) for row in data["groups"]]) for fate in data["fates"]
    ]
    return charts.stacked_bars(
        categories,
        series,
        width=640,
        height=120 + 36 * len(categories),
        colors=palette.proposal_colors([fate["value"] for fate in data["fates"]]),
        alt=_("Propositions des Assises par thématique et par suite donnée"),
    )


# --- writes (staff) --------------------------------------------------------------------------------------------


def refusal(pacte):
    """Why the Assises of `pacte` may not be changed (a closed pacte keeps its plan and its Assises), or None."""
    return plan_refusal(pacte)


def _ensure_open(pacte):
    message = refusal(pacte)
    if message:
        raise ClosedYearError(Closure(year=None, pacte_closed=True), message)


def _apply(instance, data, expected_version=None):
    for name, value in data.items():
        setattr(instance, name, value)
    instance.full_clean()
    if expected_version is not None:
        instance.version += 1
    instance.save()
    return instance


@transaction.atomic
def create_group(axe, data, user):
    _ensure_open(axe.pacte)
    if WorkingGroup.objects.filter(axe=axe).exists():
        raise ValidationError({"axe": _("Cette thématique a déjà son groupe de travail.")})
    with acting_user(user):
        return _apply(WorkingGroup(axe=axe), data)


@transaction.atomic
def update_group(group, data, user, expected_version):
    """Apply `data` (its `axe` among them) unless someone saved the group since `expected_version`."""
    with acting_user(user):
        locked = lock_version(WorkingGroup.objects.select_related("axe__pacte"), group.pk, expected_version)
        _ensure_open(locked.axe.pacte)
        axe = data.get("axe")
        if axe is not None and axe.pk != locked.axe_id:
            if axe.pacte_id != locked.axe.pacte_id:
                raise ValidationError({"axe": _("La thématique doit appartenir au même pacte.")})
            if WorkingGroup.objects.filter(axe=axe).exists():
                raise ValidationError({"axe": _("Cette thématique a déjà son groupe de travail.")})
        return _apply(locked, data, expected_version)


@transaction.atomic
def create_meeting(group, data, user):
    _ensure_open(group.axe.pacte)
    with acting_user(user):
        return _apply(Meeting(group=group), data)


@transaction.atomic
def update_meeting(meeting, data, user, expected_version):
    with acting_user(user):
        locked = lock_version(Meeting.objects.select_related("group__axe__pacte"), meeting.pk, expected_version)
        _ensure_open(locked.group.axe.pacte)
        return _apply(locked, data, expected_version)


def _check_number(group, number, pk=None):
    if Proposal.objects.filter(group=group, number=number).exclude(pk=pk).exists():
        raise ValidationError(
            {"number": _("Une autre proposition de ce groupe porte déjà le numéro %(number)s.") % {"number": number}}
        )


def _clean_fate(data):
    """What goes with the fate only: the target of a merge, the reason of a refusal."""
    data = dict(data)
    if data.get("fate") != ProposalFate.MERGED:
        data["merged_into"] = None
    if data.get("fate") != ProposalFate.NOT_RETAINED:
        data["reason"] = ""
    return data


@transaction.atomic
def create_proposal(group, data, user):
    _ensure_open(group.axe.pacte)
    _check_number(group, data.get("number"))
    with acting_user(user):
        return _apply(Proposal(group=group), _clean_fate(data))


@transaction.atomic
def update_proposal(proposal, data, user, expected_version):
    with acting_user(user):
        locked = lock_version(Proposal.objects.select_related("group__axe__pacte"), proposal.pk, expected_version)
        _ensure_open(locked.group.axe.pacte)
        _check_number(locked.group, data.get("number", locked.number), pk=locked.pk)
        if data.get("fate", locked.fate) == ProposalFate.MERGED and locked.merged_proposals.exists():
            raise ValidationError(
                {
                    "fate": _(
                        "D'autres propositions ont été fusionnées dans celle-ci : elle ne peut pas être fusionnée "
                        "à son tour."
                    )
                }
            )
        return _apply(locked, _clean_fate(data), expected_version)


def axes_without_group(pacte, keep=None):
    """The thematics (axes) of `pacte` that have no working group yet (and `keep`, the group's own)."""
    taken = WorkingGroup.objects.filter(axe__pacte=pacte)
    if keep is not None:
        taken = taken.exclude(axe=keep)
    return Axe.objects.filter(pacte=pacte).exclude(pk__in=taken.values("axe_id")).order_by("number")


def proposal_deletion_refusal(proposal):
    """Why `proposal` may not be deleted (others were merged into it), or None."""
    merged = [p.code for p in proposal.merged_proposals.select_related("group__axe").order_by("number")]
    if merged:
        return ngettext(
            "La proposition %(list)s a été fusionnée dans celle-ci : changez d'abord sa suite, puis supprimez-la.",
            "Les propositions %(list)s ont été fusionnées dans celle-ci : changez d'abord leur suite, puis "
            "supprimez-la.",
            len(merged),
        ) % {"list": ", ".join(merged)}
    return None


@transaction.atomic
def delete_meeting(meeting, user, expected_version):
    with acting_user(user):
        locked = lock_version(Meeting.objects.select_related("group__axe__pacte"), meeting.pk, expected_version)
        _ensure_open(locked.group.axe.pacte)
        locked.delete()


@transaction.atomic
def delete_proposal(proposal, user, expected_version):
    """Delete `proposal` (its links to actions go with it), unless others were merged into it (ValidationError)."""
    with acting_user(user):
        locked = lock_version(Proposal.objects.select_related("group__axe__pacte"), proposal.pk, expected_version)
        _ensure_open(locked.group.axe.pacte)
        refusal = proposal_deletion_refusal(locked)
        if refusal:
            raise ValidationError(refusal)
        locked.delete()
