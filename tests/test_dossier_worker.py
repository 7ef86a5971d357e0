"""The dossier COPIL rendered by a real Celery worker through the Redis broker, on PostgreSQL (CI: see .ci/run):
the page queues the job and follows it, the download serves the worker's PDF, and asking again serves it from
the cache without a second job."""

import datetime

import pytest
from django.urls import reverse

from bilans.tests.builders import small_pacte
from bilans.tests.pdfs import is_pdf_a, pdf_text
from pilotage.factories import CopilFactory
from pilotage.models import DossierJob
from pti.enums import JobStatus
from pti.factories import UserFactory
from tests.test_bilan_worker import wait_for

pytestmark = pytest.mark.worker


def test_real_worker_renders_the_dossier_and_the_page_offers_it(client, transactional_db, settings, celery_worker):
    settings.MEDIA_ROOT = celery_worker.media_root
    client.force_login(UserFactory(username="membre-copil", copil=True))
    copil = CopilFactory(pacte=small_pacte(), date=datetime.date(2024, 12, 3))
    page = reverse("pilotage:dossier_job", args=[copil.pk])

    assert "Génération en cours" in client.get(page).content.decode()
    job = wait_for(
        lambda: (row := DossierJob.objects.get(copil=copil)).status != JobStatus.RUNNING and row,
        120,
        "le dossier rendu par le worker",
    )
    assert job.status == JobStatus.DONE, (job.error, celery_worker.log()[-3000:])
    assert "Le dossier est prêt" in client.get(page).content.decode()

    response = client.get(reverse("pilotage:dossier_pdf", args=[copil.pk]))
    data = response.content
    assert response.status_code == 200 and is_pdf_a(data)
    assert "Dossier du COPIL du 03/12/2024" in pdf_text(data)
    assert "pilotage.tasks.render_dossier" in celery_worker.log()
    client.get(page)
    assert DossierJob.objects.get(copil=copil).task_id == job.task_id  # cached: no second job
