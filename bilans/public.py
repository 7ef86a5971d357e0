"""What a published pacte shows to anyone, without an account: the public page and its open data.

Staff publish a pacte (axes.Pacte.published, opt-in, never while it is « en préparation »): `Pacte.objects.public()`
is the one rule of who is public; anything else answers 404. What is published, and nothing more:
- the plan: axes, objectives, actions (number, title, description, dates, status, progress);
- each action's indicators with their yearly targets and values, **except a value entered in a report that is
  still a draft** (a report's draft stays the referent's until he transmits it);
- the approved bilans' PDFs (only approved ones: a generated or submitted bilan is not public yet);
- the referents' names only when staff chose so (`Pacte.show_referent_names`).
Never: report texts, drafts, follow-up notes, milestones' notes, budgets, partners' contacts, COPILs and their
minutes, decisions, the journal.

Every read here is a fixed number of queries whatever the size of the pacte (`public_data`); the open data files
are cached under the pacte and a fingerprint of its published data (`fingerprint`), so a change shows at once
and an unchanged pacte is served from the cache.

This module is in `bilans` because the page lists actions and bilans: bilans may read every app below it.
"""

import hashlib
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.db.models import DateTimeField, Exists, F, Func, OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _

from actions.enums import ActionStatus, ReportState
from actions.models import Action, Indicator, IndicatorValue, ProgressReport
from axes.models import Axe, Objectif, Pacte
from bilans.enums import BilanStatus
from bilans.models import Bilan

SCHEMA_VERSION = "1.0"
SCHEMA_NAME = f"pti-actions-{SCHEMA_VERSION}.schema.json"
SCHEMA_STATIC_PATH = f"opendata/{SCHEMA_NAME}"


def schema_path():
    """The schema's address, without the hash the production static storage adds to names: a stable address that
    the files can name (WhiteNoise serves the unhashed copy too)."""
    return f"{settings.STATIC_URL}{SCHEMA_STATIC_PATH}"


LICENCE = {
    "name": "Licence Ouverte / Open Licence version 2.0",
    "url": "https://www.etalab.gouv.fr/licence-ouverte-open-licence/",
}


def public_pacte(slug):
    """The published pacte `slug`, or 404 (unknown, unpublished or in preparation: the same answer)."""
    return get_object_or_404(Pacte.objects.public(), slug=slug)


def public_bilan(pacte, year):
    """The approved bilan of `pacte` for `year` with its PDF, or 404."""
    if not pacte.contains_year(year):  # before the database: a year out of bounds never reaches it
        raise Http404(_("Ce bilan n'est pas publié."))
    bilan = (
        Bilan.objects.select_related("pacte")
        .filter(pacte=pacte, year=year, status=BilanStatus.APPROVED)
        .exclude(pdf="")
        .first()
    )
    if bilan is None:
        raise Http404(_("Ce bilan n'est pas publié."))
    return bilan


def approved_bilans(pacte):
    return list(
        Bilan.objects.filter(pacte=pacte, status=BilanStatus.APPROVED)
        .exclude(pdf="")
        .order_by("-year")
        .only("pk", "year", "approval_date", "deliberation_reference", "pacte_id")
    )


def _last(history_model, **filters):
    # MAX as a plain function, not an aggregate: one row, no GROUP BY.
    latest = Func(F("history_date"), function="MAX", output_field=DateTimeField())
    return Subquery(history_model.objects.filter(**filters).order_by().values(k=latest)[:1])


def data_state(pacte):
    """(fingerprint, data date) of what `pacte` publishes, in one query: the latest change recorded in the
    history of the pacte's axes, objectives, actions (their referents move the action's version), indicators,
    yearly values and reports (a draft transmitted publishes its values). Deletions are history records too."""
    actions = Action.objects.filter(pacte_id=pacte.pk).values("pk")
    indicators = Indicator.objects.filter(action__pacte_id=pacte.pk).values("pk")
    stamps = (
        Pacte.objects.filter(pk=pacte.pk)
        .annotate(
            axes_at=_last(Axe.history.model, pacte_id=pacte.pk),
            objectifs_at=_last(Objectif.history.model, axe_id__in=Axe.objects.filter(pacte_id=pacte.pk).values("pk")),
            actions_at=_last(Action.history.model, pacte_id=pacte.pk),
            indicators_at=_last(Indicator.history.model, action_id__in=actions),
            values_at=_last(IndicatorValue.history.model, indicator_id__in=indicators),
            reports_at=_last(ProgressReport.history.model, action_id__in=actions),
            pacte_at=_last(Pacte.history.model, id=pacte.pk),
        )
        .values_list("axes_at", "objectifs_at", "actions_at", "indicators_at", "values_at", "reports_at", "pacte_at")
        .get()
    )
    dates = [stamp for stamp in stamps if stamp is not None]
    key = "|".join(
        [str(pacte.pk), str(pacte.version), str(pacte.published_at), str(pacte.show_referent_names), SCHEMA_VERSION]
        + [stamp.isoformat() if stamp else "-" for stamp in stamps]
    )
    return hashlib.sha256(key.encode()).hexdigest()[:32], max(dates, default=pacte.published_at or timezone.now())


def _number(value):
    """A Decimal as a JSON number: an integer when it is whole (100, not 100.0), else a float (12.5)."""
    if value is None:
        return None
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return float(value)


def _full_name(user):
    return user.get_full_name() or user.get_username()


@dataclass
class PublicData:
    pacte: Pacte
    axes: list  # [{"axe": Axe, "objectifs": [{"objectif", "actions"}], "loose": [actions], "actions": [...]}]
    actions: list  # every action's public record (dicts, in the open data's shape)


def public_data(pacte):
    """The published content of `pacte`, in 5 queries (6 with the referents' names) whatever its size."""
    axes = list(Axe.objects.filter(pacte=pacte).order_by("number").only("pk", "number", "title", "description"))
    objectifs = list(
        Objectif.objects.filter(axe__pacte=pacte).order_by("axe_id", "number").only("pk", "axe_id", "number", "text")
    )
    actions = Action.objects.filter(pacte=pacte).order_by("sort_key")
    actions = actions.only(
        "pk",
        "axe_id",
        "objectif_id",
        "number",
        "title",
        "description",
        "start_date",
        "end_date",
        "status",
        "progress",
    )
    if pacte.show_referent_names:
        actions = actions.prefetch_related("referents")
    actions = list(actions)
    indicators = list(
        Indicator.objects.filter(action__pacte=pacte)
        .order_by("action_id", "position", "pk")
        .only("pk", "action_id", "label", "unit", "baseline", "higher_is_better")
    )
    draft = ProgressReport.objects.filter(
        action_id=OuterRef("indicator__action_id"), year=OuterRef("year"), state=ReportState.DRAFT
    )
    values = (
        IndicatorValue.objects.filter(indicator__action__pacte=pacte, year__gte=pacte.first_year)
        .filter(year__lte=pacte.last_year)
        .annotate(in_draft=Exists(draft))
        .order_by("indicator_id", "year")
        .only("pk", "indicator_id", "year", "target", "value")
    )
    values_of = {}
    for row in values:
        values_of.setdefault(row.indicator_id, []).append(
            {
                "year": row.year,
                "target": _number(row.target),
                "value": None if row.in_draft else _number(row.value),
            }
        )
    indicators_of = {}
    for indicator in indicators:
        indicators_of.setdefault(indicator.action_id, []).append(
            {
                "label": indicator.label,
                "unit": indicator.unit,
                "baseline": _number(indicator.baseline),
                "higher_is_better": indicator.higher_is_better,
                "years": values_of.get(indicator.pk, []),
            }
        )
    axe_of = {axe.pk: axe for axe in axes}
    objectif_of = {objectif.pk: objectif for objectif in objectifs}
    records = []
    for action in actions:
        axe = axe_of[action.axe_id]
        objectif = objectif_of.get(action.objectif_id)
        record = {
            "number": action.number,
            "title": action.title,
            "description": action.description,
            "axe": {"number": axe.number, "title": axe.title},
            "objectif": {"code": f"{axe.number}.{objectif.number}", "text": objectif.text} if objectif else None,
            "status": action.status,
            "status_label": str(ActionStatus(action.status).label),
            "progress": action.progress,
            "start_date": action.start_date.isoformat() if action.start_date else None,
            "end_date": action.end_date.isoformat() if action.end_date else None,
            "indicators": indicators_of.get(action.pk, []),
        }
        if pacte.show_referent_names:
            record["referents"] = sorted(_full_name(user) for user in action.referents.all())
        record["_axe_id"], record["_objectif_id"] = action.axe_id, action.objectif_id
        records.append(record)
    tree = []
    for axe in axes:
        mine = [record for record in records if record["_axe_id"] == axe.pk]
        branches = [
            {"objectif": objectif, "actions": [r for r in mine if r["_objectif_id"] == objectif.pk]}
            for objectif in objectifs
            if objectif.axe_id == axe.pk
        ]
        known = {objectif.pk for objectif in objectifs if objectif.axe_id == axe.pk}
        loose = [r for r in mine if r["_objectif_id"] not in known]
        tree.append({"axe": axe, "branches": branches, "loose": loose, "count": len(mine)})
    for record in records:
        del record["_axe_id"], record["_objectif_id"]
    return PublicData(pacte=pacte, axes=tree, actions=records)
