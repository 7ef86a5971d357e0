"""Read a PDF back as the council would: its text, its metadata."""

import io
import re

from pypdf import PdfReader


def reader(data):
    return PdfReader(io.BytesIO(data))


def normalise(text):
    """One space between words, whatever spaces the PDF used (no-break spaces of French numbers included)."""
    return re.sub(r"\s+", " ", text.replace("\u202f", " ").replace("\xa0", " ")).strip()


def pdf_text(data, pages=None):
    pdf = reader(data)
    selected = pdf.pages if pages is None else [pdf.pages[i] for i in pages]
    return normalise(" ".join(page.extract_text() for page in selected))


def xmp(data):
    metadata = reader(data).xmp_metadata
    return metadata.stream.get_data().decode() if metadata is not None else ""


def is_pdf_a(data):
    raw = xmp(data)
    return bool(re.search(r"pdfaid:part[^0-9]{0,5}3", raw) and re.search(r"pdfaid:conformance[^A-Z]{0,5}A", raw))
