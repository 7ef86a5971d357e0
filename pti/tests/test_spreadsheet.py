import csv
import io
from decimal import Decimal

import openpyxl
import pytest

from pti.spreadsheet import csv_writer, neutralise, restore, write_cell


@pytest.mark.parametrize(
    ("typed", "written"),
    [
        ("=1+1", "'=1+1"),
        ("+1+1", "'+1+1"),
        ("-1+cmd|' /C calc'!A0", "'-1+cmd|' /C calc'!A0"),
        ("@SUM(1+1)", "'@SUM(1+1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("\uff1d1+1", "'\uff1d1+1"),
        ("\uff0b1", "'\uff0b1"),
        ("\uff0d1", "'\uff0d1"),
        ("\uff20SUM(1)", "'\uff20SUM(1)"),
        ("- une puce", "'- une puce"),
        ("-", "'-"),
        # Plain numbers, and text that does not start like a formula, are written as they are.
        ("-12,50", "-12,50"),
        ("-12.5", "-12.5"),
        ("+3", "+3"),
        ("2.10", "2.10"),
        ("Mobilité = priorité", "Mobilité = priorité"),
        (" =1+1", " =1+1"),
        ("'=1+1", "''=1+1"),
        ("'texte", "'texte"),
        ("", ""),
        (None, None),
        (-3, -3),
        (Decimal("-1.5"), Decimal("-1.5")),
    ],
)
def test_neutralise(typed, written):
    assert neutralise(typed) == written


@pytest.mark.parametrize("typed", ["=1+1", "-1+2", "@x", "'=1+1", "''=1+1", "'texte", "-12,50", "texte"])
def test_restore_gives_back_what_was_typed(typed):
    assert restore(neutralise(typed)) == typed


def test_csv_writer_guards_every_cell():
    buffer = io.StringIO()
    csv_writer(buffer, delimiter=";").writerows([["=1+1", -2, "-2", "@a"]])
    assert next(csv.reader(io.StringIO(buffer.getvalue()), delimiter=";")) == ["'=1+1", "-2", "-2", "'@a"]


def test_write_cell_keeps_text_as_text_and_numbers_as_numbers():
    book = openpyxl.Workbook()
    sheet = book.active
    assert write_cell(sheet, 1, 1, "=1+1").data_type == "s"
    write_cell(sheet, 1, 2, "\x00=1+1")  # a character XML refuses is dropped before the guard looks
    write_cell(sheet, 1, 3, Decimal("-4.5"))
    buffer = io.BytesIO()
    book.save(buffer)
    row = next(openpyxl.load_workbook(buffer).active.iter_rows(values_only=True))
    assert row == ("'=1+1", "'=1+1", -4.5)
