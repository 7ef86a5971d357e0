from celery import shared_task


@shared_task
def ping():
    """Answer "pong": proves that a real worker consumes the broker's queue (tests, monitoring)."""
    return "pong"


@shared_task(acks_late=True)
def send_notification_email(notification_id):
    """E-mail one notification (pti.notifications.send_email): once, under its row's lock, if the user wants it."""
    from pti import notifications

    return notifications.send_email(notification_id)


@shared_task(acks_late=True)
def warm_caches():
    """Celery beat, every ten minutes from 0:01: compute the day's figures of the main pages (pti.warm), which
    costs a few reads when they are already in the cache."""
    from pti import warm

    return [(label, count) for label, count, _seconds in warm.warm_all()]
