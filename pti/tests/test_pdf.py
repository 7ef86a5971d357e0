import io
import re

import pytest
from pypdf import PdfReader

from pti.pdf import ForbiddenResource, html_to_pdf, static_file

HTML = """<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Bilan 2024</title>
<link rel="stylesheet" href="https://pti.invalid/static/pti/css/pdf.css"></head>
<body><h1>Bilan du pacte</h1><p>&lt;script&gt;alert(1)&lt;/script&gt; Écrit à Limoges.</p></body></html>"""


def test_pdfs_are_pdf_a_tagged_with_language_and_title():
    pdf = html_to_pdf(HTML)
    reader = PdfReader(io.BytesIO(pdf))
    xmp = reader.xmp_metadata
    assert xmp is not None
    raw = xmp.stream.get_data().decode()
    assert re.search(r"pdfaid:part[^0-9]*3", raw) and re.search(r"pdfaid:conformance[^A-Z]*A", raw)
    assert reader.metadata.title == "Bilan 2024"
    catalog = reader.trailer["/Root"]
    assert catalog["/Lang"] == "fr"
    assert "/StructTreeRoot" in catalog and catalog["/MarkInfo"]["/Marked"]
    text = reader.pages[0].extract_text()
    assert "Bilan du pacte" in text and "<script>alert(1)</script>" in text


def test_only_our_static_files_can_be_fetched():
    body, mime_type = static_file("https://pti.invalid/static/pti/css/pdf.css")
    assert body.startswith(b"/*") and mime_type == "text/css"
    for url in ["https://example.org/x.png", "file:///etc/passwd", "https://pti.invalid/static/../../settings.py"]:
        with pytest.raises(ForbiddenResource):
            static_file(url)


def test_several_charts_on_one_page_have_no_duplicate_ids():
    import re as re_

    from pti.charts import indicator_chart

    svgs = [indicator_chart("a", [2022, 2023], [1, 2], [1, None]), indicator_chart("b", [2022], [3], [4])]
    ids = [i for svg in svgs for i in re_.findall(r'id="([^"]+)"', svg)]
    assert len(ids) == len(set(ids)) and any("-serie-" in i for i in ids)


def test_the_compacted_render_writes_the_very_same_file_as_weasyprint():
    """html_to_pdf compresses each page as soon as it is painted and lets the parsed HTML go after the layout, to
    peak lower on a long bilan: the file is byte for byte the one WeasyPrint writes by itself (tags, links, outline,
    PDF/A metadata included)."""
    from weasyprint import HTML

    from pti import pdf

    # What the bilan uses: a table of contents with page numbers (target-counter), running headers (string-set),
    # tables and lists split across pages, an inline link split across lines, margin boxes.
    contents = "".join(f'<li><a href="#s{n}">Section {n}</a></li>' for n in range(6))
    pages = "".join(
        f'<h2 id="s{n}">Section {n}</h2><p><a href="#s{(n + 1) % 6}">Suite vers la section suivante, un lien assez '
        f"long pour passer à la ligne dans sa colonne</a></p><table><thead><tr><th>N°</th><th>Action</th></tr></thead>"
        f"<tbody>{''.join(f'<tr><td>{n}.{row}</td><td>Atelier {row}</td></tr>' for row in range(40))}</tbody></table>"
        + "".join(f"<p>Ligne {n}.{line} : accompagnement vers l'emploi.</p>" for line in range(30))
        + f"<ul>{''.join(f'<li>Étape {item}</li>' for item in range(20))}</ul>"
        for n in range(6)
    )
    html = (
        '<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Essai</title>'
        "<style>@page { size: A5; @top-center { content: string(section); }"
        " @bottom-right { content: counter(page) ' / ' counter(pages); } }"
        " h2 { string-set: section content(); } .toc a::after { content: ' p. ' target-counter(attr(href), page); }"
        "</style>"
        f'</head><body><ol class="toc">{contents}</ol>{pages}</body></html>'
    )
    compacted = html_to_pdf(html)
    alone = HTML(string=html, base_url=pdf.BASE_URL, url_fetcher=pdf._fetcher()).write_pdf(pdf_variant=pdf.PDF_VARIANT)
    assert len(PdfReader(io.BytesIO(compacted)).pages) > 6
    assert compacted == alone
    assert b"/FlateDecode" in compacted


def test_a_render_leaves_the_garbage_collector_as_it_found_it(monkeypatch):
    """The render turns automatic collections off while it runs: the process gets them back afterwards, even
    when the render fails, and a caller that had them off keeps them off."""
    import gc

    html = '<!DOCTYPE html><html lang="fr"><head><title>t</title></head><body><p>Un paragraphe.</p></body></html>'
    assert gc.isenabled()
    html_to_pdf(html)
    assert gc.isenabled() and not gc.get_freeze_count()
    import weasyprint

    def broken(*args, **kwargs):
        raise RuntimeError("mise en page impossible")

    with monkeypatch.context() as patch:
        patch.setattr(weasyprint.HTML, "render", broken)
        with pytest.raises(RuntimeError):
            html_to_pdf(html)
    assert gc.isenabled() and not gc.get_freeze_count()
    gc.disable()
    try:
        html_to_pdf(html)
        assert not gc.isenabled()
    finally:
        gc.enable()
