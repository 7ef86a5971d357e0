import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pti.settings")

app = Celery("pti")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def broker_error(url=None, timeout=3):
    """None when the broker (at `url`, or the app's own) accepts a connection, else the exception it raised.
    One check for /healthz and for the bilans, which refuse to queue a job the broker cannot take."""
    try:
        with app.connection_for_write(url) as connection:
            connection.ensure_connection(max_retries=1, interval_start=0, interval_step=0.2, timeout=timeout)
    except Exception as error:  # noqa: BLE001 - whatever the transport raises, the broker is unusable
        return error
    return None
