"""Partner accounts (issue 16): a partner organisation's people see only the actions their organisation takes
part in, write its yearly contribution to each (pages and API, version check, closed years refused), the referent
reads the contributions beside his report form, and staff create, attach and detach the accounts."""

import pytest
from django.core import mail
from django.urls import reverse

from actions.factories import (
    ActionFactory,
    ActionPartnerFactory,
    ContributionFactory,
    PartnerFactory,
    PartnerMemberFactory,
)
from actions.models import Contribution, PartnerMember
from axes.factories import AxeFactory, PacteFactory
from axes.models import ClosedYear
from pti.enums import Role
from pti.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    pacte = PacteFactory(slug="pti-partenaires", first_year=2022, last_year=2025)
    axe = AxeFactory(pacte=pacte, number=1)
    referent = UserFactory(username="p-referent")
    action_a = ActionFactory(axe=axe, number="1.1", title="Ateliers vers l'emploi", referents=[referent])
    action_b = ActionFactory(axe=axe, number="1.2", title="Garage solidaire")
    france_travail = PartnerFactory(name="France Travail")
    mission_locale = PartnerFactory(name="Mission locale")
    ActionPartnerFactory(action=action_a, partner=france_travail)
    ActionPartnerFactory(action=action_a, partner=mission_locale)
    ActionPartnerFactory(action=action_b, partner=mission_locale)
    member = PartnerMemberFactory(user__username="p-ft", partner=france_travail).user
    other = PartnerMemberFactory(user__username="p-ml", partner=mission_locale).user
    return {
        "pacte": pacte,
        "referent": referent,
        "a": action_a,
        "b": action_b,
        "ft": france_travail,
        "ml": mission_locale,
        "member": member,
        "other": other,
    }


def contribution_url(action, year=2024):
    return reverse("partner_space:contribution", args=[action.pk, year])


TEXTS = {"achievements": "Trois ateliers collectifs.", "figures": "42 personnes reçues.", "difficulties": ""}


# --- what a partner account sees -------------------------------------------------------------------------------


def test_partner_sees_his_organisations_actions_only(client, world):
    client.force_login(world["member"])
    assert client.get(reverse("home")).url == reverse("partner_space:home")
    page = client.get(reverse("partner_space:home")).content.decode()
    assert "Espace partenaire – France Travail" in page
    assert "Ateliers vers l&#x27;emploi" in page
    assert "Garage solidaire" not in page
    # Navigation: his space only.
    assert f'href="{reverse("actions:list")}"' not in page and f'href="{reverse("pilotage:index")}"' not in page
    assert client.get(reverse("partner_space:action", args=[world["a"].pk])).status_code == 200
    assert client.get(reverse("partner_space:action", args=[world["b"].pk])).status_code == 403
    assert client.get(contribution_url(world["b"])).status_code == 403
    # The pacte's inside is closed to him, whatever the page.
    for url in [
        reverse("actions:detail", args=[world["a"].pk]),
        reverse("actions:report_edit", args=[world["a"].pk, 2024]),
        reverse("actions:list"),
        reverse("journal"),
        reverse("pilotage:index"),
        reverse("bilans:list"),
        reverse("actions_io:actions_csv"),
        reverse("partners:list"),
    ]:
        assert client.get(url).status_code == 403, url


def test_partner_sees_only_his_own_contribution(client, world):
    ContributionFactory(action=world["a"], partner=world["ft"], year=2024, achievements="Texte de France Travail")
    ContributionFactory(action=world["a"], partner=world["ml"], year=2024, achievements="Texte de la mission locale")
    client.force_login(world["member"])
    page = client.get(reverse("partner_space:action", args=[world["a"].pk])).content.decode()
    assert "Texte de France Travail" in page
    assert "Texte de la mission locale" not in page
    body = client.get(reverse("v1:contribution-list")).json()
    assert [row["achievements"] for row in body["results"]] == ["Texte de France Travail"]


def test_api_scopes_actions_and_contributions_for_partners(client, world):
    theirs = ContributionFactory(action=world["a"], partner=world["ml"], year=2024)
    client.force_login(world["member"])
    numbers = [row["number"] for row in client.get(reverse("v1:action-list")).json()["results"]]
    assert numbers == ["1.1"]
    assert client.get(reverse("v1:action-detail", args=[world["b"].pk])).status_code == 404
    assert client.get(reverse("v1:contribution-detail", args=[theirs.pk])).status_code == 404
    for name in ["v1:pacte-list", "v1:report-list", "v1:copil-list", "v1:bilan-list", "v1:partner-list"]:
        assert client.get(reverse(name)).status_code == 403, name


def test_partner_token_gets_the_same_scope(client, world):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=world["member"])
    headers = {"HTTP_AUTHORIZATION": f"Token {token.key}"}
    assert client.get(reverse("v1:report-list"), **headers).status_code == 403
    numbers = [row["number"] for row in client.get(reverse("v1:action-list"), **headers).json()["results"]]
    assert numbers == ["1.1"]


def test_unattached_partner_account_sees_nothing(client, world):
    client.force_login(UserFactory(username="p-seul", role=Role.PARTNER))
    page = client.get(reverse("partner_space:home")).content.decode()
    assert "rattaché à aucun partenaire" in page
    assert client.get(reverse("partner_space:action", args=[world["a"].pk])).status_code == 403
    assert client.get(reverse("v1:action-list")).json()["results"] == []


def test_partner_space_is_for_partners_only(client, world):
    client.force_login(UserFactory(username="p-agent", staff=True))
    assert client.get(reverse("partner_space:home")).status_code == 403


def test_partner_home_query_count_is_constant(client, world, django_assert_max_num_queries):
    for number in range(3, 13):
        action = ActionFactory(axe=world["a"].axe, number=f"1.{number}")
        ActionPartnerFactory(action=action, partner=world["ft"])
        ContributionFactory(action=action, partner=world["ft"], year=2023)
    client.force_login(world["member"])
    with django_assert_max_num_queries(12):
        response = client.get(reverse("partner_space:home"))
    assert response.content.decode().count('href="/espace-partenaire/actions/') >= 11


# --- writing a contribution on the page -----------------------------------------------------------------------


def test_partner_writes_then_updates_his_contribution(client, world):
    client.force_login(world["member"])
    response = client.get(contribution_url(world["a"]))
    assert response.status_code == 200
    assert 'name="version" value="0"' in response.content.decode()
    response = client.post(contribution_url(world["a"]), {**TEXTS, "version": "0"})
    assert response.status_code == 302
    row = Contribution.objects.get()
    assert (row.partner, row.year, row.achievements, row.version, row.author) == (
        world["ft"],
        2024,
        "Trois ateliers collectifs.",
        1,
        world["member"],
    )
    response = client.post(contribution_url(world["a"]), {**TEXTS, "difficulties": "Peu de places.", "version": "1"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.difficulties, row.version) == ("Peu de places.", 2)
    assert row.history.count() == 2


def test_stale_version_is_a_conflict_and_changes_nothing(client, world):
    ContributionFactory(action=world["a"], partner=world["ft"], year=2024, achievements="Avant", version=3)
    client.force_login(world["member"])
    response = client.post(contribution_url(world["a"]), {**TEXTS, "version": "2"})
    assert response.status_code == 409
    assert "Modification concurrente" in response.content.decode()
    assert Contribution.objects.get().achievements == "Avant"


def test_first_write_over_a_colleagues_is_a_conflict(client, world):
    ContributionFactory(action=world["a"], partner=world["ft"], year=2024, achievements="Du collègue")
    client.force_login(world["member"])
    response = client.post(contribution_url(world["a"]), {**TEXTS, "version": "0"})
    assert response.status_code == 409
    assert Contribution.objects.get().achievements == "Du collègue"


@pytest.mark.parametrize(
    "data, message",
    [
        ({"achievements": "", "figures": " ", "difficulties": "", "version": "0"}, "Écrivez au moins"),
        ({**TEXTS}, "ne dit pas de quelle version"),
        ({**TEXTS, "version": "abc"}, "version de la fiche est invalide"),
        ({**TEXTS, "achievements": "x" * 5001, "version": "0"}, "5000"),
    ],
)
def test_bad_input_is_refused_with_a_french_message(client, world, data, message):
    client.force_login(world["member"])
    response = client.post(contribution_url(world["a"]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Contribution.objects.exists()


def test_closed_year_is_read_only(client, world):
    ContributionFactory(action=world["a"], partner=world["ft"], year=2023, achievements="Écrit en 2023")
    ClosedYear.objects.create(pacte=world["pacte"], year=2023)
    client.force_login(world["member"])
    page = client.get(contribution_url(world["a"], 2023))
    assert page.status_code == 200
    assert "L&#x27;année 2023 est close" in page.content.decode()
    assert '<form method="post"' not in page.content.decode().split("</header>")[1]
    response = client.post(contribution_url(world["a"], 2023), {**TEXTS, "version": "1"})
    assert response.status_code == 403
    assert Contribution.objects.get().achievements == "Écrit en 2023"
    response = client.post(
        reverse("v1:contribution-list"),
        {"action": world["a"].pk, "year": 2023, **TEXTS},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert "2023 est close" in response.json()["detail"]


def test_year_outside_the_pacte_is_refused(client, world):
    client.force_login(world["member"])
    assert client.get(contribution_url(world["a"], 2030)).status_code == 403


# --- the API ----------------------------------------------------------------------------------------------------


def test_api_create_patch_and_conflicts(client, world):
    client.force_login(world["member"])
    url = reverse("v1:contribution-list")
    response = client.post(url, {"action": world["a"].pk, "year": 2024, **TEXTS}, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["partner_name"], body["year"], body["version"]) == ("France Travail", 2024, 1)
    detail = reverse("v1:contribution-detail", args=[body["id"]])
    assert (
        client.post(url, {"action": world["a"].pk, "year": 2024, **TEXTS}, content_type="application/json").status_code
        == 400
    )
    response = client.patch(detail, {"figures": "50 personnes.", "version": 1}, content_type="application/json")
    assert response.status_code == 200 and response.json()["version"] == 2
    response = client.patch(detail, {"figures": "Périmé", "version": 1}, content_type="application/json")
    assert response.status_code == 409
    assert response.json()["current_version"] == 2
    response = client.patch(detail, {"figures": "Périmé"}, content_type="application/json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 412
    assert client.patch(detail, {"figures": "Sans version"}, content_type="application/json").status_code == 400
    assert client.patch(detail, {"year": 2025, "version": 2}, content_type="application/json").status_code == 400
    assert client.patch(detail, {"inconnu": 1, "version": 2}, content_type="application/json").status_code == 400
    assert Contribution.objects.get().figures == "50 personnes."


def test_api_refuses_other_writers(client, world):
    mine = ContributionFactory(action=world["a"], partner=world["ft"], year=2024)
    client.force_login(world["other"])
    # Another partner of the same action cannot reach it; for action B, not his organisation's action.
    assert (
        client.patch(
            reverse("v1:contribution-detail", args=[mine.pk]), {"version": 1}, content_type="application/json"
        ).status_code
        == 404
    )
    client.force_login(world["member"])
    response = client.post(
        reverse("v1:contribution-list"),
        {"action": world["b"].pk, "year": 2024, **TEXTS},
        content_type="application/json",
    )
    assert response.status_code == 403
    client.force_login(world["referent"])
    response = client.post(
        reverse("v1:contribution-list"),
        {"action": world["a"].pk, "year": 2024, **TEXTS},
        content_type="application/json",
    )
    assert response.status_code == 403
    assert client.get(reverse("v1:contribution-list")).json()["count"] == 1  # the referent reads it


# --- the referent's desk ----------------------------------------------------------------------------------------


def test_referent_reads_the_contributions_beside_his_report(client, world):
    ContributionFactory(
        action=world["a"], partner=world["ft"], year=2024, achievements="Trois ateliers.", difficulties="Transport."
    )
    ContributionFactory(action=world["a"], partner=world["ml"], year=2024, achievements="", figures="", difficulties="")
    ContributionFactory(action=world["a"], partner=world["ml"], year=2023, achievements="Texte de 2023")
    client.force_login(world["referent"])
    page = client.get(reverse("actions:report_edit", args=[world["a"].pk, 2024])).content.decode()
    assert "Contributions des partenaires en 2024" in page
    assert "Trois ateliers." in page
    assert "Texte de 2023" not in page
    assert "Mission locale" not in page  # its contribution is empty
    assert 'data-copy-to="id_advances" data-copy-append data-copy-text="Trois ateliers."' in page
    assert 'data-copy-to="id_difficulties" data-copy-append data-copy-text="Transport."' in page
    assert "Reprendre dans « Avancées de l" in page


def test_report_form_without_contributions_says_so(client, world):
    client.force_login(world["referent"])
    page = client.get(reverse("actions:report_edit", args=[world["a"].pk, 2024])).content.decode()
    assert "Aucun partenaire n’a écrit de contribution pour 2024." in page


# --- staff manage the accounts ----------------------------------------------------------------------------------


def test_staff_create_a_partner_account_from_the_partner_page(client, world):
    staff = UserFactory(username="p-agent", staff=True)
    client.force_login(staff)
    detail = client.get(reverse("partners:detail", args=[world["ft"].pk])).content.decode()
    assert "Comptes du partenaire" in detail and "p-ft" in detail
    url = reverse("partners:members", args=[world["ft"].pk])
    data = {
        "nouveau-username": "claire.roux",
        "nouveau-first_name": "Claire",
        "nouveau-last_name": "Roux",
        "nouveau-email": "claire.roux@francetravail.example",
        "create": "1",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    member = PartnerMember.objects.select_related("user").get(user__username="claire.roux")
    assert (member.partner, member.user.role, member.user.organisation) == (world["ft"], Role.PARTNER, "France Travail")
    assert [m.to for m in mail.outbox] == [["claire.roux@francetravail.example"]]
    response = client.post(url, data)
    assert response.status_code == 400
    assert "Cet identifiant est déjà pris." in response.content.decode()
    assert response.status_code == 400
    assert client.post(url, {**data, "nouveau-username": "x y", "nouveau-email": "pas-une-adresse"}).status_code == 400


def test_staff_attach_and_detach_accounts(client, world):
    client.force_login(UserFactory(username="p-agent", staff=True))
    url = reverse("partners:members", args=[world["ft"].pk])
    free = UserFactory(username="p-libre")
    response = client.post(url, {"rattacher-username": "p-libre", "attach": "1"})
    assert response.status_code == 302
    free.refresh_from_db()
    assert free.role == Role.PARTNER and free.partner_membership.partner == world["ft"]
    # A referent of an action, an agent, someone else's member: refused with the reason.
    for username, reason in [
        ("p-referent", "référent d'actions"),
        ("p-ml", "déjà rattaché à « Mission locale »"),
        ("inconnu", "Aucun compte"),
    ]:
        response = client.post(url, {"rattacher-username": username, "attach": "1"})
        assert response.status_code == 400
        assert reason in response.content.decode().replace("&#x27;", "'").replace("&laquo;", "«"), username
    UserFactory(username="p-copil", copil=True)
    assert client.post(url, {"rattacher-username": "p-copil", "attach": "1"}).status_code == 400
    assert UserFactory._meta.model.objects.get(username="p-copil").role == Role.COPIL
    membership = free.partner_membership
    response = client.post(reverse("partners:member_remove", args=[world["ft"].pk, membership.pk]))
    assert response.status_code == 302
    free.refresh_from_db()
    assert not free.is_active and not PartnerMember.objects.filter(user=free).exists()
    # A member of another partner is not removed through this one's page.
    other = PartnerMember.objects.get(user=world["other"])
    assert client.post(reverse("partners:member_remove", args=[world["ft"].pk, other.pk])).status_code == 404


# --- the model, the journal, the merge --------------------------------------------------------------------------


def test_a_closed_years_contribution_cannot_change_even_outside_the_pages(world):
    from axes.closing import ClosedYearError

    row = ContributionFactory(action=world["a"], partner=world["ft"], year=2023, achievements="Avant")
    ClosedYear.objects.create(pacte=world["pacte"], year=2023)
    row.refresh_from_db()
    row.achievements = "Après"
    with pytest.raises(ClosedYearError):
        row.save()
    with pytest.raises(ClosedYearError):
        Contribution.objects.filter(pk=row.pk).update(achievements="Après")
    with pytest.raises(ClosedYearError):
        ContributionFactory(action=world["a"], partner=world["ml"], year=2023)
    assert Contribution.objects.get(pk=row.pk).achievements == "Avant"


def test_the_journal_shows_contributions_and_accounts(client, world):
    ContributionFactory(action=world["a"], partner=world["ft"], year=2024)
    client.force_login(UserFactory(username="p-agent", staff=True))
    page = client.get(reverse("journal") + "?kind=contribution").content.decode()
    assert "Contribution 2024 de France Travail à l&#x27;action 1.1" in page
    page = client.get(reverse("journal") + "?kind=partner_member").content.decode()
    assert "de Mission locale" in page


def test_merging_duplicates_moves_their_contributions_and_accounts(client, world):
    from actions import partners

    duplicate = PartnerFactory(name="France Travail Limoges")
    ActionPartnerFactory(action=world["b"], partner=duplicate)
    ContributionFactory(action=world["b"], partner=duplicate, year=2024, achievements="Du doublon")
    member = PartnerMemberFactory(user__username="p-doublon", partner=duplicate)
    plan = partners.merge_plan(world["ft"], [duplicate])
    partners.merge_partners(world["ft"].pk, [duplicate.pk], UserFactory(staff=True), plan.fingerprint)
    assert Contribution.objects.get(achievements="Du doublon").partner == world["ft"]
    member.refresh_from_db()
    assert member.partner == world["ft"]


def test_contribution_texts_are_escaped_everywhere(client, world):
    payload = "<script>alert('x')</script><img src=x onerror=alert(1)>"
    ContributionFactory(action=world["a"], partner=world["ft"], year=2024, achievements=payload, figures=payload)
    pages = [
        (world["member"], reverse("partner_space:action", args=[world["a"].pk])),
        (world["member"], contribution_url(world["a"])),
        (world["referent"], reverse("actions:report_edit", args=[world["a"].pk, 2024])),
    ]
    for user, url in pages:
        client.force_login(user)
        content = client.get(url).content.decode()
        assert "<script>alert" not in content and "<img src=x" not in content, url
        assert "&lt;script&gt;" in content, url


def test_merging_partners_who_both_wrote_the_same_year_is_refused_and_changes_nothing(world):
    from actions import partners

    duplicate = PartnerFactory(name="France Travail Limoges")
    ActionPartnerFactory(action=world["a"], partner=duplicate)
    ContributionFactory(action=world["a"], partner=duplicate, year=2024, achievements="Du doublon")
    ContributionFactory(action=world["a"], partner=world["ft"], year=2024, achievements="Du gardé")
    plan = partners.merge_plan(world["ft"], [duplicate])
    with pytest.raises(partners.PartnerError) as refused:
        partners.merge_partners(world["ft"].pk, [duplicate.pk], UserFactory(staff=True), plan.fingerprint)
    assert "chacun écrit leur contribution 2024 de l'action 1.1" in refused.value.message
    assert Contribution.objects.get(achievements="Du doublon").partner == duplicate
    assert duplicate.__class__.objects.filter(pk=duplicate.pk).exists()
