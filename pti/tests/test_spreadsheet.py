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


def test_a_streamed_workbook_leaves_while_its_rows_are_written():
    """The bytes come out as the rows go in (a few tens of kilobytes every thousand rows), not once at the end,
    and the pieces make a workbook that opens, rows, widths, frozen header, filter and second sheet included."""
    from pti.spreadsheet import StreamedWorkbook

    streamed = StreamedWorkbook()
    sheet = streamed.add_sheet("Actions")
    sheet.column_dimensions["B"].width = 40
    sheet.freeze_panes = "A2"
    streamed.begin(sheet)
    parts = [streamed.take()]
    sheet.append(["Numéro", "Titre"])
    taken_while_writing = 0
    for number in range(1, 5001):
        sheet.append(
            [number, f"Action {number} : insertion par l'activité économique, mobilité {number * 7919 % 10007}"]
        )
        if streamed.pending:
            taken_while_writing += 1
            parts.append(streamed.take())
    sheet.auto_filter.ref = "A1:B5001"
    streamed.end(sheet)
    other = streamed.add_sheet("Notice")
    streamed.begin(other)
    other.append(["=1+1"])
    streamed.end(other)
    parts.append(streamed.finish())

    assert parts[0].startswith(b"PK\x03\x04") and taken_while_writing >= 3
    book = openpyxl.load_workbook(io.BytesIO(b"".join(parts)))
    actions, notice = book.worksheets
    assert (actions.title, actions.max_row, actions.freeze_panes, actions.auto_filter.ref) == (
        "Actions",
        5001,
        "A2",
        "A1:B5001",
    )
    assert actions.column_dimensions["B"].width == 40
    assert [cell.value for cell in actions[5001]] == [
        5000,
        "Action 5000 : insertion par l'activité économique, mobilité 7308",
    ]
    assert notice["A1"].value == "=1+1"
