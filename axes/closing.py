"""Closed years: one rule, here, for every write path (pages, API, admin, import, services, shell).

A year of a pacte is closed once the council has approved its bilan (a `ClosedYear` row, written by the bilan
workflow), and every year of a closed pacte is. The data of a closed year, its yearly reports (and their
documents), its indicator values and its budgets, no longer change: the models refuse the write (`ensure_open`
in their `save`, `delete` and querysets' `update`), raising `ClosedYearError` with the reason in French, which
forms show next to the fields and views answer with a 403.
"""

import contextlib
import threading
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext as _

from pti.formats import long_date

_state = threading.local()


@dataclass(frozen=True)
class Closure:
    year: int
    pacte_closed: bool
    approval_date: object = None
    deliberation_reference: str = ""

    @property
    def message(self):
        if self.pacte_closed:
            return _("Le pacte est clos : les données de l'année %(year)s ne peuvent plus être modifiées.") % {
                "year": self.year
            }
        if self.approval_date:
            text = _("L'année %(year)s est close : son bilan a été approuvé le %(date)s") % {
                "year": self.year,
                "date": long_date(self.approval_date),
            }
        else:
            text = _("L'année %(year)s est close : son bilan a été approuvé") % {"year": self.year}
        if self.deliberation_reference:
            text += " " + _("(délibération %(reference)s)") % {"reference": self.deliberation_reference}
        return text + "."

    def __str__(self):
        return self.message


class ClosedYearError(ValidationError):
    """A write to the data of a closed year, refused."""

    def __init__(self, closure, message=None):
        self.closure = closure
        super().__init__(message or closure.message, code="closed_year")


def closure(pacte, year):
    """The `Closure` of `year` of `pacte`, or None while it is open."""
    if pacte is None or year is None:
        return None
    from axes.enums import PacteStatus

    if pacte.status == PacteStatus.CLOSED:
        return Closure(year=year, pacte_closed=True)
    cache = getattr(pacte, "_prefetched_objects_cache", {})
    if "closed_years" in cache:
        closed = next((row for row in cache["closed_years"] if row.year == year), None)
    else:
        closed = pacte.closed_years.filter(year=year).first()
    if closed is None:
        return None
    return Closure(
        year=year,
        pacte_closed=False,
        approval_date=closed.approval_date,
        deliberation_reference=closed.deliberation_reference,
    )


def closed_q(pacte_path, year_path="year"):
    """Rows (reached through `pacte_path`, e.g. "action__pacte") whose `year_path` is a closed year."""
    from axes.enums import PacteStatus
    from axes.models import ClosedYear

    closed_year = ClosedYear.objects.filter(pacte=OuterRef(pacte_path), year=OuterRef(year_path))
    return Q(**{f"{pacte_path}__status": PacteStatus.CLOSED}) | Q(Exists(closed_year))


def writes_allowed():
    return getattr(_state, "bypass", 0) > 0


@contextlib.contextmanager
def reopened():
    """Let the demo data and data migrations write closed years (never a user's path)."""
    _state.bypass = getattr(_state, "bypass", 0) + 1
    try:
        yield
    finally:
        _state.bypass -= 1


def ensure_open(pacte, year, message=None):
    """Raise ClosedYearError if `year` of `pacte` is closed."""
    if writes_allowed():
        return
    found = closure(pacte, year)
    if found is not None:
        raise ClosedYearError(found, message)


def ensure_queryset_open(queryset, pacte_path, year_path="year"):
    """Raise ClosedYearError if one of the rows of `queryset` belongs to a closed year (for update/delete)."""
    if writes_allowed():
        return
    row = queryset.filter(closed_q(pacte_path, year_path)).values_list(pacte_path, year_path).first()
    if row is not None:
        from axes.models import Pacte

        ensure_open(Pacte.objects.get(pk=row[0]), row[1])
