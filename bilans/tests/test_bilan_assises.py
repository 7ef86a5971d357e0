"""The bilan's chapter « Des Assises aux actions »: in the snapshot, in the HTML and in the PDF's text; a bilan
frozen before the Assises were recorded keeps its pages without it."""

import datetime

import pytest

from actions.models import Action
from axes.factories import MeetingFactory, ProposalFactory, WorkingGroupFactory
from bilans import content
from bilans.models import Bilan
from bilans.tests.builders import YEAR, small_pacte
from bilans.tests.pdfs import pdf_text
from pti.pdf import html_to_pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def pacte():
    pacte = small_pacte()
    axe = pacte.axes.get(number=1)
    group = WorkingGroupFactory(axe=axe, title="Orienter et accompagner")
    MeetingFactory(group=group, date=datetime.date(2021, 3, 4))
    MeetingFactory(group=group, date=datetime.date(2021, 9, 23))
    kept = ProposalFactory(group=group, number=1, text="Raccourcir les délais d'orientation")
    Action.objects.get(pacte=pacte, number="1.1").assises_proposals.add(kept)
    ProposalFactory(group=group, number=2, text="Un guichet unique", merged=True, merged_into=kept)
    ProposalFactory(group=group, number=3, text="Une prime à l'embauche", not_retained=True, reason="Trop coûteuse.")
    return pacte


def snapshot_of(pacte):
    return content.to_json(content.collect(Bilan.objects.create(pacte=pacte, year=YEAR)))


def test_the_snapshot_holds_the_assises_and_each_proposal_with_its_fate(pacte):
    assises = snapshot_of(pacte)["assises"]
    assert (assises["meetings"], assises["months"], assises["proposals_total"]) == (2, 7, 3)
    assert assises["proposals"] == [
        {
            "code": "1.1",
            "text": "Raccourcir les délais d'orientation",
            "fate": "retained",
            "fate_label": "retenue",
            "actions": ["1.1"],
            "merged_into": None,
            "reason": "",
        },
        {
            "code": "1.2",
            "text": "Un guichet unique",
            "fate": "merged",
            "fate_label": "fusionnée",
            "actions": [],
            "merged_into": "1.1",
            "reason": "",
        },
        {
            "code": "1.3",
            "text": "Une prime à l'embauche",
            "fate": "not_retained",
            "fate_label": "non retenue",
            "actions": [],
            "merged_into": None,
            "reason": "Trop coûteuse.",
        },
    ]


def test_the_bilan_prints_the_chapter_with_its_chart(pacte):
    snapshot = snapshot_of(pacte)
    html = content.build_html(snapshot, content.draw_charts(snapshot))
    chapter = html.split('<section class="chapter" id="assises">')[1].split("</section>")[0]
    assert "Des Assises aux actions" in chapter
    assert "1 groupe de travail, 14 acteurs, 2 réunions sur 7 mois, de mars 2021 à septembre 2021" in chapter
    assert "<svg" in chapter
    assert '<a href="#assises">Des Assises aux actions</a>' in html


def test_a_bilan_frozen_before_the_assises_has_no_such_chapter(pacte):
    snapshot = snapshot_of(pacte)
    del snapshot["assises"]
    html = content.build_html(snapshot, content.draw_charts(snapshot))
    assert "Des Assises aux actions" not in html
    assert "Chiffres clés 2024" in html


def test_a_pacte_without_assises_has_no_such_chapter():
    snapshot = snapshot_of(small_pacte(slug="pti-sans-assises"))
    assert snapshot["assises"]["groups"] == []
    assert "Des Assises aux actions" not in content.build_html(snapshot, content.draw_charts(snapshot))


def test_the_pdf_reads_from_proposal_to_action(pacte):
    snapshot = snapshot_of(pacte)
    text = pdf_text(html_to_pdf(content.build_html(snapshot, content.draw_charts(snapshot))))
    assert "Des Assises aux actions" in text
    assert "3 propositions ont été faites : 1 retenue, 1 fusionnée dans une autre et 1 non retenue." in text
    assert "1.1 Raccourcir les délais d'orientation Retenue Actions 1.1" in text
    assert "1.2 Un guichet unique Fusionnée Dans la proposition 1.1" in text
    assert "1.3 Une prime à l'embauche Non retenue Trop coûteuse." in text


def test_the_chapter_prints_user_text_escaped(pacte):
    Proposal = Action.assises_proposals.field.related_model
    Proposal.objects.filter(number=3).update(reason="<script>alert(1)</script>")
    snapshot = snapshot_of(pacte)
    html = content.build_html(snapshot, content.draw_charts(snapshot))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
