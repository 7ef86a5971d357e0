"""Dates and amounts as French writes them: "1er décembre 2026", "lundi 1er décembre 2026", "1 873 000 €"."""

import re
from decimal import ROUND_HALF_UP, Decimal

from django.utils.formats import date_format, number_format

_FIRST = re.compile(r"(?<!\d)1(?= \D)")


def long_date(value, fmt="j F Y"):
    """`value` in `fmt` (Django's date format letters), the first of the month written "1er"."""
    if value is None or value == "":
        return ""
    text = date_format(value, fmt)
    if "j" in fmt and getattr(value, "day", None) == 1:
        text = _FIRST.sub("1er", text, count=1)
    return text


def euros(value):
    """A whole amount in euros the French way ("1 873 000 €"), "—" when it is not known (None)."""
    if value is None or value == "":
        return "—"
    # Halves go up, as people round money (Python's round() would send 98 500,50 to the even 98 500).
    whole = Decimal(str(value)).quantize(Decimal("1"), rounding=ROUND_HALF_UP)
    return f"{number_format(whole, 0, force_grouping=True)}\u00a0€"
