import datetime
from decimal import Decimal

import pytest
from django.template import Context, Template

from pti.formats import euros, long_date


@pytest.mark.parametrize(
    "day, fmt, text",
    [
        (datetime.date(2026, 12, 1), "j F Y", "1er décembre 2026"),
        (datetime.date(2026, 12, 2), "j F Y", "2 décembre 2026"),
        (datetime.date(2026, 12, 11), "j F Y", "11 décembre 2026"),
        (datetime.date(2026, 12, 21), "j F Y", "21 décembre 2026"),
        (datetime.date(2026, 12, 1), "l j F Y", "mardi 1er décembre 2026"),
        (datetime.date(2026, 1, 1), "j F", "1er janvier"),
        (datetime.datetime(2026, 3, 1, 9, 5), "j F Y à H:i", "1er mars 2026 à 09:05"),
    ],
)
def test_dates_are_written_the_french_way(day, fmt, text):
    assert long_date(day, fmt) == text


def test_the_template_filter_says_the_same():
    rendered = Template('{% load pti_tags %}{{ d|date_fr }} – {{ d|date_fr:"l j F Y" }}').render(
        Context({"d": datetime.date(2025, 3, 1)})
    )
    assert rendered == "1er mars 2025 – samedi 1er mars 2025"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "—"),
        (0, "0\xa0€"),
        (1873000, "1\xa0873\xa0000\xa0€"),
        (Decimal("98500.50"), "98\xa0501\xa0€"),  # halves go up, not to the even neighbour
        (Decimal("98501.50"), "98\xa0502\xa0€"),
        (Decimal("98500.49"), "98\xa0500\xa0€"),
        (12.6, "13\xa0€"),
    ],
)
def test_euros_are_whole_amounts_the_french_way(value, expected):
    assert euros(value) == expected
