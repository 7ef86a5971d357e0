"""The one job engine (pti.jobs.Jobs), on a plain JobRow model (the dossier COPIL's) and a job that only says
what it does: its states, attempts, retries, stale jobs, idempotence, and progress during a PDF's layout. (The
bilan's jobs, driven by the same engine through other field names, are in bilans/tests/test_jobs.py.)"""

import datetime

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.db import OperationalError
from django.utils import timezone

from pilotage.factories import CopilFactory
from pilotage.models import DossierJob
from pti import jobs
from pti.enums import JobStatus
from pti.pdf import html_to_pdf, layout_progress

pytestmark = pytest.mark.django_db


class Engine(jobs.Jobs):
    model = DossierJob
    progress = {"queued": 0, "working": 10, "writing": 80, "done": 100}
    max_attempts = 3


ENGINE = Engine()


def queued(task_id="tache-1", **fields):
    """A job row waiting for a worker as `task_id`."""
    return DossierJob.objects.create(
        copil=CopilFactory(), status=JobStatus.RUNNING, **{**ENGINE.new_job_fields(task_id), **fields}
    )


def work(pk, task_id):
    ENGINE.step(pk, task_id, "working")
    ENGINE.step(pk, task_id, "writing")
    row = DossierJob.objects.get(pk=pk)
    row.status = JobStatus.DONE
    for name, value in ENGINE.done_fields().items():
        setattr(row, name, value)
    row.save()
    return row


def state(row):
    row.refresh_from_db()
    return (row.status, row.step, row.progress, row.attempts, row.error)


def test_a_job_moves_from_queued_through_its_steps_to_done(monkeypatch):
    row = queued()
    assert state(row) == (JobStatus.RUNNING, "queued", 0, 0, "")
    seen = []
    step = ENGINE.step

    def spy(pk, task_id, name):
        step(pk, task_id, name)
        seen.append(DossierJob.objects.values_list("step", "progress").get(pk=pk))

    monkeypatch.setattr(ENGINE, "step", spy)

    assert ENGINE.run(row.pk, "tache-1", True, work).pk == row.pk

    assert seen == [("working", 10), ("writing", 80)]
    assert state(row) == (JobStatus.DONE, "done", 100, 1, "")
    assert row.finished_at is not None


def test_a_task_delivered_again_after_it_finished_does_nothing():
    row = queued()
    ENGINE.run(row.pk, "tache-1", True, work)
    finished = DossierJob.objects.get(pk=row.pk).finished_at

    assert ENGINE.run(row.pk, "tache-1", True, work) is None

    assert state(row) == (JobStatus.DONE, "done", 100, 1, "")
    assert row.finished_at == finished


def test_a_superseded_task_does_nothing_and_one_superseded_midway_stops_at_its_next_step():
    row = queued(task_id="tache-2")
    assert ENGINE.run(row.pk, "tache-1", True, work) is None
    assert state(row) == (JobStatus.RUNNING, "queued", 0, 0, "")

    def superseded_midway(pk, task_id):
        ENGINE.step(pk, task_id, "working")
        DossierJob.objects.filter(pk=pk).update(**ENGINE.new_job_fields("tache-3"))
        return work(pk, task_id)

    assert ENGINE.run(row.pk, "tache-2", True, superseded_midway) is None
    row.refresh_from_db()
    assert (row.status, row.task_id, row.step) == (JobStatus.RUNNING, "tache-3", "queued")


def test_each_delivery_counts_and_the_job_is_given_up_after_its_attempts():
    row = queued(attempts=2)  # two deliveries lost their worker
    assert ENGINE.run(row.pk, "tache-1", True, work) is not None
    assert state(row)[3] == 3

    again = queued(attempts=3)
    assert ENGINE.run(again.pk, "tache-1", True, work) is None
    assert state(again)[:2] == (JobStatus.FAILED, "")
    assert "interrompue 3 fois" in again.error


def test_a_transient_error_puts_the_job_back_in_the_queue_then_fails_it_on_the_last_attempt():
    row = queued()

    def database_gone(pk, task_id):
        ENGINE.step(pk, task_id, "working")
        raise OperationalError("server closed the connection unexpectedly")

    with pytest.raises(OperationalError):
        ENGINE.run(row.pk, "tache-1", False, database_gone)
    assert state(row) == (JobStatus.RUNNING, "queued", 0, 1, "")

    with pytest.raises(OperationalError):
        ENGINE.run(row.pk, "tache-1", True, database_gone)
    assert state(row)[0] == JobStatus.FAILED and "indisponible" in row.error


@pytest.mark.parametrize(
    "error, message",
    [
        (ValueError("boom"), "La production du PDF a échoué à cause d'une erreur interne."),
        (SoftTimeLimitExceeded(), "La production du PDF a dépassé le temps maximal autorisé"),
    ],
)
def test_an_error_fails_the_job_with_a_french_message(error, message):
    row = queued()

    def broken(pk, task_id):
        raise error

    assert ENGINE.run(row.pk, "tache-1", True, broken) is None
    assert state(row)[:3] == (JobStatus.FAILED, "", 0)
    assert row.error.startswith(message)


def ago(seconds):
    return timezone.now() - datetime.timedelta(seconds=seconds)


@pytest.mark.parametrize(
    "step, silent, lost",
    [
        ("working", 39, False),
        ("working", 41, True),
        ("queued", 41, False),  # waiting for a worker: nobody beats it yet
        ("queued", 601, True),
    ],
)
def test_a_silent_job_has_lost_its_worker(settings, step, silent, lost):
    settings.PTI_JOB_LOST_SECONDS = 40
    settings.PTI_JOB_STALE_SECONDS = 600
    row = queued(step=step, heartbeat_at=ago(silent))

    assert ENGINE.mark_stale() == int(lost)

    assert state(row)[0] == (JobStatus.FAILED if lost else JobStatus.RUNNING)
    if lost:
        assert "s'est interrompue" in row.error
        assert ENGINE.run(row.pk, "tache-1", True, work) is None  # the lost task, delivered late, does nothing


def test_a_finished_job_is_never_stale(settings):
    settings.PTI_JOB_LOST_SECONDS = 40
    row = queued()
    ENGINE.run(row.pk, "tache-1", True, work)
    DossierJob.objects.filter(pk=row.pk).update(heartbeat_at=ago(3600))

    assert ENGINE.mark_stale() == 0
    assert state(row)[0] == JobStatus.DONE


def test_a_job_that_cannot_be_queued_is_failed_at_once():
    row = queued()

    class Unreachable:
        def apply_async(self, **kwargs):
            raise ConnectionRefusedError("Error 111 connecting to 127.0.0.1:6379")

    ENGINE.enqueue(Unreachable(), row.pk, "tache-1")

    assert state(row)[0] == JobStatus.FAILED and "indisponible" in row.error


def test_progress_within_a_step_only_moves_forward_and_never_reaches_100():
    row = queued()
    ENGINE.step(row.pk, "tache-1", "writing")

    assert ENGINE.report_progress(row.pk, "tache-1", 85)
    assert not ENGINE.report_progress(row.pk, "tache-1", 82)  # never back
    ENGINE.report_progress(row.pk, "tache-1", 150)
    assert state(row)[2] == 99
    assert not ENGINE.report_progress(row.pk, "tache-2", 99)  # not this task's job


def test_weasyprint_reports_its_phases_and_each_page_it_lays_out_and_paints_and_the_pdf_is_unchanged():
    html = "<html lang='fr'><title>t</title><body>" + "".join(
        f"<p style='break-after: page'>Page {n}</p>" for n in range(1, 7)
    )
    untracked = html_to_pdf(html)
    fractions = []

    with layout_progress(fractions.append, expected_pages=6):
        tracked = html_to_pdf(html)

    assert fractions == sorted(fractions) and len(set(fractions)) == len(fractions)
    assert {0.08, 0.18} <= set(fractions[:4]) and fractions[0] in (0.02, 0.05)  # parsing, CSS, applying it, boxes
    layout = [f for f in fractions if 0.25 <= f <= 0.60]
    painting = [f for f in fractions if 0.62 < f <= 0.92]
    assert len(layout) == 6 and len(painting) == 6  # each page laid out, then each page painted
    assert painting[-1] == 0.92 and fractions[-1] == 0.95  # then the metadata
    # The same PDF as without the hook (but for its creation date and identifiers).
    assert len(tracked) == len(untracked)
    with layout_progress(fractions.append):
        pass
    assert html_to_pdf(html) and len(fractions) == len(set(fractions))  # no report once the block is left


def test_the_bar_moves_with_the_share_of_the_render_done():
    row = queued()
    ENGINE.step(row.pk, "tache-1", "working")
    report = ENGINE.progress_between(row.pk, "tache-1", 10, 80)
    seen = []
    for step in range(1, 41):
        report(step / 40)
        seen.append(DossierJob.objects.get(pk=row.pk).progress)

    assert seen == sorted(seen) and seen[0] == 11 and seen[-1] == 79
    assert len(set(seen)) >= 35  # it moves with the render, not once
