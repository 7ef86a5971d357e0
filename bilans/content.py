"""What a bilan says: the year's data gathered into a plain JSON snapshot, then drawn and laid out as a PDF.

`collect(bilan)` reads the database once (a constant number of queries whatever the number of actions) and
returns numbers, strings, lists and dicts only. The PDF is rendered from that snapshot alone
(`draw_charts`, `build_html`, then `pti.pdf.html_to_pdf`), so the snapshot frozen on approval is exactly the
data the approved PDF was made from, and the approved PDF (whose cover carries the deliberation) is rendered
again from it without touching the live data.

The key figures, the per-axe figures and the charts are the dashboard's (`pilotage.dashboard`): the council
reads the same numbers as the COPIL.
"""

import copy
import datetime
import json
from collections import defaultdict

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import Count, Prefetch
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from actions import figures
from actions.enums import ActionStatus, PartnerKind, PartnerRole, ReportState, Weather
from actions.models import Action, ActionPartner, Indicator, IndicatorValue, ProgressReport
from axes import assises
from axes.enums import ProposalFate
from axes.models import Axe, Objectif, Proposal
from pilotage.dashboard import chart_tables, dashboard_charts, dashboard_data
from pilotage.enums import DecisionStatus
from pilotage.models import Copil, Decision, HighlightedAction
from pti.pdf import STATIC_PREFIX

SNAPSHOT_FORMAT = 1
TEMPLATE = "bilans/pdf/bilan.html"


def _number(value):
    return None if value is None else float(value)


def _iso(value):
    return value.isoformat() if value else None


def _label(choices, value):
    return str(dict(choices).get(value, value)) if value else ""


def collect(bilan, today=None):
    """The snapshot of `bilan`'s pacte and year: plain data, ready for json.dumps (see the module docstring)."""
    today = today or timezone.localdate()
    pacte, year = bilan.pacte, bilan.year
    previous_year = year - 1 if pacte.contains_year(year - 1) else None

    axes = list(Axe.objects.filter(pacte=pacte).order_by("number"))
    objectifs = defaultdict(list)
    for objectif in Objectif.objects.filter(axe__pacte=pacte).order_by("axe__number", "number"):
        objectifs[objectif.axe_id].append(objectif)
    actions = list(
        Action.objects.filter(pacte=pacte)
        .select_related("objectif")
        .prefetch_related("referents")
        .order_by("axe__number", "sort_key")
    )
    p = figures.period(pacte, year, today)
    facts = figures.compute([p], totals=False, rows=True).by_action()
    reports = {report.action_id: report for report in ProgressReport.objects.filter(action__pacte=pacte, year=year)}
    indicators = defaultdict(list)
    for indicator in Indicator.objects.filter(action__pacte=pacte).order_by("action_id", "position", "pk"):
        indicators[indicator.action_id].append(indicator)
    years = [y for y in (year, previous_year) if y is not None]
    values = {
        (row["indicator_id"], row["year"]): row
        for row in IndicatorValue.objects.filter(indicator__action__pacte=pacte, year__in=years).values(
            "indicator_id", "year", "target", "value"
        )
    }

    by_axe = defaultdict(list)
    for action in actions:
        fact = facts[(p.key, action.pk)]
        status, progress = fact["status"], fact["progress"]
        report = reports.get(action.pk)
        by_axe[action.axe_id].append(
            {
                "id": action.pk,
                "number": action.number,
                "title": action.title,
                "objectif": action.objectif.code if action.objectif_id else None,
                "status": status,
                "status_label": _label(ActionStatus.choices, status),
                "progress": progress,
                "due": fact["due"],
                "late": fact["late"],
                "referents": [str(user) for user in action.referents.all()],
                "report": _report(report),
                "indicators": [
                    _indicator(indicator, values, year, previous_year) for indicator in indicators[action.pk]
                ],
            }
        )

    return {
        "format": SNAPSHOT_FORMAT,
        "generated_at": timezone.now().isoformat(),
        "today": today.isoformat(),
        "departement": dict(settings.DEPARTEMENT),
        "pacte": {
            "slug": pacte.slug,
            "title": pacte.title,
            "territory": pacte.territory,
            "first_year": pacte.first_year,
            "last_year": pacte.last_year,
            "signature_date": _iso(pacte.signature_date),
        },
        "year": year,
        "previous_year": previous_year,
        "introduction": bilan.introduction,
        "conclusion": bilan.conclusion,
        "dashboard": dashboard_data(pacte, year, today),
        "axes": [
            {
                "number": axe.number,
                "title": axe.title,
                "description": axe.description,
                "objectifs": [{"code": o.code, "text": o.text} for o in objectifs[axe.pk]],
                "actions": by_axe[axe.pk],
            }
            for axe in axes
        ],
        "copils": _copils(pacte, year),
        "partners": _partners(pacte),
        "assises": assises_with_proposals(pacte),
    }


def assises_with_proposals(pacte):
    """The Assises de l'insertion of the pacte (axes.assises.summary) and each proposal with its fate and the
    actions that carry it: « Des Assises aux actions », for the bilan and the public page. Five queries."""
    data = assises.summary(pacte)
    proposals = (
        Proposal.objects.filter(group__axe__pacte=pacte)
        .select_related("group__axe", "merged_into__group__axe")
        .prefetch_related(Prefetch("actions", queryset=Action.objects.order_by("sort_key")))
        .order_by("group__axe__number", "number")
    )
    data["proposals"] = [
        {
            "code": proposal.code,
            "text": proposal.text,
            "fate": proposal.fate,
            "fate_label": _label(ProposalFate.choices, proposal.fate),
            "actions": [action.number for action in proposal.actions.all()],
            "merged_into": proposal.merged_into.code if proposal.merged_into_id else None,
            "reason": proposal.reason,
        }
        for proposal in proposals
    ]
    return data


def has_assises(snapshot):
    """Bilans frozen before the Assises were recorded, or of a pacte without them, have no such section."""
    return bool((snapshot.get("assises") or {}).get("groups"))


def report_preview(report):
    """One action's entry as the bilan of `report`'s year will print it once the report is transmitted: the
    state of the action the report gives, its texts and its indicators with last year's value (the referent's
    "Aperçu" before transmitting; the same keys as an action of `build`'s axes). Two queries."""
    action = report.action
    year = report.year
    previous_year = year - 1 if action.pacte.contains_year(year - 1) else None
    indicators = list(Indicator.objects.filter(action_id=action.pk).order_by("position", "pk"))
    years = [y for y in (year, previous_year) if y is not None]
    values = {
        (row["indicator_id"], row["year"]): row
        for row in IndicatorValue.objects.filter(indicator__action_id=action.pk, year__in=years).values(
            "indicator_id", "year", "target", "value"
        )
    }
    transmitted = copy.copy(report)
    transmitted.state = ReportState.SUBMITTED
    return {
        "year": year,
        "previous_year": previous_year,
        "action": {
            "id": action.pk,
            "number": action.number,
            "title": action.title,
            "status": report.status,
            "status_label": _label(ActionStatus.choices, report.status),
            "progress": report.progress,
            "report": _report(transmitted),
            "indicators": [_indicator(indicator, values, year, previous_year) for indicator in indicators],
        },
    }


def _report(report):
    if report is None:
        return None
    return {
        "state": report.state,
        "submitted": report.state == ReportState.SUBMITTED,
        "weather": report.weather,
        "weather_label": _label(Weather.choices, report.weather),
        # A draft is the referent's unfinished work: the bilan names it but does not print it.
        **(
            {
                "advances": report.advances,
                "difficulties": report.difficulties,
                "adjustments": report.adjustments,
                "next_steps": report.next_steps,
            }
            if report.state == ReportState.SUBMITTED
            else {"advances": "", "difficulties": "", "adjustments": "", "next_steps": ""}
        ),
    }


def _indicator(indicator, values, year, previous_year):
    current = values.get((indicator.pk, year), {})
    previous = values.get((indicator.pk, previous_year), {}) if previous_year else {}
    return {
        "label": indicator.label,
        "unit": indicator.unit,
        "higher_is_better": indicator.higher_is_better,
        "target": _number(current.get("target")),
        "value": _number(current.get("value")),
        "previous_target": _number(previous.get("target")),
        "previous_value": _number(previous.get("value")),
    }


def _copils(pacte, year):
    copils = Copil.objects.filter(pacte=pacte, date__year=year).order_by("date")
    copils = copils.prefetch_related(
        Prefetch("highlights", queryset=HighlightedAction.objects.select_related("action")),
        Prefetch("decisions", queryset=Decision.objects.select_related("action", "owner").order_by("due_date", "pk")),
    )
    return [
        {
            "date": copil.date.isoformat(),
            "place": copil.place,
            "minutes": copil.minutes,
            "highlights": [
                {"number": h.action.number, "title": h.action.title, "comment": h.comment}
                for h in copil.highlights.all()
            ],
            "decisions": [
                {
                    "text": decision.text,
                    "action": f"{decision.action.number} {decision.action.title}" if decision.action_id else "",
                    "owner": str(decision.owner) if decision.owner_id else "",
                    "due_date": _iso(decision.due_date),
                    "status": decision.status,
                    "status_label": _label(DecisionStatus.choices, decision.status),
                    "closed_on": _iso(decision.closed_on),
                    "follow_up": decision.follow_up,
                }
                for decision in copil.decisions.all()
            ],
        }
        for copil in copils
    ]


def _partners(pacte):
    """The pacte's partners grouped by kind (in the order of PartnerKind), with their roles and action count."""
    links = ActionPartner.objects.filter(action__pacte=pacte)
    counts = dict(
        links.values("partner_id")
        .annotate(n=Count("action_id", distinct=True))
        .order_by()
        .values_list("partner_id", "n")
    )
    partners = {}
    rows = links.values("partner_id", "partner__name", "partner__kind", "role").distinct().order_by("partner__name")
    for row in rows:
        partner = partners.setdefault(
            row["partner_id"],
            {
                "name": row["partner__name"],
                "kind": row["partner__kind"],
                "roles": [],
                "actions": counts[row["partner_id"]],
            },
        )
        partner["roles"].append(row["role"])
    role_order = {role: index for index, role in enumerate(PartnerRole.values)}
    last = len(role_order)
    groups = []
    for kind, label in PartnerKind.choices:
        members = [p for p in partners.values() if p["kind"] == kind]
        if members:
            for member in members:
                member["roles"] = [
                    _label(PartnerRole.choices, role)
                    for role in sorted(member["roles"], key=lambda r: role_order.get(r, last))
                ]
            groups.append({"kind": kind, "label": capfirst(str(label)), "partners": members})
    return groups


def to_json(snapshot):
    """The snapshot as stored in the JSONField (dates and decimals as strings): the single source of the PDF."""
    return json.loads(json.dumps(snapshot, cls=DjangoJSONEncoder))


# --- rendering -----------------------------------------------------------------------------------------------


def draw_charts(snapshot):
    """The dashboard's charts (SVG) and their data tables for the snapshot's year."""
    dashboard = snapshot["dashboard"]
    svg = dashboard_charts(dashboard)
    if has_assises(snapshot):
        svg["assises"] = assises.summary_chart(snapshot["assises"])
    return {"svg": svg, "tables": chart_tables(dashboard)}


def _date(value):
    return datetime.date.fromisoformat(value) if value else None


def _datetime(value):
    return datetime.datetime.fromisoformat(value) if value else None


def _figure_rows(current, previous, statuses=()):
    """[{label, current, previous, unit}] of the figures compared year over year (pacte or axe)."""

    def row(label, get, unit=""):
        return {"label": label, "current": get(current), "previous": get(previous) if previous else None, "unit": unit}

    rows = [
        row(_("Actions"), lambda f: f["actions"]),
        row(_("Avancement moyen"), lambda f: f["mean_progress"], " %"),
    ]
    rows += [
        row(capfirst(status["label"]), lambda f, value=status["value"]: f["status_counts"].get(value, 0))
        for status in statuses
    ]
    rows += [
        row(_("Actions en retard"), lambda f: f["late"]),
        row(
            _("Comptes rendus transmis"),
            lambda f: f"{f['reports']['submitted']} / {f['reports']['due']}" if f["reports"]["due"] else None,
        ),
        row(_("Part des comptes rendus transmis"), lambda f: f["reports"]["share"], " %"),
        row(_("Indicateurs sur la cible"), lambda f: f["indicators"]["share_on_target"], " %"),
        row(_("Actions appelant l'attention"), lambda f: f["attention"]["total"]),
    ]
    return rows


def build_html(snapshot, charts, approval=None):
    """The HTML of the PDF. `approval` is {"date": date, "reference": str} for the approved bilan's cover."""
    dashboard = snapshot["dashboard"]
    axe_figures = {axe["number"]: axe for axe in dashboard["axes"]}
    axes = []
    for axe in snapshot["axes"]:
        figures = axe_figures.get(axe["number"])
        rows = _figure_rows(figures["current"], figures["previous"]) if figures else []
        missing = [
            {"number": a["number"], "draft": bool(a["report"])}
            for a in axe["actions"]
            if a["due"] and not (a["report"] and a["report"]["submitted"])
        ]
        indicators = [{"action": a["number"], **i} for a in axe["actions"] for i in a["indicators"]]
        axes.append({**axe, "figures": rows, "missing_reports": missing, "indicator_rows": indicators})
    copils = [
        {
            **copil,
            "date": _date(copil["date"]),
            "decisions": [
                {**d, "due_date": _date(d["due_date"]), "closed_on_date": _date(d.get("closed_on"))}
                for d in copil["decisions"]
            ],
        }
        for copil in snapshot["copils"]
    ]
    order = (
        "year_over_year",
        "status_by_axe",
        "weather_by_axe",
        "progress_by_axe",
        "budget_by_axe",
        "indicators_by_axe",
    )
    chart_list = [
        {"name": name, "svg": charts["svg"][name], "table": charts["tables"].get(name)}
        for name in order
        if name in charts["svg"]
    ]
    context = {
        "pdf_static": STATIC_PREFIX,
        "departement": snapshot["departement"],
        "snapshot": snapshot,
        "pacte": snapshot["pacte"],
        "year": snapshot["year"],
        "previous_year": snapshot["previous_year"],
        "generated_at": _datetime(snapshot["generated_at"]),
        "signature_date": _date(snapshot["pacte"]["signature_date"]),
        "key_figures": _figure_rows(dashboard["current"], dashboard["previous"], dashboard["statuses"]),
        "axes": axes,
        "charts": chart_list,
        "copils": copils,
        "partners": snapshot["partners"],
        "assises": snapshot["assises"] if has_assises(snapshot) else None,
        "assises_chart": charts["svg"].get("assises"),
        "approval": approval,
    }
    return render_to_string(TEMPLATE, context)
