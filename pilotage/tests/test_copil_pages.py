"""Staff create and edit COPILs with their attendees, partners and highlighted actions (each picked from the
pacte's actions, with its comment); bad input is refused next to its field with nothing saved; a stale save is a
conflict."""

import datetime
import html

import pytest
from django.urls import reverse

from actions.factories import ActionFactory, PartnerFactory
from axes.factories import AxeFactory, PacteFactory
from pilotage.factories import CopilFactory, DecisionFactory, HighlightedActionFactory
from pilotage.models import Copil, HighlightedAction
from pti.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def pacte():
    pacte = PacteFactory(slug="pti-copil", title="PTI 2022-2025", first_year=2022, last_year=2025)
    axe = AxeFactory(pacte=pacte, number=2)
    ActionFactory(axe=axe, number="2.3", title="Clauses sociales")
    ActionFactory(axe=axe, number="2.10", title="Garde d'enfants")
    return pacte


def highlight_rows(*rows, initial=0):
    """The highlighted actions' part of the COPIL form: (action typed or picked, comment[, delete])."""
    data = {
        "mises_en_avant-TOTAL_FORMS": str(len(rows)),
        "mises_en_avant-INITIAL_FORMS": str(initial),
    }
    for index, row in enumerate(rows):
        data[f"mises_en_avant-{index}-action"] = row[0]
        data[f"mises_en_avant-{index}-comment"] = row[1]
        if len(row) > 2 and row[2]:
            data[f"mises_en_avant-{index}-DELETE"] = "on"
    return data


def copil_data(highlights=(), **overrides):
    data = {
        "version": 0,
        "date": "2024-11-26",
        "place": "Hôtel du Département, Limoges",
        "agenda": "1. Point d'étape\n2. Décisions",
        "minutes": "Le comité a examiné les actions.",
        **highlight_rows(*highlights),
    }
    data.update(overrides)
    return data


def text(response):
    return html.unescape(response.content.decode())


def test_staff_create_a_copil_with_attendees_partners_and_highlighted_actions(client, staff, pacte):
    member = UserFactory(username="membre", copil=True, organisation="CAF")
    partner = PartnerFactory(name="France Travail")
    client.force_login(staff)
    response = client.post(
        reverse("pilotage:copil_create", args=[pacte.slug]),
        copil_data(
            attendees=[member.pk, staff.pk],
            partners=[partner.pk],
            highlights=[
                ("2.3 – Clauses sociales", "Plus de 68 000 heures d'insertion"),
                ("", ""),
                ("2.10", "Le comité salue l'ouverture des places"),
            ],
        ),
    )
    copil = Copil.objects.get(pacte=pacte)
    assert response.status_code == 302 and response["Location"] == reverse("pilotage:copil_detail", args=[copil.pk])
    assert copil.date == datetime.date(2024, 11, 26) and copil.version == 1
    assert set(copil.attendees.all()) == {member, staff} and list(copil.partners.all()) == [partner]
    assert [(h.action.number, h.comment) for h in copil.highlights.order_by("action__sort_key")] == [
        ("2.3", "Plus de 68 000 heures d'insertion"),
        ("2.10", "Le comité salue l'ouverture des places"),
    ]
    page = text(client.get(response["Location"]))
    for expected in [
        "COPIL du 26/11/2024",
        "Hôtel du Département, Limoges",
        "Point d'étape",
        str(member),
        "CAF",
        "France Travail",
        "Clauses sociales",
        "Plus de 68 000 heures d'insertion",
        "Le COPIL a été créé.",
    ]:
        assert expected in page, expected


def test_editing_a_copil_updates_its_highlights_and_bumps_its_version(client, staff, pacte):
    copil = CopilFactory(pacte=pacte, date=datetime.date(2024, 11, 26))
    kept = HighlightedActionFactory(copil=copil, action=pacte.actions.get(number="2.3"), comment="Ancien")
    client.force_login(staff)
    form = text(client.get(reverse("pilotage:copil_edit", args=[copil.pk])))
    assert 'value="2.3 – Clauses sociales"' in form and "Ancien</textarea>" in form
    assert '<option value="2.10 – Garde d\'enfants">' in form  # the searchable list of the pacte's actions
    response = client.post(
        reverse("pilotage:copil_edit", args=[copil.pk]),
        copil_data(
            version=1,
            place="Salle du conseil",
            highlights=[("2.3 – Clauses sociales", "Nouveau commentaire"), ("2.10 – Garde d'enfants", "")],
        ),
    )
    assert response.status_code == 302
    copil.refresh_from_db()
    assert copil.place == "Salle du conseil" and copil.version == 2
    highlights = {h.action.number: h for h in copil.highlights.all()}
    assert highlights["2.3"].pk == kept.pk and highlights["2.3"].comment == "Nouveau commentaire"
    assert highlights["2.10"].comment == ""
    client.post(
        reverse("pilotage:copil_edit", args=[copil.pk]),
        copil_data(version=2, highlights=[("2.3", "x", True), ("2.10", "")]),
    )
    assert [h.action.number for h in HighlightedAction.objects.filter(copil=copil)] == ["2.10"]


def test_a_post_without_the_lists_leaves_highlights_and_guests_as_they_are(client, staff, pacte):
    copil = CopilFactory(pacte=pacte, date=datetime.date(2024, 11, 26))
    HighlightedActionFactory(copil=copil, action=pacte.actions.get(number="2.3"))
    data = copil_data(version=1, place="Ailleurs")
    del data["mises_en_avant-TOTAL_FORMS"], data["mises_en_avant-INITIAL_FORMS"]
    client.force_login(staff)
    assert client.post(reverse("pilotage:copil_edit", args=[copil.pk]), data).status_code == 302
    assert copil.highlights.count() == 1


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        ({"agenda": "x" * 20_000}, "agenda", "au plus 10000 caractères"),
        ({"minutes": "x" * 20_000}, "minutes", "au plus 10000 caractères"),
        ({"place": "x" * 300}, "place", "au plus 200 caractères"),
        ({"date": "2019-05-01"}, "date", "La date doit tomber pendant le pacte (2022-2025) ou l'année qui suit."),
        ({"date": "pas une date"}, "date", "Saisissez une date valide."),
        ({"date": ""}, "date", "Ce champ est obligatoire."),
        ({"attendees": ["999999"]}, "attendees", "Sélectionnez un choix valide"),
    ],
    ids=["long_agenda", "long_minutes", "long_place", "date_outside", "bad_date", "no_date", "unknown_user"],
)
def test_bad_copil_input_is_refused_next_to_its_field_and_nothing_is_saved(
    client, staff, pacte, overrides, field, message
):
    client.force_login(staff)
    response = client.post(reverse("pilotage:copil_create", args=[pacte.slug]), copil_data(**overrides))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    content = text(response)
    assert message in content
    assert "rien n'a été enregistré" in content
    assert not Copil.objects.exists()


@pytest.mark.parametrize(
    "rows, message",
    [
        ([("9.9 – Inconnue", "")], "Aucune action n° 9.9 dans ce pacte."),
        ([("super action", "")], "Choisissez l'action dans la liste : son numéro d'abord"),
        ([("2.3", "Une"), ("2.3 – Clauses sociales", "Deux")], "L'action 2.3 est mise en avant deux fois."),
        ([("2.3", "x" * 2001)], "au plus 2000 caractères"),
        ([("", "Un commentaire sans action")], "Ce champ est obligatoire."),
    ],
    ids=["unknown_action", "no_number", "twice", "long_comment", "comment_without_action"],
)
def test_bad_highlights_are_refused_next_to_their_row_and_nothing_is_saved(client, staff, pacte, rows, message):
    client.force_login(staff)
    response = client.post(reverse("pilotage:copil_create", args=[pacte.slug]), copil_data(highlights=rows))
    assert response.status_code == 400
    content = text(response)
    assert message in content
    assert "La liste des actions mises en avant contient des erreurs (voir plus bas)." in content
    assert not Copil.objects.exists()


def test_an_action_typed_by_its_title_alone_is_found(client, staff, pacte):
    client.force_login(staff)
    response = client.post(
        reverse("pilotage:copil_create", args=[pacte.slug]), copil_data(highlights=[("garde d'enfants", "Bien")])
    )
    assert response.status_code == 302
    assert [h.action.number for h in Copil.objects.get().highlights.all()] == ["2.10"]


def test_an_action_of_another_pacte_cannot_be_highlighted(client, staff, pacte):
    ActionFactory(axe__pacte=PacteFactory(slug="autre"), number="3.1")
    client.force_login(staff)
    response = client.post(
        reverse("pilotage:copil_create", args=[pacte.slug]), copil_data(highlights=[("3.1", "D'un autre pacte")])
    )
    assert response.status_code == 400
    assert "Aucune action n° 3.1 dans ce pacte." in text(response)


def test_two_copils_of_a_pacte_cannot_share_a_date(client, staff, pacte):
    CopilFactory(pacte=pacte, date=datetime.date(2024, 11, 26))
    client.force_login(staff)
    response = client.post(reverse("pilotage:copil_create", args=[pacte.slug]), copil_data())
    assert response.status_code == 400
    assert "Ce pacte a déjà un COPIL à cette date." in text(response)
    assert Copil.objects.count() == 1


def test_bad_input_on_edit_changes_nothing(client, staff, pacte):
    copil = CopilFactory(pacte=pacte, date=datetime.date(2024, 11, 26), place="Limoges")
    client.force_login(staff)
    response = client.post(
        reverse("pilotage:copil_edit", args=[copil.pk]),
        copil_data(version=1, place="Ailleurs", highlights=[("2.3", "ok"), ("7.7 – inconnue", "")]),
    )
    assert response.status_code == 400
    copil.refresh_from_db()
    assert (copil.place, copil.version, copil.highlights.count()) == ("Limoges", 1, 0)


def test_second_save_of_a_copil_from_a_stale_version_is_refused_and_shows_the_first_change(client, pacte):
    first, second = UserFactory(username="agent1", staff=True), UserFactory(username="agent2", staff=True)
    copil = CopilFactory(pacte=pacte, date=datetime.date(2024, 11, 26), place="Limoges")
    target = reverse("pilotage:copil_edit", args=[copil.pk])

    client.force_login(first)
    assert client.post(target, copil_data(version=1, place="Salle du conseil")).status_code == 302

    client.force_login(second)
    response = client.post(target, copil_data(version=1, place="Bellac", minutes="Autre compte rendu"))
    assert response.status_code == 409
    content = text(response)
    assert "Modification concurrente" in content and str(first) in content
    assert "Limoges" in content and "Salle du conseil" in content
    copil.refresh_from_db()
    assert (copil.place, copil.version) == ("Salle du conseil", 2)


def test_copil_list_shows_each_copil_with_its_counts(client, copil_member, pacte):
    copil = CopilFactory(pacte=pacte, date=datetime.date(2024, 11, 26))
    HighlightedActionFactory(copil=copil, action=pacte.actions.get(number="2.3"))
    DecisionFactory(copil=copil)
    DecisionFactory(copil=copil, status="done")
    CopilFactory(pacte=pacte, date=datetime.date(2023, 11, 21))
    client.force_login(copil_member)
    response = client.get(reverse("pilotage:copil_list", args=[pacte.slug]))
    rows = list(response.context["copils"])
    assert [str(c) for c in rows] == ["COPIL du 26/11/2024", "COPIL du 21/11/2023"]
    assert (rows[0].highlight_count, rows[0].decision_count, rows[0].open_count) == (1, 2, 1)


def test_user_text_on_the_copil_page_is_escaped(client, staff, pacte):
    copil = CopilFactory(pacte=pacte, minutes="<script>alert('compte rendu')</script>")
    HighlightedActionFactory(copil=copil, action=pacte.actions.get(number="2.3"), comment="<b>gras</b>")
    client.force_login(staff)
    content = client.get(reverse("pilotage:copil_detail", args=[copil.pk])).content.decode()
    assert "<script>alert" not in content and "&lt;script&gt;alert(&#x27;compte rendu&#x27;)" in content
    assert "<b>gras</b>" not in content and "&lt;b&gt;gras&lt;/b&gt;" in content
