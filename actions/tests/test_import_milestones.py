"""The "Étapes" sheet of the pacte workbook: exported, read back by the import with its preview and confirmation,
the versions of the milestones checked like every other row; a workbook without the sheet leaves them alone."""

import datetime

import pytest

from actions import followup
from actions.importer import ImportConflict, apply_import, plan_import, read_bytes
from actions.models import Action, Milestone
from actions.tests.test_import import CONFIRM_URL, messages_of, preview, token_of, xlsx
from axes.models import Pacte
from pti.factories import UserFactory

pytestmark = pytest.mark.django_db

HEADERS = ["Action", "Étape", "Date prévue", "Date de réalisation", "Remarque"]


@pytest.fixture
def people(db):
    return UserFactory(username="ref", email="ref@haute-vienne.example"), UserFactory(
        username="theme", email="Theme@Haute-Vienne.example"
    )


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def milestones_sheet(*rows):
    return {"Étapes": [HEADERS, *rows]}


FIRST = milestones_sheet(
    ["1.1", "Convention avec le garage", "31/03/2026", "15/06/2026", "Signée en juin"],
    ["1.1", "Premiers véhicules", "30/09/2026", None, None],
    ["2.1", "Recrutement des parrains", "31/01/2027", None, ""],
)


def imported(staff, sheets=FIRST):
    parsed = read_bytes(xlsx(sheets))
    assert parsed.is_valid, [str(issue) for issue in parsed.issues]
    plan = plan_import(parsed)
    apply_import(plan, staff)
    return plan


def state():
    return [
        (m.action.number, m.title, m.planned_date.isoformat(), m.done_date and m.done_date.isoformat(), m.note)
        for m in Milestone.objects.select_related("action").order_by("action__number", "position")
    ]


def test_preview_then_confirm_creates_the_milestones(staff_client, people):
    response = preview(staff_client, xlsx(FIRST))
    assert response.status_code == 200
    assert dict(response.context["summary"])["Étapes"] == [("créés", 3)]
    assert not Milestone.objects.exists()
    staff_client.post(CONFIRM_URL, {"token": token_of(response)})
    assert state() == [
        ("1.1", "Convention avec le garage", "2026-03-31", "2026-06-15", "Signée en juin"),
        ("1.1", "Premiers véhicules", "2026-09-30", None, ""),
        ("2.1", "Recrutement des parrains", "2027-01-31", None, ""),
    ]
    assert list(Milestone.objects.filter(action__number="1.1").values_list("position", flat=True)) == [1, 2]


def test_importing_the_same_file_again_changes_nothing(staff, people):
    imported(staff)
    plan = plan_import(read_bytes(xlsx(FIRST)))
    assert plan.is_noop
    assert Milestone.objects.filter(version=1).count() == 3


def test_a_changed_sheet_updates_with_history_and_deletes_the_milestones_it_no_longer_lists(staff, people):
    imported(staff)
    plan = imported(
        staff,
        milestones_sheet(
            ["1.1", "Convention avec le garage", "31/03/2026", "15/06/2026", "Signée en juin"],
            ["1.1", "Premiers véhicules", "30/09/2026", "01/10/2026", "Trois véhicules"],
        ),
    )
    assert dict(plan.summary())["Étapes"] == [("modifiés", 1), ("supprimés", 1), ("inchangés", 1)]
    assert state() == [
        ("1.1", "Convention avec le garage", "2026-03-31", "2026-06-15", "Signée en juin"),
        ("1.1", "Premiers véhicules", "2026-09-30", "2026-10-01", "Trois véhicules"),
    ]
    changed = Milestone.objects.get(title="Premiers véhicules")
    assert changed.version == 2 and changed.history.first().history_user == staff


def test_a_workbook_without_the_sheet_leaves_the_milestones_alone(staff, people):
    imported(staff)
    plan = imported(staff, {"Étapes": None})
    assert "Étapes" not in dict(plan.summary())
    assert len(state()) == 3


def test_errors_of_the_sheet_are_located_in_french(staff_client, people):
    response = preview(
        staff_client,
        xlsx(
            milestones_sheet(
                ["9.9", "Inconnue", "31/03/2026", None, None],
                ["1.1", "Deux fois", "31/03/2026", None, None],
                ["1.1", "Deux fois", "30/04/2026", None, None],
                ["1.1", "Hors du pacte", "31/03/2031", None, None],
                ["1.1", "Dans le futur", "31/03/2027", "31/03/2099", None],
                ["1.1", None, None, None, None],
            )
        ),
    )
    assert messages_of(response) == [
        "Feuille « Étapes », ligne 2, colonne « Action » : l'action 9.9 n'est pas dans la feuille « Actions ».",
        "Feuille « Étapes », ligne 4, colonne « Étape » : l'étape « Deux fois » de cette action figure déjà à la "
        "ligne 3.",
        "Feuille « Étapes », ligne 5, colonne « Date prévue » : la date prévue doit être comprise dans les années du "
        "pacte (de 2026 à 2029).",
        "Feuille « Étapes », ligne 6, colonne « Date de réalisation » : la date de réalisation ne peut pas être dans "
        "le futur.",
        "Feuille « Étapes », ligne 7, colonne « Étape » : cette cellule est obligatoire.",
        "Feuille « Étapes », ligne 7, colonne « Date prévue » : cette cellule est obligatoire.",
    ]
    assert not Milestone.objects.exists()


def test_a_milestone_changed_after_the_preview_is_a_conflict(staff, people):
    imported(staff)
    plan = plan_import(
        read_bytes(
            xlsx(
                milestones_sheet(
                    ["1.1", "Convention avec le garage", "31/03/2026", "15/06/2026", "Signée en juin"],
                    ["1.1", "Premiers véhicules", "30/09/2026", "01/10/2026", None],
                    ["2.1", "Recrutement des parrains", "31/01/2027", None, ""],
                )
            )
        )
    )
    milestone = Milestone.objects.get(title="Premiers véhicules")
    action = Action.objects.get(number="1.1")
    followup.update_milestone(action, milestone, {"note": "Noté par le référent"}, people[0], milestone.version)
    with pytest.raises(ImportConflict) as refused:
        apply_import(plan, staff)
    (conflict,) = refused.value.conflicts
    assert (conflict.kind_label, conflict.label) == ("Étapes", "1.1 – Premiers véhicules")
    assert conflict.fields == [("remarque", "—", "Noté par le référent")]
    milestone.refresh_from_db()
    assert (milestone.done_date, milestone.note) == (None, "Noté par le référent")


def test_the_export_reads_back_as_it_is(staff_client, staff, people):
    imported(staff)
    data = staff_client.get(f"/pactes/{Pacte.objects.get().slug}/export.xlsx")
    assert data.status_code == 200, data.status_code
    parsed = read_bytes(data.content)
    assert parsed.is_valid, [str(issue) for issue in parsed.issues]
    assert plan_import(parsed).is_noop
    assert datetime.date(2026, 6, 15) in [row["Date de réalisation"] for row in parsed.milestones]
