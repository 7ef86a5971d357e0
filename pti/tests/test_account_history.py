"""The journal's "Comptes": who gave an account which role, organisation or access, and when."""

import csv
import io
from importlib import import_module
from types import SimpleNamespace

import pytest
from django.apps import apps as django_apps
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse

from actions.contributions import attach_account, detach_account
from actions.factories import PartnerFactory
from actions.models import PartnerMember
from pti.enums import Role
from pti.factories import UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()


def _journal(client, **params):
    return client.get(reverse("journal"), {"kind": "account", **params}).content.decode()


def test_a_role_given_to_a_waiting_agent_shows_in_the_journal_with_who_gave_it(client, staff):
    waiting = UserFactory(username="jdupont", first_name="Jeanne", last_name="Dupont", role=Role.PENDING)
    client.force_login(staff)
    assert client.post(reverse("grant_role", args=[waiting.pk]), {"role": "copil"}).status_code == 302
    page = _journal(client)
    assert "Compte de Jeanne Dupont (jdupont)" in page
    assert "Rôle : en attente d&#x27;habilitation → membre du COPIL" in page
    latest = User.history.filter(id=waiting.pk).latest()
    assert latest.history_user == staff and latest.role == Role.COPIL


def test_the_admin_changing_a_role_and_deactivating_an_account_is_journaled(client, administrator, staff):
    target = UserFactory(username="mmartin", first_name="Marc", last_name="Martin", role=Role.REFERENT)
    client.force_login(administrator)
    form = {
        "username": "mmartin",
        "first_name": "Marc",
        "last_name": "Martin",
        "email": "marc.martin@example.org",
        "organisation": "Département",
        "role": "staff",
        "date_joined_0": "01/01/2026",
        "date_joined_1": "09:00:00",
    }
    response = client.post(reverse("admin:pti_user_change", args=[target.pk]), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    client.force_login(staff)
    page = _journal(client)
    assert "Rôle : référent → agent du Département" in page
    assert "Actif : oui → non" in page
    assert str(administrator) in page


def test_a_partner_account_attached_then_detached_is_journaled_with_its_author(staff):
    partner = PartnerFactory(name="Mission locale du Nord")
    person = UserFactory(username="cleroux", role=Role.REFERENT, organisation="")
    attach_account(partner, "cleroux", by=staff)
    detach_account(PartnerMember.objects.get(user=person), by=staff)
    records = list(User.history.filter(id=person.pk).order_by("history_date", "history_id"))
    assert [(r.history_type, r.role, r.organisation, r.is_active, r.history_user) for r in records] == [
        ("+", Role.REFERENT, "", True, None),
        ("~", Role.PARTNER, "Mission locale du Nord", True, staff),
        ("~", Role.PARTNER, "Mission locale du Nord", False, staff),
    ]


def test_signing_in_or_changing_a_password_adds_nothing_to_the_journal(client, referent):
    referent.set_password("un-mot-de-passe-solide-42")
    referent.save()  # a new password, saved whole (Django's password forms): nothing the journal shows changed
    before = User.history.filter(id=referent.pk).count()
    assert client.login(username="referent", password="un-mot-de-passe-solide-42")  # saves last_login
    referent.refresh_from_db()
    referent.save()  # nothing changed
    referent.save(update_fields=["last_login", "password"])
    assert User.history.filter(id=referent.pk).count() == before == 1
    referent.organisation = "CCAS"
    referent.save(update_fields=["organisation"])
    assert User.history.filter(id=referent.pk).count() == 2


def test_the_history_keeps_neither_the_password_nor_the_sign_in_dates():
    columns = {field.name for field in User.history.model._meta.get_fields()}
    assert {"role", "organisation", "is_active", "email"} <= columns
    assert not {"password", "last_login", "date_joined"} & columns


def test_the_journal_exports_account_changes_and_filters_them_by_author(client, staff, referent):
    waiting = UserFactory(username="pbernard", role=Role.PENDING)
    client.force_login(staff)
    client.post(reverse("grant_role", args=[waiting.pk]), {"role": "referent"})
    rows = list(csv.reader(io.StringIO(_journal(client, format="csv").lstrip("\ufeff")), delimiter=";"))
    assert [row[1:] for row in rows if row[4] == "Rôle"] == [
        [
            str(staff),
            f"Compte de {waiting.get_full_name()} (pbernard)",
            "Modifié",
            "Rôle",
            "en attente d'habilitation",
            "référent",
        ]
    ]
    assert "pbernard" not in _journal(client, user=referent.pk)


def test_the_migration_gives_each_existing_account_its_creation_dated_when_it_was_created():
    older = UserFactory(username="ancien", role=Role.COPIL, organisation="France Travail")
    User.history.all().delete()
    migration = import_module("pti.migrations.0007_user_history")
    migration.baseline(django_apps, SimpleNamespace(connection=connection))
    (record,) = User.history.filter(id=older.pk)
    assert (record.history_type, record.role, record.organisation, record.history_user) == (
        "+",
        Role.COPIL,
        "France Travail",
        None,
    )
    assert record.history_date == older.date_joined
