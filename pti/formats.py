"""Dates as French writes them: "1er décembre 2026", "lundi 1er décembre 2026", "2 décembre 2026"."""

import re

from django.utils.formats import date_format

_FIRST = re.compile(r"(?<!\d)1(?= \D)")


def long_date(value, fmt="j F Y"):
    """`value` in `fmt` (Django's date format letters), the first of the month written "1er"."""
    if value is None or value == "":
        return ""
    text = date_format(value, fmt)
    if "j" in fmt and getattr(value, "day", None) == 1:
        text = _FIRST.sub("1er", text, count=1)
    return text
