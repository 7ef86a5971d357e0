import re

import pytest
from django.core import mail
from django.urls import reverse

from pti.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("url", ["/", "/mes-actions/", "/actions/", "/actions/1/", "/pactes/x/"])
def test_anonymous_visitors_are_sent_to_the_login_page(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url == f"/comptes/login/?next={url}"


def test_login_page_is_french_and_accessible(client):
    content = client.get(reverse("login")).content.decode()
    assert '<html lang="fr">' in content
    assert "Aller au contenu" in content and 'id="contenu"' in content
    assert '<label class="form-label" for="id_username">' in content
    assert "Mot de passe oublié" in content


def test_a_referent_logs_in_and_out(client):
    UserFactory(username="marie")
    response = client.post(reverse("login"), {"username": "marie", "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("actions:my_actions")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("actions:my_actions")).status_code == 302


def test_wrong_password_gets_a_french_message(client):
    UserFactory(username="marie")
    response = client.post(reverse("login"), {"username": "marie", "password": "faux"})
    assert response.status_code == 200
    assert "Saisissez un nom d’utilisateur et un mot de passe valides" in response.content.decode()


def test_password_reset_sends_a_french_email_with_a_working_link(client):
    UserFactory(username="marie", email="marie@haute-vienne.example")
    response = client.post(reverse("password_reset"), {"email": "marie@haute-vienne.example"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert "nouveau mot de passe" in body
    link = re.search(r"http://testserver(/comptes/reset/\S+)", body).group(1)
    form = client.get(link, follow=True)
    assert form.status_code == 200 and "Nouveau mot de passe" in form.content.decode()
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": "Un-nouveau-mdp-2026", "new_password2": "Un-nouveau-mdp-2026"}
    )
    assert done.status_code == 302
    assert client.login(username="marie", password="Un-nouveau-mdp-2026")


def test_password_reset_for_an_unknown_address_reveals_nothing(client):
    response = client.post(reverse("password_reset"), {"email": "inconnu@example.org"})
    assert response.status_code == 302
    assert mail.outbox == []


def test_the_password_change_page_is_ours_not_the_admins(client, django_user_model):
    from pti.factories import UserFactory

    user = UserFactory(username="mdp", password="ancien-mot-de-passe-long")
    client.force_login(user)
    page = client.get("/comptes/password_change/")
    content = page.content.decode()
    assert page.status_code == 200
    assert "Changer de mot de passe" in content and "Site d’administration" not in content
    assert "Site d'administration" not in content and 'class="pti-header"' in content
    response = client.post(
        "/comptes/password_change/",
        {
            "old_password": "ancien-mot-de-passe-long",
            "new_password1": "un-nouveau-mot-de-passe-solide",
            "new_password2": "un-nouveau-mot-de-passe-solide",
        },
        follow=True,
    )
    assert "Mot de passe changé" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password("un-nouveau-mot-de-passe-solide")
