"""The action's sheet, edited section by section: a new action, its referents, partners, budget and indicators.

Every operation is one transaction that locks the action at the version the form was opened on (the version
moves on any section's save, so two people editing two sections of one sheet see each other's changes) and
refuses a stale one with a `ConflictError` listing what the other person changed, in the action and in the
section's rows (read from their history). The data of a closed year (budgets, indicator targets) is left as it
is: the forms refuse to change it and the models would refuse it anyway (axes.closing).
"""

from functools import partial

from django.db import transaction
from django.db.models import Max, OuterRef, Subquery
from django.utils.translation import gettext as _

from actions.models import Action, ActionBudget, ActionPartner, Indicator, IndicatorValue, Partner
from axes.closing import ClosedYearError
from pti import history
from pti.concurrency import ConflictError, expected, lock_version
from pti.history import acting_user, save_with


class SheetError(Exception):
    """An operation on the sheet refused, with a message for the user (in French)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


def history_sources(action_id):
    """[(label, historical queryset)] of the rows of an action's sheet, for its history and its conflicts."""
    return [
        (
            lambda r: _("Partenaire « %(name)s »") % {"name": r.partner_name},
            # The partner's name read with the rows: no query per row.
            ActionPartner.history.filter(action_id=action_id).annotate(
                partner_name=Subquery(Partner.objects.filter(pk=OuterRef("partner_id")).values("name")[:1])
            ),
        ),
        (lambda r: _("Budget %(year)s") % {"year": r.year}, ActionBudget.history.filter(action_id=action_id)),
        (
            lambda r: _("Indicateur « %(label)s »") % {"label": r.label},
            Indicator.history.filter(action_id=action_id),
        ),
        (
            lambda r: _("Valeur d'indicateur %(year)s") % {"year": r.year},
            IndicatorValue.history.filter(indicator__action_id=action_id),
        ),
    ]


def _section_changes(action, version):
    """What was changed in the sheet's rows since the action's `version`, as conflict rows."""
    base = action.history.filter(version=version).order_by("-history_date", "-history_id").first()
    if base is None:
        return []
    sources = [
        (label, queryset.filter(history_date__gt=base.history_date)) for label, queryset in history_sources(action.pk)
    ]
    rows = []
    for row in reversed(history.history_rows(sources)):
        if row["changes"]:
            for change in row["changes"]:
                rows.append(
                    {
                        "field": f"{row['object']} : {change['field']}",
                        "before": change["before"],
                        "after": change["after"],
                    }
                )
        else:
            rows.append({"field": str(row["object"]), "before": "—", "after": str(row["type"])})
    return rows


def lock_action(action, expected_version):
    """The action locked at `expected_version`, or ConflictError with every change made since."""
    try:
        return lock_version(Action.objects.all(), action.pk, expected_version)
    except ConflictError as error:
        changes = list(error.changes) + _section_changes(error.instance, expected(expected_version))
        raise ConflictError(error.instance, changes, error.changed_by, error.changed_at) from None


def _bump(locked):
    """A section was saved: the action's version moves (and its history says who did it, when)."""
    locked.version += 1
    locked.save(update_fields=["version"])


@transaction.atomic
def create_action(axe, data, user, referents=()):
    """A new action in `axe` with `data` (validated field values: number, title, objectif…)."""
    with acting_user(user):
        action = Action(axe=axe, pacte_id=axe.pacte_id, **data)
        action.full_clean()
        save_with(action, referents=referents)
    return action


@transaction.atomic
def save_referents(action, referents, user, expected_version):
    with acting_user(user):
        locked = lock_action(action, expected_version)
        save_with(locked, partial(_bump, locked), referents=referents)
    return locked


@transaction.atomic
def save_partners(action, rows, user, expected_version):
    """Apply `rows` ([{"pk": id or None, "partner", "role", "amount", "delete"}]) to the action's partners: rows
    marked `delete` go, then the others are updated or added (so a partner's role can move from one row to
    another)."""
    with acting_user(user):
        locked = lock_action(action, expected_version)
        existing = {row.pk: row for row in ActionPartner.objects.filter(action=locked)}
        for row in rows:
            if row.get("pk") and row.get("delete") and row["pk"] in existing:
                existing.pop(row["pk"]).delete()
        for row in rows:
            if row.get("delete"):
                continue
            current = existing.get(row.get("pk")) if row.get("pk") else None
            if current is None:
                current = ActionPartner(action=locked)
            values = {"partner": row["partner"], "role": row["role"], "amount": row["amount"]}
            if current.pk and all(getattr(current, name) == value for name, value in values.items()):
                continue
            for name, value in values.items():
                setattr(current, name, value)
            current.full_clean(exclude=["action"], validate_unique=False, validate_constraints=False)
            current.save()
        _bump(locked)
    return locked


@transaction.atomic
def save_budgets(action, budgets, user, expected_version):
    """Set the planned and actual budget of each year of `budgets` ({year: (planned, actual)}, None: not given).
    A year with neither loses its row; a closed year is left as it is."""
    with acting_user(user):
        locked = lock_action(action, expected_version)
        pacte = locked.pacte
        existing = {row.year: row for row in ActionBudget.objects.filter(action=locked)}
        for year, (planned, actual) in sorted(budgets.items()):
            if not pacte.contains_year(year) or pacte.closure(year) is not None:
                continue
            current = existing.get(year)
            if planned is None and actual is None:
                if current is not None:
                    current.delete()
                continue
            planned = planned if planned is not None else 0
            if current is None:
                ActionBudget.objects.create(action=locked, year=year, planned=planned, actual=actual)
            elif current.planned != planned or current.actual != actual:
                current.planned, current.actual = planned, actual
                current.save(update_fields=["planned", "actual"])
        _bump(locked)
    return locked


def _save_targets(indicator, pacte, targets):
    existing = {row.year: row for row in IndicatorValue.objects.filter(indicator=indicator)}
    for year, target in sorted(targets.items()):
        if not pacte.contains_year(year) or pacte.closure(year) is not None:
            continue
        current = existing.get(year)
        if current is None:
            if target is not None:
                IndicatorValue.objects.create(indicator=indicator, year=year, target=target)
        elif current.target != target:
            if target is None and current.value is None and not current.unavailable_reason:
                current.delete()
            else:
                current.target = target
                current.save(update_fields=["target"])


@transaction.atomic
def save_indicator(action, indicator, data, targets, user, expected_version):
    """Create (`indicator` None) or update an indicator of the action with `data` (label, unit, baseline,
    higher_is_better) and its target for each year of `targets` ({year: target or None}). The values measured
    are the reports'; they are kept."""
    with acting_user(user):
        locked = lock_action(action, expected_version)
        if indicator is None:
            position = Indicator.objects.filter(action=locked).aggregate(last=Max("position"))["last"]
            indicator = Indicator(action=locked, position=(position or 0) + 1)
        else:
            indicator = Indicator.objects.select_for_update().get(pk=indicator.pk, action=locked)
        changed = indicator.pk is None
        for name, value in data.items():
            if getattr(indicator, name) != value:
                setattr(indicator, name, value)
                changed = True
        if changed:
            indicator.save()
        _save_targets(indicator, locked.pacte, targets)
        _bump(locked)
    return indicator


def indicator_deletion_refusal(indicator):
    """Why `indicator` may not be deleted (it has values in a closed year), or None."""
    pacte = indicator.action.pacte
    for year in sorted({row.year for row in indicator.values.all()}):
        closure = pacte.closure(year)
        if closure is not None:
            return _(
                "Cet indicateur a des données de %(year)s, année close : il ne peut plus être supprimé. %(why)s"
            ) % {"year": year, "why": closure.message}
    return None


@transaction.atomic
def delete_indicator(action, indicator, user, expected_version):
    with acting_user(user):
        locked = lock_action(action, expected_version)
        indicator = Indicator.objects.filter(pk=indicator.pk, action=locked).first()
        if indicator is None:
            return locked
        refusal = indicator_deletion_refusal(indicator)
        if refusal:
            raise SheetError(refusal)
        try:
            indicator.delete()
        except ClosedYearError as error:
            raise SheetError(error.messages[0]) from None
        _bump(locked)
    return locked
