"""Staff create and edit partners: French messages next to the fields on bad input (400), one name per
organisation whatever the case, the version check (409 with the other person's changes), history."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from actions import partners
from actions.enums import PartnerKind
from actions.factories import PartnerFactory
from actions.forms_partners import PartnerForm
from actions.models import Partner

pytestmark = pytest.mark.django_db


def card(**overrides):
    data = {
        "name": "Mission locale rurale",
        "kind": PartnerKind.ASSOCIATIVE,
        "contact_name": "Paul Durand",
        "email": "paul.durand@mission-locale.example",
        "phone": "05 55 11 22 33",
        "website": "https://mission-locale.example",
    }
    data.update(overrides)
    return data


def test_staff_create_a_partner(client, staff):
    client.force_login(staff)
    assert client.get(reverse("partners:create")).status_code == 200
    response = client.post(reverse("partners:create"), card(name="  Mission   locale rurale "))
    partner = Partner.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/partenaires/{partner.pk}/"
    assert (partner.name, partner.kind, partner.contact_name, partner.version) == (
        "Mission locale rurale",
        "associative",
        "Paul Durand",
        1,
    )
    assert partner.history.get().history_user == staff


def test_a_website_without_scheme_is_read_as_https(client, staff):
    client.force_login(staff)
    client.post(reverse("partners:create"), card(website="www.mission-locale.example"))
    assert Partner.objects.get().website == "https://www.mission-locale.example"


def test_bad_input_is_a_400_with_french_messages_and_nothing_saved(client, staff):
    client.force_login(staff)
    response = client.post(reverse("partners:create"), card(name="", kind="martien", email="pas-une-adresse"))
    assert response.status_code == 400
    page = response.content.decode()
    assert "Le formulaire contient des erreurs : rien n’a été enregistré." in page
    assert "Ce champ est obligatoire." in page
    assert "Sélectionnez un choix valide. martien n’en fait pas partie." in page
    assert "Saisissez une adresse e-mail valide." in page
    assert not Partner.objects.exists()


def test_a_name_already_taken_whatever_the_case_is_refused_with_a_clear_message(client, staff):
    PartnerFactory(name="France Travail")
    client.force_login(staff)
    response = client.post(reverse("partners:create"), card(name="FRANCE travail"))
    assert response.status_code == 400
    assert (
        "Un partenaire porte déjà ce nom : « France Travail ». S&#x27;il s&#x27;agit de la même organisation, "
        "modifiez sa fiche ou fusionnez les doublons."
    ) in response.content.decode()
    assert Partner.objects.count() == 1


def test_the_database_refuses_two_names_differing_only_by_case():
    Partner.objects.create(name="France Travail")
    with pytest.raises(IntegrityError), transaction.atomic():
        Partner.objects.create(name="france travail")


def test_the_constraint_message_is_clear_when_the_forms_own_check_is_skipped(client, staff, monkeypatch):
    PartnerFactory(name="France Travail")
    monkeypatch.setattr(PartnerForm, "clean_name", lambda form: form.cleaned_data["name"])
    client.force_login(staff)
    response = client.post(reverse("partners:create"), card(name="france travail"))
    assert response.status_code == 400
    assert "Un partenaire porte déjà ce nom (majuscules et minuscules confondues)" in response.content.decode()
    assert Partner.objects.count() == 1


def test_a_name_taken_meanwhile_is_refused_by_the_database_and_named(staff):
    """Two people create the same partner at once: both forms' checks passed, the database refuses the second
    save, and the service says which partner holds the name."""
    PartnerFactory(name="France Travail")
    with pytest.raises(ValidationError) as refused:
        partners._save_unique(Partner(name="france travail"))
    assert refused.value.message_dict == {
        "name": [
            "Un partenaire porte déjà ce nom : « France Travail ». S'il s'agit de la même organisation, modifiez sa "
            "fiche ou fusionnez les doublons."
        ]
    }
    assert Partner.objects.count() == 1


def test_staff_edit_a_partner_and_its_version_moves(client, staff):
    partner = PartnerFactory(name="France Travail", kind=PartnerKind.INSTITUTIONAL)
    client.force_login(staff)
    form = client.get(reverse("partners:edit", args=[partner.pk]))
    assert form.status_code == 200
    assert 'name="version" value="1"' in form.content.decode()
    response = client.post(
        reverse("partners:edit", args=[partner.pk]), card(name="France Travail", contact_name="Léa Petit", version=1)
    )
    assert response.status_code == 302
    partner.refresh_from_db()
    assert (partner.contact_name, partner.kind, partner.version) == ("Léa Petit", "associative", 2)
    latest = partner.history.first()
    assert latest.history_user == staff and latest.contact_name == "Léa Petit"


def test_renaming_a_partner_only_by_case_is_allowed(client, staff):
    partner = PartnerFactory(name="france travail")
    client.force_login(staff)
    response = client.post(reverse("partners:edit", args=[partner.pk]), card(name="France Travail", version=1))
    assert response.status_code == 302
    partner.refresh_from_db()
    assert partner.name == "France Travail"


def test_renaming_to_another_partners_name_is_refused(client, staff):
    PartnerFactory(name="France Travail")
    partner = PartnerFactory(name="Pôle emploi")
    client.force_login(staff)
    response = client.post(reverse("partners:edit", args=[partner.pk]), card(name="france TRAVAIL", version=1))
    assert response.status_code == 400
    assert "Un partenaire porte déjà ce nom : « France Travail »." in response.content.decode()
    partner.refresh_from_db()
    assert partner.name == "Pôle emploi"


def test_a_stale_save_is_a_409_with_the_other_persons_changes_and_nothing_overwritten(client, staff):
    partner = PartnerFactory(name="France Travail", contact_name="Claire Martin")
    colleague = type(staff).objects.create(username="collegue", first_name="Jeanne", last_name="Roux", role="staff")
    client.force_login(colleague)
    client.post(
        reverse("partners:edit", args=[partner.pk]), card(name="France Travail", contact_name="Jean Roux", version=1)
    )
    client.force_login(staff)
    response = client.post(
        reverse("partners:edit", args=[partner.pk]), card(name="France Travail", contact_name="Léa Petit", version=1)
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Jeanne Roux a modifié cette fiche pendant que vous la complétiez" in page
    assert '<th scope="row">Contact</th><td>Claire Martin</td><td>Jean Roux</td>' in page
    partner.refresh_from_db()
    assert (partner.contact_name, partner.version) == ("Jean Roux", 2)


def test_a_save_without_version_is_refused(client, staff):
    partner = PartnerFactory(name="France Travail")
    client.force_login(staff)
    response = client.post(reverse("partners:edit", args=[partner.pk]), card(name="France Travail"))
    assert response.status_code == 400
    assert "le formulaire ne dit pas de quelle version de la fiche il part" in response.content.decode()
    partner.refresh_from_db()
    assert partner.version == 1


@pytest.mark.parametrize("user", ["referent", "copil_member"])
def test_referents_and_copil_members_cannot_create_or_edit(client, request, user):
    partner = PartnerFactory(name="France Travail")
    client.force_login(request.getfixturevalue(user))
    assert client.get(reverse("partners:create")).status_code == 403
    assert client.post(reverse("partners:create"), card()).status_code == 403
    assert client.get(reverse("partners:edit", args=[partner.pk])).status_code == 403
    assert client.post(reverse("partners:edit", args=[partner.pk]), card(version=1)).status_code == 403
    partner.refresh_from_db()
    assert partner.name == "France Travail" and Partner.objects.count() == 1
