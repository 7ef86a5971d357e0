"""Operations on bilans, called alike by the pages, the Celery tasks and the `generate_bilan` command.

Two background jobs produce a bilan's PDF, both tracked in the Bilan row (Sèves' `Export` pattern), not only
in Celery's result backend:

- the generation (draft, failed, generated or rejected → generating → generated or failed): gather the data
  into the JSON snapshot, draw the charts, lay out the PDF, store it with its SHA-256;
- the approval's finalisation (submitted, `approving` set → approved): render the PDF again from the frozen
  snapshot with the deliberation on its cover, store it with its SHA-256, and only then approve.

The machinery is pti.jobs' (`BilanJobs` maps it onto the bilan's `generation_*` fields): a job is identified
by the task id stored in the row before the task is queued (after the commit). The task does its work only
while the row still names it (`_is_current`): a task delivered twice, a superseded task or one whose bilan was
marked failed in the meantime does nothing. Each step is written in its own short transaction (step, progress,
heartbeat) so that the page can follow it, the bar moves as WeasyPrint lays out the pages, and a side thread
beats the heartbeat every few seconds while the job runs (pti.jobs.Heartbeat). `mark_stale_jobs`
(called by the pages, their progress poll included, and by Celery beat) marks failed, so that it can be
retried, a job that has lost its worker: started, and silent for longer than a few beats
(`PTI_JOB_LOST_SECONDS`); or still waiting for a worker after the task's time limit (`PTI_BILAN_STALE_SECONDS`).
"""

import hashlib
import logging
import uuid

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from bilans import content, workflow
from bilans.enums import BilanStatus as S
from bilans.enums import GenerationStep
from bilans.models import Bilan
from bilans.workflow import IllegalTransition, transition
from pti import jobs
from pti.concurrency import lock_version
from pti.jobs import Superseded, unavailable_message
from pti.pdf import html_to_pdf, layout_progress

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


def frozen_message():
    return _("Ce bilan a été approuvé par l'assemblée départementale : il ne peut plus être modifié ni régénéré.")


def bilan_for(pacte, year):
    """The bilan of `pacte` for `year`, created as a draft on first use."""
    bilan, _created = Bilan.objects.select_related("pacte").get_or_create(pacte=pacte, year=year)
    return bilan


# --- the jobs (pti.jobs does the machinery) ------------------------------------------------------------------


class BilanJobs(jobs.Jobs):
    """The bilan's two jobs share its row: a job runs while the bilan is generating or its approval is being
    finalised; the bookkeeping fields are the `generation_*` ones."""

    model = Bilan
    label = "Bilan"
    progress = PROGRESS
    max_attempts = MAX_ATTEMPTS
    step_field = "generation_step"
    progress_field = "generation_progress"
    heartbeat_field = "generation_heartbeat_at"
    attempts_field = "generation_attempts"
    started_field = "generation_started_at"
    finished_field = "generation_finished_at"
    queued_limit_setting = "PTI_BILAN_STALE_SECONDS"
    step_delay_setting = "PTI_BILAN_STEP_DELAY"

    def running_q(self):
        return Q(status=S.GENERATING) | Q(approving=True)

    def is_running(self, row):
        return row.status == S.GENERATING or row.approving

    def fail_locked(self, row, message):
        _fail_locked(row, message)


JOBS = BilanJobs()


def ensure_broker():
    """Raise JobUnavailable unless tasks can be queued: eager mode, or a broker that answers."""
    try:
        jobs.ensure_broker()
    except jobs.BrokerUnavailable as error:
        raise JobUnavailable(unavailable_message()) from error


def _enqueue(task_name, bilan_id, task_id):
    from bilans import tasks

    JOBS.enqueue(getattr(tasks, task_name), bilan_id, task_id)


def _new_job_fields(task_id, now):
    return JOBS.new_job_fields(task_id, now)


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


# --- what the jobs do ----------------------------------------------------------------------------------------


def _is_current(bilan, task_id):
    return JOBS.is_current(bilan, task_id)


def _step(bilan_id, task_id, step):
    """Record that the job reached `step` (its own short transaction), or raise Superseded."""
    JOBS.step(bilan_id, task_id, step)


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
            transition(
                locked,
                target,
                pdf=name,
                pdf_sha256=hashlib.sha256(pdf).hexdigest(),
                **JOBS.done_fields(),
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
    return JOBS.run(bilan_id, task_id, final_attempt, _generate)


def run_approval(bilan_id, task_id, final_attempt=True):
    """The approval's finalisation job. Returns the approved bilan, or None."""
    return JOBS.run(bilan_id, task_id, final_attempt, _finalise_approval)


def expected_pages(snapshot):
    """A rough page count of the bilan (a page or so per action, plus the figures): it only paces the bar."""
    actions = sum(len(axe.get("actions", [])) for axe in snapshot.get("axes", [])) if isinstance(snapshot, dict) else 0
    return 12 + actions


def _render(bilan_id, task_id, html, snapshot):
    """Lay out the PDF, moving the bar from RENDERING towards STORING as WeasyPrint goes through its phases, lays
    out the pages and paints them (pti.pdf.layout_progress)."""
    _step(bilan_id, task_id, GenerationStep.RENDERING)
    report = JOBS.progress_between(
        bilan_id, task_id, PROGRESS[GenerationStep.RENDERING], PROGRESS[GenerationStep.STORING]
    )
    with layout_progress(report, expected_pages(snapshot)):
        pdf = html_to_pdf(html)
    _step(bilan_id, task_id, GenerationStep.STORING)
    return pdf


def _generate(bilan_id, task_id):
    _step(bilan_id, task_id, GenerationStep.GATHERING)
    bilan = Bilan.objects.select_related("pacte").get(pk=bilan_id)
    snapshot = content.to_json(content.collect(bilan))
    _step(bilan_id, task_id, GenerationStep.CHARTS)
    charts = content.draw_charts(snapshot)
    pdf = _render(bilan_id, task_id, content.build_html(snapshot, charts), snapshot)
    return _complete(bilan_id, task_id, pdf, S.GENERATED, snapshot=snapshot)


def _finalise_approval(bilan_id, task_id):
    _step(bilan_id, task_id, GenerationStep.CHARTS)
    bilan = Bilan.objects.get(pk=bilan_id)
    charts = content.draw_charts(bilan.snapshot)
    approval = {"date": bilan.approval_date, "reference": bilan.deliberation_reference}
    pdf = _render(bilan_id, task_id, content.build_html(bilan.snapshot, charts, approval=approval), bilan.snapshot)
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


def _fail_locked(bilan, message):
    failure = JOBS.failure_fields(message)
    if bilan.status == S.GENERATING:
        transition(bilan, S.FAILED, note=message, **failure)
    elif bilan.approving:
        fields = {
            "approving": False,
            "approval_date": None,
            "deliberation_reference": "",
            "approved_by": None,
            **failure,
        }
        for name, value in fields.items():
            setattr(bilan, name, value)
        bilan.version += 1
        bilan.save(update_fields=[*fields, "version", "updated_at"])


def fail_job(bilan_id, task_id, message, stale_at=None):
    """Mark the job `task_id` of the bilan failed with `message`, if it is still the current job (and, with
    `stale_at`, still stale at that time once its row is locked). Return True if it was marked."""
    return JOBS.fail(bilan_id, task_id, message, stale_at=stale_at)


def stale_jobs(now=None):
    """The jobs (a Q on bilans) that cannot be running any more at `now` (pti.jobs.Jobs.stale_q)."""
    return JOBS.stale_q(now)


def mark_stale_jobs(bilans=None, now=None):
    """Mark failed every job (of `bilans`, a queryset, or of all bilans) that has lost its worker (`stale_jobs`).
    Return how many were marked."""
    return JOBS.mark_stale(bilans, now)


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
