from celery import shared_task


@shared_task
def ping():
    """Answer "pong": proves that a real worker consumes the broker's queue (tests, monitoring)."""
    return "pong"
