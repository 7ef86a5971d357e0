"""Celery tasks of actions: each takes primary keys and is queued after the commit."""

import logging

from celery import shared_task

from actions import notifications

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def notify_milestones_due():
    """Celery beat, daily: tell the referents about the milestones due within 15 days (told once each)."""
    return notifications.milestones_due()
