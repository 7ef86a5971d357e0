"""The Assises de l'insertion, from proposal to action: the working groups that prepared a pacte (one per
thematic, that is per axe), their meetings, and the proposals each group made with what became of each.

People are counted by category, never named: a group's members (the actors it gathered) and each meeting's
participants. A proposal is retained (the actions that carry it point to it: `Action.assises_proposals`, on the
actions side, since actions reads axes), merged into another proposal, or not retained with the reason.

Imported by axes/models.py, so Django sees these models as the app's.
"""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from axes.enums import ParticipantCategory, ProposalFate

COUNT_MAX = 9999
COUNT_VALIDATORS = [MinValueValidator(0), MaxValueValidator(COUNT_MAX)]
CATEGORIES = ParticipantCategory.values


def _count_field(category):
    return models.PositiveIntegerField(str(ParticipantCategory(category).label), default=0, validators=COUNT_VALIDATORS)


class ParticipantCounts(models.Model):
    """How many people of each category (ParticipantCategory): counts only."""

    institutional = _count_field(ParticipantCategory.INSTITUTIONAL)
    economic = _count_field(ParticipantCategory.ECONOMIC)
    associative = _count_field(ParticipantCategory.ASSOCIATIVE)
    social_workers = _count_field(ParticipantCategory.SOCIAL_WORKERS)
    rsa_beneficiaries = _count_field(ParticipantCategory.RSA)

    class Meta:
        abstract = True

    @property
    def counts(self):
        return {category: getattr(self, category) for category in CATEGORIES}

    @property
    def total(self):
        return sum(self.counts.values())

    @property
    def count_rows(self):
        """[(category label, count)] of the categories present, for a sentence."""
        return [(ParticipantCategory(c).label, n) for c, n in self.counts.items() if n]


def _counts_constraints(prefix):
    """Every count is >= 0, refused by the database too (PositiveIntegerField checks it only on some)."""
    return [
        models.CheckConstraint(condition=Q(**{f"{category}__gte": 0}), name=f"{prefix}_{category}_not_negative")
        for category in CATEGORIES
    ]


class WorkingGroup(ParticipantCounts):
    """The working group of the Assises on one thematic (one axe) of the pacte; its counts are its members."""

    axe = models.ForeignKey(
        "axes.Axe", on_delete=models.PROTECT, related_name="working_groups", verbose_name=_("thématique")
    )
    title = models.CharField(_("intitulé"), max_length=300)
    description = models.TextField(_("travaux du groupe"), blank=True, max_length=10_000)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("groupe de travail des Assises")
        verbose_name_plural = _("groupes de travail des Assises")
        ordering = ["axe__pacte", "axe__number"]
        constraints = [
            models.UniqueConstraint(fields=["axe"], name="workinggroup_unique_per_axe"),
            models.CheckConstraint(condition=~Q(title=""), name="workinggroup_title_not_empty"),
            *_counts_constraints("workinggroup"),
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("assises:list", args=[self.axe.pacte.slug]) + f"#groupe-{self.pk}"


class Meeting(ParticipantCounts):
    """One meeting of a working group; its counts are the people present."""

    group = models.ForeignKey(
        WorkingGroup, on_delete=models.CASCADE, related_name="meetings", verbose_name=_("groupe de travail")
    )
    date = models.DateField(_("date"))
    place = models.CharField(_("lieu"), max_length=200, blank=True)
    topic = models.CharField(_("ordre du jour"), max_length=300, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("réunion des Assises")
        verbose_name_plural = _("réunions des Assises")
        ordering = ["group", "date", "pk"]
        constraints = [*_counts_constraints("meeting")]

    def __str__(self):
        return f"{self.group} – {self.date:%d/%m/%Y}"


class Proposal(models.Model):
    """A proposal made by a working group, and what became of it (ProposalFate)."""

    group = models.ForeignKey(
        WorkingGroup, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("groupe de travail")
    )
    number = models.PositiveSmallIntegerField(_("numéro"), validators=[MinValueValidator(1), MaxValueValidator(999)])
    text = models.CharField(_("proposition"), max_length=500)
    fate = models.CharField(_("suite donnée"), max_length=16, choices=ProposalFate.choices)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_proposals",
        verbose_name=_("fusionnée dans"),
    )
    reason = models.TextField(_("motif"), blank=True, max_length=2000)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("proposition des Assises")
        verbose_name_plural = _("propositions des Assises")
        ordering = ["group", "number"]
        constraints = [
            models.UniqueConstraint(fields=["group", "number"], name="proposal_number_unique_per_group"),
            models.CheckConstraint(condition=Q(number__gte=1), name="proposal_number_positive"),
            models.CheckConstraint(condition=~Q(text=""), name="proposal_text_not_empty"),
            models.CheckConstraint(condition=Q(fate__in=ProposalFate.values), name="proposal_fate_valid"),
            # Merged into another proposal, and only a merged one says into which.
            models.CheckConstraint(
                condition=(Q(fate=ProposalFate.MERGED) & Q(merged_into__isnull=False))
                | (~Q(fate=ProposalFate.MERGED) & Q(merged_into__isnull=True)),
                name="proposal_merged_has_target",
            ),
            models.CheckConstraint(condition=~Q(merged_into=F("id")), name="proposal_not_merged_into_itself"),
            # Not retained: the reason is required.
            models.CheckConstraint(
                condition=~Q(fate=ProposalFate.NOT_RETAINED) | ~Q(reason=""), name="proposal_not_retained_has_reason"
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.text}"

    @property
    def code(self):
        """ "2.3": the third proposal of the group of axe 2."""
        return f"{self.group.axe.number}.{self.number}"

    def get_absolute_url(self):
        return reverse("assises:list", args=[self.group.axe.pacte.slug]) + f"#proposition-{self.pk}"

    def clean(self):
        errors = {}
        if self.fate == ProposalFate.MERGED:
            if not self.merged_into_id:
                errors["merged_into"] = _("Dites dans quelle proposition celle-ci a été fusionnée.")
            elif self.pk and self.merged_into_id == self.pk:
                errors["merged_into"] = _("Une proposition ne peut pas être fusionnée dans elle-même.")
            elif self.group_id and self.merged_into.group.axe.pacte_id != self.group.axe.pacte_id:
                errors["merged_into"] = _("La proposition choisie appartient aux Assises d'un autre pacte.")
            elif self.merged_into.fate == ProposalFate.MERGED:
                errors["merged_into"] = _(
                    "La proposition choisie est elle-même fusionnée : choisissez celle dans laquelle elle l'a été."
                )
        if self.fate == ProposalFate.NOT_RETAINED and not self.reason.strip():
            errors["reason"] = _("Dites pourquoi la proposition n'a pas été retenue.")
        if errors:
            raise ValidationError(errors)
