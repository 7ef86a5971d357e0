"""The import keeps its promises: what the preview showed is what the confirmation writes. A row edited by
someone between the two refuses the confirmation with the list of what changed, and nothing is written; the
import's own writes move each row's version and are signed with the importing user's name in the history."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.urls import reverse

from actions import services
from actions.enums import ActionStatus, PartnerRole
from actions.importer import ImportConflict, apply_import, applying, confirm_import, plan_import, read_bytes
from actions.models import Action, ActionPartner, Indicator, IndicatorValue, Partner
from actions.tests.test_import import default_sheets, upload, xlsx
from axes.models import Axe, Objectif, Pacte
from pti.concurrency import ConflictError
from pti.factories import UserFactory
from pti.history import acting_user

IMPORT_URL = "/import/pacte/"
CONFIRM_URL = "/import/pacte/confirmer/"
MODELS = (Pacte, Axe, Objectif, Action, Partner, ActionPartner, Indicator, IndicatorValue)


@pytest.fixture
def people(db):
    return UserFactory(username="ref", email="ref@haute-vienne.example"), UserFactory(
        username="theme", email="theme@haute-vienne.example"
    )


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def preview(client, data):
    response = client.post(IMPORT_URL, {"file": upload(data)})
    assert response.status_code == 200, response.context.get("issues")
    return response


def token_of(response):
    return response.context["confirm"].initial["token"]


def confirm(client, response):
    return client.post(CONFIRM_URL, {"token": token_of(response)})


def updated_file():
    """The pacte of test_import's default file, with action 1.1 renamed and an indicator's targets raised."""
    sheets = default_sheets()
    sheets["Actions"][1][3] = "Garage solidaire et location"
    sheets["Indicateurs"][1][6:8] = [60, 90]
    return xlsx(sheets)


def database_state():
    """Every row the import may touch, every field, and the size of each history."""
    rows = {model.__name__: list(model.objects.order_by("pk").values()) for model in MODELS}
    history = {model.__name__: model.history.count() for model in MODELS}
    referents = sorted(Action.referents.through.objects.values_list("action_id", "user_id"))
    return rows, history, referents


@pytest.fixture
def imported(staff_client, people):
    """The default pacte imported once, the way staff do it."""
    assert confirm(staff_client, preview(staff_client, xlsx())).status_code == 302
    return Pacte.objects.get(slug="pti-2026")


# --- someone edits between the preview and the confirmation ------------------------------------------------


def edit_action_through_the_service(referent):
    action = Action.objects.get(number="1.1")
    with acting_user(referent):  # as the request's user, in the edit page
        services.update_action(
            action, {"title": "Garage solidaire (référent)", "progress": 40}, referent, expected_version=action.version
        )


def edit_axe_in_the_admin(referent):
    axe = Axe.objects.get(number=1)
    axe.title = "Lever les freins périphériques"
    axe._history_user = referent
    axe.save()


def enter_a_value_in_a_report(referent):
    indicator = Indicator.objects.get(label="Véhicules réparés")
    with acting_user(referent):
        services.save_report(
            indicator.action,
            2026,
            referent,
            {"status": ActionStatus.TO_LAUNCH, "progress": 0, "advances": "Premiers véhicules."},
            {indicator.pk: Decimal("12")},
            expected_version=0,
            submit=False,
        )


def remove_a_partner_role(referent):
    role = ActionPartner.objects.get(role=PartnerRole.PILOT)
    role._history_user = referent
    role.delete()


def add_a_partner_role(referent):
    role = ActionPartner(
        action=Action.objects.get(number="1.1"),
        partner=Partner.objects.create(name="Mission locale"),
        role=PartnerRole.OPERATIONAL,
    )
    role._history_user = referent
    role.save()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "edit, conflict",
    [
        (
            edit_action_through_the_service,
            "Actions – 1.1 Garage solidaire et location : modifié par {referent} le {when} (intitulé : « Garage "
            "solidaire » → « Garage solidaire (référent) » ; avancement (%) : « 0 » → « 40 »).",
        ),
        (
            edit_axe_in_the_admin,
            "Axes – 1. Lever les freins : modifié par {referent} le {when} (intitulé : « Lever les freins » → "
            "« Lever les freins périphériques »).",
        ),
        (
            enter_a_value_in_a_report,
            "Cibles annuelles – 1.1 – Véhicules réparés – 2026 : modifié par {referent} le {when} (valeur : « — » "
            "→ « 12 »).",
        ),
        (
            remove_a_partner_role,
            "Rôles des partenaires – 1.1 – Garage Solidaire 87 (pilote) : supprimé entre-temps par {referent} le "
            "{when}.",
        ),
        (
            add_a_partner_role,
            "Rôles des partenaires – 1.1 – Mission locale (partenaire opérationnel) : ajouté entre-temps par "
            "{referent} le {when}.",
        ),
    ],
    ids=["action", "axe", "indicator-value", "partner-removed", "partner-added"],
)
def test_an_edit_between_preview_and_confirmation_refuses_the_import_and_lists_it(
    staff_client, people, imported, edit, conflict
):
    referent, _thematic = people
    shown = preview(staff_client, updated_file())
    edit(referent)
    before = database_state()

    response = confirm(staff_client, shown)

    assert response.status_code == 409
    assert database_state() == before
    (found,) = response.context["conflicts"]
    assert found.who == referent
    when = f"{found.by.split(' le ', 1)[1]}"
    assert str(found) == conflict.format(referent=referent, when=when)
    content = response.content.decode()
    assert "Rien n'a été importé : 1 élément a changé depuis votre aperçu." in content
    assert f"par {referent} le " in content


@pytest.mark.django_db
def test_after_a_refusal_the_fresh_preview_can_be_confirmed_knowingly(staff_client, people, imported):
    referent, _thematic = people
    shown = preview(staff_client, updated_file())
    edit_action_through_the_service(referent)
    refused = confirm(staff_client, shown)
    assert refused.status_code == 409
    # The preview as it is now: the referent's title and progress would be replaced by the file's.
    (change,) = [c for c in refused.context["plan"].touched if c.kind == "action"]
    assert change.changed == ["intitulé", "avancement (%)"]

    # The refused token is spent; the fresh one writes.
    spent = confirm(staff_client, shown)
    assert (spent.status_code, spent.url) == (302, IMPORT_URL)
    assert Action.objects.get(number="1.1").title == "Garage solidaire (référent)"
    assert confirm(staff_client, refused).status_code == 302
    action = Action.objects.get(number="1.1")
    assert (action.title, action.progress, action.version) == ("Garage solidaire et location", 0, 3)


@pytest.mark.django_db
def test_a_pacte_created_by_someone_else_between_preview_and_confirmation_is_not_overwritten(staff_client, people):
    shown = preview(staff_client, xlsx())
    Pacte.objects.create(slug="pti-2026", title="Un autre pacte", territory="Creuse", first_year=2026, last_year=2029)
    before = database_state()

    response = confirm(staff_client, shown)

    assert response.status_code == 409
    assert database_state() == before
    (conflict,) = response.context["conflicts"]
    assert str(conflict).startswith("Pacte – pti-2026 : ajouté entre-temps le ")


@pytest.mark.django_db
def test_nothing_changed_since_the_preview_writes_as_shown(staff_client, people, imported):
    shown = preview(staff_client, updated_file())
    response = confirm(staff_client, shown)
    assert response.status_code == 302
    assert Action.objects.get(number="1.1").title == "Garage solidaire et location"
    assert sorted(IndicatorValue.objects.values_list("year", "target")) == [
        (2026, Decimal("60")),
        (2027, Decimal("90")),
    ]


@pytest.mark.django_db
def test_a_plan_applied_after_the_database_moved_is_refused(people, staff):
    plan = plan_import(read_bytes(xlsx()))
    apply_import(plan, staff)
    plan = plan_import(read_bytes(updated_file()))
    edit_action_through_the_service(people[0])
    with pytest.raises(ImportConflict) as refused:
        apply_import(plan, staff)
    assert [c.label for c in refused.value.conflicts] == ["1.1 Garage solidaire et location"]
    assert Action.objects.get(number="1.1").title == "Garage solidaire (référent)"


# --- the import's writes are like every other write ------------------------------------------------------


@pytest.mark.django_db
def test_an_edit_form_opened_before_the_import_gets_its_conflict(client, staff_client, people, imported):
    referent, _thematic = people
    action = Action.objects.get(number="1.1")
    form = {
        "version": action.version,
        "title": "Titre du référent",
        "objectif": action.objectif_id,
        "description": action.description,
        "target_public": "",
        "start_date": action.start_date.isoformat(),
        "end_date": action.end_date.isoformat(),
        "priority": action.priority,
        "status": action.status,
        "progress": 30,
    }
    assert confirm(staff_client, preview(staff_client, updated_file())).status_code == 302

    client.force_login(referent)
    response = client.post(reverse("actions:edit", args=[action.pk]), form)

    assert response.status_code == 409
    content = response.content.decode()
    assert "Modification concurrente" in content and "Garage solidaire et location" in content
    action.refresh_from_db()
    assert (action.title, action.version) == ("Garage solidaire et location", 2)


@pytest.mark.django_db
def test_every_row_the_import_writes_is_signed_by_the_importing_user(staff_client, staff, people, imported):
    sheets = default_sheets()
    sheets["Axes"][1][1] = "Lever les freins périphériques"
    sheets["Objectifs"][1][2] = "Mobilité durable"
    sheets["Partenaires"] = sheets["Partenaires"][:2]  # the pilot's role goes
    sheets["Indicateurs"][1][2] = "réparations"
    sheets["Indicateurs"][1][6] = 55
    sheets["Pacte"][1][1] = "PTI 2026-2029 révisé"
    start = {model.__name__: model.history.count() for model in MODELS}

    assert confirm(staff_client, preview(staff_client, xlsx(sheets))).status_code == 302

    written = {model.__name__: list(model.history.order_by("history_id")[start[model.__name__] :]) for model in MODELS}
    assert {name: [(r.history_type, r.history_user) for r in records] for name, records in written.items()} == {
        "Pacte": [("~", staff)],
        "Axe": [("~", staff)],
        "Objectif": [("~", staff)],
        "Action": [],
        "Partner": [],
        "ActionPartner": [("-", staff)],
        "Indicator": [("~", staff)],
        "IndicatorValue": [("~", staff)],
    }


@pytest.mark.django_db
def test_the_first_import_is_signed_too_and_outside_a_request(people, staff):
    plan = plan_import(read_bytes(xlsx()))
    apply_import(plan, staff)
    users = {model.__name__: set(model.history.values_list("history_user__username", flat=True)) for model in MODELS}
    assert users == {model.__name__: {"staff"} for model in MODELS}
    assert Action.objects.get(number="1.1").version == 1


# --- at the same moment, on PostgreSQL: the locks order the two writes --------------------------------------

needs_postgresql = pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")


def in_thread(function, *args, name=None):
    """Run `function` in a thread with its own connection; return (thread, outcome dict)."""
    outcome = {}

    def run():
        try:
            outcome["result"] = function(*args)
        except Exception as error:  # reported to the test
            outcome["error"] = error
        finally:
            connection.close()

    thread = threading.Thread(target=run, name=name)
    thread.start()
    return thread, outcome


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_a_referent_saving_while_the_import_writes_waits_then_gets_his_conflict(people, staff, monkeypatch):
    referent, _thematic = people
    apply_import(plan_import(read_bytes(xlsx())), staff)
    shown = plan_import(read_bytes(updated_file()))
    action = Action.objects.get(number="1.1")
    locked, release = threading.Event(), threading.Event()
    real_plan_import = applying.plan_import

    def plan_then_wait(parsed):
        plan = real_plan_import(parsed)
        locked.set()  # the import holds its locks
        assert release.wait(10)
        return plan

    monkeypatch.setattr(applying, "plan_import", plan_then_wait)
    importing, imported = in_thread(confirm_import, shown.parsed, shown.versions, staff)
    assert locked.wait(10)
    edit = lambda: services.update_action(action, {"progress": 40}, referent, expected_version=1)  # noqa: E731
    saving, saved = in_thread(edit)
    time.sleep(0.5)
    assert saving.is_alive(), "the referent's save must wait for the import's lock"
    release.set()
    importing.join(10)
    saving.join(10)

    assert "error" not in imported, imported
    assert isinstance(saved["error"], ConflictError)
    action.refresh_from_db()
    assert (action.title, action.progress, action.version) == ("Garage solidaire et location", 0, 2)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_an_import_confirmed_while_a_referent_saves_waits_then_is_refused(people, staff):
    referent, _thematic = people
    apply_import(plan_import(read_bytes(xlsx())), staff)
    shown = plan_import(read_bytes(updated_file()))
    action = Action.objects.get(number="1.1")
    saving_started, release = threading.Event(), threading.Event()

    def referent_saves():
        with transaction.atomic():
            services.update_action(action, {"progress": 40}, referent, expected_version=1)
            saving_started.set()
            assert release.wait(10)

    saving, saved = in_thread(referent_saves)
    assert saving_started.wait(10)
    importing, imported = in_thread(confirm_import, shown.parsed, shown.versions, staff)
    time.sleep(0.5)
    assert importing.is_alive(), "the import must wait for the referent's lock"
    release.set()
    saving.join(10)
    importing.join(10)

    assert "error" not in saved, saved
    assert isinstance(imported["error"], ImportConflict)
    assert [c.fields for c in imported["error"].conflicts] == [[("avancement (%)", "0", "40")]]
    action.refresh_from_db()
    assert (action.title, action.progress, action.version) == ("Garage solidaire", 40, 2)


@needs_postgresql
@pytest.mark.django_db(transaction=True)
def test_two_confirmations_of_the_same_new_pacte_at_once_write_it_once_and_refuse_the_other(people, staff, monkeypatch):
    first = plan_import(read_bytes(xlsx()))
    second = plan_import(read_bytes(xlsx()))
    planned, release = threading.Event(), threading.Event()
    real_plan_import = applying.plan_import

    def plan_then_wait(parsed):
        plan = real_plan_import(parsed)
        if threading.current_thread().name == "first" and not planned.is_set():
            planned.set()  # planned against an empty database, not written yet
            assert release.wait(10)
        return plan

    monkeypatch.setattr(applying, "plan_import", plan_then_wait)
    importing, imported = in_thread(confirm_import, first.parsed, first.versions, staff, name="first")
    assert planned.wait(10)
    confirm_import(second.parsed, second.versions, staff)  # the other one, at the same moment, goes through
    release.set()
    importing.join(10)

    assert isinstance(imported["error"], ImportConflict)
    assert [str(c).split(" le ")[0] for c in imported["error"].conflicts][:1] == [
        f"Pacte – pti-2026 : ajouté entre-temps par {staff}"
    ]
    assert Pacte.objects.count() == 1 and Action.objects.count() == 2 and ActionPartner.objects.count() == 2
