"""The one job engine: what every background job (the bilan, the dossier COPIL, …) shares.

A job is a row (pti.models.JobRow, or a domain model with the same bookkeeping under other names) with a
status, a step and its progress, an error, the task id that owns it, a heartbeat and a count of attempts. An app
says what its job does; this module does the rest, the same way for every job:

- `Jobs.new_job_fields(task_id)`: the row's fields when a job starts; the app writes them under its own lock
  and queues the task after the commit (`Jobs.enqueue`, which fails the job at once if it cannot be queued);
- `Jobs.run(pk, task_id, final_attempt, work)`: the task's body. It counts the delivery (`start`, given up after
  `max_attempts`), beats the heartbeat from a side thread (`Heartbeat`) while `work(pk, task_id)` runs, and turns
  every exception into a failure with a French message, or a retry for a transient database error;
- `Jobs.step` / `Jobs.report_progress`: the job's own short transactions, so that a page can follow it; a step
  raises `Superseded` once the row no longer names the task (delivered twice, superseded, failed meanwhile);
- `Jobs.fail` and `Jobs.mark_stale`: a job that lost its worker (started and silent for `PTI_JOB_LOST_SECONDS`,
  or still queued after the task's time limit) is marked failed, by the pages and by Celery beat;
- `eager()`: no broker (the embedded default, the tests): tasks run on the spot.
"""

import datetime
import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError, InterfaceError, OperationalError, connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from pti.enums import JobStatus

logger = logging.getLogger(__name__)


class Heartbeat:
    """A heartbeat beaten from a side thread while the job works.

    A job's row says when its worker last gave a sign of life. The steps of a job write it, but one step can take
    minutes (WeasyPrint laying out a long PDF); so, for as long as the job runs, a side thread beats it every
    `PTI_JOB_HEARTBEAT_SECONDS`. A job whose heartbeat is older than `PTI_JOB_LOST_SECONDS` (a few beats) has lost
    its worker (killed, out of memory, machine restarted): the pages show it failed, with a retry, within a minute.

        with Heartbeat(lambda: Job.objects.filter(pk=pk, task_id=task_id).update(heartbeat_at=now()) > 0):
            do_the_work()

    `beat` returns False once the row no longer names this job (done, failed or superseded elsewhere): the thread
    stops beating, and the job finds out at its next step. A beat that fails (database briefly away) is skipped. The
    thread also stops after `max_seconds` (the task's hard time limit): a job stuck for longer than it may run
    must not look alive for ever.
    """

    def __init__(self, beat, interval=None, max_seconds=None):
        self.beat = beat
        self.interval = settings.PTI_JOB_HEARTBEAT_SECONDS if interval is None else interval
        self.max_seconds = settings.CELERY_TASK_TIME_LIMIT if max_seconds is None else max_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pti-job-heartbeat", daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join()
        return False

    def _run(self):
        deadline = time.monotonic() + self.max_seconds
        try:
            while not self._stop.wait(self.interval):
                if time.monotonic() >= deadline:
                    logger.warning("Job heartbeat stopped after %s s: the job ran longer than it may", self.max_seconds)
                    return
                try:
                    if not self.beat():
                        return
                except DatabaseError:
                    logger.warning("Job heartbeat skipped: the database did not answer", exc_info=True)
        finally:
            connections.close_all()  # this thread's own connections


# --- the engine ----------------------------------------------------------------------------------------------

QUEUED = "queued"  # the step of a job waiting for a worker
DONE = "done"  # the step of a finished job
# Errors worth retrying: the database or the broker was briefly unreachable.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)

# The Celery options of every job's task: acknowledged when done and delivered again if the worker is lost (the
# row says whether work remains), transient errors retried, time limited.
TASK_OPTIONS = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": TRANSIENT_ERRORS,
    "max_retries": 3,
    "retry_backoff": 5,
    "retry_backoff_max": 60,
    "soft_time_limit": settings.CELERY_TASK_SOFT_TIME_LIMIT,
    "time_limit": settings.CELERY_TASK_TIME_LIMIT,
}


class Superseded(Exception):
    """The row no longer names this task: someone else owns the job now, stop quietly."""


class BrokerUnavailable(Exception):
    """No task can be queued: the broker does not answer."""


def _app():
    from pti.celery import app

    return app


def eager():
    """Tasks run on the spot, in the process that queues them: no broker (the embedded default, the tests)."""
    return bool(_app().conf.task_always_eager)


def ensure_broker():
    """Raise BrokerUnavailable unless tasks can be queued: eager mode, or a broker that answers."""
    if eager():
        return
    from pti.celery import broker_error

    error = broker_error()
    if error is not None:
        logger.warning("Celery broker unreachable: %r", error)
        raise BrokerUnavailable(str(error)) from error


def final_attempt(task):
    """Whether this delivery of a bound task (TASK_OPTIONS) is its last retry."""
    return task.request.retries >= task.max_retries


def unavailable_message():
    return _(
        "Le service de production des PDF est indisponible pour le moment : rien n'a été modifié. "
        "Réessayez dans quelques minutes ; si le problème persiste, prévenez l'administrateur de l'application."
    )


def stale_message():
    return _(
        "La production du PDF s'est interrompue : le processus qui le produisait s'est arrêté sans terminer "
        "(redémarrage du serveur, par exemple). Rien n'est perdu : relancez-la."
    )


def too_many_attempts_message(count):
    return _(
        "La génération a été interrompue %(count)s fois sans aboutir. Relancez-la ; si l'échec se répète, "
        "prévenez l'administrateur de l'application."
    ) % {"count": count}


def time_limit_message():
    return _(
        "La production du PDF a dépassé le temps maximal autorisé (%(minutes)s minutes). Relancez-la ; si "
        "l'échec se répète, prévenez l'administrateur de l'application."
    ) % {"minutes": settings.CELERY_TASK_SOFT_TIME_LIMIT // 60}


def internal_error_message():
    return _(
        "La production du PDF a échoué à cause d'une erreur interne. Relancez-la ; si l'échec se répète, "
        "prévenez l'administrateur de l'application."
    )


class Jobs:
    """The machinery of one kind of job row. A subclass names the model, the progress of each step, and (for a
    model that is not a pti.models.JobRow) its field names, which rows run a job and how a job fails.

    Every method takes the row's primary key and the task id that owns the job: the row is the truth, the task
    only does work while the row names it."""

    model = None
    # Progress (%) shown when each step starts; QUEUED and DONE are required.
    progress = {QUEUED: 0, DONE: 100}
    # Deliveries of one job (retries and redeliveries after a worker was lost included) before it is given up.
    max_attempts = 5
    # The field names of the row's bookkeeping.
    step_field = "step"
    progress_field = "progress"
    heartbeat_field = "heartbeat_at"
    attempts_field = "attempts"
    started_field = "started_at"
    finished_field = "finished_at"
    task_id_field = "task_id"
    error_field = "error"
    # A job still waiting for a worker after this many seconds (a setting's name) is given up.
    queued_limit_setting = "PTI_JOB_STALE_SECONDS"
    # Seconds slept after each step (a setting's name): 0 except in the tests that kill a worker mid-job.
    step_delay_setting = "PTI_JOB_STEP_DELAY"
    label = "Job"

    # What the app says about its rows ----------------------------------------------------------------------

    def running_q(self):
        """The rows where a job runs (a Q)."""
        return Q(status=JobStatus.RUNNING)

    def is_running(self, row):
        return row.status == JobStatus.RUNNING

    def fail_locked(self, row, message):
        """Record the failure on the locked row of a running job."""
        fields = {"status": JobStatus.FAILED, **self.failure_fields(message)}
        for name, value in fields.items():
            setattr(row, name, value)
        row.save(update_fields=[*fields, "updated_at"])

    # Fields ------------------------------------------------------------------------------------------------

    def new_job_fields(self, task_id, now=None):
        """The bookkeeping of a job that starts now as `task_id`, waiting for a worker."""
        now = now or timezone.now()
        return {
            self.task_id_field: task_id,
            self.started_field: now,
            self.heartbeat_field: now,
            self.finished_field: None,
            self.step_field: QUEUED,
            self.progress_field: self.percent(QUEUED),
            self.attempts_field: 0,
            self.error_field: "",
        }

    def done_fields(self, now=None):
        now = now or timezone.now()
        return {
            self.finished_field: now,
            self.heartbeat_field: now,
            self.step_field: DONE,
            self.progress_field: self.percent(DONE),
            self.error_field: "",
        }

    def failure_fields(self, message, now=None):
        return {
            self.error_field: message,
            self.finished_field: now or timezone.now(),
            self.step_field: "",
            self.progress_field: 0,
        }

    # The job's life ----------------------------------------------------------------------------------------

    def percent(self, step):
        """The progress shown when `step` starts (steps may be TextChoices members or their values)."""
        return {str(name): value for name, value in self.progress.items()}[str(step)]

    def current_q(self, task_id):
        return Q(**{self.task_id_field: task_id}) & self.running_q()

    def is_current(self, row, task_id):
        return bool(task_id) and getattr(row, self.task_id_field) == task_id and self.is_running(row)

    def _rows(self):
        return self.model._default_manager.all()

    def enqueue(self, task, pk, task_id):
        """Queue `task` for the job (run it after the commit). If it cannot be queued, or fails in eager mode, the
        job is failed at once, so that the row never waits for a task that does not exist."""
        try:
            task.apply_async(
                args=[pk],
                task_id=task_id,
                retry=True,
                retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1},
            )
        except Exception:  # noqa: BLE001 - broker lost between the check and the publication, or an eager failure
            logger.exception("%s %s: task %s could not be queued or failed eagerly", self.label, pk, task_id)
            self.fail(pk, task_id, unavailable_message())

    def start(self, pk, task_id):
        """Count the delivery; False when the job is not (or no longer) this task's, or has been tried too often."""
        with transaction.atomic():
            row = self._rows().select_for_update().filter(pk=pk).first()
            if row is None or not self.is_current(row, task_id):
                logger.info("%s %s: task %s is not the current job, nothing to do", self.label, pk, task_id)
                return False
            attempts = getattr(row, self.attempts_field) + 1
            if attempts > self.max_attempts:
                self.fail_locked(row, too_many_attempts_message(self.max_attempts))
                return False
            self._rows().filter(pk=pk).update(**{self.attempts_field: attempts, self.heartbeat_field: timezone.now()})
        return True

    def beat(self, pk, task_id):
        """The job's sign of life (Heartbeat): False once the row no longer names this task."""
        return bool(
            self._rows().filter(self.current_q(task_id), pk=pk).update(**{self.heartbeat_field: timezone.now()})
        )

    def step(self, pk, task_id, step):
        """Record that the job reached `step` (its own short transaction), or raise Superseded."""
        updated = (
            self._rows()
            .filter(self.current_q(task_id), pk=pk)
            .update(
                **{
                    self.step_field: step,
                    self.progress_field: self.percent(step),
                    self.heartbeat_field: timezone.now(),
                }
            )
        )
        if not updated:
            raise Superseded
        delay = getattr(settings, self.step_delay_setting, 0)
        if delay:
            time.sleep(delay)

    def report_progress(self, pk, task_id, progress):
        """Move the bar within a step (WeasyPrint laying out pages, say): never back, never to 100 %. Returns
        whether it moved: not when the bar is already there, nor once the row no longer names this task (the step
        after will raise Superseded)."""
        progress = max(0, min(99, int(progress)))
        return bool(
            self._rows()
            .filter(self.current_q(task_id), pk=pk, **{f"{self.progress_field}__lt": progress})
            .update(**{self.progress_field: progress, self.heartbeat_field: timezone.now()})
        )

    def progress_between(self, pk, task_id, start, end):
        """A callback for pti.pdf.layout_progress: the share of the render done (0 to 1) moves the bar from
        `start` towards `end` (the next step's progress), never reaching it."""
        last = [start]

        def report(fraction):
            value = int(start + (end - 1 - start) * min(1.0, fraction))
            if value > last[0]:
                last[0] = value
                try:
                    self.report_progress(pk, task_id, value)
                except DatabaseError:
                    logger.warning("%s %s: progress not recorded", self.label, pk, exc_info=True)

        return report

    def back_in_queue(self, pk, task_id):
        """The task will be retried: until it is delivered again, the job waits for a worker (no heartbeat)."""
        try:
            self._rows().filter(self.current_q(task_id), pk=pk).update(
                **{
                    self.step_field: QUEUED,
                    self.progress_field: self.percent(QUEUED),
                    self.heartbeat_field: timezone.now(),
                }
            )
        except DatabaseError:
            logger.warning("%s %s: could not put job %s back in the queue", self.label, pk, task_id, exc_info=True)

    def run(self, pk, task_id, final_attempt, work):
        """The task's body: `work(pk, task_id)` while the row names the task, with the heartbeat beating. Returns
        what `work` returns, or None when the job did not run or failed (its row says why)."""
        from celery.exceptions import SoftTimeLimitExceeded

        if not self.start(pk, task_id):
            return None
        try:
            with Heartbeat(lambda: self.beat(pk, task_id)):
                return work(pk, task_id)
        except Superseded:
            logger.info("%s %s: task %s superseded, stopping", self.label, pk, task_id)
            return None
        except SoftTimeLimitExceeded:
            logger.error("%s %s: task %s exceeded its time limit", self.label, pk, task_id)
            self.fail(pk, task_id, time_limit_message())
            return None
        except TRANSIENT_ERRORS:
            if final_attempt:
                logger.exception("%s %s: task %s gave up after transient errors", self.label, pk, task_id)
                try:
                    self.fail(pk, task_id, unavailable_message())
                except DatabaseError:
                    logger.exception("%s %s: could not record the failure (the stale check will)", self.label, pk)
            else:
                self.back_in_queue(pk, task_id)
            raise  # the task retries it, or records its failure
        except Exception:
            logger.exception("%s %s: task %s failed", self.label, pk, task_id)
            self.fail(pk, task_id, internal_error_message())
            return None

    def fail(self, pk, task_id, message, stale_at=None):
        """Mark the job `task_id` failed with `message`, if it is still the current job (and, with `stale_at`,
        still stale at that time once its row is locked). Return True if it was marked."""
        with transaction.atomic():
            rows = self._rows().select_for_update().filter(pk=pk)
            if stale_at is not None:
                rows = rows.filter(self.stale_q(stale_at))
            row = rows.first()
            if row is None or not self.is_current(row, task_id):
                return False
            self.fail_locked(row, message)
        return True

    # Lost workers ------------------------------------------------------------------------------------------

    def _silent_since(self, limit):
        return Q(**{f"{self.heartbeat_field}__lt": limit}) | Q(
            **{f"{self.heartbeat_field}__isnull": True, "updated_at__lt": limit}
        )

    def stale_q(self, now=None):
        """The jobs (a Q) that cannot be running any more at `now`: started (a worker took them) and silent for
        longer than a few heartbeats (PTI_JOB_LOST_SECONDS), or still waiting for a worker after the queued limit
        (the task's time limit, plus a margin: a queue can be long)."""
        now = now or timezone.now()
        lost = now - datetime.timedelta(seconds=settings.PTI_JOB_LOST_SECONDS)
        forgotten = now - datetime.timedelta(seconds=getattr(settings, self.queued_limit_setting))
        waiting = Q(**{self.step_field: QUEUED})
        return self.running_q() & ((waiting & self._silent_since(forgotten)) | (~waiting & self._silent_since(lost)))

    def mark_stale(self, rows=None, now=None):
        """Mark failed every job (of `rows`, a queryset, or of all rows) that has lost its worker (`stale_q`).
        Return how many were marked."""
        now = now or timezone.now()
        queryset = self._rows() if rows is None else rows
        marked = 0
        for pk, task_id in queryset.filter(self.stale_q(now)).values_list("pk", self.task_id_field):
            if self.fail(pk, task_id, stale_message(), stale_at=now):
                logger.warning("%s %s: job %s had lost its worker, marked failed", self.label, pk, task_id)
                marked += 1
        return marked
