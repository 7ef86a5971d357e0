import functools
import re

import markdown
from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_GET

from axes.models import Pacte
from pti import access
from pti.inputs import InvalidInput, refused_response

FIGURES_DOC = settings.BASE_DIR / "docs" / "indicateurs.md"


def home(request):
    if access.is_partner(request.user):
        # A partner account sees only its organisation's actions, in its own space.
        return redirect("partner_space:home")
    pactes = Pacte.objects.order_by("-first_year")
    return render(request, "home.html", {"pactes": pactes})


@functools.cache
def _figures_html():
    text = FIGURES_DOC.read_text(encoding="utf-8")
    html = markdown.markdown(text, extensions=["tables", "toc"], output_format="html")
    # Each table scrolls inside its own labelled region on a phone, named after the heading it follows.
    parts = re.split(r"(<table>.*?</table>)", html, flags=re.S)
    heading = ""
    for n, part in enumerate(parts):
        if part.startswith("<table>"):
            label = escape(heading or _("Tableau"))
            table = part.replace("<table>", '<table class="table table-sm">', 1)
            parts[n] = f'<div class="table-responsive" tabindex="0" role="region" aria-label="{label}">{table}</div>'
        else:
            found = re.findall(r"<h[1-6][^>]*>(.*?)</h[1-6]>", part, flags=re.S)
            heading = strip_tags(found[-1]) if found else heading
    # Our own document, in the repository: its HTML is trusted.
    return mark_safe("".join(parts))  # noqa: S308


@require_GET
def figures_help(request):
    """How each figure of PTI is computed, for COPIL members and staff: docs/indicateurs.md, as a page."""
    return render(request, "pti/figures_help.html", {"content": _figures_html()})


def bad_request(request, exception):
    """handler400: the French error page (JSON under /api/), with the reason when it is ours to tell."""
    return refused_response(request, exception.message if isinstance(exception, InvalidInput) else None)


def not_found(request, exception):
    """handler404: the French page, or under /api/ a JSON answer as the API's own 404s."""
    if request.path.startswith("/api/"):
        message = _("Aucune ressource de l'API à cette adresse.")
        return JsonResponse({"detail": message}, status=404, json_dumps_params={"ensure_ascii": False})
    return defaults.page_not_found(request, exception)
