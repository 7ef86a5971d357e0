"""HTML to PDF with WeasyPrint, for the bilan and the dossier COPIL: archival and accessible.

Every PDF is PDF/A-3a: PDF/A (fonts embedded, sRGB output intent, XMP metadata) *and* tagged, with the
document's language and title taken from the HTML's `lang` and `<title>`. WeasyPrint runs no JavaScript:
charts are server-side SVG (pti.charts). Resources are fetched only from our own static files; any other URL
(a user-typed <img src> that escaped nothing, say) is refused, so rendering never calls out.
"""

import contextlib
import gc
import logging
import math
import mimetypes
import threading
import zlib

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


# The share of a render's time each of WeasyPrint's phases ends at (measured on the dossier and the bilan):
# parsing the HTML and the CSS, applying the CSS, building the boxes, laying out the pages, painting them into the
# PDF, then its metadata (fonts, PDF/A).
_PHASES = {"Step 1": 0.02, "Step 2": 0.05, "Step 3": 0.08, "Step 4": 0.18, "Step 7": 0.95}
_LAYOUT = (0.25, 0.60)  # laying out the pages: their number is only estimated
_PAINT = (0.62, 0.92)  # painting them: one by one, their number known
_local = threading.local()


def _install_paint_hook():
    """Count the pages WeasyPrint paints into the PDF (Step 6 has no log line per page) and compact each page's
    content once painted: `Page.paint` is wrapped once, and only acts for the render of the thread that asked
    (`layout_progress`, `html_to_pdf`); its drawing is unchanged."""
    from weasyprint.document import Page

    if getattr(Page.paint, "_pti_progress", False):
        return
    paint = Page.paint

    def counted_paint(self, stream, *args, **kwargs):
        result = paint(self, stream, *args, **kwargs)
        if getattr(_local, "compact", False):
            _compact(stream)
        tracker = getattr(_local, "tracker", None)
        if tracker is not None:
            tracker.painted()
        return result

    counted_paint._pti_progress = True
    Page.paint = counted_paint
    _install_tagging_hook()


def _install_tagging_hook():
    """Let go of each page's laid-out boxes as soon as its tags are built: the tags of a PDF/A-3a are built page
    after page once every page is painted, and each page's boxes (and the computed styles they hold) are not read
    again, so that the tags of the last pages reuse the memory of the first ones' boxes instead of asking for
    more. WeasyPrint's function is wrapped once and acts only in a render of `html_to_pdf`; the tags are
    unchanged."""
    from weasyprint.formatting_structure.boxes import PageBox
    from weasyprint.pdf import tags

    build = tags._build_box_tree
    if getattr(build, "_pti_release", False):
        return

    def build_then_release(box, parent, pdf, page_number, *args):
        if isinstance(box, PageBox) and getattr(_local, "document", None) is not None:
            return _released_after(build(box, parent, pdf, page_number, *args), _local.document.pages[page_number])
        return build(box, parent, pdf, page_number, *args)  # the generator itself: no frame more per box

    build_then_release._pti_release = True
    tags._build_box_tree = build_then_release


def _install_context_hook():
    """Keep, for the render of `html_to_pdf` running in this thread, WeasyPrint's layout context (`_local.context`):
    once the pages are laid out, what it holds (the style of every element, the layout's bookkeeping, the
    cross-references' lookups) is read no more, and `_let_go_of_layout` lets it go."""
    from weasyprint.document import Document

    build = Document._build_layout_context.__func__
    if getattr(build, "_pti_context", False):
        return

    def build_and_keep(cls, *args, **kwargs):
        context = build(cls, *args, **kwargs)
        if getattr(_local, "keep_context", False):
            _local.context = context
        return context

    build_and_keep._pti_context = True
    Document._build_layout_context = classmethod(build_and_keep)


def _let_go_of_layout(context):
    """Empty WeasyPrint's layout context once the pages are laid out: the computed styles of every element
    (those the laid-out boxes use stay with the boxes), the pagination's states, the tables' and the
    cross-references' bookkeeping, which hold the document's boxes before layout and one another in cycles."""
    if context is None:
        return
    collector = context.target_collector
    collector.target_lookup_items.clear()
    collector.counter_lookup_items.clear()
    for name in list(vars(context)):
        if name != "font_config":  # the fonts are still used to write the file
            setattr(context, name, None)


def _released_after(elements, page):
    yield from elements
    page._page_box = None


class _RenderProgress(logging.Handler):
    """Reads WeasyPrint's progress log ("Step 5 - Creating layout - Page 12", "Step 6 - Creating PDF", …) and
    its painted pages, for the render running in one thread, and calls `report(fraction)` with the share of the
    render done (0 to 1, never back)."""

    def __init__(self, report, expected_pages):
        super().__init__(logging.INFO)
        self.report = report
        self.expected = max(1, expected_pages)
        self.thread = threading.get_ident()
        self.pages = 0
        self.painted_pages = 0
        self.fraction = 0.0

    def _move(self, fraction):
        if fraction > self.fraction:
            self.fraction = fraction
            self.report(fraction)

    def emit(self, record):
        if record.thread != self.thread:
            return
        message = str(record.msg)
        if message.startswith("Step 5 - Creating layout - Page") and "up-to-date" not in message:
            page = record.args[0] if record.args else 0
            if isinstance(page, int) and page > self.pages:
                self.pages = page
                start, end = _LAYOUT
                self._move(start + (end - start) * (1 - math.exp(-page / self.expected)))
        elif message.startswith("Step 6"):
            self._move(_PAINT[0])
        elif message[:6] in _PHASES:
            self._move(_PHASES[message[:6]])

    def painted(self):
        self.painted_pages += 1
        start, end = _PAINT
        self._move(start + (end - start) * min(1, self.painted_pages / max(1, self.pages)))


@contextlib.contextmanager
def layout_progress(report, expected_pages=20):
    """While in this block, every PDF rendered by this thread calls `report(fraction)` as WeasyPrint goes through
    its phases, lays out each page (their number estimated by `expected_pages`) and paints each one into the file:
    a job's progress bar moves during the render, which takes most of a long PDF's time. The PDF is not changed."""
    _install_paint_hook()
    progress_logger = logging.getLogger("weasyprint.progress")
    handler = _RenderProgress(report, expected_pages)
    previous = (progress_logger.level, progress_logger.propagate)
    # WeasyPrint's progress lines are read here, not written to the logs.
    progress_logger.setLevel(logging.INFO)
    progress_logger.propagate = False
    progress_logger.addHandler(handler)
    _local.tracker = handler
    try:
        yield handler
    finally:
        _local.tracker = None
        progress_logger.removeHandler(handler)
        if not progress_logger.handlers:
            progress_logger.setLevel(previous[0])
            progress_logger.propagate = previous[1]


def _compact(stream):
    """Deflate a page's content stream as soon as it is painted, as pydyf would when it writes the file (the same
    bytes, `Filter` then `Length`), instead of keeping until then its thousands of small drawing operations: a
    long bilan's pages no longer pile up in memory, uncompressed, while the others are painted."""
    from pydyf import _to_bytes

    if len(stream.stream) < 2 and not stream.compress:
        return
    data = b"\n".join(_to_bytes(item) for item in stream.stream)
    if stream.compress:
        compressor = zlib.compressobj(level=9)
        data = compressor.compress(data) + compressor.flush()
        stream.extra["Filter"] = "/FlateDecode"
        stream.compress = False
    stream.stream = [data]


def html_to_pdf(html):
    """The PDF/A of `html`. The parsed HTML and its style sheets are let go once the pages are laid out, each
    page's drawing is compressed once painted (`_compact`) and the laid-out pages before the file is written
    (`_release_pages`): a long document's memory peaks lower, the file is the same."""
    from weasyprint import DEFAULT_OPTIONS, HTML

    _install_paint_hook()
    _install_context_hook()
    options = {**DEFAULT_OPTIONS, "pdf_variant": PDF_VARIANT}
    # No automatic collection during the render (they cost WeasyPrint seconds on a long bilan, going again and
    # again through its millions of boxes): one collection frees the pages before the file is written
    # (`_release_pages`), and what lived before the render (the application, its caches) is frozen out of it.
    collecting = gc.isenabled()
    gc.freeze()
    gc.disable()
    try:
        source = HTML(string=html, base_url=BASE_URL, url_fetcher=_fetcher())
        _local.keep_context = True
        document = source.render(**options)
        _local.keep_context = False
        del source
        document._html = None  # the parsed HTML, kept by WeasyPrint for nothing that follows
        _let_go_of_layout(getattr(_local, "context", None))
        _local.context = None
        _local.compact = True
        _local.document = document
        return document.write_pdf(finisher=_release_pages, **options)
    finally:
        _local.compact = _local.keep_context = False
        _local.document = _local.context = None
        if collecting:
            gc.enable()
        gc.unfreeze()


def _release_pages(document, pdf):
    """WeasyPrint's finisher, called once every page is painted and tagged, just before the file is written: the
    pages' laid-out boxes (and the computed styles they hold) are let go, so that writing the file reuses their
    memory instead of asking for more."""
    for page in document.pages:
        page._page_box = None
    gc.collect()  # the boxes hold one another in cycles: only the collector frees them


def render_pdf(template_name, context):
    """Render a template (extending templates/pdf/base.html) to PDF bytes."""
    return html_to_pdf(render_to_string(template_name, {"pdf_static": STATIC_PREFIX, **context}))
