import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from actions.factories import ActionFactory
from pilotage.enums import DecisionStatus
from pilotage.factories import CopilFactory, DecisionFactory, HighlightedActionFactory
from pilotage.models import Decision, HighlightedAction

pytestmark = pytest.mark.django_db


def test_highlighted_action_belongs_to_the_copil_pacte():
    HighlightedActionFactory().full_clean()


def test_highlighted_action_of_another_pacte_is_refused():
    highlight = HighlightedAction(copil=CopilFactory(), action=ActionFactory())
    with pytest.raises(ValidationError) as excinfo:
        highlight.full_clean()
    assert "action" in excinfo.value.message_dict


def test_an_action_is_highlighted_once_per_copil():
    highlight = HighlightedActionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        HighlightedAction.objects.create(copil=highlight.copil, action=highlight.action)


def test_decision_linked_to_an_action_of_another_pacte_is_refused():
    decision = DecisionFactory.build(copil=CopilFactory(), action=ActionFactory())
    with pytest.raises(ValidationError) as excinfo:
        decision.full_clean()
    assert "action" in excinfo.value.message_dict


def test_decision_linked_to_an_action_of_the_pacte_is_accepted():
    copil = CopilFactory()
    DecisionFactory(copil=copil, action=ActionFactory(axe__pacte=copil.pacte)).full_clean()


def test_one_copil_per_pacte_and_date():
    copil = CopilFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        CopilFactory(pacte=copil.pacte, date=copil.date)
    CopilFactory(date=copil.date)  # another pacte


def test_copil_reads_as_its_date():
    copil = CopilFactory(date=datetime.date(2024, 3, 5))
    assert str(copil) == "COPIL du 05/03/2024"
    assert copil.year == 2024


TODAY = datetime.date(2024, 6, 15)


@pytest.mark.parametrize(
    "due_date, status, late",
    [
        (datetime.date(2024, 6, 14), DecisionStatus.OPEN, True),
        (datetime.date(2024, 6, 15), DecisionStatus.OPEN, False),
        (datetime.date(2024, 6, 14), DecisionStatus.DONE, False),
        (datetime.date(2024, 6, 14), DecisionStatus.DROPPED, False),
        (None, DecisionStatus.OPEN, False),
    ],
)
def test_open_decision_is_late_once_due(due_date, status, late):
    decision = DecisionFactory(due_date=due_date, status=status)
    assert Decision.objects.late(today=TODAY).filter(pk=decision.pk).exists() is late


def test_every_decision_read_knows_whether_it_is_late_today():
    def read(decision):
        return Decision.objects.get(pk=decision.pk).is_late

    today = datetime.date.today()
    assert read(DecisionFactory(due_date=datetime.date(2020, 1, 1))) is True
    assert read(DecisionFactory(due_date=None)) is False
    assert read(DecisionFactory(due_date=today)) is False  # due today: not late yet
    assert read(DecisionFactory(due_date=datetime.date(2020, 1, 1), status=DecisionStatus.DONE)) is False


def test_database_refuses_an_unknown_decision_status():
    decision = DecisionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Decision.objects.filter(pk=decision.pk).update(status="forgotten")
