"""Operations on bilans, called alike by the pages, the Celery tasks and the `generate_bilan` command.

Two background jobs produce a bilan's PDF, both tracked in the Bilan row (Sèves' `Export` pattern), not only
in Celery's result backend:

- the generation (draft, failed, generated or rejected → generating → generated or failed): gather the data
  into the JSON snapshot, draw the charts, lay out the PDF, store it with its SHA-256;
- the approval's finalisation (submitted, `approving` set → approved): render the PDF again from the frozen
  snapshot with the deliberation on its cover, store it with its SHA-256, and only then approve.

A job is identified by the task id stored in the row before the task is queued (after the commit). The task
does its work only while the row still names it (`_is_current`): a task delivered twice, a superseded task
or one whose bilan was marked failed in the meantime does nothing. Each step is written in its own short
transaction (step, progress, heartbeat) so that the page can follow it, and a side thread beats the heartbeat
every few seconds while the job runs (pti.jobs.Heartbeat), during WeasyPrint's layout too. `mark_stale_jobs`
(called by the pages, their progress poll included, and by Celery beat) marks failed, so that it can be
retried, a job that has lost its worker: started, and silent for longer than a few beats
(`PTI_JOB_LOST_SECONDS`); or still waiting for a worker after the task's time limit (`PTI_BILAN_STALE_SECONDS`).
"""

import datetime
import hashlib
import logging
import time
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, InterfaceError, OperationalError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bilans import content, workflow
from bilans.enums import BilanStatus as S
from bilans.enums import GenerationStep
from bilans.models import Bilan
from bilans.workflow import IllegalTransition, transition
from pti.concurrency import lock_version
from pti.jobs import Heartbeat
from pti.pdf import html_to_pdf

logger = logging.getLogger(__name__)

# Progress shown when each step starts.
PROGRESS = {
    GenerationStep.QUEUED: 0,
    GenerationStep.GATHERING: 5,
    GenerationStep.CHARTS: 25,
    GenerationStep.RENDERING: 35,
    GenerationStep.STORING: 90,
    GenerationStep.DONE: 100,
}
# Deliveries of one job (retries and redeliveries after a worker was lost included) before it is given up.
MAX_ATTEMPTS = 5
# Errors worth retrying: the database or the broker was briefly unreachable.
TRANSIENT_ERRORS = (OperationalError, InterfaceError)


class BilanError(Exception):
    """An operation refused, with a message for the user (in French)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


class JobUnavailable(BilanError):
    pass


class InvalidInput(BilanError):
    """A value the operation refuses (HTTP 400), shown next to its form field."""

    status_code = 400

    def __init__(self, message, field):
        super().__init__(message)
        self.field = field


class PdfUnavailable(BilanError):
    status_code = 410


class AlteredPdf(BilanError):
    status_code = 409


class Superseded(Exception):
    """The row no longer names this task: someone else owns the job now, stop quietly."""


def frozen_message():
    return _("Ce bilan a été approuvé par l'assemblée départementale : il ne peut plus être modifié ni régénéré.")


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


def bilan_for(pacte, year):
    """The bilan of `pacte` for `year`, created as a draft on first use."""
    bilan, _created = Bilan.objects.select_related("pacte").get_or_create(pacte=pacte, year=year)
    return bilan


# --- queueing ------------------------------------------------------------------------------------------------


def _app():
    from pti.celery import app

    return app


def ensure_broker():
    """Raise JobUnavailable unless tasks can be queued: eager mode, or a broker that answers."""
    app = _app()
    if app.conf.task_always_eager:
        return
    from pti.celery import broker_error

    error = broker_error()
    if error is not None:
        logger.warning("Celery broker unreachable: %r", error)
        raise JobUnavailable(unavailable_message()) from error


def _enqueue(task_name, bilan_id, task_id):
    """Queue the job's task (run after the commit). If it cannot be queued, the job is failed at once, so the
    bilan is never left waiting for a task that does not exist."""
    from bilans import tasks

    task = getattr(tasks, task_name)
    try:
        task.apply_async(
            args=[bilan_id],
            task_id=task_id,
            retry=True,
            retry_policy={"max_retries": 2, "interval_start": 0, "interval_step": 0.5, "interval_max": 1},
        )
    except Exception:  # noqa: BLE001 - broker lost between the check and the publication, or an eager failure
        logger.exception("Bilan %s: task %s could not be queued or failed eagerly", bilan_id, task_id)
        fail_job(bilan_id, task_id, unavailable_message())


def _new_job_fields(task_id, now):
    return {
        "task_id": task_id,
        "generation_started_at": now,
        "generation_heartbeat_at": now,
        "generation_finished_at": None,
        "generation_step": GenerationStep.QUEUED,
        "generation_progress": PROGRESS[GenerationStep.QUEUED],
        "generation_attempts": 0,
        "error": "",
    }


def _check_generatable(bilan):
    if bilan.status == S.APPROVED:
        raise BilanError(frozen_message())
    if bilan.status == S.GENERATING:
        raise BilanError(_("Une génération de ce bilan est déjà en cours."))
    if not workflow.can_generate(bilan):
        raise BilanError(_("Un bilan « %(status)s » ne peut pas être régénéré.") % {"status": S(bilan.status).label})


def _start_generation(bilan, user, task_id, queue):
    try:
        with transaction.atomic():
            transition(bilan, S.GENERATING, user=user, **_new_job_fields(task_id, timezone.now()))
            if queue:
                transaction.on_commit(lambda: _enqueue("generate_bilan", bilan.pk, task_id))
    except IllegalTransition as error:
        raise BilanError(error.message) from error


def request_generation(bilan, user):
    """Start generating `bilan`'s PDF in the background (or at once in eager mode). Raise BilanError.

    `bilan` may be unsaved (the first generation of a year): it is created only once the broker is known to take
    the job, so that a refused request leaves no new row behind."""
    _check_generatable(bilan)
    ensure_broker()
    if bilan.pk is None:
        bilan = bilan_for(bilan.pacte, bilan.year)
        _check_generatable(bilan)  # created by someone else meanwhile, in whatever state
    _start_generation(bilan, user, str(uuid.uuid4()), queue=True)
    bilan.refresh_from_db()
    return bilan


def generate_now(bilan, user=None):
    """Generate `bilan` in this process, through the same job as the task (the `generate_bilan` command)."""
    _check_generatable(bilan)
    task_id = f"local-{uuid.uuid4()}"
    _start_generation(bilan, user, task_id, queue=False)
    run_generation(bilan.pk, task_id)
    bilan.refresh_from_db()
    return bilan


def request_approval(bilan, user, approval_date, deliberation_reference):
    """Approve a submitted bilan: its PDF is rendered again with the deliberation on the cover, then frozen.
    Raise BilanError (the bilan's state refuses it, 409), InvalidInput (the date, 400) or JobUnavailable."""
    ensure_broker()
    task_id = str(uuid.uuid4())
    with transaction.atomic():
        locked = Bilan.objects.select_for_update().get(pk=bilan.pk)
        _check_decidable(locked, _("Seul un bilan soumis à l'assemblée peut être approuvé."))
        if not locked.pdf or not locked.pdf_sha256 or not locked.snapshot:
            raise BilanError(_("Le bilan n'a pas de PDF généré : il ne peut pas être approuvé."))
        if error := workflow.approval_date_error(locked, approval_date):
            raise InvalidInput(error, "approval_date")
        fields = {
            "approving": True,
            "approval_date": approval_date,
            "deliberation_reference": deliberation_reference,
            "approved_by": user,
            **_new_job_fields(task_id, timezone.now()),
        }
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.version += 1
        locked.save(update_fields=[*fields, "version", "updated_at"])
        transaction.on_commit(lambda: _enqueue("approve_bilan", bilan.pk, task_id))
    bilan.refresh_from_db()
    return bilan


# --- the jobs ------------------------------------------------------------------------------------------------


def _is_current(bilan, task_id):
    return bool(task_id) and bilan.task_id == task_id and (bilan.status == S.GENERATING or bilan.approving)


def _current_job(task_id):
    return Q(task_id=task_id) & (Q(status=S.GENERATING) | Q(approving=True))


def _start(bilan_id, task_id):
    """Count the delivery; False when the job is not (or no longer) this task's, or has been tried too often."""
    with transaction.atomic():
        bilan = Bilan.objects.select_for_update().filter(pk=bilan_id).first()
        if bilan is None or not _is_current(bilan, task_id):
            logger.info("Bilan %s: task %s is not the current job, nothing to do", bilan_id, task_id)
            return False
        attempts = bilan.generation_attempts + 1
        if attempts > MAX_ATTEMPTS:
            _fail_locked(
                bilan,
                _(
                    "La génération a été interrompue %(count)s fois sans aboutir. Relancez-la ; si l'échec se répète, "
                    "prévenez l'administrateur de l'application."
                )
                % {"count": MAX_ATTEMPTS},
            )
            return False
        Bilan.objects.filter(pk=bilan_id).update(generation_attempts=attempts, generation_heartbeat_at=timezone.now())
    return True


def _beat(bilan_id, task_id):
    """The job's sign of life (pti.jobs.Heartbeat): False once the row no longer names this task."""
    return bool(Bilan.objects.filter(_current_job(task_id), pk=bilan_id).update(generation_heartbeat_at=timezone.now()))


def _back_in_queue(bilan_id, task_id):
    """The task will be retried: until it is delivered again, the job waits for a worker (no heartbeat)."""
    try:
        Bilan.objects.filter(_current_job(task_id), pk=bilan_id).update(
            generation_step=GenerationStep.QUEUED,
            generation_progress=PROGRESS[GenerationStep.QUEUED],
            generation_heartbeat_at=timezone.now(),
        )
    except DatabaseError:
        logger.warning("Bilan %s: could not put job %s back in the queue", bilan_id, task_id, exc_info=True)


def _step(bilan_id, task_id, step):
    """Record that the job reached `step` (its own short transaction), or raise Superseded."""
    updated = Bilan.objects.filter(_current_job(task_id), pk=bilan_id).update(
        generation_step=step, generation_progress=PROGRESS[step], generation_heartbeat_at=timezone.now()
    )
    if not updated:
        raise Superseded
    if settings.PTI_BILAN_STEP_DELAY:
        time.sleep(settings.PTI_BILAN_STEP_DELAY)


def _store_pdf(bilan, pdf):
    """Write the PDF file under a new name (the previous file stays until the new one is committed)."""
    field = Bilan._meta.get_field("pdf")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    name = field.generate_filename(bilan, f"bilan-{bilan.pacte.slug}-{bilan.year}-{stamp}.pdf")
    return field.storage.save(name, ContentFile(pdf))


def _delete_file(name):
    if name:
        try:
            Bilan._meta.get_field("pdf").storage.delete(name)
        except OSError:
            logger.warning("Could not delete the superseded bilan file %s", name)


def _complete(bilan_id, task_id, pdf, target, **fields):
    """Store `pdf` and move the bilan to `target` with it, if the job is still this task's."""
    bilan = Bilan.objects.select_related("pacte").get(pk=bilan_id)
    name = _store_pdf(bilan, pdf)
    try:
        with transaction.atomic():
            locked = Bilan.objects.select_for_update().get(pk=bilan_id)
            if not _is_current(locked, task_id):
                raise Superseded
            previous = locked.pdf.name
            now = timezone.now()
            transition(
                locked,
                target,
                pdf=name,
                pdf_sha256=hashlib.sha256(pdf).hexdigest(),
                generation_finished_at=now,
                generation_heartbeat_at=now,
                generation_step=GenerationStep.DONE,
                generation_progress=PROGRESS[GenerationStep.DONE],
                error="",
                **fields,
            )
            if previous and previous != name:
                transaction.on_commit(lambda: _delete_file(previous))
    except BaseException:
        _delete_file(name)
        raise
    return locked


def run_generation(bilan_id, task_id, final_attempt=True):
    """The generation job (see the module docstring). Returns the generated bilan, or None."""
    return _run(bilan_id, task_id, final_attempt, _generate)


def run_approval(bilan_id, task_id, final_attempt=True):
    """The approval's finalisation job. Returns the approved bilan, or None."""
    return _run(bilan_id, task_id, final_attempt, _finalise_approval)


def _generate(bilan_id, task_id):
    _step(bilan_id, task_id, GenerationStep.GATHERING)
    bilan = Bilan.objects.select_related("pacte").get(pk=bilan_id)
    snapshot = content.to_json(content.collect(bilan))
    _step(bilan_id, task_id, GenerationStep.CHARTS)
    charts = content.draw_charts(snapshot)
    _step(bilan_id, task_id, GenerationStep.RENDERING)
    pdf = html_to_pdf(content.build_html(snapshot, charts))
    _step(bilan_id, task_id, GenerationStep.STORING)
    return _complete(bilan_id, task_id, pdf, S.GENERATED, snapshot=snapshot)


def _finalise_approval(bilan_id, task_id):
    _step(bilan_id, task_id, GenerationStep.CHARTS)
    bilan = Bilan.objects.get(pk=bilan_id)
    charts = content.draw_charts(bilan.snapshot)
    _step(bilan_id, task_id, GenerationStep.RENDERING)
    approval = {"date": bilan.approval_date, "reference": bilan.deliberation_reference}
    pdf = html_to_pdf(content.build_html(bilan.snapshot, charts, approval=approval))
    _step(bilan_id, task_id, GenerationStep.STORING)
    return _complete(
        bilan_id,
        task_id,
        pdf,
        S.APPROVED,
        user=bilan.approved_by,
        approving=False,
        approval_date=bilan.approval_date,
        deliberation_reference=bilan.deliberation_reference,
    )


def _run(bilan_id, task_id, final_attempt, job):
    from celery.exceptions import SoftTimeLimitExceeded

    if not _start(bilan_id, task_id):
        return None
    try:
        with Heartbeat(lambda: _beat(bilan_id, task_id)):
            return job(bilan_id, task_id)
    except Superseded:
        logger.info("Bilan %s: task %s superseded, stopping", bilan_id, task_id)
        return None
    except SoftTimeLimitExceeded:
        logger.error("Bilan %s: task %s exceeded its time limit", bilan_id, task_id)
        fail_job(
            bilan_id,
            task_id,
            _(
                "La production du PDF a dépassé le temps maximal autorisé (%(minutes)s minutes). Relancez-la ; si "
                "l'échec se répète, prévenez l'administrateur de l'application."
            )
            % {"minutes": settings.CELERY_TASK_SOFT_TIME_LIMIT // 60},
        )
        return None
    except TRANSIENT_ERRORS:
        if final_attempt:
            logger.exception("Bilan %s: task %s gave up after transient errors", bilan_id, task_id)
            try:
                fail_job(bilan_id, task_id, unavailable_message())
            except DatabaseError:
                logger.exception("Bilan %s: could not record the failure (the stale check will)", bilan_id)
        else:
            _back_in_queue(bilan_id, task_id)
        raise  # the task retries it, or records its failure
    except Exception:
        logger.exception("Bilan %s: task %s failed", bilan_id, task_id)
        fail_job(
            bilan_id,
            task_id,
            _(
                "La production du PDF a échoué à cause d'une erreur interne. Relancez-la ; si l'échec se répète, "
                "prévenez l'administrateur de l'application."
            ),
        )
        return None


def _fail_locked(bilan, message):
    now = timezone.now()
    if bilan.status == S.GENERATING:
        transition(
            bilan,
            S.FAILED,
            note=message,
            error=message,
            generation_finished_at=now,
            generation_step="",
            generation_progress=0,
        )
    elif bilan.approving:
        fields = {
            "approving": False,
            "approval_date": None,
            "deliberation_reference": "",
            "approved_by": None,
            "error": message,
            "generation_finished_at": now,
            "generation_step": "",
            "generation_progress": 0,
        }
        for name, value in fields.items():
            setattr(bilan, name, value)
        bilan.version += 1
        bilan.save(update_fields=[*fields, "version", "updated_at"])


def fail_job(bilan_id, task_id, message, stale_at=None):
    """Mark the job `task_id` of the bilan failed with `message`, if it is still the current job (and, with
    `stale_at`, still stale at that time once its row is locked). Return True if it was marked."""
    with transaction.atomic():
        rows = Bilan.objects.select_for_update().filter(pk=bilan_id)
        if stale_at is not None:
            rows = rows.filter(stale_jobs(stale_at))
        bilan = rows.first()
        if bilan is None or not _is_current(bilan, task_id):
            return False
        _fail_locked(bilan, message)
    return True


def _silent_since(limit):
    return Q(generation_heartbeat_at__lt=limit) | Q(generation_heartbeat_at__isnull=True, updated_at__lt=limit)


def stale_jobs(now=None):
    """The jobs (a Q on bilans) that cannot be running any more at `now`: started (a worker took them) and
    silent for longer than a few heartbeats (PTI_JOB_LOST_SECONDS), or still waiting for a worker after
    PTI_BILAN_STALE_SECONDS (the task's time limit, plus a margin: a queue can be long)."""
    now = now or timezone.now()
    lost = now - datetime.timedelta(seconds=settings.PTI_JOB_LOST_SECONDS)
    forgotten = now - datetime.timedelta(seconds=settings.PTI_BILAN_STALE_SECONDS)
    waiting = Q(generation_step=GenerationStep.QUEUED)
    return (Q(status=S.GENERATING) | Q(approving=True)) & (
        (waiting & _silent_since(forgotten)) | (~waiting & _silent_since(lost))
    )


def mark_stale_jobs(bilans=None, now=None):
    """Mark failed every job (of `bilans`, a queryset, or of all bilans) that has lost its worker (`stale_jobs`).
    Return how many were marked."""
    now = now or timezone.now()
    queryset = Bilan.objects.all() if bilans is None else bilans
    marked = 0
    for bilan_id, task_id in queryset.filter(stale_jobs(now)).values_list("pk", "task_id"):
        if fail_job(bilan_id, task_id, stale_message(), stale_at=now):
            logger.warning("Bilan %s: job %s had lost its worker, marked failed", bilan_id, task_id)
            marked += 1
    return marked


# --- the workflow's other moves ------------------------------------------------------------------------------


def save_texts(bilan, user, introduction, conclusion, expected_version):
    """Save the introduction and conclusion. A generated (or failed, rejected) bilan whose texts change goes
    back to draft: its PDF no longer says what the texts say. Raise BilanError or ConflictError."""
    with transaction.atomic():
        locked = lock_version(Bilan.objects.all(), bilan.pk, expected_version)
        if locked.status == S.APPROVED:
            raise BilanError(frozen_message())
        if not workflow.can_edit_texts(locked):
            raise BilanError(
                _("L'introduction et la conclusion ne se modifient pas quand le bilan est « %(status)s ».")
                % {"status": S(locked.status).label}
            )
        changed = (locked.introduction, locked.conclusion) != (introduction, conclusion)
        if not changed:
            return locked
        locked.introduction, locked.conclusion = introduction, conclusion
        if locked.status == S.DRAFT:
            locked.version += 1
            locked.save(update_fields=["introduction", "conclusion", "version", "updated_at"])
        else:
            transition(
                locked,
                S.DRAFT,
                user=user,
                note=_("Introduction ou conclusion modifiée : le PDF est à générer de nouveau."),
                introduction=introduction,
                conclusion=conclusion,
            )
    return locked


def submit(bilan, user):
    """Submit the generated bilan to the departmental council."""
    with transaction.atomic():
        locked = Bilan.objects.select_for_update().get(pk=bilan.pk)
        if locked.status == S.APPROVED:
            raise BilanError(frozen_message())
        if not workflow.can_submit(locked):
            raise BilanError(_("Seul un bilan généré peut être soumis à l'assemblée."))
        verified_pdf(locked).close()
        transition(locked, S.SUBMITTED, user=user)
    return locked


def reject(bilan, user, reason):
    """Record the assembly's rejection. Raise BilanError (409) when the bilan's state refuses it."""
    with transaction.atomic():
        locked = Bilan.objects.select_for_update().get(pk=bilan.pk)
        _check_decidable(locked, _("Seul un bilan soumis à l'assemblée peut être rejeté."))
        transition(locked, S.REJECTED, user=user, note=reason, rejection_reason=reason)
    return locked


def _check_decidable(locked, not_submitted):
    """The assembly's decision (approval or rejection) can be recorded on the locked row, or BilanError says why.
    An approval being finalised stays in charge: a second approval or a rejection is refused."""
    if locked.status == S.APPROVED:
        raise BilanError(frozen_message())
    if locked.approving:
        raise BilanError(
            _(
                "L'approbation de ce bilan est déjà en cours de finalisation (délibération n° %(reference)s) : "
                "elle ne peut être ni remplacée ni suivie d'un rejet."
            )
            % {"reference": locked.deliberation_reference}
        )
    if not workflow.can_decide(locked):
        raise BilanError(not_submitted)


# --- the PDF -------------------------------------------------------------------------------------------------


def file_sha256(handle):
    digest = hashlib.sha256()
    for chunk in iter(lambda: handle.read(1024 * 1024), b""):
        digest.update(chunk)
    return digest.hexdigest()


def verified_pdf(bilan):
    """The bilan's PDF, opened, once its SHA-256 is checked against the recorded one: never a silent download of
    a file that changed on the disk. Raise PdfUnavailable or AlteredPdf."""
    if not bilan.pdf or not bilan.pdf_sha256:
        raise PdfUnavailable(_("Ce bilan n'a pas encore de PDF."))
    try:
        handle = bilan.pdf.storage.open(bilan.pdf.name, "rb")
    except FileNotFoundError as error:
        logger.error("Bilan %s: PDF file %s is missing", bilan.pk, bilan.pdf.name)
        raise PdfUnavailable(
            _("Le fichier PDF de ce bilan est introuvable sur le serveur. Prévenez l'administrateur de l'application.")
        ) from error
    sha256 = file_sha256(handle)
    if sha256 != bilan.pdf_sha256:
        handle.close()
        logger.error(
            "Bilan %s: PDF %s has SHA-256 %s, the recorded one is %s",
            bilan.pk,
            bilan.pdf.name,
            sha256,
            bilan.pdf_sha256,
        )
        raise AlteredPdf(
            _(
                "Le fichier PDF de ce bilan ne correspond plus à son empreinte SHA-256 enregistrée : il a été modifié "
                "ou abîmé depuis sa production. Il n'est pas servi. Prévenez l'administrateur de l'application."
            )
        )
    handle.seek(0)
    return handle


def pdf_filename(bilan):
    suffix = "-approuve" if bilan.status == S.APPROVED else ""
    return f"bilan-{bilan.pacte.slug}-{bilan.year}{suffix}.pdf"
