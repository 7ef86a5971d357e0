"""Celery tasks of pilotage. Each takes a primary key and is queued after the commit; the job's state lives in
its row (pilotage.jobs, driven by pti.jobs), so every task is safe to run twice."""

from celery import shared_task

from pilotage import jobs
from pti.jobs import TASK_OPTIONS, final_attempt


@shared_task(**TASK_OPTIONS)
def render_dossier(self, job_id):
    """Render the dossier COPIL's PDF, if its row still names this task."""
    job = jobs.run(job_id, self.request.id, final_attempt=final_attempt(self))
    return job.pdf_sha256 if job else None


@shared_task(acks_late=True)
def mark_stale_dossier_jobs():
    """Celery beat: dossiers whose worker died mid-job are shown as failed, and can be asked for again."""
    return jobs.mark_stale_jobs()
