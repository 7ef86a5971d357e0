"""HTML to PDF with WeasyPrint, for the bilan and the dossier COPIL: archival and accessible.

Every PDF is PDF/A-3a: PDF/A (fonts embedded, sRGB output intent, XMP metadata) *and* tagged, with the
document's language and title taken from the HTML's `lang` and `<title>`. WeasyPrint runs no JavaScript:
charts are server-side SVG (pti.charts). Resources are fetched only from our own static files; any other URL
(a user-typed <img src> that escaped nothing, say) is refused, so rendering never calls out.
"""

import contextlib
import logging
import mimetypes
import threading

from django.contrib.staticfiles import finders
from django.template.loader import render_to_string

PDF_VARIANT = "pdf/a-3a"
BASE_URL = "https://pti.invalid/"
STATIC_PREFIX = BASE_URL + "static/"


class ForbiddenResource(ValueError):
    pass


def static_file(url):
    """The bytes and type of one of our static files addressed as STATIC_PREFIX + path, or ForbiddenResource."""
    if url.startswith(STATIC_PREFIX):
        relative = url[len(STATIC_PREFIX) :].split("?", 1)[0]
        path = finders.find(relative) if ".." not in relative.split("/") else None
        if path:
            with open(path, "rb") as handle:
                return handle.read(), mimetypes.guess_type(path)[0] or "application/octet-stream"
    raise ForbiddenResource(f"Ressource refusée dans un PDF : {url}")


def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Our static files only: nothing from the network or the rest of the disk."""

        def fetch(self, url, headers=None):
            body, mime_type = static_file(url)
            return URLFetcherResponse(url, body, {"Content-Type": mime_type})

    return StaticOnlyFetcher()


class _LayoutProgress(logging.Handler):
    """Reads WeasyPrint's progress log ("Step 5 - Creating layout - Page 12", "Step 6 - Creating PDF") for the
    render running in one thread, and calls `report(pages, writing=False)` as pages are laid out."""

    def __init__(self, report):
        super().__init__(logging.INFO)
        self.report = report
        self.thread = threading.get_ident()
        self.pages = 0

    def emit(self, record):
        if record.thread != self.thread:
            return
        message = str(record.msg)
        if message.startswith("Step 5 - Creating layout - Page") and "up-to-date" not in message:
            page = record.args[0] if record.args else 0
            if isinstance(page, int) and page > self.pages:
                self.pages = page
                self.report(self.pages)
        elif message.startswith("Step 6"):
            self.report(self.pages, writing=True)


@contextlib.contextmanager
def layout_progress(report):
    """While in this block, every PDF rendered by this thread calls `report(pages, writing=False)` after each
    new page laid out, then `report(pages, writing=True)` when the file is being written: a job's progress bar
    moves during the layout, which takes most of a long PDF's time. The PDF is not changed."""
    progress_logger = logging.getLogger("weasyprint.progress")
    handler = _LayoutProgress(report)
    previous = (progress_logger.level, progress_logger.propagate)
    # WeasyPrint's progress lines are read here, not written to the logs.
    progress_logger.setLevel(logging.INFO)
    progress_logger.propagate = False
    progress_logger.addHandler(handler)
    try:
        yield handler
    finally:
        progress_logger.removeHandler(handler)
        if not progress_logger.handlers:
            progress_logger.setLevel(previous[0])
            progress_logger.propagate = previous[1]


def html_to_pdf(html):
    from weasyprint import HTML

    document = HTML(string=html, base_url=BASE_URL, url_fetcher=_fetcher())
    return document.write_pdf(pdf_variant=PDF_VARIANT)


def render_pdf(template_name, context):
    """Render a template (extending templates/pdf/base.html) to PDF bytes."""
    return html_to_pdf(render_to_string(template_name, {"pdf_static": STATIC_PREFIX, **context}))
