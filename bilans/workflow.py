"""The bilan's life cycle, in one place: every status change goes through `transition`.

draft → generating → generated | failed; failed/generated → generating (retry, regenerate);
generated → submitted → approved | rejected; rejected → draft | generating.
Approval freezes the bilan (PDF, its SHA-256, the data snapshot) and closes the year's reports.

What each operation needs (generate, edit the texts, submit, decide) is read from the one table below
(`sources`), never listed beside it; so is the rule on the deliberation's date (`approval_date_error`).
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from axes.models import ClosedYear
from bilans.enums import BilanStatus as S
from bilans.models import Bilan, BilanTransition

TRANSITIONS = {
    S.DRAFT: {S.GENERATING},
    S.GENERATING: {S.GENERATED, S.FAILED},
    S.FAILED: {S.GENERATING, S.DRAFT},
    S.GENERATED: {S.GENERATING, S.SUBMITTED, S.DRAFT},
    S.SUBMITTED: {S.APPROVED, S.REJECTED},
    S.REJECTED: {S.DRAFT, S.GENERATING},
    S.APPROVED: set(),
}


def sources(target):
    """The statuses from which the table lets a bilan move to `target`."""
    return frozenset(source for source, targets in TRANSITIONS.items() if target in targets)


# What the operations need, read from the table.
GENERATABLE = sources(S.GENERATING)
# The texts change in draft, or send the bilan back to draft (its PDF no longer says what they say).
TEXTS_EDITABLE = frozenset({S.DRAFT}) | sources(S.DRAFT)
SUBMITTABLE = sources(S.SUBMITTED)
# The assembly approves or rejects: the statuses from which both moves are open.
DECIDABLE = sources(S.APPROVED) & sources(S.REJECTED)


class IllegalTransition(ValidationError):
    pass


def allowed_targets(bilan):
    return TRANSITIONS[S(bilan.status)]


def can_transition(bilan, target):
    return S(target) in allowed_targets(bilan)


def can_generate(bilan):
    return bilan.status in GENERATABLE


def can_edit_texts(bilan):
    return bilan.status in TEXTS_EDITABLE


def can_submit(bilan):
    return bilan.status in SUBMITTABLE


def can_decide(bilan):
    """The assembly's decision can be recorded: submitted, and no approval already being finalised."""
    return bilan.status in DECIDABLE and not bilan.approving


def approval_date_error(bilan, approval_date, today=None):
    """Why `approval_date` cannot be the date of the deliberation approving `bilan`, or None: the assembly
    cannot have voted before the bilan was submitted to it, nor in the future."""
    today = today or timezone.localdate()
    if approval_date > today:
        return _("La date de la délibération ne peut pas être dans le futur.")
    if bilan.submitted_at is not None:
        submitted_on = timezone.localdate(bilan.submitted_at)
        if approval_date < submitted_on:
            return _(
                "La date de la délibération ne peut pas précéder la soumission du bilan à l'assemblée (le %(date)s)."
            ) % {"date": date_format(submitted_on, "d/m/Y")}
    return None


@transaction.atomic
def transition(bilan, target, user=None, note="", **fields):
    """Move `bilan` to `target`, setting `fields`, or raise IllegalTransition and change nothing.

    The row is locked and re-read, so two requests racing on the same bilan cannot both move it.
    """
    target = S(target)
    locked = Bilan.objects.select_for_update().get(pk=bilan.pk)
    source = S(locked.status)
    if target not in TRANSITIONS[source]:
        raise IllegalTransition(
            _("Impossible de passer un bilan de l'état « %(source)s » à l'état « %(target)s ».")
            % {"source": source.label, "target": target.label}
        )
    now = timezone.now()
    if target == S.SUBMITTED:
        fields.setdefault("submitted_at", now)
    if target == S.APPROVED:
        if not fields.get("deliberation_reference"):
            raise IllegalTransition(_("La référence de la délibération est obligatoire pour approuver un bilan."))
        if not fields.get("approval_date"):
            raise IllegalTransition(_("La date d'approbation est obligatoire pour approuver un bilan."))
        if error := approval_date_error(locked, fields["approval_date"]):
            raise IllegalTransition(error)
        if not locked.pdf or not locked.pdf_sha256:
            raise IllegalTransition(_("Le bilan n'a pas de PDF généré : il ne peut pas être approuvé."))
    if target == S.REJECTED and not fields.get("rejection_reason"):
        raise IllegalTransition(_("Le motif du rejet est obligatoire."))
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.status = target
    locked.version += 1
    locked.save()
    BilanTransition.objects.create(bilan=locked, source=source, target=target, user=user, note=note)
    if target == S.APPROVED:
        ClosedYear.objects.update_or_create(
            pacte_id=locked.pacte_id,
            year=locked.year,
            defaults={
                "approval_date": locked.approval_date,
                "deliberation_reference": locked.deliberation_reference,
            },
        )
    # Keep the caller's instance in step with the database.
    for name in [f.attname for f in Bilan._meta.concrete_fields]:
        setattr(bilan, name, getattr(locked, name))
    return bilan
