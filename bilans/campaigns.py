"""The yearly reporting campaign: who owes which report, who is late, and the e-mails that remind them.

The referents of an action are its named referents; an action without any is the responsibility of its axe's
thematic referents. A report is owed by every action due for the year (actions.figures.due_q) until it is
submitted: a draft is still owed. Each referent whose reports are owed gets one reminder a configurable number
of days before the deadline and one more after it; every reminder is recorded (`Reminder`, unique per campaign,
recipient and kind), so that no run of the beat task, however many, sends one twice. Staff may also send the
reminders at once from the campaign page (`reminders_now`, previewed, then sent by a task); whatever sends them,
no report is reminded of twice the same day to the same referent.
"""

import datetime
import functools
import logging
from collections import defaultdict
from typing import NamedTuple

from django.contrib.auth import get_user_model
from django.core.paginator import Paginator
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from actions import figures
from actions.enums import ReportState
from actions.models import Action
from actions.services import reporting_year
from axes.models import Axe
from bilans.enums import ReminderKind
from bilans.models import Reminder, ReportingCampaign
from pti import links, notifications, stamps
from pti.enums import NotificationKind
from pti.formats import long_date
from pti.mail import absolute_url, templated_email

logger = logging.getLogger(__name__)

SUBMITTED, DRAFT, MISSING = "submitted", "draft", "missing"


def due_actions(pacte, year, today=None, owed=False):
    """The actions owing a report for `year` (actions.figures; with `owed`, only those whose report is not yet
    submitted), in the plan's order, each with `report_state` ("submitted", "draft" or "missing") and
    `responsible` (the users expected to write it, figures.responsible_sql), in three queries whatever their
    number, as DueAction holding what the reminders need (number, title, pacte, axe)."""
    p = figures.period(pacte, year, today)
    actions = _actions(figures.compute([p], totals=False, rows="no_report" if owed else "due", reports_only=True).rows)
    responsible = _responsible(pacte)
    users = get_user_model().objects.in_bulk({user_id for ids in responsible.values() for user_id in ids})
    order = sorted(users.values(), key=lambda u: (u.last_name, u.first_name, u.username))
    rank = {user.pk: index for index, user in enumerate(order)}
    for action in actions:
        ids = sorted(responsible.get(action.pk, ()), key=rank.__getitem__)
        action.responsible = [users[user_id] for user_id in ids]
    return actions


class DueAction:
    """What the campaign, its reminders and their e-mails read of an action owing a report: its number, title,
    pacte and axe, the report's state (`report_state`) and, from `due_actions`, the users expected to write it
    (`responsible`). A plain object, not an unsaved Action: a campaign of 5,000 owed reports builds them in a
    fraction of what as many model instances would cost."""

    __slots__ = ("pk", "pacte_id", "axe_id", "number", "title", "report_state", "responsible")

    def __init__(self, pk, pacte_id, axe_id, number, title, report_state):
        self.pk, self.pacte_id, self.axe_id = pk, pacte_id, axe_id
        self.number, self.title, self.report_state = number, title, report_state
        self.responsible = []

    def __repr__(self):
        return f"<DueAction {self.number} {self.report_state}>"

    def get_absolute_url(self):
        return links.object_url("actions:detail", self.pk)


def _actions(rows):
    """DueAction of rows of actions.figures (number, title, pacte, axe and `report_state`)."""
    return [
        DueAction(row["id"], row["pacte_id"], row["axe_id"], row["number"], row["title"], row["report"] or MISSING)
        for row in rows
    ]


def _report_counts(data):
    """The report counts of a figures dict (actions.figures)."""
    reports = data["reports"]
    return {
        SUBMITTED: reports["submitted"],
        DRAFT: reports["draft"],
        MISSING: reports["missing"],
        "due": reports["due"],
        "share": reports["share"],
    }


def report_counts(pacte, year, today=None):
    """Submitted, draft and missing reports of the actions due for `year` (for the bilan page)."""
    p = figures.period(pacte, year, today)
    return _report_counts({"reports": figures.report_figures([p])[p.key]})


REFERENTS_PER_PAGE = 50
# What the campaign's tables show of a referent (his name, his organisation): the rest is not read or cached.
USER_FIELDS = ("pk", "username", "first_name", "last_name", "organisation")
PENDING_SHOWN = 20  # the reports still owed listed by number on a referent's row; the others are counted


def _pending_actions(p, scope, limit=None):
    """The actions of period `p` within `scope` (a queryset choosing each action by its own rows: figures.compute's
    `local`) whose report is still owed, in the plan's order, as DueAction holding `report_state`: one query, over
    `scope` only, kept piece by piece."""
    rows = figures.compute([p], scope, totals=False, rows="no_report", limit=limit, reports_only=True, local=True)
    return _actions(rows.rows)


def kept(campaign):
    """What keeps a rendered part of the campaign's pages (`fragments.cached(..., keep=…)`) that shows its
    completion or its reminders' preview: as they are, under the `reports` counters of its pacte's pieces and the
    stamps of the tables outside them (the campaign, its reminders, the users), a day at most."""
    return functools.partial(figures.kept, [campaign.pacte_id], counter="reports")


def year_completion(pacte, year, today=None, page=None, per_page=None):
    """`_year_completion`, from the cache while the figures of the pacte, the referents and the users are
    unchanged (figures.kept under the `reports` counters: a draft saved again, with new text or a new progress, leaves it there)."""
    today = today or timezone.localdate()
    per_page = per_page or REFERENTS_PER_PAGE
    key = ("campaign", pacte.pk, year, today, str(page), per_page)
    return figures.kept(
        [pacte.pk], key, lambda: _year_completion(pacte, year, today, page, per_page), counter="reports"
    )


def _year_completion(pacte, year, today, page, per_page):
    """Totals, by axe and by referent (each with the reports he still owes), of the reports due for `year`,
    counted by the database (actions.figures) in a few queries whatever the number of actions.

    The referents come most owing first; `page` (from 1) keeps `per_page` of them (`referent_page` says which
    page of how many), all when None. On a page, each keeps at most PENDING_SHOWN of the actions he owes
    (`pending`), and `pending_more` counts the rest; `unassigned` lists at most PENDING_SHOWN of the owed reports
    nobody is expected to write (all of them without a page), `unassigned_count` counts them all."""
    p = figures.period(pacte, year, today)
    grouped = figures.compute_groups([p], ("axe", "responsible"), reports_only=True)
    by_axe, by_user = grouped["axe"], grouped["responsible"].groups()
    unassigned = by_user.pop(None, None)
    counts = {user_id: _report_counts(data) for user_id, data in by_user.items() if data["reports"]["due"]}
    # The referents' order is read from their names (kept in the cache while the users are unchanged); only the
    # page's referents are loaded.
    User = get_user_model()
    names = stamps.cached(
        ("user-names",),
        lambda: {
            pk: (last, username) for pk, last, username in User.objects.values_list("pk", "last_name", "username")
        },
        tables=(User._meta.db_table,),
    )
    order = sorted(
        (pk for pk in counts if pk in names), key=lambda pk: (-(counts[pk][DRAFT] + counts[pk][MISSING]), *names[pk])
    )
    pending_total = sum(1 for pk in order if counts[pk][DRAFT] + counts[pk][MISSING])
    pages = max(1, -(-len(order) // per_page)) if page is not None else 1
    number = min(max(int(page), 1), pages) if page is not None else 1
    if page is not None:
        order = order[(number - 1) * per_page : number * per_page]
    users = User.objects.only(*USER_FIELDS).in_bulk(order)
    referents = [{"user": users[pk], **counts[pk]} for pk in order if pk in users]
    owing = {row["user"].pk: row for row in referents if row[DRAFT] + row[MISSING]}
    for row in referents:
        row["pending"], row["pending_more"] = [], 0
    if owing:
        responsible = _responsible(pacte, list(owing))
        scope = Action.objects.filter(figures.in_ids(sorted(responsible)))
        for action in _pending_actions(p, scope) if responsible else ():
            for user_id in responsible[action.pk]:
                row = owing[user_id]
                if page is None or len(row["pending"]) < PENDING_SHOWN:
                    row["pending"].append(action)
                else:
                    row["pending_more"] += 1
    unassigned_count = unassigned["reports"]["due"] - unassigned["reports"]["submitted"] if unassigned else 0
    unassigned_actions = []
    if unassigned_count:
        nobody = Action.objects.filter(pacte=pacte).exclude(
            pk__in=RawSQL(f"SELECT resp.action_id FROM ({figures.responsible_sql()}) resp", ())
        )
        unassigned_actions = _pending_actions(p, nobody, limit=PENDING_SHOWN if page is not None else None)
    axes = {axe.pk: axe for axe in Axe.objects.filter(pacte=pacte)}
    axe_rows = [
        {"axe": axes[axe_id], **_report_counts(data)}
        for axe_id, data in by_axe.groups().items()
        if data["reports"]["due"] and axe_id in axes
    ]
    return {
        "totals": _report_counts(by_axe.total()),
        "axes": sorted(axe_rows, key=lambda row: row["axe"].number),
        "referents": referents,
        "referent_page": {"number": number, "pages": pages, "count": sum(1 for _ in counts), "per_page": per_page}
        if page is not None
        else None,
        "pending": [row for row in referents if row["pending"] or row["pending_more"]],
        "pending_count": pending_total,
        "unassigned": unassigned_actions,
        "unassigned_count": unassigned_count,
    }


def _responsible(pacte, user_ids=None):
    """{action id: [user ids]}: the actions of `pacte` each of `user_ids` (everyone when None) is expected to
    write the report of (figures.responsible_sql), in one query (none while it is in the cache)."""
    qn = connection.ops.quote_name
    sql = (
        f"SELECT resp.action_id, resp.user_id FROM ({figures.responsible_sql()}) resp"
        f" JOIN {qn(Action._meta.db_table)} a ON a.id = resp.action_id"
        f" WHERE a.{qn(Action._meta.get_field('pacte').column)} = %s"
    )
    if user_ids is not None:
        sql += f" AND resp.user_id IN ({', '.join(['%s'] * len(user_ids))})"
    params = [pacte.pk, *(user_ids or ())]

    def read():
        result = defaultdict(list)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            for action_id, user_id in cursor.fetchall():
                result[action_id].append(user_id)
        return dict(result)

    # Kept while the actions, their referents and the axes' thematic referents are unchanged: a report saved
    # leaves it (pti.stamps).
    return stamps.cached(("responsible", sql, tuple(params)), read, tables=stamps.tables_in(sql))


def days_left(campaign, today=None):
    """Days until the campaign's deadline: 1 the day before, 0 on the day, negative once passed. A report still
    owed once it is negative is late (`past_deadline`): the campaign page, the reminders and the referents' pages
    (bilans_tags.campaign_deadline) read it here."""
    return (campaign.deadline - (today or timezone.localdate())).days


def past_deadline(campaign, today=None):
    return days_left(campaign, today) < 0


def completion(campaign, today=None, page=None):
    """What the campaign page shows: totals, by axe, by referent (a page of them when `page` is given), the late
    referents (those of the page) and the reminders sent."""
    today = today or timezone.localdate()
    result = year_completion(campaign.pacte, campaign.year, today, page=page)
    passed = past_deadline(campaign, today)
    return {
        **result,
        "late": result["pending"] if passed else [],
        "past_deadline": passed,
        "days_left": days_left(campaign, today),
    }


def pending_by_referent(campaign, today=None):
    """{user: [actions whose report is still owed]} for the referents of the campaign who owe any."""
    pending = defaultdict(list)
    for action in due_actions(campaign.pacte, campaign.year, today, owed=True):
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


def open_year_campaigns():
    """The campaigns whose year is still open: once the year's bilan is approved its reports are read-only, there
    is nothing more to ask for (the reminders, the night's warming)."""
    return ReportingCampaign.objects.select_related("pacte").exclude(pacte__closed_years__year=F("year"))


def send_reminders(today=None):
    """Send the reminders due on `today` for every campaign whose year is still open. Return how many."""
    today = today or timezone.localdate()
    sent = 0
    for campaign in open_year_campaigns():
        kind = reminder_due(campaign, today)
        if kind is not None:
            sent += send_campaign_reminders(campaign, kind, today)
    return sent


def reminded_today(campaign, today, user=None):
    """{recipient id: {action ids}}: the reports each referent was reminded of on `today` (any kind of
    reminder), so that none is reminded twice the same day."""
    rows = Reminder.objects.filter(campaign=campaign, sent_at__date=today)
    if user is not None:
        rows = rows.filter(recipient=user)
    reminded = defaultdict(set)
    for recipient_id, actions in rows.values_list("recipient_id", "actions"):
        reminded[recipient_id].update(item.get("id") for item in actions or () if isinstance(item, dict))
    return reminded


def _remind(campaign, user, actions, kind, today, sent_by_id=None):
    """Record and send one reminder, under the campaign's lock; False if there is nothing left to send: a
    scheduled kind already sent, or every report already reminded of today. The mail is sent inside the
    transaction: if it cannot be sent, the reminder is not recorded and the next run tries again."""
    with transaction.atomic():
        # One at a time per campaign, so two runs at once cannot both send.
        ReportingCampaign.objects.select_for_update().get(pk=campaign.pk)
        if (
            kind != ReminderKind.MANUAL
            and Reminder.objects.filter(campaign=campaign, recipient=user, kind=kind).exists()
        ):
            return False
        done = reminded_today(campaign, today, user)[user.pk]
        actions = [a for a in actions if a.pk not in done]
        if not actions:
            return False
        reminder = Reminder.objects.create(
            campaign=campaign,
            recipient=user,
            kind=kind,
            email=user.email,
            sent_by_id=sent_by_id,
            actions=[{"number": a.number, "title": a.title, "state": a.report_state, "id": a.pk} for a in actions],
        )
        # In "Nouveautés" always; by e-mail unless the referent chose not to (pti.notifications).
        told = notifications.notify(
            [user],
            NotificationKind.REMINDER,
            reminder,
            title=_reminder_title(campaign, kind, today),
            body=", ".join(f"{a.number} – {a.title}" for a in actions),
            url=reverse("actions:my_actions"),
            email=False,
        )
        if notifications.wants_email(user, NotificationKind.REMINDER):
            _reminder_email(campaign, kind, user, actions, today).send()
            for notification in told:
                notifications.mark_emailed(notification)
    return True


def _reminder_after(campaign, kind, today):
    # A reminder sent by staff reads as the beat's of the same day would: before or after the deadline.
    if kind == ReminderKind.MANUAL:
        return past_deadline(campaign, today)
    return kind == ReminderKind.AFTER


def _reminder_title(campaign, kind, today):
    deadline = long_date(campaign.deadline)
    if _reminder_after(campaign, kind, today):
        return _("Comptes rendus %(year)s en retard – date limite du %(deadline)s dépassée") % {
            "year": campaign.year,
            "deadline": deadline,
        }
    return _("Comptes rendus %(year)s à transmettre avant le %(deadline)s") % {
        "year": campaign.year,
        "deadline": deadline,
    }


def announce_opening(campaign, today=None, email=True):
    """Tell each referent who owes reports to `campaign` that it is open (once per campaign). Return how many."""
    told = 0
    deadline = long_date(campaign.deadline)
    for user, actions in pending_by_referent(campaign, today).items():
        title = _("La campagne de comptes rendus %(year)s est ouverte : à transmettre avant le %(deadline)s") % {
            "year": campaign.year,
            "deadline": deadline,
        }
        body = ngettext(
            "%(count)s compte rendu attendu de vous : %(actions)s.",
            "%(count)s comptes rendus attendus de vous : %(actions)s.",
            len(actions),
        ) % {"count": len(actions), "actions": ", ".join(a.number for a in actions)}
        told += len(
            notifications.notify(
                [user],
                NotificationKind.CAMPAIGN_OPENED,
                campaign,
                title=title,
                body=body,
                url=reverse("actions:my_actions"),
                email=email,
            )
        )
    return told


def send_campaign_reminders(campaign, kind, today=None):
    """Send the `kind` reminder to each referent of `campaign` who still owes reports and has not had it (nor,
    today, one about the same reports)."""
    today = today or timezone.localdate()
    already = set(Reminder.objects.filter(campaign=campaign, kind=kind).values_list("recipient_id", flat=True))
    sent = 0
    for user, actions in pending_by_referent(campaign, today).items():
        if user.pk in already or not user.is_active or not user.email:
            continue
        try:
            if not _remind(campaign, user, actions, kind, today):
                continue
        except IntegrityError:
            continue
        except Exception:  # noqa: BLE001 - one unreachable address must not stop the others
            logger.exception("Campaign %s: reminder to user %s could not be sent", campaign.pk, user.pk)
            continue
        sent += 1
    return sent


# --- "Envoyer les relances maintenant" ----------------------------------------------------------------------


def _by_name(row):
    user = row["user"]
    return (user.last_name.lower(), user.first_name.lower(), user.username)


class Referent(NamedTuple):
    """What the preview shows of a referent: a few values, quick to read back from the cache."""

    pk: int
    name: str
    organisation: str
    email: str
    is_active: bool

    def __str__(self):
        return self.name


class Owed(NamedTuple):
    """What the preview shows of a report owed: its action's number and title, and the report's state."""

    pk: int
    number: str
    title: str
    report_state: str


def _shown(row):
    user = row["user"]
    return {
        "user": Referent(user.pk, str(user), user.organisation, user.email, user.is_active),
        "actions": [Owed(a.pk, a.number, a.title, a.report_state) for a in row["actions"]],
        "reminded": [Owed(a.pk, a.number, a.title, a.report_state) for a in row["reminded"]],
    }


def reminders_preview(campaign, number=1, per_page=50, today=None):
    """What `reminders_now` sends on `today`, for the staff's page, with the recipients of page `number` only
    (`per_page` a page; past the last, the last): the same referents, reports and order, computed from the
    figures by referent (actions.figures, kept piece by piece), the reports of the referents shown alone listed,
    and kept in the cache while the figures of the pacte, the users and the reminders are unchanged
    (figures.kept under the `reports` counters: a draft saved again, with new text or a new progress, leaves it there). The sending itself reads `reminders_now`."""
    today = today or timezone.localdate()
    key = ("reminders-page", campaign.pk, today, number, per_page)
    preview = figures.kept(
        [campaign.pacte_id], key, lambda: _preview_page(campaign, today, number, per_page), counter="reports"
    )
    # The page, for the pagination's links, over the count alone (its rows are those read back).
    page = Paginator(range(preview["count"]), per_page).page(preview["number"])
    page.object_list = preview["recipients"]
    return {**preview, "recipients": page}


def _user_cards():
    """{user id: (sort key by name, active, has an e-mail address)} of every account, kept while the users are
    unchanged."""
    User = get_user_model()

    def read():
        rows = User.objects.values_list("pk", "last_name", "first_name", "username", "is_active", "email")
        return {
            pk: ((last.lower(), first.lower(), username), active, bool(email))
            for pk, last, first, username, active, email in rows
        }

    return stamps.cached(("user-cards",), read, tables=(User._meta.db_table,))


def _preview_page(campaign, today, number, per_page):
    pacte = campaign.pacte
    p = figures.period(pacte, campaign.year, today)
    by_user = figures.compute_groups([p], ("responsible",), reports_only=True)["responsible"].groups()
    cards = _user_cards()
    owing = [
        pk for pk, data in by_user.items() if pk in cards and data["reports"]["draft"] + data["reports"]["missing"]
    ]
    owing.sort(key=lambda pk: cards[pk][0])
    reminded = reminded_today(campaign, today)
    unreachable = [pk for pk in owing if not (cards[pk][1] and cards[pk][2])]
    reachable = [pk for pk in owing if cards[pk][1] and cards[pk][2]]
    # Those reminded today are recipients only while they owe a report not reminded of yet.
    owed = _owed_by(pacte, p, [pk for pk in reachable if pk in reminded])
    already = [pk for pk in reachable if pk in reminded and all(a.pk in reminded[pk] for a in owed.get(pk, ()))]
    done = set(already)
    recipients = [pk for pk in reachable if pk not in done]
    pages = max(1, -(-len(recipients) // per_page))
    shown_number = min(max(int(number), 1), pages)
    shown = recipients[(shown_number - 1) * per_page : shown_number * per_page]
    owed.update(_owed_by(pacte, p, [pk for pk in [*shown, *unreachable] if pk not in owed]))
    User = get_user_model()
    users = User.objects.only(*USER_FIELDS, "email", "is_active").in_bulk([*shown, *already, *unreachable])

    def row(pk):
        done = reminded.get(pk, set())
        actions = owed.get(pk, [])
        return _shown(
            {
                "user": users[pk],
                "actions": [a for a in actions if a.pk not in done],
                "reminded": [a for a in actions if a.pk in done],
            }
        )

    return {
        "recipients": [row(pk) for pk in shown if pk in users],
        "count": len(recipients),
        "number": shown_number,
        "already": [row(pk) for pk in already if pk in users],
        "unreachable": [row(pk) for pk in unreachable if pk in users],
        "deadline": campaign.deadline,
        "after": today > campaign.deadline,
        "today": today,
    }


def _owed_by(pacte, p, user_ids):
    """{user id: [the actions whose report he still owes for period `p`, in the plan's order]} of `user_ids`: one
    statement over their actions alone (kept piece by piece)."""
    if not user_ids:
        return {}
    responsible = _responsible(pacte, list(user_ids))
    if not responsible:
        return {}
    wanted, owed = set(user_ids), defaultdict(list)
    for action in _pending_actions(p, Action.objects.filter(figures.in_ids(sorted(responsible)))):
        for user_id in responsible[action.pk]:
            if user_id in wanted:
                owed[user_id].append(action)
    return dict(owed)


def reminders_now(campaign, today=None):
    """What "Envoyer les relances maintenant" sends on `today` (the task reads it; the staff's preview,
    `reminders_preview`, shows the same, page by page, from the figures by referent):
    `recipients`, each referent who gets a reminder with the reports it lists (those still owed and not yet
    reminded of today); `already`, those reminded today of everything they owe; `unreachable`, those without an
    e-mail address or whose account is closed. The same few queries whatever the number of referents."""
    today = today or timezone.localdate()
    reminded = reminded_today(campaign, today)
    recipients, already, unreachable = [], [], []
    for user, actions in pending_by_referent(campaign, today).items():
        done = reminded.get(user.pk, set())
        row = {
            "user": user,
            "actions": [a for a in actions if a.pk not in done],
            "reminded": [a for a in actions if a.pk in done],
        }
        if not user.is_active or not user.email:
            unreachable.append(row)
        elif not row["actions"]:
            already.append(row)
        else:
            recipients.append(row)
    return {
        "recipients": sorted(recipients, key=_by_name),
        "already": sorted(already, key=_by_name),
        "unreachable": sorted(unreachable, key=_by_name),
        "deadline": campaign.deadline,
        "after": today > campaign.deadline,
        "today": today,
    }


def queue_reminders_now(campaign, user):
    """Queue the sending (bilans.tasks.send_reminders_now) once the current transaction commits; at once, in
    the request, on the embedded default (no broker: eager tasks). Raise JobUnavailable if no worker can
    take it. A broker lost between the check and the publication is logged (robust): nothing was sent, and the
    campaign page shows no new reminder."""
    from bilans import tasks
    from bilans.services import ensure_broker

    ensure_broker()
    transaction.on_commit(lambda: tasks.send_reminders_now.delay(campaign.pk, user.pk), robust=True)


def send_reminders_now(campaign_id, sent_by_id=None, today=None):
    """Send the reminders of `reminders_now` (run by the task). Safe to run twice: a report already reminded of
    today is not again. Nothing once the campaign's year is closed. Return how many were sent."""
    today = today or timezone.localdate()
    campaign = ReportingCampaign.objects.select_related("pacte").filter(pk=campaign_id).first()
    if campaign is None or campaign.pacte.closure(campaign.year) is not None:
        return 0
    sent = 0
    for row in reminders_now(campaign, today)["recipients"]:
        try:
            if not _remind(campaign, row["user"], row["actions"], ReminderKind.MANUAL, today, sent_by_id):
                continue
        except Exception:  # noqa: BLE001 - one unreachable address must not stop the others
            logger.exception("Campaign %s: reminder to user %s could not be sent", campaign.pk, row["user"].pk)
            continue
        sent += 1
    return sent


def _email(subject, template, context, to):
    return templated_email(subject, f"bilans/emails/{template}", context, to)


def _reminder_email(campaign, kind, user, actions, today=None):
    today = today or timezone.localdate()
    after = _reminder_after(campaign, kind, today)
    left = days_left(campaign, today)
    context = {
        "days_left": left,
        "days_late": -left if left < 0 else None,
        "user": user,
        "campaign": campaign,
        "pacte": campaign.pacte,
        "year": campaign.year,
        "after": after,
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
    subject = _reminder_title(campaign, kind, today)
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
