"""Celery tasks of bilans and reporting campaigns. Each takes primary keys and is queued after the commit; the
state of a bilan's job lives in its row (bilans.services), so every task is safe to run twice."""

from celery import shared_task
from django.conf import settings
from django.db import InterfaceError, OperationalError

from bilans import campaigns, services

JOB_OPTIONS = {
    "bind": True,
    # Acknowledged when done, and delivered again if the worker is lost: the row says whether work remains.
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "max_retries": 3,
    "retry_backoff": 5,
    "retry_backoff_max": 60,
    "soft_time_limit": settings.CELERY_TASK_SOFT_TIME_LIMIT,
    "time_limit": settings.CELERY_TASK_TIME_LIMIT,
}


@shared_task(**JOB_OPTIONS)
def generate_bilan(self, bilan_id):
    """Generate the bilan's PDF, if the bilan still names this task as its generation."""
    bilan = services.run_generation(bilan_id, self.request.id, final_attempt=self.request.retries >= self.max_retries)
    return bilan.pdf_sha256 if bilan else None


@shared_task(**JOB_OPTIONS)
def approve_bilan(self, bilan_id):
    """Render the approved PDF (the deliberation on its cover) from the frozen snapshot, then approve."""
    bilan = services.run_approval(bilan_id, self.request.id, final_attempt=self.request.retries >= self.max_retries)
    return bilan.pdf_sha256 if bilan else None


@shared_task(acks_late=True)
def mark_stale_jobs():
    """Celery beat: bilans whose worker died mid-job are shown as failed, and can be retried."""
    return services.mark_stale_jobs()


@shared_task(acks_late=True, autoretry_for=(OperationalError, InterfaceError), max_retries=3, retry_backoff=30)
def send_campaign_reminders():
    """Celery beat, daily: the reminders due today. Recorded reminders are never sent twice."""
    return campaigns.send_reminders()


@shared_task(acks_late=True)
def notify_new_referents(action_id, user_ids):
    """Tell the users newly named referents of the action."""
    return campaigns.notify_new_referents(action_id, user_ids)


@shared_task(acks_late=True, autoretry_for=(OperationalError, InterfaceError), max_retries=3, retry_backoff=30)
def send_reminders_now(campaign_id, sent_by_id=None):
    """Staff's "Envoyer les relances maintenant": the campaign's reminders, at once. Safe to run twice: no report
    is reminded of twice the same day."""
    return campaigns.send_reminders_now(campaign_id, sent_by_id)
