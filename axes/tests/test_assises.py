"""The Assises de l'insertion: the database refuses what the rules refuse, and the summary adds up in a
constant number of queries."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from axes import assises
from axes.enums import ProposalFate
from axes.factories import AxeFactory, MeetingFactory, PacteFactory, ProposalFactory, WorkingGroupFactory
from axes.models import Meeting, Proposal, WorkingGroup

pytestmark = pytest.mark.django_db


def refused_by_database(make):
    with pytest.raises(IntegrityError), transaction.atomic():
        make()


@pytest.fixture
def group():
    return WorkingGroupFactory(axe=AxeFactory(number=1, title="Mieux orienter"), title="Mieux orienter")


@pytest.mark.parametrize("field", ["institutional", "economic", "associative", "social_workers", "rsa_beneficiaries"])
def test_a_negative_count_is_refused_by_the_database(group, field):
    refused_by_database(lambda: Meeting.objects.filter(pk=MeetingFactory(group=group).pk).update(**{field: -1}))
    refused_by_database(lambda: WorkingGroup.objects.filter(pk=group.pk).update(**{field: -1}))


def test_one_working_group_per_thematic(group):
    refused_by_database(lambda: WorkingGroupFactory(axe=group.axe))


def test_proposal_numbers_are_unique_within_a_group(group):
    ProposalFactory(group=group, number=1)
    refused_by_database(lambda: ProposalFactory(group=group, number=1))
    assert ProposalFactory(group=WorkingGroupFactory(), number=1).number == 1


def test_a_merged_proposal_names_the_one_it_was_merged_into(group):
    target = ProposalFactory(group=group, number=1)
    refused_by_database(lambda: ProposalFactory(group=group, number=2, merged=True))
    refused_by_database(lambda: ProposalFactory(group=group, number=3, merged_into=target))  # retained
    merged = ProposalFactory(group=group, number=4, merged=True, merged_into=target)
    refused_by_database(lambda: Proposal.objects.filter(pk=merged.pk).update(merged_into=merged))


def test_a_proposal_not_retained_needs_its_reason(group):
    refused_by_database(lambda: ProposalFactory(group=group, number=1, fate=ProposalFate.NOT_RETAINED, reason=""))
    with pytest.raises(ValidationError) as error:
        Proposal(group=group, number=1, text="Une prime", fate=ProposalFate.NOT_RETAINED, reason="  ").full_clean()
    assert error.value.message_dict["reason"] == ["Dites pourquoi la proposition n'a pas été retenue."]


def test_an_unknown_fate_is_refused_by_the_database(group):
    refused_by_database(lambda: ProposalFactory(group=group, number=1, fate="maybe"))


def test_a_proposal_cannot_be_merged_into_one_of_another_pacte(group):
    elsewhere = ProposalFactory(group=WorkingGroupFactory())
    with pytest.raises(ValidationError) as error:
        Proposal(group=group, number=1, text="x", fate=ProposalFate.MERGED, merged_into=elsewhere).full_clean()
    assert error.value.message_dict["merged_into"] == [
        "La proposition choisie appartient aux Assises d'un autre pacte."
    ]


def build_assises(pacte, groups=2, meetings=2):
    for number in range(1, groups + 1):
        group = WorkingGroupFactory(axe=AxeFactory(pacte=pacte, number=number), title=f"Groupe {number}")
        for index in range(meetings):
            MeetingFactory(group=group, date=datetime.date(2021, 3 + 3 * (index % 3), number))
        kept = ProposalFactory(group=group, number=1)
        ProposalFactory(group=group, number=2, merged=True, merged_into=kept)
        ProposalFactory(group=group, number=3, not_retained=True)
        ProposalFactory(group=group, number=4)


def test_the_summary_adds_up_the_groups_meetings_and_proposals():
    pacte = PacteFactory()
    build_assises(pacte)
    data = assises.summary(pacte)
    assert [row["title"] for row in data["groups"]] == ["Groupe 1", "Groupe 2"]
    assert (data["meetings"], data["first_date"], data["last_date"], data["months"]) == (
        4,
        "2021-03-01",
        "2021-06-02",
        4,
    )
    # Members (factory: 3, 2, 4, 3, 2 a group) and presences (2, 1, 3, 2, 1 a meeting, 4 meetings).
    assert [(c["label"], c["members"], c["participants"]) for c in data["categories"]] == [
        ("Partenaires institutionnels", 6, 8),
        ("Acteurs économiques", 4, 4),
        ("Associations", 8, 12),
        ("Travailleurs sociaux", 6, 8),
        ("Personnes au RSA", 4, 4),
    ]
    assert (data["members_total"], data["participations_total"]) == (28, 36)
    assert [(f["label"], f["count"]) for f in data["fates"]] == [("Retenue", 4), ("Fusionnée", 2), ("Non retenue", 2)]
    assert data["proposals_total"] == 8
    assert data["groups"][0]["proposals"] == {"retained": 2, "merged": 1, "not_retained": 1}
    svg = assises.summary_chart(data)
    assert "Thématique 1" in svg and "Fusionnée" in svg and "#146c43" in svg


def test_a_pacte_without_assises_has_an_empty_summary_and_no_chart():
    data = assises.summary(PacteFactory())
    assert (data["groups"], data["meetings"], data["months"], data["proposals_total"]) == ([], 0, 0, 0)
    assert assises.summary_chart(data) is None


def test_the_summary_reads_three_queries_whatever_the_size():
    small, large = PacteFactory(), PacteFactory()
    build_assises(small, groups=1, meetings=1)
    build_assises(large, groups=4, meetings=5)
    for pacte in (small, large):
        with CaptureQueriesContext(connection) as queries:
            assises.summary(pacte)
        assert len(queries) == 3


def test_the_introduction_says_the_assises_in_french():
    pacte = PacteFactory()
    build_assises(pacte)
    assert assises.intro(assises.summary(pacte)) == (
        "Le pacte a été préparé par les Assises de l'insertion : 2 groupes de travail, 28 acteurs, 4 réunions sur "
        "4 mois, de mars 2021 à juin 2021. 8 propositions ont été faites : 4 retenues, 2 fusionnées dans d'autres "
        "et 2 non retenues."
    )
    group = WorkingGroupFactory(
        axe=AxeFactory(pacte=PacteFactory(), number=1),
        institutional=1,
        economic=0,
        associative=0,
        social_workers=0,
        rsa_beneficiaries=0,
    )
    MeetingFactory(group=group, date=datetime.date(2021, 3, 1))
    ProposalFactory(group=group, number=1)
    assert assises.intro(assises.summary(group.axe.pacte)) == (
        "Le pacte a été préparé par les Assises de l'insertion : 1 groupe de travail, 1 acteur, 1 réunion sur "
        "1 mois, en mars 2021. 1 proposition a été faite : 1 retenue."
    )


def test_an_axe_with_a_working_group_cannot_be_deleted(client, staff, group):
    client.force_login(staff)
    response = client.post(f"/axes/{group.axe_id}/supprimer/", {"version": group.axe.version})
    assert response.status_code == 400
    assert "Le groupe de travail des Assises « Mieux orienter » porte sur cet axe" in response.content.decode()
    assert WorkingGroup.objects.filter(pk=group.pk).exists()
