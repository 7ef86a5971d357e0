"""Celery tasks of actions: each takes primary keys and is queued after the commit."""

import logging

from celery import shared_task
from django.urls import reverse
from django.utils.translation import gettext as _

from actions.enums import ReportState
from actions.models import ProgressReport
from pti.mail import absolute_url, templated_email

logger = logging.getLogger(__name__)


def report_recipients(report):
    """Who writes the report: the action's referents, or its axe's thematic referents when it has none."""
    action = report.action
    users = list(action.referents.all()) or list(action.axe.thematic_referents.all())
    return [user for user in users if user.is_active and user.email]


@shared_task
def notify_report_returned(report_id):
    """E-mail the referents of a report sent back to them by staff (if it is still waiting for them)."""
    report = (
        ProgressReport.objects.select_related("action__pacte", "action__axe", "returned_by")
        .filter(pk=report_id, state=ReportState.DRAFT)
        .exclude(return_comment="")
        .first()
    )
    if report is None:
        return 0
    told = 0
    for user in report_recipients(report):
        context = {
            "user": user,
            "report": report,
            "action": report.action,
            "report_url": absolute_url(reverse("actions:report_edit", args=[report.action_id, report.year])),
            "my_actions_url": absolute_url(reverse("actions:my_actions")),
        }
        subject = _("Compte rendu %(year)s de l'action %(number)s : un complément est demandé") % {
            "year": report.year,
            "number": report.action.number,
        }
        try:
            templated_email(subject, "actions/emails/report_returned", context, [user.email]).send()
        except Exception:  # noqa: BLE001 - one unreachable address must not stop the others
            logger.exception("Report %s: referent %s could not be told", report_id, user.pk)
            continue
        told += 1
    return told
