"""Hooks of bilans on the lower apps (the dependency rule: bilans listens, nothing imports bilans)."""

import datetime
import logging
from collections import defaultdict

from django.db import transaction
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.utils import timezone

from actions import figures
from actions.models import Action
from axes.closing import closure
from axes.enums import PacteStatus
from bilans.models import ReportingCampaign
from pilotage.demo.builder import demo_seeded

logger = logging.getLogger(__name__)


@receiver(m2m_changed, sender=Action.referents.through, dispatch_uid="bilans.referents_added")
def referents_added(sender, instance, action, reverse, pk_set, **kwargs):
    """A user newly named referent of an action is told by e-mail, once the change is committed."""
    if action != "post_add" or not pk_set:
        return
    if reverse:  # user.referent_actions.add(actions)
        added = {action_id: [instance.pk] for action_id in pk_set}
    else:  # action.referents.add(users), or .set()
        added = {instance.pk: sorted(pk_set)}
    grouped = defaultdict(list)
    for action_id, user_ids in added.items():
        grouped[action_id].extend(user_ids)
    for action_id, user_ids in grouped.items():
        transaction.on_commit(lambda a=action_id, u=user_ids: _queue(a, u))


def _queue(action_id, user_ids):
    from bilans.tasks import notify_new_referents

    try:
        notify_new_referents.delay(action_id, user_ids)
    except Exception:  # noqa: BLE001 - the change is saved; a lost e-mail must not turn it into an error page
        logger.exception("Action %s: could not queue the e-mail to its new referents %s", action_id, user_ids)


@receiver(demo_seeded, dispatch_uid="bilans.demo_campaign")
def demo_campaign(sender, pactes, users, stats, **kwargs):
    """The demo shows a campaign running: each open pacte's reporting year gets one, due in a month, created once
    (seeding again changes nothing)."""
    today = timezone.localdate()
    for pacte in pactes:
        year = figures.reporting_year(pacte, today)
        if pacte.status != PacteStatus.ACTIVE or closure(pacte, year) is not None:
            continue
        _campaign, created = ReportingCampaign.objects.get_or_create(
            pacte=pacte,
            year=year,
            defaults={"deadline": today + datetime.timedelta(days=30), "opened_by": users.get("agent")},
        )
        if created:
            stats.created(ReportingCampaign)
            from bilans import campaigns

            # The demo's referents find the opening in their "Nouveautés" (no e-mail from a seed).
            campaigns.announce_opening(_campaign, today, email=False)
