import datetime
import hashlib

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone

from axes.models import ClosedYear
from bilans import workflow
from bilans.enums import BilanStatus as S
from bilans.factories import BilanFactory
from bilans.models import Bilan, BilanTransition
from bilans.workflow import TRANSITIONS, IllegalTransition, allowed_targets, can_transition, transition

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% bilan 2023 du pacte\n%%EOF\n"
APPROVAL = {"deliberation_reference": "CD-2024-03-012", "approval_date": datetime.date(2024, 3, 15)}
REJECTION = {"rejection_reason": "Les indicateurs de l'axe 2 sont incomplets."}

# Every move, written out (not read from bilans.workflow.TRANSITIONS): a wrong row in the table fails here.
# Rows are the source, columns the target; "yes" is an allowed move, "-" a refused one.
MOVES = """
                draft  generating  generated  failed  submitted  approved  rejected
    draft         -       yes          -        -         -         -         -
    generating    -        -          yes      yes        -         -         -
    generated    yes      yes          -        -        yes        -         -
    failed       yes      yes          -        -         -         -         -
    submitted     -        -           -        -         -        yes       yes
    approved      -        -           -        -         -         -         -
    rejected     yes      yes          -        -         -         -         -
"""


def _moves(text):
    header, *rows = [line.split() for line in text.strip().splitlines()]
    return {(row[0], target): cell == "yes" for row in rows for target, cell in zip(header, row[1:], strict=True)}


EXPECTED = _moves(MOVES)
LEGAL = sorted(pair for pair, allowed in EXPECTED.items() if allowed)
ILLEGAL = sorted(pair for pair, allowed in EXPECTED.items() if not allowed)


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


def test_the_written_out_moves_cover_all_49_pairs_of_statuses():
    assert set(EXPECTED) == {(source.value, target.value) for source in S for target in S}
    assert len(EXPECTED) == 49 and len(LEGAL) == 12 and len(ILLEGAL) == 37


def test_the_transition_table_is_exactly_the_written_out_moves():
    table = {(source.value, target.value): target in TRANSITIONS[source] for source in S for target in S}
    assert table == EXPECTED


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


def test_what_each_operation_needs_is_read_from_the_table():
    assert workflow.GENERATABLE == {S.DRAFT, S.FAILED, S.GENERATED, S.REJECTED}
    assert workflow.TEXTS_EDITABLE == {S.DRAFT, S.FAILED, S.GENERATED, S.REJECTED}
    assert workflow.SUBMITTABLE == {S.GENERATED}
    assert workflow.DECIDABLE == {S.SUBMITTED}


def test_no_decision_is_open_while_an_approval_is_being_finalised():
    assert workflow.can_decide(BilanFactory.build(status=S.SUBMITTED))
    assert not workflow.can_decide(BilanFactory.build(status=S.SUBMITTED, approving=True))


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
    transition(bilan, S.APPROVED, user=administrator, **{**APPROVAL, "approval_date": timezone.localdate()})

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


def submitted_on(day):
    return make_bilan(S.SUBMITTED, submitted_at=timezone.make_aware(datetime.datetime.combine(day, datetime.time(10))))


@pytest.mark.parametrize(
    "submitted, approved, error",
    [
        (datetime.date(2026, 3, 10), datetime.date(2026, 3, 9), "ne peut pas précéder la soumission du bilan"),
        (datetime.date(2026, 3, 10), datetime.date(2026, 3, 10), None),
        (datetime.date(2026, 3, 10), datetime.date(2026, 4, 2), None),
        (datetime.date(2026, 3, 10), datetime.date(2026, 4, 3), "ne peut pas être dans le futur"),
    ],
)
def test_the_deliberation_date_lies_between_the_submission_and_today(submitted, approved, error):
    bilan = submitted_on(submitted)
    found = workflow.approval_date_error(bilan, approved, today=datetime.date(2026, 4, 2))
    assert (found is None) if error is None else (error in found)


def test_approval_dated_before_the_submission_is_refused_and_changes_nothing(staff):
    bilan = submitted_on(datetime.date(2024, 3, 20))

    with pytest.raises(IllegalTransition) as excinfo:
        transition(bilan, S.APPROVED, user=staff, **APPROVAL)  # voted on 15 March, submitted on the 20th

    assert "ne peut pas précéder la soumission du bilan à l'assemblée (le 20/03/2024)" in excinfo.value.message
    stored = Bilan.objects.get(pk=bilan.pk)
    assert (stored.status, stored.approval_date, stored.version) == (S.SUBMITTED, None, 1)
    assert not BilanTransition.objects.exists() and not ClosedYear.objects.exists()


def test_approval_dated_in_the_future_is_refused(staff):
    bilan = make_bilan(S.SUBMITTED)
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)

    with pytest.raises(IllegalTransition):
        transition(bilan, S.APPROVED, user=staff, **{**APPROVAL, "approval_date": tomorrow})

    assert Bilan.objects.get(pk=bilan.pk).status == S.SUBMITTED


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
