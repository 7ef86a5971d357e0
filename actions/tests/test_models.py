import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from actions.enums import ActionStatus, PartnerRole
from actions.factories import (
    ActionFactory,
    ActionPartnerFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    PartnerFactory,
    ProgressReportFactory,
)
from actions.models import Action, ActionBudget, IndicatorValue, ProgressReport, number_sort_key
from axes.factories import AxeFactory, ObjectifFactory, PacteFactory

pytestmark = pytest.mark.django_db


def validation_errors(obj):
    with pytest.raises(ValidationError) as excinfo:
        obj.full_clean()
    return excinfo.value.message_dict


# Number


@pytest.mark.parametrize("number", ["1", "2.3", "2.10", "1.2.3.4", "123.456"])
def test_action_number_accepts_digits_and_dots(number):
    ActionFactory.build(axe=AxeFactory(), number=number).full_clean()


@pytest.mark.parametrize("number", ["", "A", "2.", ".2", "2..3", "2,3", "2.3a", "1.2.3.4.5", "1234"])
def test_action_number_refuses_other_forms(number):
    action = ActionFactory.build(axe=AxeFactory(), number=number)
    assert "number" in validation_errors(action)


def test_action_number_is_unique_within_the_pacte():
    existing = ActionFactory(number="2.1")
    other_axe = AxeFactory(pacte=existing.pacte)
    duplicate = ActionFactory.build(axe=other_axe, number="2.1")

    assert "number" in validation_errors(duplicate)


def test_database_refuses_a_duplicate_action_number_in_the_pacte():
    existing = ActionFactory(number="2.1")

    with pytest.raises(IntegrityError), transaction.atomic():
        ActionFactory(axe=AxeFactory(pacte=existing.pacte), number="2.1")


def test_same_action_number_is_allowed_in_another_pacte():
    ActionFactory(number="2.1", axe__pacte=PacteFactory(first_year=2017, last_year=2021))
    action = ActionFactory(number="2.1")

    action.full_clean()
    assert Action.objects.filter(number="2.1").count() == 2


def test_an_action_does_not_conflict_with_its_own_number():
    ActionFactory(number="4.2").full_clean()


def test_pacte_is_copied_from_the_axe_on_save():
    axe = AxeFactory()
    action = ActionFactory(axe=axe)
    assert action.pacte == axe.pacte

    other_axe = AxeFactory(pacte=PacteFactory(first_year=2022, last_year=2025))
    action.axe = other_axe
    action.save(update_fields=["axe"])
    action.refresh_from_db()
    assert action.pacte == other_axe.pacte


def test_numbers_sort_by_value_not_by_text():
    axe = AxeFactory(number=2)
    for number in ["2.10", "2.9", "2.1", "2.1.2", "10.1"]:
        ActionFactory(axe=axe, number=number)

    assert list(Action.objects.filter(axe=axe).values_list("number", flat=True)) == [
        "2.1",
        "2.1.2",
        "2.9",
        "2.10",
        "10.1",
    ]
    assert number_sort_key("2.10") > number_sort_key("2.9")


def test_sort_key_follows_a_renumbering():
    action = ActionFactory(number="2.9")
    action.number = "2.10"
    action.save(update_fields=["number"])
    action.refresh_from_db()
    assert action.sort_key == number_sort_key("2.10")


# Progress


@pytest.mark.parametrize("progress", [0, 100])
def test_action_progress_accepts_bounds(progress):
    ActionFactory(progress=progress).full_clean()


def test_action_progress_above_100_is_refused():
    action = ActionFactory()
    action.progress = 101
    assert "progress" in validation_errors(action)


def test_database_refuses_action_progress_above_100():
    action = ActionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.filter(pk=action.pk).update(progress=150)
    action.refresh_from_db()
    assert action.progress == 40


def test_report_progress_above_100_is_refused():
    report = ProgressReportFactory()
    report.progress = 101
    assert "progress" in validation_errors(report)


def test_database_refuses_report_progress_above_100():
    report = ProgressReportFactory(progress=50)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressReport.objects.filter(pk=report.pk).update(progress=150)
    report.refresh_from_db()
    assert report.progress == 50


def test_database_refuses_an_unknown_action_status():
    action = ActionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.filter(pk=action.pk).update(status="lost")


# Dates


def test_action_dates_inside_the_pacte_years_are_accepted():
    axe = AxeFactory(pacte=PacteFactory(first_year=2022, last_year=2025))
    ActionFactory(axe=axe, start_date=datetime.date(2022, 1, 1), end_date=datetime.date(2025, 12, 31)).full_clean()


@pytest.mark.parametrize(
    "field, value", [("start_date", datetime.date(2021, 12, 31)), ("end_date", datetime.date(2026, 1, 1))]
)
def test_action_dates_outside_the_pacte_years_are_refused(field, value):
    axe = AxeFactory(pacte=PacteFactory(first_year=2022, last_year=2025))
    action = ActionFactory.build(axe=axe, number="1.1", **{field: value})
    assert field in validation_errors(action)


def test_action_end_before_start_is_refused():
    action = ActionFactory.build(
        axe=AxeFactory(), number="1.1", start_date=datetime.date(2024, 6, 1), end_date=datetime.date(2024, 5, 31)
    )
    assert "end_date" in validation_errors(action)


def test_database_refuses_an_end_before_the_start():
    action = ActionFactory(start_date=datetime.date(2024, 6, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        Action.objects.filter(pk=action.pk).update(end_date=datetime.date(2024, 5, 31))


def test_action_without_dates_is_valid():
    ActionFactory(start_date=None, end_date=None).full_clean()


# Objectif


def test_objectif_of_the_action_axe_is_accepted():
    objectif = ObjectifFactory()
    ActionFactory(axe=objectif.axe, objectif=objectif).full_clean()


def test_objectif_of_another_axe_is_refused():
    action = ActionFactory()
    action.objectif = ObjectifFactory(axe=AxeFactory(pacte=action.pacte))
    assert "objectif" in validation_errors(action)


# Reports


def test_one_report_per_action_and_year():
    report = ProgressReportFactory(year=2023)
    with pytest.raises(IntegrityError), transaction.atomic():
        ProgressReportFactory(action=report.action, year=2023)
    ProgressReportFactory(action=report.action, year=2024)
    assert report.action.reports.count() == 2


def test_duplicate_report_is_a_validation_error():
    report = ProgressReportFactory(year=2023)
    duplicate = ProgressReportFactory.build(action=report.action, year=2023)
    assert validation_errors(duplicate)


def test_report_year_outside_the_pacte_is_refused():
    report = ProgressReportFactory.build(action=ActionFactory(), year=2030)
    assert "year" in validation_errors(report)


def test_submitted_reports_are_listed_apart():
    draft = ProgressReportFactory()
    submitted = ProgressReportFactory(submitted=True)
    assert list(ProgressReport.objects.submitted()) == [submitted]
    assert submitted.is_submitted and not draft.is_submitted


# Indicators and budgets


@pytest.mark.parametrize("field", ["target", "value"])
def test_indicator_value_cannot_be_negative(field):
    value = IndicatorValueFactory(year=2023)
    setattr(value, field, Decimal("-1"))
    assert field in validation_errors(value)


@pytest.mark.parametrize("field", ["target", "value"])
def test_database_refuses_a_negative_indicator_value(field):
    value = IndicatorValueFactory(year=2023)
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorValue.objects.filter(pk=value.pk).update(**{field: Decimal("-1")})


def test_indicator_value_year_outside_the_pacte_is_refused():
    value = IndicatorValueFactory.build(indicator=IndicatorFactory(), year=2019)
    assert "year" in validation_errors(value)


def test_one_indicator_value_per_year():
    value = IndicatorValueFactory(year=2023)
    with pytest.raises(IntegrityError), transaction.atomic():
        IndicatorValueFactory(indicator=value.indicator, year=2023)


@pytest.mark.parametrize(
    "higher_is_better, value, on_target", [(True, 120, True), (True, 80, False), (False, 80, True), (False, 120, False)]
)
def test_indicator_value_gap_and_target(higher_is_better, value, on_target):
    created = IndicatorValueFactory(
        indicator__higher_is_better=higher_is_better, year=2023, target=Decimal(100), value=Decimal(value)
    )
    indicator_value = IndicatorValue.objects.get(pk=created.pk)
    assert indicator_value.gap == Decimal(value - 100)
    assert indicator_value.on_target is on_target
    assert indicator_value.state == ("on_target" if on_target else "behind")


def test_indicator_value_without_measure_has_no_gap():
    created = IndicatorValueFactory(year=2023, value=None, target=Decimal(10))
    indicator_value = IndicatorValue.objects.get(pk=created.pk)
    assert indicator_value.gap is None
    assert indicator_value.on_target is None
    assert indicator_value.state == "no_value"


def test_budget_year_outside_the_pacte_is_refused():
    budget = ActionBudget(action=ActionFactory(), year=2030, planned=Decimal(1000))
    assert "year" in validation_errors(budget)


def test_database_refuses_a_negative_budget():
    budget = ActionBudget.objects.create(action=ActionFactory(), year=2023, planned=Decimal(1000))
    with pytest.raises(IntegrityError), transaction.atomic():
        ActionBudget.objects.filter(pk=budget.pk).update(planned=Decimal(-1))


def test_only_a_funder_brings_an_amount():
    partner_role = ActionPartnerFactory.build(
        action=ActionFactory(), partner=PartnerFactory(), role=PartnerRole.PILOT, amount=Decimal(10)
    )
    assert "amount" in validation_errors(partner_role)
    ActionPartnerFactory(funder=True).full_clean()


# Late actions


TODAY = datetime.date(2024, 6, 15)


@pytest.mark.parametrize(
    "end_date, status, late",
    [
        (datetime.date(2024, 6, 14), ActionStatus.IN_PROGRESS, True),
        (datetime.date(2024, 6, 14), ActionStatus.TO_LAUNCH, True),
        (datetime.date(2024, 6, 14), ActionStatus.POSTPONED, True),
        (datetime.date(2024, 6, 14), ActionStatus.DONE, False),
        (datetime.date(2024, 6, 14), ActionStatus.ABANDONED, False),
        (datetime.date(2024, 6, 15), ActionStatus.IN_PROGRESS, False),
        (None, ActionStatus.IN_PROGRESS, False),
    ],
)
def test_action_is_late_once_its_end_date_passed_unless_finished(end_date, status, late):
    action = ActionFactory(end_date=end_date, status=status)

    assert Action.objects.with_late(TODAY).get(pk=action.pk).is_late is late
    assert Action.objects.late(today=TODAY).filter(pk=action.pk).exists() is late


def test_every_action_read_knows_whether_it_is_late_today():
    late = ActionFactory(late=True)  # the trait ends in the pacte's first year, long gone
    done = ActionFactory(late=True, status=ActionStatus.DONE)
    assert Action.objects.get(pk=late.pk).is_late is True
    assert Action.objects.get(pk=done.pk).is_late is False
    assert late.axe.actions.get(pk=late.pk).is_late is True
