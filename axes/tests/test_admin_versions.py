"""A change made in Django's admin moves the version on: a form opened in the application before it is refused."""

import pytest
from django.urls import reverse

from axes.factories import AxeFactory, PacteFactory

pytestmark = pytest.mark.django_db


def test_an_admin_change_makes_a_stale_application_form_conflict(client, administrator, staff):
    axe = AxeFactory(pacte=PacteFactory(slug="pti-admin"), number=1, title="Emploi")
    stale = {"version": 1, "number": 1, "title": "Emploi et formation", "description": ""}
    client.force_login(administrator)
    response = client.post(
        reverse("admin:axes_axe_change", args=[axe.pk]),
        {
            "pacte": axe.pacte_id,
            "number": 1,
            "title": "Emploi durable",
            "description": "",
            "objectifs-TOTAL_FORMS": 0,
            "objectifs-INITIAL_FORMS": 0,
            "objectifs-MIN_NUM_FORMS": 0,
            "objectifs-MAX_NUM_FORMS": 1000,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    axe.refresh_from_db()
    assert (axe.title, axe.version) == ("Emploi durable", 2)

    client.force_login(staff)
    response = client.post(reverse("axes:axe_edit", args=[axe.pk]), stale)
    assert response.status_code == 409
    axe.refresh_from_db()
    assert axe.title == "Emploi durable"
