"""The dossier COPIL and the bilan on paper: no character outside the printable area, wide tables on landscape
pages, and the archival promises kept (PDF/A-3a, tags, bookmarks, an alternative text for every chart).

Both PDFs are rendered from the demo data (seed_demo), the shapes people really print."""

import io
import re

import pdfplumber
import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings
from pypdf import PdfReader

from axes.models import Pacte
from bilans import content
from bilans.services import bilan_for
from pilotage.models import Copil
from pilotage.services import render_dossier_pdf
from pti.pdf import html_to_pdf

MM = 72 / 25.4
# The pages' margins are 18 mm left and right (static/pti/css/pdf.css); a printer's printable area leaves about
# 5 to 8 mm at the top and bottom, where the running footer sits above.
SIDE = 18 * MM
EDGE = 8 * MM


@pytest.fixture(scope="module")
def rendered(django_db_setup, django_db_blocker):
    """The dossier of the 2022-2025 pacte's latest COPIL and the bilan of its last year, rendered once from the
    demo data, in a transaction rolled back at the end."""
    atomic = transaction.atomic()
    with django_db_blocker.unblock():
        atomic.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
                call_command("seed_demo", stdout=io.StringIO(), stderr=io.StringIO())
            pacte = Pacte.objects.get(slug="pti-2022-2025")
            copil = Copil.objects.filter(pacte=pacte).order_by("-date").first()
            dossier = render_dossier_pdf(copil)
            snapshot = content.to_json(content.collect(bilan_for(pacte, 2024)))
            bilan = html_to_pdf(content.build_html(snapshot, content.draw_charts(snapshot)))
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)
    return {"dossier": dossier, "bilan": bilan}


@pytest.fixture
def pdfs(db, rendered):
    return rendered


def outside(data):
    """[(page, text drawn outside the printable area)]."""
    found = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            chars = [
                c
                for c in page.chars
                if c["x0"] < SIDE - 1
                or c["x1"] > page.width - SIDE + 1
                or c["top"] < EDGE
                or c["bottom"] > page.height - EDGE
            ]
            if chars:
                found.append((number, "".join(c["text"] for c in chars)[:80]))
    return found


@pytest.mark.parametrize("name", ["dossier", "bilan"])
def test_no_character_is_drawn_outside_the_printable_area(pdfs, name):
    assert outside(pdfs[name]) == []


def test_the_dossiers_indicator_table_is_on_landscape_pages(pdfs):
    with pdfplumber.open(io.BytesIO(pdfs["dossier"])) as pdf:
        landscape = [page for page in pdf.pages if page.width > page.height]
        assert landscape, "aucune page en paysage"
        text = " ".join((landscape[0].extract_text() or "").split())
        assert text.startswith("Indicateurs : réalisé et cible par année"), text[:300]


def structure(reader):
    """{tag: count} and the alternative texts of the figures of a tagged PDF."""
    counts, alts = {}, []

    def walk(node):
        node = node.get_object()
        if isinstance(node, list):
            for child in node:
                walk(child)
            return
        if not isinstance(node, dict):
            return
        tag = node.get("/S")
        if tag:
            counts[tag] = counts.get(tag, 0) + 1
            if tag == "/Figure":
                alts.append(str(node.get("/Alt", "")))
        if "/K" in node:
            walk(node["/K"])

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return counts, alts


@pytest.mark.parametrize("name", ["dossier", "bilan"])
def test_both_pdfs_stay_archival_tagged_with_bookmarks_and_chart_alternatives(pdfs, name):
    reader = PdfReader(io.BytesIO(pdfs[name]))
    raw = reader.xmp_metadata.xmp_data.decode() if hasattr(reader.xmp_metadata, "xmp_data") else ""
    raw = raw or reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert re.search(r"pdfaid:part[^0-9]{0,5}3", raw) and re.search(r"pdfaid:conformance[^A-Z]{0,5}A", raw)
    assert reader.trailer["/Root"]["/MarkInfo"]["/Marked"]
    assert reader.outline, "pas de signets"
    counts, alts = structure(reader)
    assert counts.get("/Table", 0) >= 3 and counts.get("/H2", 0) >= 3
    charts = [alt for alt in alts if alt != "Département de la Haute-Vienne"]  # the cover's logo
    assert len(charts) >= 4
    assert all(alt and alt != "Pygal" for alt in charts), charts
