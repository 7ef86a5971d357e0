"""`/healthz`: the state of the database and of the Celery broker, for load balancers and monitoring."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def check_database():
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # noqa: BLE001 - any failure means "down"
        return {"ok": False, "error": exc.__class__.__name__}
    return {"ok": True, "vendor": connection.vendor}


def check_broker():
    if not settings.CELERY_BROKER_URL:
        return {"ok": True, "mode": "eager"}
    from pti.celery import broker_error

    error = broker_error(settings.CELERY_BROKER_URL, timeout=2)
    if error is not None:
        return {"ok": False, "error": error.__class__.__name__}
    return {"ok": True, "mode": "broker"}


@login_not_required
@never_cache
@require_GET
def healthz(request):
    checks = {"database": check_database(), "broker": check_broker()}
    healthy = all(check["ok"] for check in checks.values())
    return JsonResponse({"status": "ok" if healthy else "error", **checks}, status=200 if healthy else 503)
