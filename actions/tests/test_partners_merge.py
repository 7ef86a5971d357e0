"""Merging duplicate partners: a preview that says what will move, then one transaction that moves every link
(combining a role the kept partner already holds on the same action, amounts added), moves the COPILs'
partners present, fills the kept partner's empty contact fields, deletes the duplicates and keeps all history."""

import html
import re
from decimal import Decimal

import pytest

from actions.enums import PartnerKind, PartnerRole
from actions.factories import ActionFactory, ActionPartnerFactory, PartnerFactory
from actions.models import ActionPartner, Partner
from axes.factories import AxeFactory, PacteFactory
from pilotage.factories import CopilFactory

pytestmark = pytest.mark.django_db
URL = "/partenaires/fusionner/"


def text(response):
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())).split())


def fingerprint(response):
    return re.search(r'name="fingerprint" value="([0-9a-f]{64})"', response.content.decode()).group(1)


def links(partner):
    return sorted(
        (link.action.number, link.role, link.amount) for link in ActionPartner.objects.filter(partner=partner)
    )


@pytest.fixture
def world():
    pacte = PacteFactory(slug="pti-2022-2025", title="PTI 2022-2025")
    axe = AxeFactory(pacte=pacte, number=1)
    actions = {n: ActionFactory(axe=axe, number=n, title=f"Action {n}") for n in ("1.1", "1.2", "1.3")}
    kept = PartnerFactory(name="France Travail", kind=PartnerKind.INSTITUTIONAL, contact_name="Claire Martin")
    dup = PartnerFactory(name="Pôle emploi", kind=PartnerKind.INSTITUTIONAL, email="contact@pole-emploi.example")
    ActionPartnerFactory(action=actions["1.1"], partner=kept, role=PartnerRole.FUNDER, amount=Decimal("5000"))
    ActionPartnerFactory(action=actions["1.1"], partner=dup, role=PartnerRole.FUNDER, amount=Decimal("1000.50"))
    ActionPartnerFactory(action=actions["1.2"], partner=kept, role=PartnerRole.PILOT)
    ActionPartnerFactory(action=actions["1.2"], partner=dup, role=PartnerRole.FUNDER, amount=Decimal("300"))
    ActionPartnerFactory(action=actions["1.3"], partner=dup, role=PartnerRole.OPERATIONAL)
    return kept, dup, actions


def preview(client, kept, *duplicates):
    return client.post(URL, {"kept": kept.pk, "duplicates": [dup.pk for dup in duplicates]})


def confirm(client, kept, *duplicates):
    page = preview(client, kept, *duplicates)
    assert page.status_code == 200
    return client.post(
        URL,
        {"kept": kept.pk, "duplicates": [d.pk for d in duplicates], "fingerprint": fingerprint(page), "confirmed": "1"},
    )


def test_the_form_offers_the_partner_to_keep_from_its_page(client, staff, world):
    kept, _dup, _actions = world
    client.force_login(staff)
    response = client.get(URL, {"garder": kept.pk})
    assert response.status_code == 200
    assert f'<option value="{kept.pk}" selected>France Travail</option>' in response.content.decode()
    assert client.get(URL, {"garder": "pas-un-nombre"}).status_code == 200


def test_the_preview_says_what_will_move_and_changes_nothing(client, staff, world):
    kept, dup, _actions = world
    client.force_login(staff)
    response = preview(client, kept, dup)
    assert response.status_code == 200
    page = text(response)
    assert "Fusionner « Pôle emploi » dans « France Travail » ?" in page
    assert (
        "Action 1.1 « Action 1.1 » (PTI 2022-2025) : « Pôle emploi » (financeur, 1 000,50 €) et « France Travail » "
        "(financeur, 5 000,00 €) y ont le même rôle ; il n'en restera qu'un lien, à « France Travail », avec les "
        "montants additionnés : 6 000,50 €."
    ) in page
    assert (
        "Action 1.2 « Action 1.2 » (PTI 2022-2025) : le rôle de « Pôle emploi » (financeur, 300,00 €) passe à "
        "« France Travail », qui y est déjà pilote : les deux rôles sont gardés."
    ) in page
    assert (
        "Action 1.3 « Action 1.3 » (PTI 2022-2025) : le rôle de « Pôle emploi » (partenaire opérationnel) passe à "
        "« France Travail »."
    ) in page
    assert (
        "« France Travail » n'avait rien dans « e-mail » : il prend la valeur du doublon, "
        "« contact@pole-emploi.example »."
    ) in page
    assert "Puis « Pôle emploi » sera supprimé ; son historique est conservé" in page
    assert Partner.objects.count() == 2
    assert links(dup) == [
        ("1.1", "funder", Decimal("1000.50")),
        ("1.2", "funder", Decimal("300.00")),
        ("1.3", "operational", None),
    ]


def test_confirming_moves_the_links_adds_the_amounts_and_deletes_the_duplicate(client, staff, world):
    kept, dup, _actions = world
    client.force_login(staff)
    response = confirm(client, kept, dup)
    assert response.status_code == 302 and response["Location"] == f"/partenaires/{kept.pk}/"
    assert not Partner.objects.filter(pk=dup.pk).exists()
    assert links(kept) == [
        ("1.1", "funder", Decimal("6000.50")),
        ("1.2", "funder", Decimal("300.00")),
        ("1.2", "pilot", None),
        ("1.3", "operational", None),
    ]
    kept.refresh_from_db()
    assert (kept.email, kept.contact_name, kept.version) == ("contact@pole-emploi.example", "Claire Martin", 2)
    page = text(client.get(f"/partenaires/{kept.pk}/"))
    assert "Fusion faite : « Pôle emploi » n'existe plus, tout est rattaché à « France Travail »." in page


def test_the_history_is_kept(client, staff, world):
    kept, dup, _actions = world
    client.force_login(staff)
    confirm(client, kept, dup)
    reason = "Fusion de « Pôle emploi » dans « France Travail »"
    deleted = Partner.history.filter(id=dup.pk)
    assert [record.history_type for record in deleted] == ["-", "+"]
    assert deleted.first().history_user == staff and deleted.first().history_change_reason == reason
    assert kept.history.first().history_change_reason == reason
    moved = ActionPartner.history.filter(partner_id=kept.pk, history_type="~", history_change_reason=reason)
    assert sorted(record.action.number for record in moved) == ["1.1", "1.2", "1.3"]
    assert ActionPartner.history.filter(partner_id=dup.pk, history_type="-").count() == 1
    page = text(client.get(f"/partenaires/{kept.pk}/"))
    assert reason in page


def test_two_duplicates_on_the_same_action_and_role_become_one_link(client, staff):
    action = ActionFactory(number="3.1")
    kept = PartnerFactory(name="Mission locale")
    dups = [PartnerFactory(name="Mission Locale rurale"), PartnerFactory(name="ML rurale")]
    ActionPartnerFactory(action=action, partner=dups[0], role=PartnerRole.FUNDER, amount=Decimal("100"))
    ActionPartnerFactory(action=action, partner=dups[1], role=PartnerRole.FUNDER, amount=Decimal("250"))
    ActionPartnerFactory(action=action, partner=dups[0], role=PartnerRole.OPERATIONAL)
    ActionPartnerFactory(action=action, partner=dups[1], role=PartnerRole.OPERATIONAL)
    client.force_login(staff)
    page = text(preview(client, kept, *dups))
    assert "« Mission Locale rurale » (financeur, 100,00 €) et « ML rurale » (financeur, 250,00 €)" not in page
    assert "le rôle de « ML rurale » (financeur, 250,00 €) passe à « Mission locale »." in page
    assert (
        "« Mission Locale rurale » (financeur, 100,00 €) et « Mission locale » (financeur, 250,00 €) y ont le même "
        "rôle ; il n'en restera qu'un lien, à « Mission locale », avec les montants additionnés : 350,00 €."
    ) in page
    assert "Puis « ML rurale », « Mission Locale rurale » seront supprimés ; leur historique est conservé" in page
    assert confirm(client, kept, *dups).status_code == 302
    assert links(kept) == [("3.1", "funder", Decimal("350.00")), ("3.1", "operational", None)]
    assert Partner.objects.get() == kept


def test_the_copils_partners_present_move_too(client, staff, world):
    kept, dup, _actions = world
    only_dup, both = CopilFactory(), CopilFactory()
    only_dup.partners.set([dup])
    both.partners.set([kept, dup])
    client.force_login(staff)
    page = text(preview(client, kept, dup))
    assert "Comités de pilotage (partenaires présents) : 1 passe à « France Travail »." in page
    assert "1 le comptait déjà : le doublon en est simplement retiré." in page
    assert confirm(client, kept, dup).status_code == 302
    assert list(only_dup.partners.all()) == [kept]
    assert list(both.partners.all()) == [kept]


def test_a_change_since_the_preview_is_a_409_and_nothing_is_merged(client, staff, world):
    kept, dup, actions = world
    client.force_login(staff)
    page = preview(client, kept, dup)
    ActionPartnerFactory(action=actions["1.3"], partner=dup, role=PartnerRole.FUNDER, amount=Decimal("42"))
    response = client.post(
        URL, {"kept": kept.pk, "duplicates": [dup.pk], "fingerprint": fingerprint(page), "confirmed": "1"}
    )
    assert response.status_code == 409
    shown = text(response)
    assert "Rien n'a été fusionné : ces partenaires ou leurs actions ont changé depuis l'aperçu." in shown
    assert "le rôle de « Pôle emploi » (financeur, 42,00 €) passe à « France Travail »" in shown
    assert Partner.objects.filter(pk=dup.pk).exists() and len(links(dup)) == 4
    # Confirming the up-to-date preview merges.
    again = client.post(
        URL, {"kept": kept.pk, "duplicates": [dup.pk], "fingerprint": fingerprint(response), "confirmed": "1"}
    )
    assert again.status_code == 302
    assert not Partner.objects.filter(pk=dup.pk).exists()


def test_an_edit_of_the_kept_partner_since_the_preview_is_a_409(client, staff, world):
    kept, dup, _actions = world
    client.force_login(staff)
    page = preview(client, kept, dup)
    Partner.objects.filter(pk=kept.pk).update(phone="05 55 00 00 00", version=2)
    response = client.post(
        URL, {"kept": kept.pk, "duplicates": [dup.pk], "fingerprint": fingerprint(page), "confirmed": "1"}
    )
    assert response.status_code == 409
    assert Partner.objects.count() == 2


@pytest.mark.parametrize(
    "data, message",
    [
        (lambda kept, dup: {"kept": kept.pk, "duplicates": [kept.pk]}, "ne peut pas être aussi l’un des doublons"),
        (lambda kept, dup: {"kept": kept.pk}, "Choisissez au moins un doublon à fusionner."),
        (lambda kept, dup: {"duplicates": [dup.pk]}, "Choisissez le partenaire à garder."),
        (lambda kept, dup: {"kept": "abc", "duplicates": [dup.pk]}, "Ce partenaire n’existe plus"),
        (lambda kept, dup: {"kept": kept.pk, "duplicates": ["999999"]}, "L’un des doublons choisis n’existe plus"),
    ],
)
def test_a_bad_choice_is_a_400_in_french(client, staff, world, data, message):
    kept, dup, _actions = world
    client.force_login(staff)
    response = client.post(URL, {**data(kept, dup), "confirmed": "1"})
    assert response.status_code == 400
    assert message in html.unescape(response.content.decode()).replace("'", "’")
    assert Partner.objects.count() == 2


@pytest.mark.parametrize("user", ["referent", "copil_member"])
def test_referents_and_copil_members_cannot_merge(client, request, world, user):
    kept, dup, _actions = world
    client.force_login(request.getfixturevalue(user))
    assert client.get(URL).status_code == 403
    response = client.post(URL, {"kept": kept.pk, "duplicates": [dup.pk], "confirmed": "1", "fingerprint": "x"})
    assert response.status_code == 403
    assert Partner.objects.count() == 2
