"""The generation and approval jobs: state in the row, safe to run twice, to fail, to lose their worker, and to
find the broker down. (The real worker, killed mid-generation, is in tests/test_bilan_worker.py.)"""

import datetime
import hashlib
import time

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.files.base import ContentFile
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from bilans import content, services, tasks
from bilans.enums import BilanStatus as S
from bilans.factories import BilanFactory
from bilans.models import Bilan, BilanTransition
from bilans.tests.builders import YEAR, small_pacte
from pti.celery import app
from pti.jobs import Heartbeat

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n% ancien bilan\n%%EOF\n"


def generating(task_id="tache-1", heartbeat=None, pacte=None, year=YEAR, **kwargs):
    """A bilan whose generation was queued as `task_id`."""
    now = timezone.now()
    fields = {
        "task_id": task_id,
        "generation_started_at": now,
        "generation_heartbeat_at": heartbeat or now,
        "generation_step": "gathering",
        "generation_progress": 5,
        **kwargs,
    }
    return BilanFactory(pacte=pacte or small_pacte(), year=year, status=S.GENERATING, **fields)


def with_old_pdf(bilan):
    bilan.pdf.save("ancien.pdf", ContentFile(PDF), save=False)
    Bilan.objects.filter(pk=bilan.pk).update(pdf=bilan.pdf.name, pdf_sha256=hashlib.sha256(PDF).hexdigest())
    bilan.refresh_from_db()
    return bilan


# Steps and idempotency


def test_job_records_each_step_with_growing_progress(monkeypatch):
    bilan = generating()
    seen = []
    step = services._step

    def spy(bilan_id, task_id, name):
        step(bilan_id, task_id, name)
        row = Bilan.objects.get(pk=bilan_id)
        seen.append((row.generation_step, row.generation_progress, row.generation_heartbeat_at))

    monkeypatch.setattr(services, "_step", spy)

    services.run_generation(bilan.pk, "tache-1")

    assert [s for s, _p, _h in seen] == ["gathering", "charts", "rendering", "storing"]
    progress = [p for _s, p, _h in seen]
    assert progress == sorted(progress) and progress[0] > 0
    bilan.refresh_from_db()
    assert (bilan.status, bilan.generation_step, bilan.generation_progress, bilan.generation_attempts) == (
        S.GENERATED,
        "done",
        100,
        1,
    )


def test_the_bar_moves_while_weasyprint_lays_out_the_pages(monkeypatch):
    """Between "mise en page" (35 %) and "enregistrement" (90 %), each page laid out moves the bar (pti.jobs)."""
    bilan = generating()
    seen = []
    report = services.JOBS.report_progress

    def spy(bilan_id, task_id, progress):
        moved = report(bilan_id, task_id, progress)
        row = Bilan.objects.get(pk=bilan_id)
        seen.append((row.generation_step, row.generation_progress))
        return moved

    monkeypatch.setattr(services.JOBS, "report_progress", spy)

    services.run_generation(bilan.pk, "tache-1")

    assert {step for step, _progress in seen} == {"rendering"}
    progress = [p for _step, p in seen]
    assert len(progress) >= 3 and progress == sorted(progress) and 35 < progress[0] and progress[-1] < 90
    assert Bilan.objects.get(pk=bilan.pk).generation_progress == 100


def test_task_delivered_again_after_success_does_nothing():
    bilan = generating()
    services.run_generation(bilan.pk, "tache-1")
    bilan.refresh_from_db()
    done = (bilan.pdf.name, bilan.pdf_sha256, bilan.version)

    assert services.run_generation(bilan.pk, "tache-1") is None

    bilan.refresh_from_db()
    assert (bilan.pdf.name, bilan.pdf_sha256, bilan.version) == done
    assert BilanTransition.objects.filter(bilan=bilan, target=S.GENERATED).count() == 1


def test_task_delivered_again_mid_generation_generates_from_scratch():
    bilan = generating(generation_attempts=1)  # a first delivery started, then its worker was lost

    services.run_generation(bilan.pk, "tache-1")

    bilan.refresh_from_db()
    assert bilan.status == S.GENERATED and bilan.generation_attempts == 2


def test_superseded_task_does_nothing():
    bilan = generating(task_id="tache-2")

    assert services.run_generation(bilan.pk, "tache-1") is None

    bilan.refresh_from_db()
    assert (bilan.status, bilan.generation_attempts, bilan.pdf.name) == (S.GENERATING, 0, "")


def test_task_for_a_deleted_bilan_does_nothing():
    assert services.run_generation(987654, "tache-1") is None


def test_job_stops_when_its_bilan_is_marked_failed_meanwhile(monkeypatch):
    bilan = generating()
    collect = content.collect

    def collect_then_lose_the_job(*args, **kwargs):
        services.fail_job(bilan.pk, "tache-1", "Interrompue.")
        return collect(*args, **kwargs)

    monkeypatch.setattr(content, "collect", collect_then_lose_the_job)

    assert services.run_generation(bilan.pk, "tache-1") is None

    bilan.refresh_from_db()
    assert (bilan.status, bilan.error, bilan.pdf.name) == (S.FAILED, "Interrompue.", "")


def test_job_delivered_too_often_is_given_up():
    bilan = generating(generation_attempts=services.MAX_ATTEMPTS)

    assert services.run_generation(bilan.pk, "tache-1") is None

    bilan.refresh_from_db()
    assert bilan.status == S.FAILED
    assert "interrompue 5 fois" in bilan.error


def test_regeneration_deletes_the_previous_pdf_once_the_new_one_is_committed(django_capture_on_commit_callbacks):
    bilan = with_old_pdf(generating())
    old = bilan.pdf.name

    with django_capture_on_commit_callbacks(execute=True):
        services.run_generation(bilan.pk, "tache-1")

    bilan.refresh_from_db()
    assert bilan.status == S.GENERATED and bilan.pdf.name != old
    assert not bilan.pdf.storage.exists(old)


# Failures


def test_a_rendering_error_fails_the_bilan_with_a_french_message(monkeypatch):
    bilan = with_old_pdf(generating())

    def broken(*args, **kwargs):
        raise ValueError("boom")

    monkeypatch.setattr(services, "html_to_pdf", broken)

    assert services.run_generation(bilan.pk, "tache-1") is None

    bilan.refresh_from_db()
    assert bilan.status == S.FAILED
    assert bilan.error.startswith("La production du PDF a échoué à cause d'une erreur interne.")
    assert bilan.pdf.storage.exists(bilan.pdf.name)  # the previous PDF is still there
    failed = BilanTransition.objects.get(bilan=bilan, target=S.FAILED)
    assert failed.user is None and failed.note == bilan.error


def test_time_limit_fails_the_bilan(monkeypatch):
    bilan = generating()

    def too_slow(*args, **kwargs):
        raise SoftTimeLimitExceeded()

    monkeypatch.setattr(content, "collect", too_slow)

    services.run_generation(bilan.pk, "tache-1")

    bilan.refresh_from_db()
    assert bilan.status == S.FAILED and "temps maximal" in bilan.error


def test_transient_error_is_retried_then_recorded_on_the_last_attempt(monkeypatch):
    bilan = generating()

    def database_gone(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(content, "collect", database_gone)

    with pytest.raises(OperationalError):
        services.run_generation(bilan.pk, "tache-1", final_attempt=False)
    bilan.refresh_from_db()
    assert bilan.status == S.GENERATING  # the task will be retried: meanwhile it waits for a worker
    assert (bilan.generation_step, bilan.generation_progress) == ("queued", 0)

    with pytest.raises(OperationalError):
        services.run_generation(bilan.pk, "tache-1", final_attempt=True)
    bilan.refresh_from_db()
    assert bilan.status == S.FAILED and "indisponible" in bilan.error


def test_task_retries_a_transient_error(monkeypatch):
    bilan = generating()
    collect = content.collect
    calls = []

    def fails_once(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("database restarting")
        return collect(*args, **kwargs)

    monkeypatch.setattr(content, "collect", fails_once)

    tasks.generate_bilan.apply(args=[bilan.pk], task_id="tache-1", throw=False)  # eager retries run inline

    bilan.refresh_from_db()
    assert len(calls) == 2
    assert bilan.status == S.GENERATED


def test_tasks_are_late_acknowledged_and_time_limited():
    for task in (tasks.generate_bilan, tasks.approve_bilan):
        assert task.acks_late and task.reject_on_worker_lost
        assert task.time_limit and task.soft_time_limit < task.time_limit
        assert OperationalError in task.autoretry_for and task.max_retries


# The heartbeat, beaten from a side thread while the job runs


def test_heartbeat_beats_every_interval_until_the_job_ends():
    beats = []
    with Heartbeat(lambda: beats.append(time.monotonic()) or True, interval=0.05, max_seconds=60):
        time.sleep(0.5)
    count = len(beats)
    time.sleep(0.2)

    assert 5 <= count <= 11
    assert len(beats) == count  # stopped with the job


def test_heartbeat_stops_once_the_row_no_longer_names_the_job():
    beats = []
    with Heartbeat(lambda: beats.append(1) and False, interval=0.02, max_seconds=60):
        time.sleep(0.3)
    assert beats == [1]


def test_heartbeat_skips_a_beat_the_database_refuses(caplog):
    calls = []

    def flaky():
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return True

    with Heartbeat(flaky, interval=0.02, max_seconds=60):
        time.sleep(0.3)
    assert len(calls) >= 3
    assert "the database did not answer" in caplog.text


def test_heartbeat_gives_up_once_the_job_ran_longer_than_it_may(caplog):
    beats = []
    with Heartbeat(lambda: beats.append(1) or True, interval=0.02, max_seconds=0.1):
        time.sleep(0.4)
    assert 1 <= len(beats) <= 6
    assert "ran longer than it may" in caplog.text


def test_the_job_beats_its_heartbeat_while_weasyprint_lays_out_the_pdf(transactional_db, settings, monkeypatch):
    """Committed rows (transactional_db): the side thread writes through its own database connection."""
    settings.PTI_JOB_HEARTBEAT_SECONDS = 0.1
    bilan = generating()
    layout = services.html_to_pdf
    seen = []

    def slow_layout(html):
        started = Bilan.objects.get(pk=bilan.pk).generation_heartbeat_at
        time.sleep(1)  # a long layout, without any step written meanwhile
        row = Bilan.objects.get(pk=bilan.pk)
        seen.append((row.generation_step, row.generation_heartbeat_at - started))
        return layout(html)

    monkeypatch.setattr(services, "html_to_pdf", slow_layout)

    services.run_generation(bilan.pk, "tache-1")

    [(step, beaten)] = seen
    assert step == "rendering"
    assert beaten >= datetime.timedelta(seconds=0.5)  # beaten during the layout: not only at the step
    assert Bilan.objects.get(pk=bilan.pk).status == S.GENERATED


def test_a_dead_worker_is_noticed_within_a_minute_by_default(settings):
    assert settings.PTI_JOB_HEARTBEAT_SECONDS == 10
    assert 3 * settings.PTI_JOB_HEARTBEAT_SECONDS <= settings.PTI_JOB_LOST_SECONDS <= 50


# A worker lost mid-job


def ago(seconds):
    return timezone.now() - datetime.timedelta(seconds=seconds)


@pytest.mark.parametrize(
    "step, silent, lost",
    [
        # A worker took the job: a few missed beats (PTI_JOB_LOST_SECONDS = 40 s here) and it is lost.
        ("gathering", 39, False),
        ("gathering", 41, True),
        ("rendering", 41, True),
        ("storing", 41, True),
        # Still waiting in the queue: no worker beats it yet; given up after PTI_BILAN_STALE_SECONDS (600 s here).
        ("queued", 41, False),
        ("queued", 599, False),
        ("queued", 601, True),
    ],
)
def test_which_silent_jobs_have_lost_their_worker(settings, step, silent, lost):
    settings.PTI_JOB_LOST_SECONDS = 40
    settings.PTI_BILAN_STALE_SECONDS = 600
    bilan = generating(heartbeat=ago(silent), generation_step=step)

    assert services.mark_stale_jobs() == int(lost)

    assert Bilan.objects.get(pk=bilan.pk).status == (S.FAILED if lost else S.GENERATING)


@pytest.mark.parametrize("job", ["generation", "approval"])
def test_the_progress_poll_shows_a_lost_job_failed_with_a_retry_within_a_minute(client, staff, settings, job):
    """No Celery beat here: the page's own progress poll (every second) notices the silence."""
    settings.PTI_JOB_LOST_SECONDS = 40
    if job == "generation":
        bilan = generating(heartbeat=ago(45), generation_step="rendering", generation_progress=35)
    else:
        bilan = with_old_pdf(BilanFactory(pacte=small_pacte(), year=YEAR, status=S.SUBMITTED, snapshot={"x": 1}))
        Bilan.objects.filter(pk=bilan.pk).update(
            approving=True,
            approval_date=timezone.localdate(),
            deliberation_reference="CD-1",
            approved_by=staff,
            task_id="tache-1",
            generation_step="rendering",
            generation_heartbeat_at=ago(45),
        )
    client.force_login(staff)
    args = [bilan.pacte.slug, YEAR]

    poll = client.get(reverse("bilans:progress", args=args), headers={"HX-Request": "true"})

    assert poll["HX-Refresh"] == "true"  # the page reloads itself
    content = client.get(reverse("bilans:detail", args=args)).content.decode().replace("&#x27;", "'")
    assert "s'est interrompue" in content
    if job == "generation":
        assert "La génération a échoué" in content and "Relancer la génération" in content
        assert Bilan.objects.get(pk=bilan.pk).status == S.FAILED
    else:
        assert "L'approbation n'a pas abouti" in content and "Relancer l'approbation" in content
        assert reverse("bilans:approve", args=args) in content  # the decision form is back
        stored = Bilan.objects.get(pk=bilan.pk)
        assert (stored.status, stored.approving) == (S.SUBMITTED, False)
    # The lost task, if the broker delivers it again, does nothing.
    assert getattr(services, f"run_{job}")(bilan.pk, "tache-1") is None


def test_the_progress_poll_leaves_a_job_that_beats_alone(client, staff, settings):
    settings.PTI_JOB_LOST_SECONDS = 40
    bilan = generating(heartbeat=ago(30), generation_step="rendering")
    client.force_login(staff)

    poll = client.get(reverse("bilans:progress", args=[bilan.pacte.slug, YEAR]), headers={"HX-Request": "true"})

    assert "HX-Refresh" not in poll and 'hx-trigger="every 1s"' in poll.content.decode()
    assert Bilan.objects.get(pk=bilan.pk).status == S.GENERATING


def test_generation_silent_for_longer_than_the_time_limit_is_marked_failed(settings):
    settings.PTI_BILAN_STALE_SECONDS = 600
    stale = generating(heartbeat=timezone.now() - datetime.timedelta(seconds=601))
    alive = generating("tache-2", timezone.now() - datetime.timedelta(seconds=30), pacte=stale.pacte, year=2023)

    assert services.mark_stale_jobs() == 1

    stale.refresh_from_db()
    alive.refresh_from_db()
    assert stale.status == S.FAILED and "s'est interrompue" in stale.error
    assert alive.status == S.GENERATING
    logged = BilanTransition.objects.get(bilan=stale)
    assert (logged.source, logged.target, logged.user) == (S.GENERATING, S.FAILED, None)
    # Then it can be retried, and the late task, if it ever runs, does nothing.
    assert services.run_generation(stale.pk, "tache-1") is None
    stale.refresh_from_db()
    assert stale.status == S.FAILED


def test_default_stale_delay_is_the_task_time_limit_plus_a_margin(settings):
    assert settings.PTI_BILAN_STALE_SECONDS > settings.CELERY_TASK_TIME_LIMIT


def test_stale_approval_leaves_the_bilan_submitted_with_a_message(settings, staff):
    bilan = with_old_pdf(BilanFactory(pacte=small_pacte(), year=YEAR, status=S.SUBMITTED, snapshot={"x": 1}))
    Bilan.objects.filter(pk=bilan.pk).update(
        approving=True,
        approval_date=datetime.date(2025, 3, 1),
        deliberation_reference="CD-1",
        approved_by=staff,
        task_id="tache-1",
        generation_heartbeat_at=timezone.now() - datetime.timedelta(hours=1),
    )

    assert services.mark_stale_jobs() == 1

    bilan.refresh_from_db()
    assert (bilan.status, bilan.approving, bilan.deliberation_reference, bilan.approval_date) == (
        S.SUBMITTED,
        False,
        "",
        None,
    )
    assert "s'est interrompue" in bilan.error


def test_the_bilan_page_shows_a_lost_generation_as_failed_with_a_retry_button(client, staff):
    bilan = generating(heartbeat=timezone.now() - datetime.timedelta(hours=2))
    client.force_login(staff)

    response = client.get(reverse("bilans:detail", args=[bilan.pacte.slug, YEAR]))

    content_ = response.content.decode()
    assert "La génération a échoué" in content_ and "s&#x27;est interrompue" in content_
    assert "Relancer la génération" in content_
    assert Bilan.objects.get(pk=bilan.pk).status == S.FAILED


# The broker is down


@pytest.fixture
def broker_down(monkeypatch):
    """Tasks go to a broker on a closed port (CELERY_BROKER_URL pointing nowhere, not eager)."""
    closed = "redis://127.0.0.1:1/0"
    monkeypatch.setenv("CELERY_BROKER_URL", closed)  # Celery reads the environment before its configuration
    down = {"broker_url": closed, "broker_write_url": None, "task_always_eager": False}
    previous = {name: app.conf[name] for name in down}
    app.conf.update(down)
    yield
    app.conf.update(previous)


@pytest.mark.parametrize("status", [S.DRAFT, S.GENERATED])
def test_broker_down_changes_nothing_and_says_so_in_french(client, staff, broker_down, status):
    bilan = BilanFactory(pacte=small_pacte(), year=YEAR, status=status)
    if status == S.GENERATED:
        bilan = with_old_pdf(bilan)
    client.force_login(staff)

    response = client.post(reverse("bilans:generate", args=[bilan.pacte.slug, YEAR]))

    assert response.status_code == 503
    assert "Le service de production des PDF est indisponible" in response.content.decode()
    stored = Bilan.objects.get(pk=bilan.pk)
    assert (stored.status, stored.task_id, stored.pdf.name) == (status, "", bilan.pdf.name)
    assert not BilanTransition.objects.exists()


def test_broker_lost_between_the_check_and_the_queueing_fails_the_job(
    monkeypatch, staff, django_capture_on_commit_callbacks
):
    bilan = BilanFactory(pacte=small_pacte(), year=YEAR)
    monkeypatch.setattr(services, "ensure_broker", lambda: None)

    def unreachable(*args, **kwargs):
        raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.generate_bilan, "apply_async", unreachable)

    with django_capture_on_commit_callbacks(execute=True):
        services.request_generation(bilan, staff)

    bilan.refresh_from_db()
    assert bilan.status == S.FAILED and "indisponible" in bilan.error  # not left "generating"
