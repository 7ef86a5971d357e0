"""The dossier COPIL as a background job: the page queues it (Celery, after the commit) or, without a broker,
renders it on the spot behind a visible "génération en cours"; it shows the progress, then offers the download;
the PDF is kept until the data it renders changes (the hash of its inputs); six requests start one job.

The PDF itself is stubbed here (its content is tested in test_dossier.py and tests/test_pdf_pages.py), except in
the one test that follows a real layout's progress."""

import datetime

import pytest
from django.urls import reverse

from actions.factories import ActionFactory, IndicatorFactory, IndicatorValueFactory, ProgressReportFactory
from axes.factories import AxeFactory, PacteFactory
from pilotage import jobs as dossier_jobs
from pilotage import tasks
from pilotage.factories import CopilFactory, DecisionFactory, HighlightedActionFactory
from pilotage.models import DossierJob
from pti import jobs
from pti.enums import JobStatus

pytestmark = pytest.mark.django_db

HX = {"HX-Request": "true"}


def small_pacte(actions=2):
    pacte = PacteFactory(slug="pti-job", title="PTI du dossier", first_year=2022, last_year=2025)
    axe = AxeFactory(pacte=pacte, number=1, title="Orienter")
    for number in range(1, actions + 1):
        action = ActionFactory(axe=axe, number=f"1.{number}", title=f"Action {number}")
        ProgressReportFactory(action=action, year=2024, progress=40)
        IndicatorValueFactory(indicator=IndicatorFactory(action=action), year=2024, target=10, value=5)
    return pacte


@pytest.fixture
def copil():
    copil = CopilFactory(pacte=small_pacte(), date=datetime.date(2024, 11, 26))
    DecisionFactory(copil=copil, text="Étendre la plateforme")
    return copil


@pytest.fixture
def renders(monkeypatch):
    """The PDFs rendered (stubbed: each one a small distinct file)."""
    rendered = []

    def fake_render(template_name, context):
        rendered.append(context["copil"].pk)
        return f"%PDF-1.7\n% dossier {len(rendered)}\n%%EOF\n".encode()

    monkeypatch.setattr(dossier_jobs, "render_pdf", fake_render)
    return rendered


@pytest.fixture
def with_broker(monkeypatch):
    """As in production: a broker takes the tasks (their publication is recorded, not run)."""
    monkeypatch.setattr(jobs, "eager", lambda: False)
    monkeypatch.setattr(jobs, "ensure_broker", lambda: None)
    queued = []
    monkeypatch.setattr(tasks.render_dossier, "apply_async", lambda **kwargs: queued.append(kwargs))
    return queued


def page(client, copil):
    return client.get(reverse("pilotage:dossier_job", args=[copil.pk]))


def poll(client, copil):
    return client.get(reverse("pilotage:dossier_progress", args=[copil.pk]), headers=HX)


def download(client, copil):
    return client.get(reverse("pilotage:dossier_pdf", args=[copil.pk]))


def pdf_bytes(response):
    return response.content


def test_the_page_queues_one_job_after_the_commit_and_shows_its_progress(
    client, copil_member, copil, renders, with_broker, django_capture_on_commit_callbacks
):
    client.force_login(copil_member)

    with django_capture_on_commit_callbacks(execute=True):
        response = page(client, copil)

    content = response.content.decode()
    assert response.status_code == 200
    assert "Génération en cours" in content and "En attente d&#x27;un processus de génération" in content
    assert reverse("pilotage:dossier_progress", args=[copil.pk]) in content
    job = DossierJob.objects.get(copil=copil)
    assert (job.status, job.step, job.progress, len(job.inputs_hash)) == (JobStatus.RUNNING, "queued", 0, 64)
    assert with_broker == [
        {
            "args": [job.pk],
            "task_id": job.task_id,
            "retry": True,
            "retry_policy": {"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1},
        }
    ]
    assert renders == []  # nothing rendered in the web request

    # The worker takes it: the poll shows its step, then the page offers the download.
    DossierJob.objects.filter(pk=job.pk).update(step="rendering", progress=47)
    progress = poll(client, copil)
    assert "HX-Refresh" not in progress
    assert "Mise en page du PDF</strong> – 47 %" in progress.content.decode()
    assert dossier_jobs.run(job.pk, job.task_id) is not None
    assert poll(client, copil)["HX-Refresh"] == "true"
    ready = page(client, copil).content.decode()
    assert "Le dossier est prêt" in ready and reverse("pilotage:dossier_pdf", args=[copil.pk]) in ready
    assert renders == [copil.pk]


def test_six_requests_for_the_same_data_queue_one_job(
    client, copil_member, copil, renders, with_broker, django_capture_on_commit_callbacks
):
    client.force_login(copil_member)
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            page(client, copil)
        for _ in range(3):
            assert download(client, copil).status_code == 302  # not ready: sent to the page that follows it

    assert len(with_broker) == 1 and DossierJob.objects.count() == 1
    assert renders == []


def test_without_a_broker_the_page_shows_the_job_and_its_first_poll_renders_it_once(
    client, copil_member, copil, renders
):
    client.force_login(copil_member)

    content = page(client, copil).content.decode()
    assert "Génération en cours" in content and 'hx-trigger="load delay:300ms, every 1s"' in content
    assert renders == []  # the page answers at once

    first = poll(client, copil)
    assert first["HX-Refresh"] == "true" and renders == [copil.pk]
    for _ in range(5):  # polls of other tabs, arriving late: nothing more is rendered
        poll(client, copil)
    assert renders == [copil.pk]
    job = DossierJob.objects.get(copil=copil)
    assert (job.status, job.step, job.progress, job.attempts) == (JobStatus.DONE, "done", 100, 1)
    assert "Le dossier est prêt" in page(client, copil).content.decode()


def test_a_job_claimed_by_another_request_is_not_rendered_again(client, copil_member, copil, renders):
    client.force_login(copil_member)
    page(client, copil)
    job = DossierJob.objects.get(copil=copil)
    DossierJob.objects.filter(pk=job.pk).update(step="rendering", attempts=1)  # another request renders it

    assert "HX-Refresh" not in poll(client, copil)
    assert download(client, copil).status_code == 302
    assert renders == []


def test_the_pdf_is_cached_until_its_data_changes(
    client, copil_member, copil, renders, django_capture_on_commit_callbacks
):
    client.force_login(copil_member)

    first = download(client, copil)  # no broker: rendered on the spot
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    assert 'filename="dossier-copil-pti-job-2024-11-26.pdf"' in first["Content-Disposition"]
    assert pdf_bytes(first) == b"%PDF-1.7\n% dossier 1\n%%EOF\n"
    old_file = DossierJob.objects.get(copil=copil).pdf.name

    assert pdf_bytes(download(client, copil)) == b"%PDF-1.7\n% dossier 1\n%%EOF\n"
    assert "Le dossier est prêt" in page(client, copil).content.decode()
    assert renders == [copil.pk]  # served from the cache

    decision = copil.decisions.get()
    decision.follow_up = "Permanences ouvertes."
    decision.version += 1
    decision.save()

    with django_capture_on_commit_callbacks(execute=True):  # the previous file is deleted after the commit
        assert pdf_bytes(download(client, copil)) == b"%PDF-1.7\n% dossier 2\n%%EOF\n"
    assert renders == [copil.pk, copil.pk]
    job = DossierJob.objects.get(copil=copil)
    assert job.pdf.name != old_file and not job.pdf.storage.exists(old_file)


@pytest.mark.parametrize(
    "change",
    [
        "new action",
        "indicator value",
        "budget",
        "report",
        "highlight",
        "deleted decision",
        "copil",
        "next day",
    ],
)
def test_every_input_of_the_dossier_changes_its_hash(copil, change):
    action = ActionFactory(axe=copil.pacte.axes.get(), number="1.9")
    today = datetime.date(2025, 1, 10)
    before = dossier_jobs.inputs_hash(copil, today)
    if change == "new action":
        ActionFactory(axe=copil.pacte.axes.get(), number="1.8")
    elif change == "indicator value":
        value = action.pacte.actions.get(number="1.1").indicators.get().values.get()
        value.value = 9
        value.save()
    elif change == "budget":
        action.budgets.create(year=2024, planned=1000)
    elif change == "report":
        ProgressReportFactory(action=action, year=2024, progress=10)
    elif change == "highlight":
        HighlightedActionFactory(copil=copil, action=action)
    elif change == "deleted decision":
        copil.decisions.get().delete()
    elif change == "copil":
        type(copil).objects.filter(pk=copil.pk).update(version=copil.version + 1)
    elif change == "next day":
        today += datetime.timedelta(days=1)

    assert dossier_jobs.inputs_hash(copil, today) != before
    # another COPIL of the same pacte and year, untouched like this one, still has its own dossier
    other = CopilFactory(pacte=copil.pacte, date=datetime.date(2024, 3, 2))
    assert dossier_jobs.inputs_hash(other, today) != dossier_jobs.inputs_hash(copil, today)


def test_the_hash_costs_the_same_queries_whatever_the_size_of_the_pacte(
    django_assert_num_queries, django_assert_max_num_queries
):
    small = CopilFactory(pacte=small_pacte(actions=1), date=datetime.date(2024, 11, 26))
    with django_assert_max_num_queries(20) as small_queries:  # two aggregates at most per table read
        dossier_jobs.inputs_hash(small)
    big_pacte = PacteFactory(slug="pti-grand", first_year=2022, last_year=2025)
    for number in range(1, 3):
        axe = AxeFactory(pacte=big_pacte, number=number)
        for index in range(1, 6):
            action = ActionFactory(axe=axe, number=f"{number}.{index}")
            ProgressReportFactory(action=action, year=2024)
            IndicatorValueFactory(indicator=IndicatorFactory(action=action), year=2024, target=3)
    big = CopilFactory(pacte=big_pacte, date=datetime.date(2024, 11, 26))
    with django_assert_num_queries(len(small_queries.captured_queries)):
        dossier_jobs.inputs_hash(big)


def test_the_page_costs_the_same_queries_whatever_the_size_of_the_pacte(
    client, copil_member, renders, django_assert_max_num_queries
):
    client.force_login(copil_member)
    small = CopilFactory(pacte=small_pacte(actions=1), date=datetime.date(2024, 11, 26))
    pdf_bytes(download(client, small))
    big_pacte = PacteFactory(slug="pti-grand", first_year=2022, last_year=2025)
    axe = AxeFactory(pacte=big_pacte, number=1)
    for index in range(1, 9):
        ActionFactory(axe=axe, number=f"1.{index}")
    big = CopilFactory(pacte=big_pacte, date=datetime.date(2024, 11, 26))
    DecisionFactory.create_batch(5, copil=big)
    pdf_bytes(download(client, big))

    with django_assert_max_num_queries(30) as small_page:
        assert page(client, small).status_code == 200
    with django_assert_max_num_queries(len(small_page.captured_queries)):
        assert page(client, big).status_code == 200


def test_a_failed_job_shows_why_and_is_retried_only_when_asked(client, copil_member, copil, monkeypatch):
    def broken(template_name, context):
        raise ValueError("boom")

    monkeypatch.setattr(dossier_jobs, "render_pdf", broken)
    client.force_login(copil_member)
    page(client, copil)
    poll(client, copil)

    content = page(client, copil).content.decode().replace("&#x27;", "'")
    assert "La génération du dossier a échoué" in content
    assert "La production du PDF a échoué à cause d'une erreur interne." in content
    assert "Relancer la génération" in content
    job = DossierJob.objects.get(copil=copil)
    assert job.status == JobStatus.FAILED
    assert download(client, copil).status_code == 302  # a download does not retry it on its own
    assert DossierJob.objects.get(copil=copil).task_id == job.task_id

    monkeypatch.setattr(dossier_jobs, "render_pdf", lambda template_name, context: b"%PDF-1.7\n%%EOF\n")
    response = client.post(reverse("pilotage:dossier_job", args=[copil.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("pilotage:dossier_job", args=[copil.pk])
    retried = DossierJob.objects.get(copil=copil)
    assert (retried.status, retried.step) == (JobStatus.RUNNING, "queued") and retried.task_id != job.task_id
    poll(client, copil)
    assert DossierJob.objects.get(copil=copil).status == JobStatus.DONE


def test_a_job_that_lost_its_worker_is_shown_failed_by_the_poll(client, copil_member, copil, renders, settings):
    settings.PTI_JOB_LOST_SECONDS = 40
    client.force_login(copil_member)
    page(client, copil)
    DossierJob.objects.filter(copil=copil).update(
        step="rendering", attempts=1, heartbeat_at=datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)
    )

    assert poll(client, copil)["HX-Refresh"] == "true"
    assert "s&#x27;est interrompue" in page(client, copil).content.decode()
    assert DossierJob.objects.get(copil=copil).status == JobStatus.FAILED


def test_a_missing_file_is_rendered_again(client, copil_member, copil, renders):
    client.force_login(copil_member)
    pdf_bytes(download(client, copil))
    job = DossierJob.objects.get(copil=copil)
    job.pdf.storage.delete(job.pdf.name)

    assert pdf_bytes(download(client, copil)) == b"%PDF-1.7\n% dossier 2\n%%EOF\n"


def test_a_deleted_copil_takes_its_cached_pdf_with_it(
    client, copil_member, copil, renders, django_capture_on_commit_callbacks
):
    client.force_login(copil_member)
    pdf_bytes(download(client, copil))
    job = DossierJob.objects.get(copil=copil)
    assert job.pdf.storage.exists(job.pdf.name)

    with django_capture_on_commit_callbacks(execute=True):
        copil.delete()

    assert not DossierJob.objects.exists() and not job.pdf.storage.exists(job.pdf.name)


def test_broker_down_says_so_in_french_and_starts_nothing(client, copil_member, copil, renders, monkeypatch):
    def down():
        raise jobs.BrokerUnavailable("Connection refused")

    monkeypatch.setattr(jobs, "ensure_broker", down)
    client.force_login(copil_member)

    for response in (page(client, copil), download(client, copil)):
        assert response.status_code == 503
        assert "Le service de production des PDF est indisponible" in response.content.decode()
    assert not DossierJob.objects.exists() and renders == []


@pytest.mark.parametrize("user, status", [(None, 302), ("referent", 200), ("copil_member", 200), ("staff", 200)])
def test_who_may_ask_for_the_dossier(client, request, copil, renders, user, status):
    if user:
        client.force_login(request.getfixturevalue(user))
    for response in (page(client, copil), poll(client, copil)):
        assert response.status_code == status
    if user is None:
        assert not DossierJob.objects.exists()


def test_the_copil_page_links_to_the_dossiers_page(client, copil_member, copil):
    client.force_login(copil_member)
    content = client.get(reverse("pilotage:copil_detail", args=[copil.pk])).content.decode()
    assert reverse("pilotage:dossier_job", args=[copil.pk]) in content


def test_a_real_layout_moves_the_bar_page_after_page(client, copil_member, copil, monkeypatch):
    """The one real render of this file: the steps and the progress the job records while WeasyPrint lays the
    dossier out."""
    recorded = []
    step, report = dossier_jobs.JOBS.step, dossier_jobs.JOBS.report_progress

    def spy_step(pk, task_id, name):
        step(pk, task_id, name)
        recorded.append(("step", str(name), DossierJob.objects.get(pk=pk).progress))

    def spy_report(pk, task_id, progress):
        moved = report(pk, task_id, progress)
        recorded.append(("layout", DossierJob.objects.get(pk=pk).step, DossierJob.objects.get(pk=pk).progress))
        return moved

    monkeypatch.setattr(dossier_jobs.JOBS, "step", spy_step)
    monkeypatch.setattr(dossier_jobs.JOBS, "report_progress", spy_report)
    client.force_login(copil_member)

    response = download(client, copil)

    assert response.status_code == 200 and pdf_bytes(response).startswith(b"%PDF")
    steps = [(name, progress) for kind, name, progress in recorded if kind == "step"]
    assert steps == [("gathering", 5), ("rendering", 30), ("storing", 92)]
    layout = [progress for kind, name, progress in recorded if kind == "layout"]
    assert all(name == "rendering" for kind, name, _p in recorded if kind == "layout")
    assert len(layout) >= 4 and layout == sorted(layout) and 30 < layout[0] and layout[-1] < 92
    assert DossierJob.objects.get(copil=copil).progress == 100


def test_six_requests_at_once_start_one_job(transactional_db, renders, with_broker):
    """Six threads, six database connections, the same instant (PostgreSQL: the row's lock serialises them)."""
    import threading

    from django.db import connection, connections

    if connection.vendor != "postgresql":
        pytest.skip("Le verrou de ligne (SELECT … FOR UPDATE) demande PostgreSQL.")
    copil = CopilFactory(pacte=small_pacte(actions=1), date=datetime.date(2024, 11, 26))
    barrier = threading.Barrier(6)
    task_ids, errors = [], []

    def ask():
        try:
            barrier.wait()
            task_ids.append(dossier_jobs.request_dossier(copil).task_id)
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ask) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(set(task_ids)) == 1 and len(task_ids) == 6
    assert len(with_broker) == 1 and DossierJob.objects.count() == 1
