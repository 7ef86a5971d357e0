"""Staff give a role to the agents waiting for one (/comptes/habilitations/): who may, which roles, and what the
agent sees before and after."""

import pytest
from django.urls import reverse

from pti.enums import Role
from pti.factories import UserFactory
from pti.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def waiting():
    return UserFactory(
        username="nadia.nouvelle@haute-vienne.example",
        first_name="Nadia",
        last_name="Nouvelle",
        email="nadia.nouvelle@haute-vienne.example",
        role=Role.PENDING,
    )


def test_staff_see_the_waiting_agents_only_with_the_roles_they_may_give(client, waiting):
    UserFactory(username="deja", first_name="Déjà", last_name="Habilité")
    client.force_login(UserFactory(staff=True))
    response = client.get(reverse("pending_list"))
    content = response.content.decode()
    assert response.status_code == 200
    assert "Nadia Nouvelle" in content and "nadia.nouvelle@haute-vienne.example" in content
    assert "Déjà Habilité" not in content
    assert '<option value="referent">Référent</option>' in content
    assert '<option value="copil">Membre du COPIL</option>' in content
    assert '<option value="staff">Agent du Département</option>' in content
    assert 'value="admin"' not in content and 'value="pending"' not in content


def test_administrators_may_also_make_administrators(client, waiting):
    client.force_login(UserFactory(admin=True))
    assert '<option value="admin">Administrateur</option>' in client.get(reverse("pending_list")).content.decode()


def test_an_empty_list_says_so(client):
    client.force_login(UserFactory(staff=True))
    assert "Aucun compte n'attend d'habilitation." in client.get(reverse("pending_list")).content.decode()


def test_staff_give_a_role_and_the_agent_sees_the_pact(client, waiting):
    agent = client.__class__()
    agent.force_login(waiting)
    assert agent.get("/")["Location"] == "/comptes/en-attente/"
    client.force_login(UserFactory(staff=True))
    response = client.post(reverse("grant_role", args=[waiting.pk]), {"role": "copil"}, follow=True)
    assert response.redirect_chain == [("/comptes/habilitations/", 302)]
    assert "Nadia Nouvelle a désormais le rôle : membre du COPIL." in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.role == Role.COPIL
    assert agent.get("/").status_code == 200


@pytest.mark.parametrize("role", ["admin", "pending", "chef", ""])
def test_a_role_staff_may_not_give_is_a_400_and_changes_nothing(client, waiting, role):
    client.force_login(UserFactory(staff=True))
    response = client.post(reverse("grant_role", args=[waiting.pk]), {"role": role})
    assert response.status_code == 400
    assert "Rôle inconnu ou que vous ne pouvez pas donner" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.role == Role.PENDING


def test_an_agent_habilitated_meanwhile_is_a_409_and_keeps_his_role(client, waiting):
    client.force_login(UserFactory(staff=True))
    User.objects.filter(pk=waiting.pk).update(role=Role.STAFF)
    response = client.post(reverse("grant_role", args=[waiting.pk]), {"role": "referent"})
    assert response.status_code == 409
    assert "a déjà le rôle « agent du Département » : rien n&#x27;a été changé." in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.role == Role.STAFF


def test_an_unknown_agent_is_a_404(client):
    client.force_login(UserFactory(staff=True))
    assert client.post(reverse("grant_role", args=[987654]), {"role": "referent"}).status_code == 404


@pytest.mark.parametrize("trait", [{}, {"copil": True}, {"role": Role.PENDING}])
def test_referents_copil_members_and_pending_agents_may_not(client, waiting, trait):
    client.force_login(UserFactory(**trait))
    list_response = client.get(reverse("pending_list"))
    grant = client.post(reverse("grant_role", args=[waiting.pk]), {"role": "staff"})
    if trait.get("role") == Role.PENDING:
        assert list_response["Location"] == grant["Location"] == "/comptes/en-attente/"
    else:
        assert list_response.status_code == grant.status_code == 403
    waiting.refresh_from_db()
    assert waiting.role == Role.PENDING


def test_the_list_s_query_count_does_not_grow_with_the_agents(client, django_assert_max_num_queries):
    client.force_login(UserFactory(staff=True))
    UserFactory(role=Role.PENDING)
    with django_assert_max_num_queries(10) as captured:
        client.get(reverse("pending_list"))
    few = len(captured)
    UserFactory.create_batch(15, role=Role.PENDING)
    with django_assert_max_num_queries(few):
        assert client.get(reverse("pending_list")).content.decode().count("Habiliter") == 16


def test_staff_find_the_list_in_their_tools_menu(client):
    client.force_login(UserFactory(staff=True))
    assert 'href="/comptes/habilitations/"' in client.get("/").content.decode()
    client.force_login(UserFactory())
    assert 'href="/comptes/habilitations/"' not in client.get("/").content.decode()


def test_the_access_rule_gives_a_pending_agent_nothing():
    from pti import access

    agent = UserFactory(role=Role.PENDING, is_superuser=True)  # even a stray superuser flag
    assert access.is_pending(agent) and access.is_signed_in(agent)
    assert not access.is_active(agent) and not access.can_view(agent) and not access.is_administrator(agent)
    assert access.grantable_roles(agent) == []
    assert access.grantable_roles(UserFactory(staff=True)) == [Role.REFERENT, Role.COPIL, Role.STAFF]
    assert access.grantable_roles(UserFactory(admin=True)) == [Role.REFERENT, Role.COPIL, Role.STAFF, Role.ADMIN]
    assert access.grantable_roles(UserFactory(copil=True)) == []
