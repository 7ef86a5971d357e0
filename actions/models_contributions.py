"""Partner accounts and their yearly contributions.

A partner organisation's people (France Travail, an association, a SIAE) sign in with accounts of the role
`partner` (pti.enums.Role), tied to their organisation by a `PartnerMember` row: pti stays below actions and never
imports it. For each action their organisation takes part in and each year of its pacte, they write their
organisation's `Contribution` (what they did, the figures they bring, the difficulties they met), which the action's
referents read beside their yearly report. A closed year's contributions no longer change (axes.closing).

Imported by actions/models.py, so Django sees these models as the app's."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

# actions.models imports this module at its end, once these are defined.
from actions.models import ClosedYearQuerySet, YearDataMixin
from axes.models import YEAR_VALIDATORS

CONTRIBUTION_TEXT_MAX = 5000
CONTRIBUTION_FIELDS = ("achievements", "figures", "difficulties")


class PartnerMember(models.Model):
    """The organisation a partner account speaks for: one per account."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="partner_membership",
        verbose_name=_("compte"),
    )
    partner = models.ForeignKey(
        "actions.Partner", on_delete=models.CASCADE, related_name="members", verbose_name=_("partenaire")
    )
    created_at = models.DateTimeField(_("rattaché le"), auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        verbose_name = _("compte d'un partenaire")
        verbose_name_plural = _("comptes des partenaires")
        ordering = ["partner", "user__last_name", "user__username"]

    def __str__(self):
        return f"{self.user} ({self.partner})"


class ContributionQuerySet(ClosedYearQuerySet):
    def of_partner(self, partner_id):
        return self.filter(partner_id=partner_id)


class Contribution(YearDataMixin, models.Model):
    """A partner organisation's contribution to an action in a year, written by its people."""

    # The merge of duplicate partners moves a closed year's contribution to the kept partner: not a change of content.
    UNGUARDED_FIELDS = (*YearDataMixin.UNGUARDED_FIELDS, "partner_id")

    action = models.ForeignKey(
        "actions.Action", on_delete=models.CASCADE, related_name="contributions", verbose_name=_("action")
    )
    partner = models.ForeignKey(
        "actions.Partner", on_delete=models.PROTECT, related_name="contributions", verbose_name=_("partenaire")
    )
    year = models.PositiveSmallIntegerField(_("année"), validators=YEAR_VALIDATORS)
    achievements = models.TextField(_("ce que nous avons fait"), blank=True, max_length=CONTRIBUTION_TEXT_MAX)
    figures = models.TextField(_("chiffres que nous apportons"), blank=True, max_length=CONTRIBUTION_TEXT_MAX)
    difficulties = models.TextField(_("difficultés rencontrées"), blank=True, max_length=CONTRIBUTION_TEXT_MAX)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="contributions",
        verbose_name=_("dernier auteur"),
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    objects = ContributionQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = _("contribution d'un partenaire")
        verbose_name_plural = _("contributions des partenaires")
        ordering = ["action", "-year", "partner__name"]
        constraints = [
            models.UniqueConstraint(fields=["action", "partner", "year"], name="contribution_unique_year"),
        ]

    def __str__(self):
        return f"{self.partner} – {self.action.number} – {self.year}"

    def clean(self):
        if self.action_id and self.year and not self.action.pacte.contains_year(self.year):
            raise ValidationError({"year": _("L'année doit être comprise dans les années du pacte.")})
        if self.action_id and self.year:
            self.clean_closed_year()

    @property
    def is_empty(self):
        return not any(getattr(self, name).strip() for name in CONTRIBUTION_FIELDS)
