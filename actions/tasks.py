"""Celery tasks of actions: each takes primary keys and is queued after the commit."""

import logging

from celery import shared_task

from actions import notifications

logger = logging.getLogger(__name__)


@shared_task(acks_late=True)
def notify_milestones_due():
    """Celery beat, daily: tell the referents about the milestones due within 15 days (told once each)."""
    return notifications.milestones_due()


@shared_task(acks_late=True)
def notify_report_returned(report_id):
    """Kept for the tasks queued before notifications (pti.notifications) replaced it: tells the referents of a
    report sent back, once (the notification is recorded once per sending back)."""
    from actions.enums import ReportState
    from actions.models import ProgressReport

    report = (
        ProgressReport.objects.select_related("action__axe")
        .filter(pk=report_id, state=ReportState.DRAFT)
        .exclude(return_comment="")
        .first()
    )
    if report is None:
        return 0
    return len(notifications.report_returned(report))
