"""`manage.py generate_bilan <pacte> <year> [--output FILE]`: the same generation, from the command line."""

import datetime
import hashlib
import io
import re

import pytest
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command

from bilans.enums import BilanStatus as S
from bilans.factories import BilanFactory
from bilans.models import Bilan, BilanTransition
from bilans.tests.builders import YEAR, small_pacte
from bilans.tests.pdfs import is_pdf_a, pdf_text

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n% bilan approuve\n%%EOF\n"


def run(*args):
    out = io.StringIO()
    call_command("generate_bilan", *args, stdout=out)
    return out.getvalue()


def test_command_generates_the_bilan_and_writes_its_pdf(tmp_path):
    small_pacte()
    output = tmp_path / "bilan.pdf"

    out = run("pti-test", str(YEAR), "--output", str(output))

    bilan = Bilan.objects.get(pacte__slug="pti-test", year=YEAR)
    assert bilan.status == S.GENERATED
    data = output.read_bytes()
    assert hashlib.sha256(data).hexdigest() == bilan.pdf_sha256
    assert is_pdf_a(data)
    assert "Plateforme départementale d'orientation" in pdf_text(data)
    assert f"SHA-256 {bilan.pdf_sha256}" in out and "Bilan généré en" in out
    logged = BilanTransition.objects.filter(bilan=bilan).values_list("source", "target", "user")
    assert list(logged) == [(S.DRAFT, S.GENERATING, None), (S.GENERATING, S.GENERATED, None)]


def test_command_regenerates_a_generated_bilan():
    small_pacte()
    run("pti-test", str(YEAR))

    run("pti-test", str(YEAR))

    bilan = Bilan.objects.get()
    assert bilan.status == S.GENERATED
    assert BilanTransition.objects.filter(bilan=bilan, target=S.GENERATED).count() == 2


@pytest.mark.parametrize(
    "args, message",
    [
        (["inconnu", "2024"], "Aucun pacte n'a l'identifiant « inconnu »."),
        (["pti-test", "2031"], "2031 n'est pas une année du pacte (2022-2025)."),
    ],
)
def test_command_refuses_an_unknown_pacte_or_year(args, message):
    small_pacte()
    with pytest.raises(CommandError, match=re.escape(message)):
        run(*args)
    assert not Bilan.objects.exists()


def test_command_does_not_regenerate_a_submitted_bilan():
    BilanFactory(pacte=small_pacte(), year=YEAR, status=S.SUBMITTED)
    with pytest.raises(CommandError, match="ne peut pas être régénéré"):
        run("pti-test", str(YEAR))
    assert Bilan.objects.get().status == S.SUBMITTED


def approved():
    bilan = BilanFactory(pacte=small_pacte(), year=YEAR, status=S.SUBMITTED)
    bilan.pdf.save("approuve.pdf", ContentFile(PDF), save=False)
    Bilan.objects.filter(pk=bilan.pk).update(
        pdf=bilan.pdf.name,
        pdf_sha256=hashlib.sha256(PDF).hexdigest(),
        status=S.APPROVED,
        approval_date=datetime.date(2025, 3, 14),
        deliberation_reference="CD-2025-03-042",
    )
    bilan.refresh_from_db()
    return bilan


def test_command_writes_the_approved_pdf_without_regenerating_it(tmp_path):
    bilan = approved()
    output = tmp_path / "approuve.pdf"

    out = run("pti-test", str(YEAR), "-o", str(output))

    assert output.read_bytes() == PDF
    assert "n'est pas régénéré" in out
    assert Bilan.objects.get(pk=bilan.pk).pdf_sha256 == bilan.pdf_sha256


def test_command_refuses_to_regenerate_an_approved_bilan():
    approved()
    with pytest.raises(CommandError, match="approuvé par l'assemblée départementale"):
        run("pti-test", str(YEAR))


def test_command_refuses_an_altered_approved_pdf(tmp_path):
    bilan = approved()
    with open(bilan.pdf.path, "ab") as handle:
        handle.write(b"x")
    output = tmp_path / "approuve.pdf"

    with pytest.raises(CommandError, match="empreinte SHA-256"):
        run("pti-test", str(YEAR), "-o", str(output))
    assert not output.exists()
