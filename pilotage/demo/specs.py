"""The shapes of the demo data: plain, frozen descriptions that `pilotage.demo.builder` turns into rows."""

import datetime
from dataclasses import dataclass, field

from actions.enums import ActionStatus, Priority


@dataclass(frozen=True)
class IndicatorSpec:
    label: str
    unit: str = "personnes"
    first_target: float = 100
    # Added to the target each year (negative for an indicator that should go down).
    step: float = 0
    baseline: float | None = None
    higher_is_better: bool = True
    # Measured values by year; years not given are derived from the target (see builder).
    values: dict = field(default_factory=dict)


@dataclass(frozen=True)
class ReportText:
    advances: str = ""
    difficulties: str = ""
    next_steps: str = ""
    adjustments: str = ""
    means: str = ""


@dataclass(frozen=True)
class ActionSpec:
    title: str
    description: str
    public: str
    status: str = ActionStatus.DONE
    # "YYYY-MM": the action starts on the first day of the first month and ends on the last day of the second.
    start: str = ""
    end: str = ""
    pilot: str = "Département de la Haute-Vienne"
    co_pilots: tuple = ()
    # (partner name, amount in euros for the whole action)
    funders: tuple = ()
    operational: tuple = ()
    indicators: tuple = ()
    referents: tuple = ()
    priority: str = Priority.NORMAL
    # Planned budget per year, in euros.
    budget: int = 0
    # Final progress; derived from the status when None.
    progress: int | None = None
    # Hand-written reports by year; the other years get generated texts.
    reports: dict = field(default_factory=dict)

    @property
    def start_date(self):
        year, month = (int(part) for part in self.start.split("-"))
        return datetime.date(year, month, 1)

    @property
    def end_date(self):
        year, month = (int(part) for part in self.end.split("-"))
        next_month = datetime.date(year + month // 12, month % 12 + 1, 1)
        return next_month - datetime.timedelta(days=1)


@dataclass(frozen=True)
class ObjectifSpec:
    text: str
    actions: tuple


@dataclass(frozen=True)
class AxeSpec:
    title: str
    description: str = ""
    objectifs: tuple = ()
    # Actions directly under the axe (PTI 2017-2021 has no objectives).
    actions: tuple = ()
    thematic_referents: tuple = ()

    def numbered_actions(self):
        """[(objectif number or None, action spec)] in the order they are numbered within the axe."""
        pairs = [(index, action) for index, objectif in enumerate(self.objectifs, 1) for action in objectif.actions]
        return pairs + [(None, action) for action in self.actions]


@dataclass(frozen=True)
class DecisionSpec:
    text: str
    owner: str
    due: datetime.date
    status: str
    follow_up: str = ""
    action: str | None = None


@dataclass(frozen=True)
class CopilSpec:
    date: datetime.date
    agenda: str
    minutes: str
    attendees: tuple
    partners: tuple
    # (action number, comment)
    highlights: tuple
    decisions: tuple
    place: str = "Hôtel du Département, Limoges"
    # People without an account: (name, partner name or None, other organisation, function, presence)
    guests: tuple = ()


@dataclass(frozen=True)
class PacteSpec:
    slug: str
    title: str
    first_year: int
    last_year: int
    signature_date: datetime.date
    status: str
    description: str
    axes: tuple
    copils: tuple
    # Reports are written for these years (the later ones are still to come).
    report_years: tuple
    # Indicator values are measured for these years.
    measured_years: tuple
    # Actual budgets are known for these years.
    spent_years: tuple
    # Some reports of this year are still drafts.
    draft_year: int | None = None
    territory: str = "Haute-Vienne"
    # Both demo pactes are on the public page (bilans/public.py), without the referents' names.
    published: bool = True
