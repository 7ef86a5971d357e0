"""The action page's indicator charts are drawn once for the same data, and each one served has an id of its own."""

import re

import pygal
import pytest

from pti import charts

pytestmark = pytest.mark.django_db


@pytest.fixture
def drawn(monkeypatch):
    """How many bar charts pygal drew."""
    count = {"bars": 0}
    original = pygal.Bar

    def counting(*args, **kwargs):
        count["bars"] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(charts.pygal, "Bar", counting)
    return count


def chart_ids(svg):
    return set(re.findall(r'id="(chart-[0-9a-f-]+)"', svg))


def test_the_same_data_is_drawn_once_and_served_under_fresh_ids(drawn):
    first = charts.indicator_chart("Véhicules réparés", [2024, 2025], [100, 120], [80, None], "véhicules")
    second = charts.indicator_chart("Véhicules réparés", [2024, 2025], [100, 120], [80, None], "véhicules")
    assert drawn["bars"] == 1
    assert len(chart_ids(first)) == len(chart_ids(second)) == 1
    assert chart_ids(first) != chart_ids(second)
    (old,), (new,) = chart_ids(first), chart_ids(second)
    assert old not in second and first.replace(old, new) == second
    assert "<title>Véhicules réparés : cible et réalisé par année</title>" in second


@pytest.mark.parametrize(
    "changed",
    [
        ("Véhicules réparés", [2024, 2025], [100, 120], [80, 95], "véhicules"),  # a value entered
        ("Véhicules réparés", [2024, 2025], [100, 130], [80, None], "véhicules"),  # a target changed
        ("Véhicules remis en état", [2024, 2025], [100, 120], [80, None], "véhicules"),  # renamed
        ("Véhicules réparés", [2024, 2025], [100, 120], [80, None], "voitures"),  # another unit
    ],
)
def test_what_the_chart_shows_changed_draws_it_again(drawn, changed):
    charts.indicator_chart("Véhicules réparés", [2024, 2025], [100, 120], [80, None], "véhicules")
    svg = charts.indicator_chart(*changed)
    assert drawn["bars"] == 2
    assert changed[4] in svg


def test_the_axis_has_a_few_graduations_written_the_french_way():
    svg = charts.indicator_chart(
        "Nouveaux allocataires orientés", [2022, 2023], [2600, 2700], [2717, 2938], "personnes"
    )
    texts = re.findall(r"<text [^>]*>([^<]*)</text>", svg)
    assert texts[: texts.index("2022")] == ["0", "800", "1\xa0600", "2\xa0400"]
    small = charts.indicator_chart("Taux d'accès", [2024], [2.5], [1.2], "%")
    small_texts = re.findall(r"<text [^>]*>([^<]*)</text>", small)
    assert small_texts[: small_texts.index("2024")] == ["0", "0,8", "1,6", "2,4"]


def test_a_graduation_rounded_to_a_whole_number_has_no_trailing_comma():
    assert [charts._french(v) for v in (2.001, 2400, 0.8, 12.5, None)] == ["2", "2\xa0400", "0,8", "12,5", ""]
