"""Notifications: what a user is told about, in the "Nouveautés" panel of /mes-actions/ and by e-mail.

Every app emits its own events through `notify(...)` (pti is the bottom layer, so any app may call it): a report
sent back with a comment (actions.services.return_report), a milestone due within 15 days (actions.notifications,
daily), a COPIL decision assigned (pilotage.signals), the campaign opening and a reminder (bilans.campaigns).

- The same event (kind, object, key, user) is recorded once: `Notification` has a unique constraint and `notify`
  skips the users who already have it, so a task or a command run twice tells nobody twice.
- The e-mail goes after the commit (`send_email` task, `delay_on_commit`), only if the user's preferences
  (`NotificationPreferences`, defaults: all but the milestones) want it, and only once: `emailed_at` is set
  under the row's lock, in the transaction that sends it.
- The message is built by the app that knows the object: it registers a builder for its kind
  (`register_email(kind)`, from its AppConfig.ready); a kind without one gets the plain message
  (`pti/emails/notification`) with the title, the text and the link.
"""

import logging

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone

from pti import access
from pti.enums import NotificationKind
from pti.mail import absolute_url, templated_email
from pti.models import Notification, NotificationPreferences

logger = logging.getLogger(__name__)

# kind -> callable(notification) returning an e-mail message ready to `.send()` (or None: no e-mail).
_EMAIL_BUILDERS = {}

PANEL_LIMIT = 20


def register_email(kind):
    """Decorator: `builder(notification)` writes the e-mail of the notifications of `kind`."""

    def decorator(builder):
        _EMAIL_BUILDERS[NotificationKind(kind)] = builder
        return builder

    return decorator


def preferences(user):
    """The user's preferences, or the defaults (not saved) if he never changed them."""
    found = NotificationPreferences.objects.filter(user=user).first()
    return found or NotificationPreferences(user=user, version=0)


def wants_email(user, kind):
    return bool(user.is_active and user.email) and preferences(user).wants_email(kind)


def notify(users, kind, obj, title, url, body="", key="", email=True):
    """Tell each of `users` about the event `kind` on `obj`, unless he already was. Return the notifications
    created (the users already told get none). With `email`, each one's e-mail is queued after the commit."""
    kind = NotificationKind(kind)
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=True)
    key = str(key or "")[:64]
    users = {user.pk: user for user in users if user is not None and user.is_active}
    if not users:
        return []
    already = set(
        Notification.objects.filter(
            kind=kind, content_type=content_type, object_id=obj.pk, key=key, user_id__in=users
        ).values_list("user_id", flat=True)
    )
    created = []
    for user_id, user in users.items():
        if user_id in already:
            continue
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    user=user,
                    kind=kind,
                    content_type=content_type,
                    object_id=obj.pk,
                    key=key,
                    title=str(title)[:300],
                    body=str(body or "")[:2000],
                    url=url,
                )
        except IntegrityError:  # told meanwhile by another run
            continue
        created.append(notification)
        if email:
            from pti import tasks

            tasks.send_notification_email.delay_on_commit(notification.pk)
    return created


def build_email(notification):
    builder = _EMAIL_BUILDERS.get(notification.kind)
    if builder is not None:
        return builder(notification)
    return templated_email(
        notification.title,
        "pti/emails/notification",
        {"user": notification.user, "notification": notification, "url": absolute_url(notification.url)},
        [notification.user.email],
    )


def send_email(notification_id):
    """Send the e-mail of a notification, once: under the row's lock, if it was not sent already and the user
    wants it. Return True if sent. A failure to send rolls back: the next attempt tries again."""
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update().select_related("user").filter(pk=notification_id).first()
        )
        if notification is None or notification.emailed_at is not None:
            return False
        if not wants_email(notification.user, notification.kind):
            return False
        message = build_email(notification)
        if message is None:
            return False
        message.send()
        mark_emailed(notification)
    return True


def mark_emailed(notification):
    notification.emailed_at = timezone.now()
    notification.save(update_fields=["emailed_at"])


# --- reading and marking read ----------------------------------------------------------------------------------


def notifications_of(user):
    """The notifications `user` may read: his own."""
    if not access.is_active(user):
        return Notification.objects.none()
    # The query form of access.can_read_notification.
    return Notification.objects.filter(user=user)


def panel(user, limit=PANEL_LIMIT):
    """What the "Nouveautés" panel shows: the unread notifications (the latest `limit`) and how many there are,
    in two queries."""
    unread = notifications_of(user).unread()
    items = list(unread.recent_first()[:limit])
    count = unread.count()
    return {"items": items, "unread_count": count, "more": max(count - len(items), 0)}


def mark_read(user, notification_id):
    """Mark one of `user`'s notifications read; the notification, or None if he has none with that id."""
    notification = notifications_of(user).filter(pk=notification_id).first()
    if notification is None:
        return None
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


def mark_all_read(user):
    """Mark every unread notification of `user` read; how many were."""
    return notifications_of(user).unread().update(read_at=timezone.now())


# --- preferences ------------------------------------------------------------------------------------------------


@transaction.atomic
def update_preferences(user, data, expected_version):
    """Save `user`'s e-mail preferences ({field: bool}, fields of NotificationPreferences.FIELDS) unless they
    changed since `expected_version` (0: never saved, the defaults). ConflictError / MissingVersion otherwise."""
    from pti.concurrency import ConflictError, expected, lock_version
    from pti.history import acting_user

    version = expected(expected_version)
    fields = set(NotificationPreferences.FIELDS.values())
    with acting_user(user):
        row = NotificationPreferences.objects.select_for_update().filter(user=user).first()
        if row is None:
            if version != 0:
                raise ConflictError(NotificationPreferences(user=user, version=0), [], None, None)
            row = NotificationPreferences(user=user, version=1)
        else:
            row = lock_version(NotificationPreferences.objects.all(), row.pk, version)
            row.version += 1
        for name, value in data.items():
            if name in fields:
                setattr(row, name, bool(value))
        row.save()
    return row
