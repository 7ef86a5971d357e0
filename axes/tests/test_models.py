import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from axes.factories import AxeFactory, ObjectifFactory, PacteFactory
from axes.models import ClosedYear, Pacte

pytestmark = pytest.mark.django_db


def test_pacte_last_year_before_first_year_is_refused():
    pacte = PacteFactory.build(slug="pti-a-l-envers", first_year=2025, last_year=2022)
    with pytest.raises(ValidationError) as excinfo:
        pacte.full_clean()
    assert "last_year" in excinfo.value.message_dict


def test_database_refuses_a_pacte_whose_years_are_not_ordered():
    pacte = PacteFactory(first_year=2022, last_year=2025)
    with pytest.raises(IntegrityError), transaction.atomic():
        Pacte.objects.filter(pk=pacte.pk).update(last_year=2021)


def test_a_one_year_pacte_is_valid():
    PacteFactory(first_year=2024, last_year=2024).full_clean()


def test_pacte_years_and_contains_year():
    pacte = PacteFactory(first_year=2022, last_year=2025)
    assert pacte.years == [2022, 2023, 2024, 2025]
    assert pacte.contains_year(2022) and pacte.contains_year(2025)
    assert not pacte.contains_year(2021) and not pacte.contains_year(2026)


def test_year_is_closed_once_recorded_for_this_pacte_only():
    pacte = PacteFactory()
    other = PacteFactory()
    ClosedYear.objects.create(pacte=pacte, year=2023)

    assert pacte.is_year_closed(2023)
    assert not pacte.is_year_closed(2024)
    assert not other.is_year_closed(2023)


def test_a_year_is_closed_once_per_pacte():
    pacte = PacteFactory()
    ClosedYear.objects.create(pacte=pacte, year=2023)
    with pytest.raises(IntegrityError), transaction.atomic():
        ClosedYear.objects.create(pacte=pacte, year=2023)


def test_axe_number_is_unique_within_the_pacte_only():
    axe = AxeFactory(number=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        AxeFactory(pacte=axe.pacte, number=1)
    AxeFactory(number=1)  # another pacte


def test_objectif_code_joins_axe_and_objectif_numbers():
    objectif = ObjectifFactory(axe__number=2, number=3, text="Lever les freins à la mobilité")
    assert objectif.code == "2.3"
    assert str(objectif) == "2.3 Lever les freins à la mobilité"


def test_objectif_number_is_unique_within_the_axe():
    objectif = ObjectifFactory(number=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        ObjectifFactory(axe=objectif.axe, number=1)
