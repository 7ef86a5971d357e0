"""What the yearly report form shows beside its fields (the referent's desk): last year's texts of the same action,
for each indicator its baseline, last year's target and value, this year's target and the gap to it, and the
progress its milestones suggest.

Last year's texts come from last year's *transmitted* report only: a draft never reached the bilan, it may be
half-written or abandoned, and the referent would be copying text nobody has read. A draft of last year is said
to exist, its text is not shown."""

from decimal import Decimal, InvalidOperation

from django.db.models import Count, Q
from django.template.defaultfilters import floatformat

from actions.enums import ReportState

TEXT_FIELDS = ("advances", "difficulties", "next_steps", "adjustments", "means")
# Where a partner's contribution goes in the report when the referent takes it in: (its field, the report's field).
CONTRIBUTION_TARGETS = (("achievements", "advances"), ("figures", "advances"), ("difficulties", "difficulties"))


def suggested_progress(action):
    """The progress the action's milestones suggest: {"done", "total", "percent"} (done milestones in whole
    percents of all of them, rounded), or None when it has none (one query). Only a suggestion: the referent
    sets the progress himself."""
    counts = action.milestones.aggregate(total=Count("pk"), done=Count("pk", filter=Q(done_date__isnull=False)))
    if not counts["total"]:
        return None
    percent = int(Decimal(100 * counts["done"]) / counts["total"] + Decimal("0.5"))
    return {"done": counts["done"], "total": counts["total"], "percent": percent}


def previous_report(action, year):
    """The action's report of `year - 1`, or None (one query)."""
    return action.reports.filter(year=year - 1).first()


def text_rows(form, previous):
    """[{field, previous_text, previous_year, previous_draft}] for each text field of the form."""
    transmitted = previous is not None and previous.state == ReportState.SUBMITTED
    return [
        {
            "field": form[name],
            "name": name,
            "previous_year": form.year - 1,
            "previous_text": getattr(previous, name) if transmitted else "",
            "previous_draft": previous is not None and not transmitted,
        }
        for name in TEXT_FIELDS
    ]


def contribution_rows(form, contributions):
    """[{contribution, parts: [{name, label, text, target}]}] for the partners' contributions of the year: each
    non-empty text with the report's field it can be taken into (appended, not replacing what the referent wrote)."""
    from actions.forms_contributions import LABELS

    rows = []
    for contribution in contributions:
        parts = [
            {"name": name, "label": LABELS[name], "text": getattr(contribution, name), "target": form[target]}
            for name, target in CONTRIBUTION_TARGETS
            if getattr(contribution, name).strip()
        ]
        rows.append({"contribution": contribution, "parts": parts})
    return rows


def parse_number(raw):
    """A number as typed in a French form ("1 234,5", "12.5"), or None when empty or not a number."""
    if raw is None:
        return None
    if isinstance(raw, Decimal | int):
        return Decimal(raw)
    text = str(raw).strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".")
    if not text:
        return None
    try:
        number = Decimal(text)
    except InvalidOperation:
        return None
    return number if number.is_finite() else None


def format_number(number):
    """12.50 → 12,5; 1234 → 1 234; at most two decimals (as the script formats it)."""
    places = min(2, max(0, -number.normalize().as_tuple().exponent))
    return floatformat(number, f"{places}g")


def format_gap(gap):
    """+12, −3,5 (a true minus sign), 0."""
    if gap is None:
        return ""
    if gap > 0:
        return "+" + format_number(gap)
    if gap < 0:
        return "\u2212" + format_number(-gap)
    return "0"


def indicator_rows(form, indicators, indicator_values_by_year, year):
    """One row per indicator: the value and reason fields, the baseline, last year's target and value, this
    year's target and the gap of the value in the field (typed or saved) to it. `indicator_values_by_year` maps
    (indicator pk, year) to its IndicatorValue."""
    rows = []
    for (field, reason), indicator in zip(form.indicator_field_pairs(), indicators, strict=True):
        current = indicator_values_by_year.get((indicator.pk, year))
        last = indicator_values_by_year.get((indicator.pk, year - 1))
        target = current.target if current else None
        typed = parse_number(field.value())
        gap = typed - target if typed is not None and target is not None else None
        rows.append(
            {
                "indicator": indicator,
                "field": field,
                "reason": reason,
                "baseline": indicator.baseline,
                "last_target": last.target if last else None,
                "last_value": last.value if last else None,
                "last_reason": last.unavailable_reason if last else "",
                "target": target,
                "gap": format_gap(gap),
                "gap_id": f"{field.auto_id}_ecart",
            }
        )
    return rows
