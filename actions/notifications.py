"""The events of actions told to their referents (pti.notifications): a report sent back with a comment, and a
milestone due within the next 15 days (found each day by beat, `actions.tasks.notify_milestones_due`, and by
`manage.py notify_milestones`; safe to run any number of times)."""

import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from actions.enums import FINISHED_STATUSES, ReportState
from actions.models import Milestone, ProgressReport
from pti import notifications
from pti.enums import NotificationKind
from pti.formats import long_date
from pti.mail import absolute_url, templated_email

MILESTONE_NOTICE_DAYS = 15


def responsible(action):
    """Who answers for the action: its referents, or its axe's thematic referents when it has none."""
    return list(action.referents.all()) or list(action.axe.thematic_referents.all())


def report_returned(report):
    """Tell the report's referents that staff sent it back (called in return_report's transaction)."""
    action = report.action
    title = _("Compte rendu %(year)s de l'action %(number)s renvoyé : un complément est demandé") % {
        "year": report.year,
        "number": action.number,
    }
    return notifications.notify(
        responsible(action),
        NotificationKind.REPORT_RETURNED,
        report,
        title=title,
        body=report.return_comment,
        url=reverse("actions:report_edit", args=[action.pk, report.year]),
        # Each sending back is an event of its own.
        key=f"v{report.version}",
    )


@notifications.register_email(NotificationKind.REPORT_RETURNED)
def report_returned_email(notification):
    report = (
        ProgressReport.objects.select_related("action__pacte", "action__axe", "returned_by")
        .filter(pk=notification.object_id, state=ReportState.DRAFT)
        .exclude(return_comment="")
        .first()
    )
    if report is None:  # transmitted again meanwhile: nothing to ask any more
        return None
    user = notification.user
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
    return templated_email(subject, "actions/emails/report_returned", context, [user.email])


def milestones_due(today=None):
    """Tell the referents of each action about its milestones not yet done and planned within the next 15 days
    (today included). Idempotent: a milestone is told once per planned date. Return how many were told."""
    today = today or timezone.localdate()
    milestones = (
        Milestone.objects.filter(
            done_date__isnull=True,
            planned_date__gte=today,
            planned_date__lte=today + datetime.timedelta(days=MILESTONE_NOTICE_DAYS),
        )
        .exclude(action__status__in=FINISHED_STATUSES)
        .select_related("action__axe")
        .prefetch_related("action__referents", "action__axe__thematic_referents")
        .order_by("planned_date", "pk")
    )
    told = 0
    for milestone in milestones:
        action = milestone.action
        days = (milestone.planned_date - today).days
        title = _("Étape « %(title)s » de l'action %(number)s prévue le %(date)s") % {
            "title": milestone.title,
            "number": action.number,
            "date": long_date(milestone.planned_date),
        }
        body = (
            _("C'est aujourd'hui.")
            if days == 0
            else _("Dans %(days)s jours.") % {"days": days}
            if days > 1
            else _("C'est demain.")
        )
        told += len(
            notifications.notify(
                responsible(action),
                NotificationKind.MILESTONE_DUE,
                milestone,
                title=title,
                body=body,
                url=reverse("actions:detail", args=[action.pk]) + "#etapes",
                key=milestone.planned_date.isoformat(),
            )
        )
    return told
