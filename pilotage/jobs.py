"""The dossier COPIL as a background job (pti.jobs does the machinery; this module says what the job does).

One row per COPIL (`DossierJob`) holds the job's state and the last PDF with the hash of the data it was rendered
from (`inputs_hash`). The page asks for the dossier of the data as it is now (`request_dossier`): under the row's
lock, a PDF whose hash is the data's is served as it is (the cache); a job already running for that hash is
followed; otherwise one job starts, queued by Celery after the commit. Six requests at once start one job.

With no broker (the embedded default), nothing is queued: the page shows "génération en cours" and its first
progress poll (or the download link) renders the dossier on the spot (`run_here`), once, whoever asks.
"""

import hashlib
import logging
import uuid

from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Max, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from actions.models import Action, ActionBudget, Indicator, IndicatorValue, ProgressReport
from axes.models import Axe, ClosedYear, Objectif, Pacte
from pilotage import services
from pilotage.enums import DossierStep
from pilotage.models import Copil, CopilAttendee, Decision, DossierJob, HighlightedAction
from pti import jobs
from pti.enums import JobStatus
from pti.jobs import Superseded
from pti.pdf import layout_progress, render_pdf

logger = logging.getLogger(__name__)

# Bump when the dossier's template or figures change what the same data renders to: every cached PDF is redone.
LAYOUT_VERSION = 1

PROGRESS = {
    DossierStep.QUEUED: 0,
    DossierStep.GATHERING: 5,
    DossierStep.RENDERING: 30,
    DossierStep.STORING: 92,
    DossierStep.DONE: 100,
}


class DossierUnavailable(Exception):
    """The broker does not answer: no job can be queued (HTTP 503)."""

    def __init__(self):
        self.message = jobs.unavailable_message()
        super().__init__(self.message)


class DossierJobs(jobs.Jobs):
    model = DossierJob
    label = "Dossier COPIL"
    progress = PROGRESS


JOBS = DossierJobs()


# --- the hash of the data the dossier renders ----------------------------------------------------------------


def _aggregates(queryset, *, version=False, updated=False, history=None):
    """Count, highest id, sum of versions and latest change of `queryset`: any row added, removed or edited
    (through a service, which bumps the version, or through the admin, which writes the history) changes them."""
    fields = {"n": Count("pk"), "last": Max("pk")}
    if version:
        fields["versions"] = Sum("version")
    if updated:
        fields["updated"] = Max("updated_at")
    values = queryset.aggregate(**fields)
    if history is not None:
        values["history"] = history.aggregate(last=Max("history_id"))["last"]
    return values


def inputs_hash(copil, today=None):
    """A fingerprint of everything the dossier of `copil` renders, in a constant number of queries (one or two
    aggregates per table, whatever the size of the pacte), and of the day (lateness depends on it)."""
    today = today or timezone.localdate()
    pacte_id = copil.pacte_id
    parts = [
        LAYOUT_VERSION,
        today.isoformat(),
        services.dossier_year(copil),
        copil.pk,  # two COPILs of one pacte and year, both untouched, still make two dossiers
        Copil.objects.filter(pk=copil.pk).values_list("version", flat=True).first(),
        _aggregates(Pacte.objects.filter(pk=pacte_id), version=True),
        _aggregates(ClosedYear.objects.filter(pacte_id=pacte_id)),
        _aggregates(Axe.objects.filter(pacte_id=pacte_id), version=True),
        _aggregates(Objectif.objects.filter(axe__pacte_id=pacte_id), version=True),
        _aggregates(Action.objects.filter(pacte_id=pacte_id), version=True, updated=True),
        _aggregates(ProgressReport.objects.filter(action__pacte_id=pacte_id), version=True, updated=True),
        _aggregates(
            Indicator.objects.filter(action__pacte_id=pacte_id),
            history=Indicator.history.filter(action__pacte_id=pacte_id),
        ),
        _aggregates(
            IndicatorValue.objects.filter(indicator__action__pacte_id=pacte_id),
            history=IndicatorValue.history.filter(indicator__action__pacte_id=pacte_id),
        ),
        _aggregates(
            ActionBudget.objects.filter(action__pacte_id=pacte_id),
            history=ActionBudget.history.filter(action__pacte_id=pacte_id),
        ),
        _aggregates(Decision.objects.filter(copil__pacte_id=pacte_id), version=True, updated=True),
        _aggregates(
            HighlightedAction.objects.filter(copil=copil), history=HighlightedAction.history.filter(copil=copil)
        ),
        _aggregates(CopilAttendee.objects.filter(copil=copil), history=CopilAttendee.history.filter(copil=copil)),
        _aggregates(Copil.attendees.through.objects.filter(copil=copil)),
        _aggregates(Copil.partners.through.objects.filter(copil=copil)),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()


# --- asking for the dossier ----------------------------------------------------------------------------------


def job_for(copil):
    """The COPIL's job row, if it has one, with lost jobs marked failed first (the page's own stale check)."""
    rows = DossierJob.objects.filter(copil=copil)
    JOBS.mark_stale(rows)
    return rows.select_related("copil__pacte").first()


def request_dossier(copil, *, retry=False, today=None):
    """The job row of the dossier of `copil`'s data as it is now: its PDF if it is cached, the job making it
    if one runs for that data, else a new job (queued after the commit; left for `run_here` without a broker).
    A failed job for the same data stays failed (the page offers to retry: `retry`). Raise DossierUnavailable."""
    fingerprint = inputs_hash(copil, today)
    job = job_for(copil)
    if job is not None and not _needs_job(job, fingerprint, retry):
        return job
    try:
        jobs.ensure_broker()
    except jobs.BrokerUnavailable as error:
        raise DossierUnavailable from error
    DossierJob.objects.get_or_create(copil=copil, defaults={"status": JobStatus.DONE})
    with transaction.atomic():
        job = DossierJob.objects.select_for_update().select_related("copil__pacte").get(copil=copil)
        if not _needs_job(job, fingerprint, retry):
            return job  # another request started it meanwhile
        task_id = str(uuid.uuid4())
        fields = {"status": JobStatus.RUNNING, "inputs_hash": fingerprint, **JOBS.new_job_fields(task_id)}
        for name, value in fields.items():
            setattr(job, name, value)
        job.save(update_fields=[*fields, "updated_at"])
        if not jobs.eager():
            transaction.on_commit(lambda: _enqueue(job.pk, task_id))
    return job


def _needs_job(job, fingerprint, retry):
    if job.inputs_hash != fingerprint:
        return True  # the data changed: a new job (one running for older data is superseded)
    if job.is_running:
        return False
    if job.status == JobStatus.FAILED:
        return retry
    return not (job.pdf and job.pdf_sha256)


def _enqueue(job_id, task_id):
    from pilotage import tasks

    JOBS.enqueue(tasks.render_dossier, job_id, task_id)


def run_here(job):
    """Without a broker: render the job's dossier in this request if it is still waiting, once (the first
    request that claims it; the others follow its progress). Return the row as it is afterwards."""
    if jobs.eager() and job.is_running and job.step == DossierStep.QUEUED:
        claimed = DossierJob.objects.filter(
            JOBS.current_q(job.task_id), pk=job.pk, step=DossierStep.QUEUED, attempts=0
        ).update(step=DossierStep.GATHERING, progress=PROGRESS[DossierStep.GATHERING], heartbeat_at=timezone.now())
        if claimed:
            run(job.pk, job.task_id)
    job.refresh_from_db()
    return job


# --- the job -------------------------------------------------------------------------------------------------


def run(job_id, task_id, final_attempt=True):
    """The task's body: render the dossier if the row still names `task_id`. Returns the row, or None."""
    return JOBS.run(job_id, task_id, final_attempt, _render)


def expected_pages(context):
    """A rough page count (it only paces the bar): the fixed pages, then the lists."""
    data = context["data"]
    rows = len(data["attention"]["items"]) + len(data.get("indicators", {}).get("items", []))
    return 10 + len(context["highlights"]) // 3 + len(context["open_decisions"]) // 8 + rows // 25


def _render(job_id, task_id):
    JOBS.step(job_id, task_id, DossierStep.GATHERING)
    job = DossierJob.objects.select_related("copil__pacte").get(pk=job_id)
    context = services.dossier_context(job.copil)
    JOBS.step(job_id, task_id, DossierStep.RENDERING)
    report = JOBS.progress_between(job_id, task_id, PROGRESS[DossierStep.RENDERING], PROGRESS[DossierStep.STORING])
    with layout_progress(report, expected_pages(context)):
        pdf = render_pdf(services.DOSSIER_TEMPLATE, context)
    JOBS.step(job_id, task_id, DossierStep.STORING)
    return _complete(job, task_id, pdf)


def _delete_file(name):
    if name:
        try:
            DossierJob._meta.get_field("pdf").storage.delete(name)
        except OSError:
            logger.warning("Could not delete the superseded dossier file %s", name)


def _complete(job, task_id, pdf):
    field = DossierJob._meta.get_field("pdf")
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    name = field.storage.save(field.generate_filename(job, f"{filename(job.copil)[:-4]}-{stamp}.pdf"), ContentFile(pdf))
    try:
        with transaction.atomic():
            locked = DossierJob.objects.select_for_update().get(pk=job.pk)
            if not JOBS.is_current(locked, task_id):
                raise Superseded
            previous = locked.pdf.name
            fields = {
                "status": JobStatus.DONE,
                "pdf": name,
                "pdf_sha256": hashlib.sha256(pdf).hexdigest(),
                **JOBS.done_fields(),
            }
            for key, value in fields.items():
                setattr(locked, key, value)
            locked.save(update_fields=[*fields, "updated_at"])
            if previous and previous != name:
                transaction.on_commit(lambda: _delete_file(previous))
    except BaseException:
        _delete_file(name)
        raise
    return locked


def mark_stale_jobs():
    return JOBS.mark_stale()


# --- the PDF -------------------------------------------------------------------------------------------------


def filename(copil):
    return f"dossier-copil-{copil.pacte.slug}-{copil.date:%Y-%m-%d}.pdf"


def read_pdf(job):
    """The job's PDF (bytes), if the file is there and still has its recorded SHA-256; else None (the caller
    renders it again). A dossier is a few megabytes: read at once."""
    try:
        with job.pdf.storage.open(job.pdf.name, "rb") as handle:
            data = handle.read()
    except (FileNotFoundError, ValueError):
        logger.error("Dossier COPIL job %s: PDF file %s is missing", job.pk, job.pdf.name)
        return None
    if hashlib.sha256(data).hexdigest() != job.pdf_sha256:
        logger.error("Dossier COPIL job %s: PDF %s does not match its SHA-256", job.pk, job.pdf.name)
        return None
    return data


def forget_pdf(job):
    """The stored file is gone or altered: the next request renders the dossier again."""
    DossierJob.objects.filter(pk=job.pk, pdf=job.pdf.name).update(pdf="", pdf_sha256="", inputs_hash="")


def missing_message():
    return _("Le PDF de ce dossier n'est plus disponible sur le serveur : il est produit de nouveau.")
