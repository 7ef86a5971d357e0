"""The plan page: the pacte's axes, their referents and objectives, in a constant number of queries."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from actions.factories import ActionFactory
from axes.factories import AxeFactory, ObjectifFactory, PacteFactory
from pti.factories import UserFactory

pytestmark = pytest.mark.django_db


def add_axe(pacte, number):
    axe = AxeFactory(
        pacte=pacte, number=number, title=f"Axe {number}", thematic_referents=[UserFactory(), UserFactory()]
    )
    for n in (1, 2):
        objectif = ObjectifFactory(axe=axe, number=n, text=f"Objectif {number}.{n}")
        ActionFactory(axe=axe, objectif=objectif, number=f"{number}.{n}")
    return axe


def queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured)


def test_the_plan_page_shows_the_tree_in_a_constant_number_of_queries(client, staff):
    pacte = PacteFactory(slug="pti-plan")
    add_axe(pacte, 1)
    AxeFactory(pacte=pacte, number=2, title="Axe vide")
    client.force_login(staff)
    url = reverse("axes:plan", args=[pacte.slug])

    content = client.get(url).content.decode()
    assert "Axe 1. Axe 1" in content and "<strong>1.2</strong> Objectif 1.2" in content
    assert 'href="/axes/' in content and "Supprimer l'axe 2" in content
    assert "Supprimer l'axe 1" not in content  # it holds actions

    before = queries(client, url)
    for number in (3, 4, 5):
        add_axe(pacte, number)
    assert queries(client, url) == before


def test_the_pacte_page_links_staff_to_the_plan(client, staff, referent):
    pacte = PacteFactory(slug="pti-plan")
    client.force_login(staff)
    assert 'href="/pactes/pti-plan/plan/"' in client.get(pacte.get_absolute_url()).content.decode()
    client.force_login(referent)
    assert 'href="/pactes/pti-plan/plan/"' not in client.get(pacte.get_absolute_url()).content.decode()


def test_the_forms_keep_their_number_of_queries_as_the_plan_grows(client, staff):
    pacte = PacteFactory(slug="pti-plan")
    axe = add_axe(pacte, 1)
    objectif = axe.objectifs.first()
    client.force_login(staff)
    urls = [
        reverse("axes:pacte_edit", args=[pacte.slug]),
        reverse("axes:axe_create", args=[pacte.slug]),
        reverse("axes:axe_edit", args=[axe.pk]),
        reverse("axes:axe_delete", args=[axe.pk]),
        reverse("axes:objectif_create", args=[axe.pk]),
        reverse("axes:objectif_edit", args=[objectif.pk]),
        reverse("axes:objectif_delete", args=[objectif.pk]),
    ]
    before = [queries(client, url) for url in urls]
    for number in (2, 3, 4):
        add_axe(pacte, number)
    for n in (3, 4, 5):
        ObjectifFactory(axe=axe, number=n)
    axe.thematic_referents.add(UserFactory(), UserFactory())
    assert [queries(client, url) for url in urls] == before


def test_typed_text_is_escaped_on_the_plan_pages(client, staff):
    hostile = '<script>alert("x")</script>{{ 7|add:7 }}'
    pacte = PacteFactory(slug="pti-plan", title=hostile)
    axe = AxeFactory(pacte=pacte, number=1, title=hostile, description=hostile)
    objectif = ObjectifFactory(axe=axe, number=1, text=hostile)
    client.force_login(staff)
    for url in [
        reverse("axes:plan", args=[pacte.slug]),
        reverse("axes:pacte_edit", args=[pacte.slug]),
        reverse("axes:axe_edit", args=[axe.pk]),
        reverse("axes:axe_delete", args=[axe.pk]),
        reverse("axes:objectif_edit", args=[objectif.pk]),
        reverse("axes:objectif_delete", args=[objectif.pk]),
    ]:
        content = client.get(url).content.decode()
        assert "<script>alert" not in content, url
        assert "&lt;script&gt;alert" in content, url
        assert "{{ 7|add:7 }}" in content, url
