"""Charts as SVG drawn on the server, so the same definition serves the pages and the PDFs (WeasyPrint runs
no JavaScript). Every chart is shown beside a data table for screen-reader users (RGAA); the SVG itself is
marked decorative with a title."""

import re
import uuid
from decimal import Decimal

import pygal
from django.conf import settings
from django.utils.formats import number_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from pygal.style import Style

from pti import palette, stamps


def _style(colors=None):
    """Colours mean something (pti.palette): the caller passes them for statuses or indicator states; other
    series take the département's colour first."""
    if colors is None:
        primary = settings.DEPARTEMENT["primary_color"]
        colors = (primary,) + tuple(c for c in palette.SERIES if c != primary)
    return Style(
        background="transparent",
        plot_background="transparent",
        foreground="#212529",
        foreground_strong="#212529",
        foreground_subtle="#6c757d",
        colors=tuple(colors),
        font_family="sans-serif",
        label_font_size=13,
        major_label_font_size=13,
        legend_font_size=13,
        title_font_size=14,
        value_font_size=12,
        opacity="1",
        opacity_hover="1",
    )


def _config(colors=None, **kwargs):
    return {
        "style": _style(colors),
        "js": [],  # no script, no CDN: pages and PDFs get a static SVG
        "disable_xml_declaration": True,
        "explicit_size": True,
        "show_legend": True,
        "legend_at_bottom": True,
        "print_values": False,
        "margin": 12,
        "truncate_legend": -1,
        **kwargs,
    }


def _french(value):
    """A graduation as French writes it ("2 400", "12,5")."""
    if value is None:
        return ""
    rounded = round(float(value), 2)
    if rounded.is_integer():
        return number_format(int(rounded), 0, force_grouping=True)
    return number_format(rounded, 2, force_grouping=True).rstrip("0")


def _number(value):
    if value is None:
        return None
    return float(value) if isinstance(value, Decimal) else value


_SCRIPT = re.compile(r"<script\b.*?</script>", re.DOTALL)
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)
_CHART_ID = re.compile(r'id="(chart-[0-9a-f-]+)"')
_SERIE_ID = re.compile(r'id="activate-serie-(\d+)"')


def _unique_ids(svg):
    """pygal names its legend entries `activate-serie-N` in every chart: prefix them with the chart's own id, so
    a page or a PDF with several charts has no duplicate id (RGAA, valid HTML)."""
    match = _CHART_ID.search(svg)
    if not match:
        return svg
    return _SERIE_ID.sub(lambda m: f'id="{match[1]}-serie-{m[1]}"', svg)


_TITLE = re.compile(r"<title>Pygal</title>")
_RECT_WITHOUT_WIDTH = re.compile(r"<rect\b(?![^>]*\bwidth=)")


def render(chart, alt=None):
    """The chart's SVG without pygal's inline configuration script (useless without its JS, and refused by
    our Content-Security-Policy) and without its comments. pygal escapes every label it draws. `alt` becomes
    the SVG's title: the alternative text of the chart in the tagged PDFs."""
    svg = chart.render(is_unicode=True)
    svg = _unique_ids(_COMMENT.sub("", _SCRIPT.sub("", svg)))
    # A zero-length bar comes out of pygal without a width, which HTML forbids: it is 0 wide.
    svg = _RECT_WITHOUT_WIDTH.sub('<rect width="0"', svg)
    if alt:
        svg = _TITLE.sub(lambda _match: f"<title>{escape(alt)}</title>", svg, count=1)
    return mark_safe(svg)  # noqa: S308


def _top_down(items):
    """pygal's horizontal charts draw the first category at the bottom: reversed, they read from the top."""
    return list(reversed(items))


def _fresh_id(svg):
    """`svg` (read from the cache) under an id of its own: two charts of one page never share one."""
    match = _CHART_ID.search(svg)
    if not match:
        return svg
    return mark_safe(svg.replace(match[1], f"chart-{uuid.uuid4()}"))  # noqa: S308 - our own SVG, an id changed


def indicator_chart(label, years, targets, values, unit="", width=480, height=260, alt=None):
    """Target and value of one indicator per year, as grouped bars: drawn once for the same data (kept a day under
    what it shows, the action page shows it to every reader), served under a fresh id."""
    shown = (label, [str(year) for year in years], [_number(v) for v in targets], [_number(v) for v in values])
    key = ("indicator-chart", *shown, unit, width, height, alt, get_language())
    svg = stamps.cached(
        key,
        lambda: _indicator_chart(label, years, targets, values, unit, width, height, alt),
        tables=(),
        seconds=stamps.PIECE_SECONDS,
    )
    return _fresh_id(svg)


def _indicator_chart(label, years, targets, values, unit, width, height, alt):
    chart = pygal.Bar(
        **_config(
            colors=(palette.TARGET.background, palette.VALUE.background),
            width=width,
            height=height,
            title=None,
            y_title=unit or None,
            # A few graduations, written the French way: pygal's default (up to sixteen) crowds the axis of a
            # chart 260 px high.
            max_scale=6,
            value_formatter=_french,
        )
    )
    chart.x_labels = [str(year) for year in years]
    chart.add("Cible", [_number(v) for v in targets])
    chart.add("Réalisé", [_number(v) for v in values])
    return render(chart, alt or f"{label} : cible et réalisé par année")


def stacked_bars(categories, series, width=640, height=320, horizontal=True, colors=None, alt=None):
    """`series` is [(name, [value per category])]: e.g. actions by status for each axe, in `colors`."""
    kind = pygal.HorizontalStackedBar if horizontal else pygal.StackedBar
    chart = kind(**_config(colors=colors, width=width, height=height, truncate_label=-1))
    order = _top_down if horizontal else list
    chart.x_labels = order([str(c) for c in categories])
    for name, values in series:
        chart.add(str(name), order([_number(v) for v in values]))
    return render(chart, alt)


def progress_bars(categories, values, width=640, height=320, title=None, alt=None):
    chart = pygal.HorizontalBar(
        **_config(width=width, height=height, range=(0, 100), show_legend=False, title=title, truncate_label=-1)
    )
    chart.x_labels = _top_down([str(c) for c in categories])
    chart.add("Avancement moyen (%)", _top_down([_number(v) for v in values]))
    return render(chart, alt)


def line_chart(years, series, width=640, height=300, unit="", alt=None):
    chart = pygal.Line(**_config(width=width, height=height, y_title=unit or None))
    chart.x_labels = [str(year) for year in years]
    for name, values in series:
        chart.add(str(name), [_number(v) for v in values])
    return render(chart, alt)


def grouped_bars(categories, series, width=640, height=None, unit="", max_value=None, alt=None, colors=None):
    """`series` is [(name, [value per category])] drawn side by side: e.g. last year's figures beside this year's.
    Horizontal, its labels on the left, one per line: long labels never run into each other."""
    height = height or 110 + 30 * len(categories) * max(len(series), 1)
    options = {"width": width, "height": height, "x_title": unit or None, "truncate_label": -1}
    if max_value is not None:
        options["range"] = (0, max_value)
    chart = pygal.HorizontalBar(**_config(colors=colors, **options))
    chart.x_labels = _top_down([str(c) for c in categories])
    for name, values in series:
        chart.add(str(name), _top_down([_number(v) for v in values]))
    return render(chart, alt)
