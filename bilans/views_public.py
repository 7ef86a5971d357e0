"""The public pages of the published pactes and their open data, read without an account (bilans/public.py says
what is published). Every view here is anonymous and read-only, counted by the public rate limit
(pti.throttle.public_wait), and answers 404 for a pacte that is not published."""

import functools

from django.contrib.auth.decorators import login_not_required
from django.http import FileResponse, HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.http import http_date
from django.views.decorators.http import require_safe

from axes.models import Pacte
from bilans import opendata, public, services
from pti import throttle

PAGE_MAX_AGE = 300


def public_view(view):
    """Anonymous, GET (and HEAD) only, rate-limited; answers may be kept by shared caches for a few minutes (a signed-in
    user's copy is made private by pti.middleware)."""

    @login_not_required
    @require_safe
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        wait = throttle.public_wait(request)
        if wait is not None:
            response = render(
                request,
                "public/throttled.html",
                {"message": throttle.PUBLIC_THROTTLED_MESSAGE % {"seconds": wait}},
                status=429,
            )
            response["Retry-After"] = str(wait)
            return response
        response = view(request, *args, **kwargs)
        if response.status_code == 200:
            patch_cache_control(response, public=True, max_age=PAGE_MAX_AGE)
        return response

    return wrapper


@public_view
def index(request):
    pactes = Pacte.objects.public().order_by("-first_year", "title")
    return render(request, "public/index.html", {"pactes": pactes})


@public_view
def pacte(request, slug):
    pacte = public.public_pacte(slug)
    _fingerprint, data_date = public.data_state(pacte)
    return render(
        request,
        "public/pacte.html",
        {
            "pacte": pacte,
            "data": public.public_data(pacte),
            "bilans": public.approved_bilans(pacte),
            "data_date": data_date,
            "licence": public.LICENCE,
            "schema_url": public.schema_path(),
            "schema_version": public.SCHEMA_VERSION,
        },
    )


@public_view
def bilan_pdf(request, slug, year):
    """An approved bilan's PDF, checked against its recorded SHA-256 like the staff's download."""
    bilan = public.public_bilan(public.public_pacte(slug), year)
    try:
        handle = services.verified_pdf(bilan)
    except (services.AlteredPdf, services.PdfUnavailable) as error:
        return render(request, "public/unavailable.html", {"message": error.message}, status=error.status_code)
    return FileResponse(
        handle, as_attachment=True, filename=services.pdf_filename(bilan), content_type="application/pdf"
    )


CONTENT_TYPES = {"json": "application/json; charset=utf-8", "csv": "text/csv; charset=utf-8"}


@public_view
def open_data(request, slug, kind):
    pacte = public.public_pacte(slug)
    body, data_date, fingerprint = opendata.download(pacte, kind)
    etag = f'"{fingerprint}-{kind}"'
    if etag in [tag.strip() for tag in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponseNotModified()
        response["ETag"] = etag
        return response
    response = HttpResponse(body, content_type=CONTENT_TYPES[kind])
    filename = f"{pacte.slug}-actions-{data_date.date().isoformat()}.{kind}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["ETag"] = etag
    response["Last-Modified"] = http_date(data_date.timestamp())
    response["Link"] = f'<{public.LICENCE["url"]}>; rel="license"'
    return response
