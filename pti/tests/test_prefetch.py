"""pti.prefetch.fill reads what prefetch_related reads, in one query per relation, and nothing after."""

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from actions.enums import PartnerRole
from actions.factories import (
    ActionFactory,
    ActionPartnerFactory,
    IndicatorFactory,
    IndicatorValueFactory,
    PartnerFactory,
    ProgressReportFactory,
)
from actions.models import Action, ActionPartner, ProgressReport, ReportDocument
from pti import prefetch
from pti.factories import UserFactory

pytestmark = pytest.mark.django_db


def _read(reports):
    """Everything the API's report list reads of the related rows, as plain values."""
    return [
        (
            report.pk,
            [document.title for document in report.documents.all()],
            [
                (indicator.label, [(v.year, v.value, v.state) for v in indicator.values.all()])
                for indicator in report.action.indicators.all()
            ],
        )
        for report in reports
    ]


def test_fill_reads_what_prefetch_related_reads_then_no_query():
    first, second, bare = ActionFactory(), ActionFactory(), ActionFactory()
    b, a = (
        IndicatorFactory(action=first, label="Bénéficiaires", position=2),
        IndicatorFactory(action=first, label="Ateliers", position=1),
    )
    IndicatorValueFactory(indicator=a, year=2024, target=Decimal("10"), value=Decimal("12"))
    IndicatorValueFactory(indicator=a, year=2023, target=Decimal("10"), value=Decimal("4"))
    IndicatorValueFactory(indicator=b, year=2024, target=Decimal("5"), value=None)
    IndicatorFactory(action=second, label="Sans valeur")
    reports = [
        ProgressReportFactory(action=first, year=2024),
        ProgressReportFactory(action=first, year=2023),  # the same action twice: read once
        ProgressReportFactory(action=second, year=2024),
        ProgressReportFactory(action=bare, year=2024),  # no indicator, no document
    ]
    for title in ("Compte rendu signé", "Annexe"):
        ReportDocument.objects.create(report=reports[0], title=title, file="x.pdf")

    base = ProgressReport.objects.select_related("action").order_by("pk")
    expected = _read(base.prefetch_related("documents", "action__indicators__values"))
    page = list(base)
    with CaptureQueriesContext(connection) as ctx:
        prefetch.fill(page, [("documents", None), ("action__indicators", None), ("action__indicators__values", None)])
    assert len(ctx.captured_queries) == 3
    with CaptureQueriesContext(connection) as ctx:
        assert _read(page) == expected
    assert ctx.captured_queries == []
    assert [label for label, _values in expected[0][2]] == ["Ateliers", "Bénéficiaires"]  # the indicators' order
    assert expected[3][1:] == ([], [])


def test_fill_reads_many_to_many_rows_in_their_order_and_a_custom_queryset():
    zoe, alice = UserFactory(last_name="Zola"), UserFactory(last_name="Arnaud")
    both, alone, nobody = ActionFactory(referents=[zoe, alice]), ActionFactory(referents=[zoe]), ActionFactory()
    ActionPartnerFactory(action=both, partner=PartnerFactory(name="France Travail"), role=PartnerRole.OPERATIONAL)
    base = Action.objects.filter(pk__in=[both.pk, alone.pk, nobody.pk]).order_by("pk")
    partners = ActionPartner.objects.select_related("partner")
    expected = [
        ([str(u) for u in action.referents.all()], [link.partner.name for link in action.partner_roles.all()])
        for action in base.prefetch_related("referents", "partner_roles__partner")
    ]
    page = list(base)
    prefetch.fill(page, [("referents", None), ("partner_roles", partners)])
    with CaptureQueriesContext(connection) as ctx:
        got = [
            ([str(u) for u in action.referents.all()], [link.partner.name for link in action.partner_roles.all()])
            for action in page
        ]
    assert ctx.captured_queries == []
    assert got == expected
    assert got[2] == ([], []) and len(got[0][0]) == 2


def test_fill_refuses_a_path_that_is_not_a_relation_to_many():
    page = list(Action.objects.filter(pk=ActionFactory().pk))
    with pytest.raises(ValueError):
        prefetch.fill(page, [("axe", None)])
