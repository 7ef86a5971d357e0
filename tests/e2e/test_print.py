"""The dossier COPIL printed from the browser (Ctrl + P): Chromium's own PDF of the print view, read back.

WeasyPrint lays out the PDF version; the print view is laid out by the browser, which knows no running footer:
the first page must be the cover, not a page holding only the footer."""

import io

import pdfplumber
import pytest
from django.core.management import call_command

from pilotage.demo.accounts import DEMO_PASSWORD
from pilotage.models import Copil
from tests.e2e.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_printed_dossier_opens_on_its_cover_and_has_no_near_empty_page(page, live_server):
    call_command("seed_demo", stdout=io.StringIO())
    copil = Copil.objects.filter(pacte__slug="pti-2022-2025").order_by("-date").first()
    login(page, live_server, "copil", DEMO_PASSWORD)
    page.goto(f"{live_server.url}/copils/{copil.pk}/dossier/")
    page.emulate_media(media="print")
    with pdfplumber.open(io.BytesIO(page.pdf(format="A4"))) as pdf:
        texts = [(p.extract_text() or "") for p in pdf.pages]
        widths = [(p.width, p.height) for p in pdf.pages]
    assert len(texts) > 5
    assert f"Dossier du COPIL du {copil.date:%d/%m/%Y}" in texts[0] and "Haute-Vienne" in texts[0]
    assert "Retour au COPIL" not in "".join(texts)  # the screen's links are not printed
    near_empty = [number for number, text in enumerate(texts, 1) if len(text.strip()) < 60]
    assert near_empty == [], f"pages presque vides : {near_empty}"
    # A4, portrait or (the wide indicator table) landscape.
    assert all(abs(min(size) - 595) < 2 and abs(max(size) - 842) < 2 for size in widths)
    assert widths[0][0] < widths[0][1]
