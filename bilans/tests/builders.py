"""A small pacte with everything a bilan shows, built the same way for every test that reads a PDF."""

import datetime
from decimal import Decimal

from actions.enums import ActionStatus, PartnerKind, PartnerRole, ReportState, Weather
from actions.factories import (
    ActionFactory,
    ActionPartnerFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    PartnerFactory,
    ProgressReportFactory,
)
from axes.factories import AxeFactory, ObjectifFactory, PacteFactory
from pilotage.enums import DecisionStatus
from pilotage.factories import CopilFactory, DecisionFactory, HighlightedActionFactory
from pti.factories import UserFactory

YEAR = 2024


def small_pacte(slug="pti-test", **report_texts):
    """PTI 2022-2025 with two axes, three actions, reports for 2024, indicators for 2023 and 2024, a COPIL in
    2024 and partners of two kinds. `report_texts` overrides the texts of action 1.1's 2024 report."""
    pacte = PacteFactory(slug=slug, title="Pacte territorial d'insertion de test", first_year=2022, last_year=2025)
    camille = UserFactory(username="camille", first_name="Camille", last_name="Durand")
    julien = UserFactory(username="julien", first_name="Julien", last_name="Morel")
    orienter = AxeFactory(pacte=pacte, number=1, title="Orienter et accompagner")
    emploi = AxeFactory(pacte=pacte, number=2, title="Emploi et entreprises")
    objectif = ObjectifFactory(axe=orienter, number=1, text="Raccourcir les délais d'orientation")
    plateforme = ActionFactory(
        axe=orienter,
        objectif=objectif,
        number="1.1",
        title="Plateforme départementale d'orientation",
        referents=[camille],
        status=ActionStatus.IN_PROGRESS,
        progress=60,
    )
    mobilite = ActionFactory(
        axe=orienter, number="1.2", title="Garage solidaire de la mobilité", referents=[julien], progress=30
    )
    clauses = ActionFactory(
        axe=emploi,
        number="2.1",
        title="Clauses sociales dans les marchés publics",
        referents=[camille, julien],
        status=ActionStatus.DONE,
        progress=100,
    )
    texts = {
        "advances": "Délai moyen d'orientation ramené à 28 jours.",
        "difficulties": "Recrutement difficile des conseillers.",
        "adjustments": "Permanences délocalisées à Saint-Junien.",
        **report_texts,
    }
    ProgressReportFactory(
        action=plateforme,
        year=YEAR,
        state=ReportState.SUBMITTED,
        submitted_at=datetime.datetime(2024, 12, 1, tzinfo=datetime.UTC),
        status=ActionStatus.IN_PROGRESS,
        progress=60,
        weather=Weather.SOME_DIFFICULTIES,
        **texts,
    )
    ProgressReportFactory(
        action=clauses,
        year=YEAR,
        state=ReportState.SUBMITTED,
        status=ActionStatus.DONE,
        progress=100,
        advances="Douze marchés avec clause d'insertion.",
        difficulties="",
        adjustments="",
    )
    ProgressReportFactory(
        action=mobilite,
        year=YEAR,
        state=ReportState.DRAFT,
        advances="Brouillon pas encore transmis : ne doit pas paraître.",
    )
    indicator = IndicatorFactory(action=plateforme, label="Délai moyen d'orientation", unit="jours")
    IndicatorValueFactory(indicator=indicator, year=2023, target=Decimal("40"), value=Decimal("41"))
    IndicatorValueFactory(indicator=indicator, year=YEAR, target=Decimal("30"), value=Decimal("28"))
    heures = IndicatorFactory(action=clauses, label="Heures d'insertion réalisées", unit="heures")
    IndicatorValueFactory(indicator=heures, year=2023, target=Decimal("10000"), value=Decimal("9876"))
    IndicatorValueFactory(indicator=heures, year=YEAR, target=Decimal("12000"), value=Decimal("12345"))

    copil = CopilFactory(pacte=pacte, date=datetime.date(2024, 11, 26), place="Hôtel du Département")
    HighlightedActionFactory(copil=copil, action=plateforme, comment="Délais divisés par deux en un an.")
    DecisionFactory(
        copil=copil,
        text="Étendre la plateforme au nord du département.",
        action=plateforme,
        owner=camille,
        due_date=datetime.date(2025, 6, 30),
        status=DecisionStatus.OPEN,
        follow_up="Étude de faisabilité lancée en janvier.",
    )
    CopilFactory(pacte=pacte, date=datetime.date(2023, 11, 21), place="COPIL de l'année précédente")

    france_travail = PartnerFactory(name="France Travail", kind=PartnerKind.INSTITUTIONAL)
    emmaus = PartnerFactory(name="Emmaüs Connect", kind=PartnerKind.ASSOCIATIVE)
    ActionPartnerFactory(action=plateforme, partner=france_travail, role=PartnerRole.PILOT)
    ActionPartnerFactory(action=clauses, partner=france_travail, role=PartnerRole.OPERATIONAL)
    ActionPartnerFactory(action=mobilite, partner=emmaus, role=PartnerRole.FUNDER, amount=Decimal("5000"))
    return pacte
