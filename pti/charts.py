"""Charts as SVG drawn on the server, so the same definition serves the pages and the PDFs (WeasyPrint runs
no JavaScript). Every chart is shown beside a data table for screen-reader users (RGAA); the SVG itself is
marked decorative with a title."""

import re
from decimal import Decimal

import pygal
from django.conf import settings
from django.utils.safestring import mark_safe
from pygal.style import Style

PALETTE = ("#00567a", "#e08a00", "#8a1538", "#3c8d2f", "#6c757d", "#5b3f8c")


def _style():
    primary = settings.DEPARTEMENT["primary_color"]
    colors = (primary,) + tuple(c for c in PALETTE if c != primary)
    return Style(
        background="transparent",
        plot_background="transparent",
        foreground="#212529",
        foreground_strong="#212529",
        foreground_subtle="#6c757d",
        colors=colors,
        font_family="sans-serif",
        label_font_size=12,
        major_label_font_size=12,
        legend_font_size=12,
        title_font_size=14,
        value_font_size=11,
    )


def _config(**kwargs):
    return {
        "style": _style(),
        "js": [],  # no script, no CDN: pages and PDFs get a static SVG
        "disable_xml_declaration": True,
        "explicit_size": True,
        "show_legend": True,
        "legend_at_bottom": True,
        "print_values": False,
        "margin": 12,
        **kwargs,
    }


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


def render(chart):
    """The chart's SVG without pygal's inline configuration script (useless without its JS, and refused by
    our Content-Security-Policy) and without its comments. pygal escapes every label it draws."""
    svg = chart.render(is_unicode=True)
    svg = _unique_ids(_COMMENT.sub("", _SCRIPT.sub("", svg)))
    return mark_safe(svg)  # noqa: S308


def indicator_chart(label, years, targets, values, unit="", width=480, height=260):
    """Target and value of one indicator per year, as grouped bars."""
    chart = pygal.Bar(**_config(width=width, height=height, title=None, y_title=unit or None))
    chart.x_labels = [str(year) for year in years]
    chart.add("Cible", [_number(v) for v in targets])
    chart.add("Réalisé", [_number(v) for v in values])
    return render(chart)


def stacked_bars(categories, series, width=640, height=320, horizontal=True):
    """`series` is [(name, [value per category])]: e.g. actions by status for each axe."""
    kind = pygal.HorizontalStackedBar if horizontal else pygal.StackedBar
    chart = kind(**_config(width=width, height=height))
    chart.x_labels = [str(c) for c in categories]
    for name, values in series:
        chart.add(str(name), [_number(v) for v in values])
    return render(chart)


def progress_bars(categories, values, width=640, height=320, title=None):
    chart = pygal.HorizontalBar(**_config(width=width, height=height, range=(0, 100), show_legend=False, title=title))
    chart.x_labels = [str(c) for c in categories]
    chart.add("Avancement moyen (%)", [_number(v) for v in values])
    return render(chart)


def line_chart(years, series, width=640, height=300, unit=""):
    chart = pygal.Line(**_config(width=width, height=height, y_title=unit or None))
    chart.x_labels = [str(year) for year in years]
    for name, values in series:
        chart.add(str(name), [_number(v) for v in values])
    return render(chart)


def grouped_bars(categories, series, width=640, height=300, unit="", max_value=None):
    """`series` is [(name, [value per category])] drawn side by side: e.g. last year's figures beside this year's."""
    options = {"width": width, "height": height, "y_title": unit or None, "truncate_label": -1}
    if max_value is not None:
        options["range"] = (0, max_value)
    chart = pygal.Bar(**_config(**options))
    chart.x_labels = [str(c) for c in categories]
    for name, values in series:
        chart.add(str(name), [_number(v) for v in values])
    return render(chart)
