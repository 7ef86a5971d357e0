import datetime
import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile

from axes.models import ClosedYear
from bilans.enums import BilanStatus as S
from bilans.factories import BilanFactory
from bilans.models import Bilan, BilanTransition
from bilans.workflow import TRANSITIONS, IllegalTransition, allowed_targets, can_transition, transition

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% bilan 2023 du pacte\n%%EOF\n"
APPROVAL = {"deliberation_reference": "CD-2024-03-012", "approval_date": datetime.date(2024, 3, 15)}
REJECTION = {"rejection_reason": "Les indicateurs de l'axe 2 sont incomplets."}

LEGAL = sorted((source, target) for source, targets in TRANSITIONS.items() for target in targets)
ILLEGAL = sorted((source, target) for source in S for target in S if target not in TRANSITIONS[source])


def with_pdf(**kwargs):
    return {"pdf": ContentFile(PDF, name="bilan.pdf"), "pdf_sha256": hashlib.sha256(PDF).hexdigest(), **kwargs}


def make_bilan(status, **kwargs):
    """A bilan in `status`, as the workflow would have left it."""
    if status in (S.GENERATED, S.SUBMITTED, S.REJECTED, S.APPROVED):
        kwargs = with_pdf(**kwargs)
    if status == S.APPROVED:
        kwargs = {**APPROVAL, **kwargs}
    if status == S.REJECTED:
        kwargs = {**REJECTION, **kwargs}
    return BilanFactory(status=status, **kwargs)


def fields_for(target):
    return {S.APPROVED: APPROVAL, S.REJECTED: REJECTION}.get(target, {})


def test_every_status_has_a_row_in_the_transition_table():
    assert set(TRANSITIONS) == set(S)


def test_only_approval_is_final():
    assert [status for status, targets in TRANSITIONS.items() if not targets] == [S.APPROVED]


@pytest.mark.parametrize("source, target", LEGAL, ids=[f"{s}->{t}" for s, t in LEGAL])
def test_legal_transition_moves_the_bilan_and_is_logged(source, target, staff):
    bilan = make_bilan(source)
    assert can_transition(bilan, target)

    transition(bilan, target, user=staff, note="Fait en séance", **fields_for(target))

    assert bilan.status == target
    stored = Bilan.objects.get(pk=bilan.pk)
    assert stored.status == target
    assert stored.version == 2
    logged = BilanTransition.objects.get(bilan=bilan)
    assert (logged.source, logged.target, logged.user, logged.note) == (source, target, staff, "Fait en séance")
    assert logged.at is not None


@pytest.mark.parametrize("source, target", ILLEGAL, ids=[f"{s}->{t}" for s, t in ILLEGAL])
def test_illegal_transition_is_refused_and_changes_nothing(source, target, staff):
    bilan = make_bilan(source)
    assert not can_transition(bilan, target)

    with pytest.raises(IllegalTransition):
        transition(bilan, target, user=staff, **fields_for(target))

    stored = Bilan.objects.get(pk=bilan.pk)
    assert (stored.status, stored.version) == (source, 1)
    assert bilan.status == source
    assert not BilanTransition.objects.exists()
    assert not ClosedYear.objects.exists()


def test_allowed_targets_follow_the_table():
    assert allowed_targets(make_bilan(S.SUBMITTED)) == {S.APPROVED, S.REJECTED}
    assert allowed_targets(make_bilan(S.APPROVED)) == set()


def test_transition_reads_the_status_in_the_database_not_a_stale_copy(staff):
    bilan = make_bilan(S.GENERATED)
    stale = Bilan.objects.get(pk=bilan.pk)
    transition(bilan, S.SUBMITTED, user=staff)

    # The stale copy still says "generated", from where "submitted" would be legal: it is not any more.
    with pytest.raises(IllegalTransition):
        transition(stale, S.SUBMITTED, user=staff)
    assert BilanTransition.objects.count() == 1


def test_submission_records_its_date(staff):
    bilan = make_bilan(S.GENERATED)
    transition(bilan, S.SUBMITTED, user=staff)
    assert Bilan.objects.get(pk=bilan.pk).submitted_at is not None


def test_a_whole_life_is_logged_in_order(staff, administrator):
    bilan = make_bilan(S.DRAFT)
    transition(bilan, S.GENERATING, user=staff)
    transition(bilan, S.GENERATED, **with_pdf())  # by the generation task: no user
    transition(bilan, S.SUBMITTED, user=staff)
    transition(bilan, S.APPROVED, user=administrator, **APPROVAL)

    assert list(bilan.transitions.values_list("source", "target", "user__username")) == [
        (S.DRAFT, S.GENERATING, "staff"),
        (S.GENERATING, S.GENERATED, None),
        (S.GENERATED, S.SUBMITTED, "staff"),
        (S.SUBMITTED, S.APPROVED, "admin"),
    ]
    assert Bilan.objects.get(pk=bilan.pk).version == 5


# Approval


def test_approval_records_the_deliberation_and_closes_the_year(staff):
    bilan = make_bilan(S.SUBMITTED, year=2023)

    transition(bilan, S.APPROVED, user=staff, **APPROVAL)

    stored = Bilan.objects.get(pk=bilan.pk)
    assert (stored.deliberation_reference, stored.approval_date) == (
        APPROVAL["deliberation_reference"],
        APPROVAL["approval_date"],
    )
    assert stored.is_frozen
    assert ClosedYear.objects.filter(pacte=bilan.pacte, year=2023).exists()
    assert bilan.pacte.is_year_closed(2023)
    assert not bilan.pacte.is_year_closed(2024)


@pytest.mark.parametrize("missing", ["deliberation_reference", "approval_date"])
def test_approval_requires_the_deliberation(missing, staff):
    bilan = make_bilan(S.SUBMITTED)
    fields = {name: value for name, value in APPROVAL.items() if name != missing}

    with pytest.raises(IllegalTransition):
        transition(bilan, S.APPROVED, user=staff, **fields)

    assert Bilan.objects.get(pk=bilan.pk).status == S.SUBMITTED
    assert not BilanTransition.objects.exists()
    assert not ClosedYear.objects.exists()


@pytest.mark.parametrize("missing", ["pdf", "pdf_sha256"])
def test_approval_requires_the_generated_pdf_and_its_fingerprint(missing, staff):
    bilan = make_bilan(S.SUBMITTED, **{missing: ""})

    with pytest.raises(IllegalTransition):
        transition(bilan, S.APPROVED, user=staff, **APPROVAL)

    assert Bilan.objects.get(pk=bilan.pk).status == S.SUBMITTED
    assert not ClosedYear.objects.exists()


def test_approved_bilan_cannot_be_saved_again(staff):
    bilan = make_bilan(S.SUBMITTED)
    transition(bilan, S.APPROVED, user=staff, **APPROVAL)
    bilan.introduction = "Texte réécrit après le vote"

    with pytest.raises(ValidationError):
        bilan.save()

    assert Bilan.objects.get(pk=bilan.pk).introduction == ""


def test_approved_bilan_cannot_go_back(staff):
    bilan = make_bilan(S.SUBMITTED)
    transition(bilan, S.APPROVED, user=staff, **APPROVAL)

    for target in S:
        with pytest.raises(IllegalTransition):
            transition(bilan, target, user=staff, **fields_for(target))
    assert Bilan.objects.get(pk=bilan.pk).status == S.APPROVED


# Rejection


def test_rejection_requires_a_reason(staff):
    bilan = make_bilan(S.SUBMITTED)

    with pytest.raises(IllegalTransition):
        transition(bilan, S.REJECTED, user=staff)
    with pytest.raises(IllegalTransition):
        transition(bilan, S.REJECTED, user=staff, rejection_reason="")

    assert Bilan.objects.get(pk=bilan.pk).status == S.SUBMITTED
    assert not BilanTransition.objects.exists()


def test_rejection_records_its_reason_and_leaves_the_year_open(staff):
    bilan = make_bilan(S.SUBMITTED)

    transition(bilan, S.REJECTED, user=staff, **REJECTION)

    stored = Bilan.objects.get(pk=bilan.pk)
    assert stored.rejection_reason == REJECTION["rejection_reason"]
    assert not bilan.pacte.is_year_closed(bilan.year)


def test_bilan_year_must_be_a_year_of_the_pacte():
    bilan = BilanFactory.build(pacte=BilanFactory().pacte, year=2030)
    with pytest.raises(ValidationError) as excinfo:
        bilan.full_clean()
    assert "year" in excinfo.value.message_dict
