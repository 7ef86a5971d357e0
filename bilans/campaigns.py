"""The yearly reporting campaign: who owes which report, who is late, and the e-mails that remind them.

The referents of an action are its named referents; an action without any is the responsibility of its axe's
thematic referents. A report is owed by every action due for the year (actions.figures.due_q) until it is
submitted: a draft is still owed. Each referent whose reports are owed gets one reminder a configurable number
of days before the deadline and one more after it; every reminder is recorded (`Reminder`, unique per campaign,
recipient and kind), so that no run of the beat task, however many, sends one twice.
"""

import datetime
import logging
from collections import defaultdict

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from actions import figures
from actions.enums import ReportState
from actions.models import Action
from actions.services import reporting_year
from bilans.enums import ReminderKind
from bilans.models import Reminder, ReportingCampaign
from pti.formats import long_date
from pti.mail import absolute_url, templated_email

logger = logging.getLogger(__name__)

SUBMITTED, DRAFT, MISSING = "submitted", "draft", "missing"


def due_actions(pacte, year, today=None):
    """The actions owing a report for `year` (actions.figures), each with `report_state` ("submitted", "draft"
    or "missing") and `responsible` (the users expected to write it), in four queries whatever their number."""
    p = figures.period(pacte, year, today)
    rows = figures.compute([p], totals=False, rows="due").by_action()
    actions = [
        action
        for action in Action.objects.filter(pacte=pacte)
        .select_related("axe")
        .prefetch_related("referents", "axe__thematic_referents")
        .order_by("axe__number", "sort_key")
        if (p.key, action.pk) in rows
    ]
    for action in actions:
        action.report_state = rows[(p.key, action.pk)]["report"] or MISSING
        action.responsible = list(action.referents.all()) or list(action.axe.thematic_referents.all())
    return actions


def _counts(actions):
    counts = {SUBMITTED: 0, DRAFT: 0, MISSING: 0}
    for action in actions:
        counts[action.report_state] += 1
    total = len(actions)
    return {**counts, "due": total, "share": figures.share(counts[SUBMITTED], total)}


def report_counts(pacte, year, today=None):
    """Submitted, draft and missing reports of the actions due for `year` (for the bilan page)."""
    reports = figures.compute([figures.period(pacte, year, today)], group=None).total()["reports"]
    return {
        SUBMITTED: reports["submitted"],
        DRAFT: reports["draft"],
        MISSING: reports["missing"],
        "due": reports["due"],
        "share": reports["share"],
    }


def year_completion(pacte, year, today=None):
    """Totals, by axe and by referent (each with the reports he still owes), of the reports due for `year`."""
    actions = due_actions(pacte, year, today)
    by_axe = defaultdict(list)
    for action in actions:
        by_axe[action.axe].append(action)
    by_referent = defaultdict(list)
    unassigned = []
    for action in actions:
        for user in action.responsible:
            by_referent[user].append(action)
        if not action.responsible:
            unassigned.append(action)
    referents = [
        {
            "user": user,
            **_counts(owned),
            "pending": [a for a in owned if a.report_state != SUBMITTED],
        }
        for user, owned in by_referent.items()
    ]
    referents.sort(key=lambda row: (-(row[DRAFT] + row[MISSING]), row["user"].last_name, row["user"].username))
    return {
        "totals": _counts(actions),
        "axes": [{"axe": axe, **_counts(owned)} for axe, owned in sorted(by_axe.items(), key=lambda i: i[0].number)],
        "referents": referents,
        "pending": [row for row in referents if row["pending"]],
        "unassigned": [a for a in unassigned if a.report_state != SUBMITTED],
    }


def completion(campaign, today=None):
    """What the campaign page shows: totals, by axe, by referent, the late referents and the reminders sent."""
    today = today or timezone.localdate()
    result = year_completion(campaign.pacte, campaign.year, today)
    past_deadline = today > campaign.deadline
    return {
        **result,
        "late": result["pending"] if past_deadline else [],
        "past_deadline": past_deadline,
        "days_left": (campaign.deadline - today).days,
    }


def pending_by_referent(campaign, today=None):
    """{user: [actions whose report is still owed]} for the referents of the campaign who owe any."""
    pending = defaultdict(list)
    for action in due_actions(campaign.pacte, campaign.year, today):
        if action.report_state == SUBMITTED:
            continue
        for user in action.responsible:
            pending[user].append(action)
    return pending


def reminder_due(campaign, today):
    """The kind of reminder the campaign sends on `today`, or None."""
    if today > campaign.deadline:
        if today >= campaign.deadline + datetime.timedelta(days=campaign.reminder_days_after):
            return ReminderKind.AFTER
        return None
    if today >= campaign.deadline - datetime.timedelta(days=campaign.reminder_days_before):
        return ReminderKind.BEFORE
    return None


def send_reminders(today=None):
    """Send the reminders due on `today` for every campaign whose year is still open. Return how many."""
    today = today or timezone.localdate()
    sent = 0
    # Once the year's bilan is approved its reports are read-only: nothing more to ask for.
    campaigns = ReportingCampaign.objects.select_related("pacte").exclude(pacte__closed_years__year=F("year"))
    for campaign in campaigns:
        kind = reminder_due(campaign, today)
        if kind is not None:
            sent += send_campaign_reminders(campaign, kind, today)
    return sent


def send_campaign_reminders(campaign, kind, today=None):
    """Send the `kind` reminder to each referent of `campaign` who still owes reports and has not had it."""
    today = today or timezone.localdate()
    already = set(Reminder.objects.filter(campaign=campaign, kind=kind).values_list("recipient_id", flat=True))
    sent = 0
    for user, actions in pending_by_referent(campaign, today).items():
        if user.pk in already or not user.is_active or not user.email:
            continue
        try:
            with transaction.atomic():
                # One at a time per campaign, so two runs at once cannot both send.
                ReportingCampaign.objects.select_for_update().get(pk=campaign.pk)
                if Reminder.objects.filter(campaign=campaign, recipient=user, kind=kind).exists():
                    continue
                Reminder.objects.create(
                    campaign=campaign,
                    recipient=user,
                    kind=kind,
                    email=user.email,
                    actions=[
                        {"number": a.number, "title": a.title, "state": a.report_state, "id": a.pk} for a in actions
                    ],
                )
                # Inside the transaction: if the mail cannot be sent, the reminder is not recorded and the next run
                # tries again.
                _reminder_email(campaign, kind, user, actions).send()
        except IntegrityError:
            continue
        except Exception:  # noqa: BLE001 - one unreachable address must not stop the others
            logger.exception("Campaign %s: reminder to user %s could not be sent", campaign.pk, user.pk)
            continue
        sent += 1
    return sent


def _email(subject, template, context, to):
    return templated_email(subject, f"bilans/emails/{template}", context, to)


def _reminder_email(campaign, kind, user, actions):
    context = {
        "user": user,
        "campaign": campaign,
        "pacte": campaign.pacte,
        "year": campaign.year,
        "after": kind == ReminderKind.AFTER,
        "actions": [
            {
                "number": a.number,
                "title": a.title,
                "draft": a.report_state == DRAFT,
                "url": absolute_url(reverse("actions:report_edit", args=[a.pk, campaign.year])),
            }
            for a in actions
        ],
        "my_actions_url": absolute_url(reverse("actions:my_actions")),
    }
    deadline = long_date(campaign.deadline)
    if kind == ReminderKind.AFTER:
        subject = _("Comptes rendus %(year)s en retard – date limite du %(deadline)s dépassée") % {
            "year": campaign.year,
            "deadline": deadline,
        }
    else:
        subject = _("Comptes rendus %(year)s à transmettre avant le %(deadline)s") % {
            "year": campaign.year,
            "deadline": deadline,
        }
    return _email(subject, "reminder", context, [user.email])


def open_campaign_for(pacte, today=None):
    """The campaign of `pacte`'s reporting year if its deadline has not passed, else None."""
    today = today or timezone.localdate()
    return ReportingCampaign.objects.filter(pacte=pacte, year=reporting_year(pacte, today), deadline__gte=today).first()


def notify_new_referents(action_id, user_ids):
    """E-mail the users newly named referents of the action. Return how many were told."""
    action = Action.objects.select_related("pacte", "axe").filter(pk=action_id).first()
    if action is None:
        return 0
    users = get_user_model().objects.filter(pk__in=user_ids, is_active=True).exclude(email="")
    campaign = open_campaign_for(action.pacte)
    report_owed = False
    if campaign is not None:
        p = figures.period(action.pacte, campaign.year)
        row = figures.compute([p], Action.objects.filter(pk=action.pk), totals=False, rows=True).by_action()
        row = row.get((p.key, action.pk))
        report_owed = bool(row and row["due"] and row["report"] != ReportState.SUBMITTED)
    told = 0
    for user in users:
        context = {
            "user": user,
            "action": action,
            "action_url": absolute_url(action.get_absolute_url()),
            "my_actions_url": absolute_url(reverse("actions:my_actions")),
            "campaign": campaign,
            "report_owed": report_owed,
            "report_url": absolute_url(reverse("actions:report_edit", args=[action.pk, campaign.year]))
            if campaign
            else "",
        }
        subject = _("Vous êtes référent de l'action %(number)s – %(title)s") % {
            "number": action.number,
            "title": action.title,
        }
        try:
            _email(subject, "new_referent", context, [user.email]).send()
        except Exception:  # noqa: BLE001
            logger.exception("Action %s: new referent %s could not be told", action_id, user.pk)
            continue
        told += 1
    return told
