"""Export the demo pacte in the import layout, import it as a new pacte, export again: the same content."""

import io

import openpyxl
import pytest
from django.db import transaction
from django.test import override_settings

from actions.exports import pacte_workbook_bytes
from actions.importer import apply_import, plan_import, read_bytes
from actions.models import Action, ActionPartner, Indicator, IndicatorValue
from axes.models import Axe, Objectif, Pacte
from pilotage.demo.builder import seed

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="module", autouse=True)
def seeded(django_db_setup, django_db_blocker):
    """The demo, seeded once for the module inside a transaction rolled back at the end."""
    atomic = transaction.atomic()
    with django_db_blocker.unblock():
        atomic.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
                seed(1)
        except BaseException:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
            raise
    yield
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        atomic.__exit__(None, None, None)


def cells(data):
    """{sheet: [row values]} of an XLSX."""
    book = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    try:
        return {name: [list(row) for row in book[name].iter_rows(values_only=True)] for name in book.sheetnames}
    finally:
        book.close()


def renamed(data, slug, title):
    book = openpyxl.load_workbook(io.BytesIO(data))
    book["Pacte"]["A2"] = slug
    book["Pacte"]["B2"] = title
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def import_bytes(data):
    parsed = read_bytes(data)
    assert parsed.is_valid, [str(issue) for issue in parsed.issues]
    plan = plan_import(parsed)
    return plan, apply_import(plan)


@pytest.mark.parametrize("slug", ["pti-2022-2025", "pti-2017-2021"])
def test_demo_pacte_exports_imports_as_a_new_pacte_and_exports_the_same(db, slug):
    original = Pacte.objects.get(slug=slug)
    exported = pacte_workbook_bytes(original)
    before = cells(exported)
    assert len(before["Actions"]) - 1 == Action.objects.filter(pacte=original).count()

    plan, copy = import_bytes(renamed(exported, "copie", "Copie du pacte"))

    assert copy.slug == "copie" and copy.pk != original.pk
    assert Action.objects.filter(pacte=copy).count() == Action.objects.filter(pacte=original).count()
    assert Axe.objects.filter(pacte=copy).count() == Axe.objects.filter(pacte=original).count()
    assert Objectif.objects.filter(axe__pacte=copy).count() == Objectif.objects.filter(axe__pacte=original).count()
    assert (
        ActionPartner.objects.filter(action__pacte=copy).count()
        == ActionPartner.objects.filter(action__pacte=original).count()
    )
    assert (
        Indicator.objects.filter(action__pacte=copy).count() == Indicator.objects.filter(action__pacte=original).count()
    )
    assert IndicatorValue.objects.filter(indicator__action__pacte=copy, target__isnull=False).count() == (
        IndicatorValue.objects.filter(indicator__action__pacte=original, target__isnull=False).count()
    )
    after = cells(pacte_workbook_bytes(copy))
    before["Pacte"][1][:2] = after["Pacte"][1][:2] = [None, None]
    assert after == before


def test_reimporting_the_same_file_changes_nothing(db):
    exported = renamed(pacte_workbook_bytes(Pacte.objects.get(slug="pti-2022-2025")), "copie-2", "Copie")
    import_bytes(exported)
    copy = Pacte.objects.get(slug="copie-2")
    versions = dict(Action.objects.filter(pacte=copy).values_list("number", "version"))
    history = Action.history.filter(pacte_id=copy.pk).count()

    plan, _ = import_bytes(exported)

    assert plan.is_noop, [(c.kind, c.label, c.status, c.changed) for c in plan.touched][:5]
    assert dict(Action.objects.filter(pacte=copy).values_list("number", "version")) == versions
    assert Action.history.filter(pacte_id=copy.pk).count() == history


def test_importing_the_exported_pacte_over_itself_changes_nothing(db):
    pacte = Pacte.objects.get(slug="pti-2022-2025")
    plan = plan_import(read_bytes(pacte_workbook_bytes(pacte)))
    assert plan.is_noop, [(c.kind, c.label, c.status, c.changed) for c in plan.touched][:5]
