"""Celery tasks of bilans and reporting campaigns. Each takes primary keys and is queued after the commit; the
state of a bilan's job lives in its row (bilans.services), so every task is safe to run twice."""

from celery import shared_task
from django.db import InterfaceError, OperationalError

from bilans import campaigns, services
from pti.jobs import TASK_OPTIONS, final_attempt

# The options of every job's task (pti.jobs): late acknowledgement, retries of transient errors, time limits.
JOB_OPTIONS = TASK_OPTIONS


@shared_task(**JOB_OPTIONS)
def generate_bilan(self, bilan_id):
    """Generate the bilan's PDF, if the bilan still names this task as its generation."""
    bilan = services.run_generation(bilan_id, self.request.id, final_attempt=final_attempt(self))
    return bilan.pdf_sha256 if bilan else None


@shared_task(**JOB_OPTIONS)
def approve_bilan(self, bilan_id):
    """Render the approved PDF (the deliberation on its cover) from the frozen snapshot, then approve."""
    bilan = services.run_approval(bilan_id, self.request.id, final_attempt=final_attempt(self))
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
