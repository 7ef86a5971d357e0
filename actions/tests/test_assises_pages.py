"""The Assises' pages: everyone signed in reads them, staff record groups, meetings and proposals (with the version
check, French refusals and nothing changed on bad input); the action's page names the proposal it comes from and
the pacte page sums the Assises up."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.factories import ActionFactory
from axes.enums import PacteStatus, ProposalFate
from axes.factories import AxeFactory, MeetingFactory, PacteFactory, ProposalFactory, WorkingGroupFactory
from axes.models import Meeting, Proposal, WorkingGroup

pytestmark = pytest.mark.django_db

COUNTS = {"institutional": 4, "economic": 1, "associative": 3, "social_workers": 2, "rsa_beneficiaries": 2}


@pytest.fixture
def pacte():
    return PacteFactory(slug="pti-2022-2025", title="PTI 2022-2025")


@pytest.fixture
def axe(pacte):
    return AxeFactory(pacte=pacte, number=1, title="Mieux orienter les personnes")


@pytest.fixture
def group(axe):
    return WorkingGroupFactory(axe=axe, title="Mieux orienter les personnes")


@pytest.fixture
def action(axe):
    return ActionFactory(axe=axe, number="1.1", title="Plateforme d'orientation")


@pytest.fixture
def proposal(group, action):
    proposal = ProposalFactory(group=group, number=1, text="Raccourcir les délais d'orientation")
    action.assises_proposals.add(proposal)
    return proposal


def content(response):
    return response.content.decode()


# --- reading ---------------------------------------------------------------------------------------------------


def test_the_list_shows_groups_meetings_and_proposals_with_their_fate(client, referent, group, proposal, action):
    MeetingFactory(group=group, date=datetime.date(2021, 3, 1), place="Saint-Junien", **COUNTS)
    ProposalFactory(group=group, number=2, text="Un guichet unique", merged=True, merged_into=proposal)
    ProposalFactory(group=group, number=3, text="Une prime à l'embauche", not_retained=True, reason="Trop coûteuse.")
    client.force_login(referent)
    response = client.get(reverse("assises:list", args=["pti-2022-2025"]))
    assert response.status_code == 200
    page = content(response)
    assert "Thématique 1 : Mieux orienter les personnes" in page
    assert "1er mars 2021" in page and "Saint-Junien" in page
    assert "partenaires institutionnels : 4, acteurs économiques : 1" in page
    assert 'data-proposal="1.1" data-fate="retained"' in page
    assert f'href="{action.get_absolute_url()}">1.1 Plateforme d&#x27;orientation</a>' in page
    assert f'Fusionnée dans <a href="#proposition-{proposal.pk}">1.1 Raccourcir' in page
    assert "Motif : Trop coûteuse." in page
    # A referent reads, but is offered no edit link.
    assert reverse("assises:proposal_edit", args=[proposal.pk]) not in page
    assert reverse("assises:meeting_create", args=[group.pk]) not in page


def test_staff_are_offered_the_edit_links(client, staff, group, proposal):
    client.force_login(staff)
    page = content(client.get(reverse("assises:list", args=["pti-2022-2025"])))
    for url in (
        reverse("assises:group_edit", args=[group.pk]),
        reverse("assises:meeting_create", args=[group.pk]),
        reverse("assises:proposal_create", args=[group.pk]),
        reverse("assises:proposal_edit", args=[proposal.pk]),
    ):
        assert url in page


def test_the_list_reads_a_constant_number_of_queries(client, referent, pacte, group, proposal):
    client.force_login(referent)
    url = reverse("assises:list", args=["pti-2022-2025"])
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        assert client.get(url).status_code == 200
    for number in range(2, 5):
        other = WorkingGroupFactory(axe=AxeFactory(pacte=pacte, number=number))
        MeetingFactory(group=other)
        kept = ProposalFactory(group=other, number=1)
        ActionFactory(axe=other.axe, number=f"{number}.1").assises_proposals.add(kept)
        ProposalFactory(group=other, number=2, merged=True, merged_into=kept)
    with CaptureQueriesContext(connection) as after:
        assert client.get(url).status_code == 200
    assert len(after) == len(before)


def test_the_action_page_names_the_proposal_it_comes_from(client, referent, action, proposal):
    client.force_login(referent)
    page = content(client.get(action.get_absolute_url()))
    list_url = reverse("assises:list", args=["pti-2022-2025"])
    assert (
        f'<a href="{list_url}#proposition-{proposal.pk}">Issue de la proposition 1.1 « Raccourcir les délais '
        "d&#x27;orientation » des Assises</a>"
    ) in page


def test_an_action_from_no_proposal_says_nothing_of_the_assises(client, referent, action):
    client.force_login(referent)
    assert "Issue de la proposition" not in content(client.get(action.get_absolute_url()))


def test_the_pacte_page_sums_the_assises_up(client, referent, pacte, group, proposal):
    MeetingFactory(group=group, date=datetime.date(2021, 3, 10), **COUNTS)
    MeetingFactory(group=group, date=datetime.date(2021, 9, 20), **COUNTS)
    ProposalFactory(group=group, number=2, not_retained=True)
    client.force_login(referent)
    page = content(client.get(pacte.get_absolute_url()))
    assert "Des Assises aux actions" in page
    assert (
        "Le pacte a été préparé par les Assises de l&#x27;insertion : 1 groupe de travail, 14 acteurs, 2 réunions "
        "sur 7 mois, de mars 2021 à septembre 2021. 2 propositions ont été faites : 1 retenue et 1 non retenue."
    ) in page
    assert '<td class="text-end num" data-fate="not_retained">1</td>' in page
    assert "<svg" in page.split("Des Assises aux actions")[1]


def test_the_pacte_page_without_assises_offers_staff_to_record_them(client, staff, referent, pacte):
    client.force_login(referent)
    page = content(client.get(pacte.get_absolute_url()))
    assert "Des Assises aux actions" not in page and "Enregistrer les Assises" not in page
    client.force_login(staff)
    assert "Enregistrer les Assises de l'insertion de ce pacte" in content(client.get(pacte.get_absolute_url()))


def test_the_pacte_page_reads_a_constant_number_of_queries_whatever_the_assises(client, referent, pacte, group):
    client.force_login(referent)
    url = pacte.get_absolute_url()
    client.get(url)
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for number in range(2, 5):
        other = WorkingGroupFactory(axe=AxeFactory(pacte=pacte, number=number))
        MeetingFactory(group=other)
        ProposalFactory(group=other, number=1)
    with CaptureQueriesContext(connection) as after:
        client.get(url)
    assert len(after) == len(before)


# --- writing ---------------------------------------------------------------------------------------------------


def test_staff_create_a_group_for_a_thematic_without_one(client, staff, pacte, axe):
    client.force_login(staff)
    url = reverse("assises:group_create", args=["pti-2022-2025"])
    response = client.post(url, {"axe": axe.pk, "title": "Orienter", "description": "", **COUNTS})
    group = WorkingGroup.objects.get(axe=axe)
    assert response.status_code == 302 and response["Location"].endswith(f"/assises/#groupe-{group.pk}")
    assert (group.title, group.total, group.version) == ("Orienter", 12, 1)
    assert group.history.get().history_user == staff
    # The thematic is taken now: it is not offered again.
    assert client.post(url, {"axe": axe.pk, "title": "Bis", **COUNTS}).status_code == 400
    assert WorkingGroup.objects.count() == 1


def test_a_negative_count_is_refused_in_french_and_nothing_is_saved(client, staff, group):
    client.force_login(staff)
    response = client.post(
        reverse("assises:meeting_create", args=[group.pk]),
        {"date": "2021-03-15", "place": "Limoges", **COUNTS, "rsa_beneficiaries": "-2"},
    )
    assert response.status_code == 400
    assert "Un nombre de personnes ne peut pas être négatif." in content(response)
    assert not Meeting.objects.exists()


def test_staff_record_a_meeting(client, staff, group):
    client.force_login(staff)
    response = client.post(
        reverse("assises:meeting_create", args=[group.pk]), {"date": "2021-03-15", "place": "Bellac", **COUNTS}
    )
    assert response.status_code == 302
    meeting = Meeting.objects.get()
    assert (meeting.date, meeting.place, meeting.counts) == (datetime.date(2021, 3, 15), "Bellac", COUNTS)


def test_a_stale_meeting_form_is_refused_with_the_change(client, staff, group):
    meeting = MeetingFactory(group=group, place="Limoges")
    client.force_login(staff)
    url = reverse("assises:meeting_edit", args=[meeting.pk])
    form = {"date": "2021-03-15", "place": "Bellac", **COUNTS, "version": 1}
    assert client.post(url, form).status_code == 302
    response = client.post(url, {**form, "place": "Saint-Junien"})
    assert response.status_code == 409
    assert "Modification concurrente" in content(response) and "Bellac" in content(response)
    meeting.refresh_from_db()
    assert (meeting.place, meeting.version) == ("Bellac", 2)


def test_an_edit_without_its_version_is_refused(client, staff, group):
    meeting = MeetingFactory(group=group, place="Limoges")
    client.force_login(staff)
    response = client.post(
        reverse("assises:meeting_edit", args=[meeting.pk]), {"date": "2021-03-15", "place": "Bellac", **COUNTS}
    )
    assert response.status_code == 400
    assert Meeting.objects.get().place == "Limoges"


def proposal_form(**overrides):
    return {
        "number": 1,
        "text": "Raccourcir les délais",
        "fate": "retained",
        "reason": "",
        "merged_into": "",
        **overrides,
    }


def test_staff_record_a_retained_proposal_carried_by_actions(client, staff, group, action):
    client.force_login(staff)
    response = client.post(reverse("assises:proposal_create", args=[group.pk]), proposal_form(actions=[action.pk]))
    proposal = Proposal.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"#proposition-{proposal.pk}")
    assert list(action.assises_proposals.all()) == [proposal]


@pytest.mark.parametrize(
    ("overrides", "field_error"),
    [
        ({"actions": []}, "Une proposition retenue est portée par au moins une action : choisissez-la."),
        ({"fate": "not_retained"}, "Dites pourquoi la proposition n&#x27;a pas été retenue."),
        ({"fate": "merged"}, "Dites dans quelle proposition celle-ci a été fusionnée."),
        ({"fate": "maybe"}, "Sélectionnez un choix valide."),
        ({"number": "0"}, "Le numéro commence à 1."),
        ({"text": ""}, "Ce champ est obligatoire."),
    ],
)
def test_a_proposal_form_with_a_mistake_is_refused_in_french(client, staff, group, action, overrides, field_error):
    client.force_login(staff)
    data = proposal_form(actions=[action.pk]) | overrides
    if data.get("actions") == [] or data["fate"] != "retained":
        data.pop("actions", None)
    response = client.post(reverse("assises:proposal_create", args=[group.pk]), data)
    assert response.status_code == 400
    assert field_error in content(response)
    assert not Proposal.objects.exists()


def test_a_proposal_not_retained_cannot_be_carried_by_actions(client, staff, group, action):
    client.force_login(staff)
    response = client.post(
        reverse("assises:proposal_create", args=[group.pk]),
        proposal_form(fate="not_retained", reason="Hors compétence.", actions=[action.pk]),
    )
    assert response.status_code == 400
    assert "Seule une proposition retenue est portée par des actions" in content(response)


def test_a_taken_number_is_refused(client, staff, group, proposal, action):
    client.force_login(staff)
    response = client.post(
        reverse("assises:proposal_create", args=[group.pk]), proposal_form(number=1, actions=[action.pk])
    )
    assert response.status_code == 400
    assert "Une autre proposition de ce groupe porte déjà le numéro 1." in content(response)
    assert Proposal.objects.count() == 1


def test_merging_a_proposal_unlinks_its_actions_and_names_its_target(client, staff, group, proposal, action):
    other = ProposalFactory(group=group, number=2, text="Un guichet unique")
    action.assises_proposals.add(other)
    client.force_login(staff)
    response = client.post(
        reverse("assises:proposal_edit", args=[other.pk]),
        proposal_form(number=2, text="Un guichet unique", fate="merged", merged_into=proposal.pk, version=1),
    )
    assert response.status_code == 302
    other.refresh_from_db()
    assert (other.fate, other.merged_into, other.version) == (ProposalFate.MERGED, proposal, 2)
    assert list(action.assises_proposals.all()) == [proposal]
    # A proposal others were merged into cannot be merged in turn; the form does not offer merged targets.
    third = ProposalFactory(group=group, number=3)
    response = client.post(
        reverse("assises:proposal_edit", args=[proposal.pk]),
        proposal_form(fate="merged", merged_into=third.pk, version=1),
    )
    assert response.status_code == 400
    assert "D&#x27;autres propositions ont été fusionnées dans celle-ci" in content(response)


def test_a_stale_proposal_form_is_refused(client, staff, group, proposal, action):
    client.force_login(staff)
    url = reverse("assises:proposal_edit", args=[proposal.pk])
    assert client.post(url, proposal_form(text="Première", actions=[action.pk], version=1)).status_code == 302
    response = client.post(url, proposal_form(text="Seconde", actions=[action.pk], version=1))
    assert response.status_code == 409
    assert Proposal.objects.get().text == "Première"


def test_referents_and_the_copil_cannot_write(client, referent, copil_member, group, proposal):
    for user in (referent, copil_member):
        client.force_login(user)
        assert client.get(reverse("assises:proposal_edit", args=[proposal.pk])).status_code == 403
        response = client.post(reverse("assises:meeting_create", args=[group.pk]), {"date": "2021-03-01", **COUNTS})
        assert response.status_code == 403
    assert not Meeting.objects.exists()


def test_a_closed_pacte_keeps_its_assises(client, staff, pacte, group, proposal):
    pacte.status = PacteStatus.CLOSED
    pacte.save()
    client.force_login(staff)
    response = client.get(reverse("assises:proposal_edit", args=[proposal.pk]))
    assert response.status_code == 403
    page = content(client.get(reverse("assises:list", args=["pti-2022-2025"])))
    assert "Ce pacte est clos" in page
    assert reverse("assises:proposal_edit", args=[proposal.pk]) not in page


# --- deleting --------------------------------------------------------------------------------------------------


def test_staff_delete_a_meeting_with_the_version_they_saw(client, staff, group):
    meeting = MeetingFactory(group=group)
    client.force_login(staff)
    url = reverse("assises:meeting_delete", args=[meeting.pk])
    assert "Supprimer la réunion du 15/03/2021" in content(client.get(url))
    Meeting.objects.filter(pk=meeting.pk).update(version=2)
    assert client.post(url, {"version": 1}).status_code == 409
    assert Meeting.objects.exists()
    response = client.post(url, {"version": 2})
    assert response.status_code == 302 and not Meeting.objects.exists()


def test_a_proposal_others_were_merged_into_is_not_deleted(client, staff, group, proposal, action):
    merged = ProposalFactory(group=group, number=2, merged=True, merged_into=proposal)
    client.force_login(staff)
    url = reverse("assises:proposal_delete", args=[proposal.pk])
    response = client.post(url, {"version": 1})
    assert response.status_code == 400
    assert "La proposition 1.2 a été fusionnée dans celle-ci" in content(response)
    assert Proposal.objects.count() == 2
    # The merged one goes; then the first, with its links to the actions.
    assert client.post(reverse("assises:proposal_delete", args=[merged.pk]), {"version": 1}).status_code == 302
    assert client.post(url, {"version": 1}).status_code == 302
    assert not Proposal.objects.exists() and not action.assises_proposals.exists()


def test_referents_cannot_delete(client, referent, group, proposal):
    meeting = MeetingFactory(group=group)
    client.force_login(referent)
    assert client.post(reverse("assises:meeting_delete", args=[meeting.pk]), {"version": 1}).status_code == 403
    assert client.post(reverse("assises:proposal_delete", args=[proposal.pk]), {"version": 1}).status_code == 403
    assert Meeting.objects.exists() and Proposal.objects.exists()
