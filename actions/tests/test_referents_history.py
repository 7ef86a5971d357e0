"""Who named whom referent, and when: an action's referents and an axe's thematic referents are kept in the history
(naming one gives the right to write reports), shown in the journal and on the action's history, one record per
change, whichever side it is made from."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.factories import ActionFactory
from actions.models import Action
from axes.factories import AxeFactory, PacteFactory
from axes.models import Axe
from pti.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(db):
    return {
        "camille": UserFactory(username="camille", first_name="Camille", last_name="Durand"),
        "julien": UserFactory(username="julien", first_name="Julien", last_name="Morel"),
        "ines": UserFactory(username="ines", first_name="Inès", last_name="Morel"),
    }


@pytest.fixture
def action(people):
    pacte = PacteFactory(slug="pti-referents", first_year=2022, last_year=2025)
    return ActionFactory(axe=AxeFactory(pacte=pacte, number=1), number="1.4", referents=[people["camille"]])


def journal(client, **params):
    return client.get(reverse("journal"), params).content.decode()


def test_staff_replacing_a_referent_is_one_journal_row_with_who_and_whom(client, staff, action, people):
    records = action.history.count()
    client.force_login(staff)
    response = client.post(
        reverse("actions:edit_referents", args=[action.pk]),
        {"version": action.version, "referents": [people["julien"].pk, people["ines"].pk]},
    )
    assert response.status_code == 302
    assert action.history.count() == records + 1  # not one for the removal and one for each addition
    page = journal(client, kind="action")
    assert page.count("Référents : Camille Durand → Inès Morel, Julien Morel") == 1
    latest = action.history.latest()
    assert latest.history_user == staff and latest.version == action.version + 1


def test_removing_every_referent_shows_a_dash(client, staff, action):
    client.force_login(staff)
    client.post(reverse("actions:edit_referents", args=[action.pk]), {"version": action.version, "referents": []})
    assert "Référents : Camille Durand → —" in journal(client, kind="action")


def test_a_new_action_is_one_creation_record_holding_its_referents(client, staff, people):
    axe = AxeFactory(pacte=PacteFactory(slug="pti-nouvelle"), number=2)
    client.force_login(staff)
    response = client.post(
        reverse("actions:create", args=[axe.pacte.slug, axe.number]),
        {
            "number": "2.1",
            "title": "Garde d'enfants",
            "objectif": "",
            "description": "",
            "target_public": "",
            "start_date": "2023-01-01",
            "end_date": "2025-12-31",
            "priority": "normal",
            "referents": [people["julien"].pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    created = Action.objects.get(number="2.1", axe=axe)
    (record,) = created.history.all()
    assert record.history_type == "+" and record.history_user == staff
    assert [row.user_id for row in record.referents.all()] == [people["julien"].pk]


def test_a_thematic_referent_named_on_an_axe_shows_in_the_journal(client, staff, people):
    axe = AxeFactory(pacte=PacteFactory(slug="pti-axe"), number=3, title="Mobilité")
    client.force_login(staff)
    data = {"number": 3, "title": "Mobilité", "description": "", "version": axe.version}
    response = client.post(reverse("axes:axe_edit", args=[axe.pk]), {**data, "thematic_referents": [people["ines"].pk]})
    assert response.status_code == 302
    assert "Référents thématiques : — → Inès Morel" in journal(client)
    assert Axe.history.filter(id=axe.pk, history_type="~").count() == 1


def test_naming_from_the_person_side_records_each_action_touched(action, people):
    other = ActionFactory(axe=action.axe, number="1.5")
    before = {action.pk: action.history.count(), other.pk: other.history.count()}
    people["julien"].referent_actions.add(action, other)
    for each in (action, other):
        assert each.history.count() == before[each.pk] + 1
        assert people["julien"].pk in {row.user_id for row in each.history.latest().referents.all()}
    people["julien"].referent_actions.clear()
    for each in (action, other):
        assert people["julien"].pk not in {row.user_id for row in each.history.latest().referents.all()}


def test_the_journal_reads_the_referents_of_a_whole_page_in_constant_queries(client, staff, people):
    axe = AxeFactory(pacte=PacteFactory(slug="pti-requetes"), number=1)

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("journal"), {"kind": "action"}).status_code == 200
        return len(ctx.captured_queries)

    client.force_login(staff)
    first = ActionFactory(axe=axe, number="1.1")
    client.post(reverse("actions:edit_referents", args=[first.pk]), {"version": 1, "referents": [people["ines"].pk]})
    one = count()
    for i in range(2, 14):
        each = ActionFactory(axe=axe, number=f"1.{i}")
        chosen = [people["camille"].pk] if i % 2 else [people["julien"].pk, people["ines"].pk]
        client.post(reverse("actions:edit_referents", args=[each.pk]), {"version": 1, "referents": chosen})
    assert count() == one
    assert "Référents : — → Inès Morel, Julien Morel" in journal(client, kind="action")


def test_records_from_before_the_referents_were_kept_get_todays_referents(client, staff, action, people):
    """The migration copies today's referents onto each action's latest record: the first change afterwards shows
    who was there, not "—"."""
    from importlib import import_module
    from types import SimpleNamespace

    from django.apps import apps as django_apps

    history_through = Action.history.model.referents.model
    history_through.objects.all().delete()  # as before the migration: no record kept the referents
    migration = import_module("actions.migrations.0014_referents_history")
    migration.baseline(django_apps, SimpleNamespace(connection=connection))
    assert [row.user_id for row in action.history.latest().referents.all()] == [people["camille"].pk]
    migration.baseline(django_apps, SimpleNamespace(connection=connection))  # twice: nothing copied again
    assert action.history.latest().referents.count() == 1
    client.force_login(staff)
    client.post(
        reverse("actions:edit_referents", args=[action.pk]),
        {"version": action.version, "referents": [people["julien"].pk]},
    )
    assert "Référents : Camille Durand → Julien Morel" in journal(client, kind="action")
