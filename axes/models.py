from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from axes.enums import PacteStatus
from pti.history import KeptHistory

YEAR_VALIDATORS = [MinValueValidator(2000), MaxValueValidator(2100)]


class PacteQuerySet(models.QuerySet):
    def public(self):
        """The pactes anyone may read without an account (the public page and open data): published by staff,
        and no longer in preparation."""
        return self.filter(published=True).exclude(status=PacteStatus.DRAFT)


class Pacte(models.Model):
    """A multi-year Pacte territorial d'insertion signed by the département and its partners."""

    title = models.CharField(_("intitulé"), max_length=200)
    slug = models.SlugField(_("identifiant"), max_length=60, unique=True)
    territory = models.CharField(_("territoire"), max_length=120)
    first_year = models.PositiveSmallIntegerField(_("première année"), validators=YEAR_VALIDATORS)
    last_year = models.PositiveSmallIntegerField(_("dernière année"), validators=YEAR_VALIDATORS)
    signature_date = models.DateField(_("date de signature"), null=True, blank=True)
    status = models.CharField(_("statut"), max_length=16, choices=PacteStatus.choices, default=PacteStatus.DRAFT)
    description = models.TextField(_("présentation"), blank=True)
    # The public page and open data (bilans/public.py): opt-in, per pacte, chosen by staff.
    published = models.BooleanField(
        _("publié"),
        default=False,
        help_text=_(
            "Le pacte est lisible sans compte sur sa page publique, avec ses données ouvertes (CSV, JSON) : axes, "
            "objectifs, actions, statuts, avancement, indicateurs et bilans approuvés ; jamais les brouillons, "
            "les notes de suivi ni les COPIL."
        ),
    )
    published_at = models.DateTimeField(_("publié le"), null=True, blank=True, editable=False)
    show_referent_names = models.BooleanField(
        _("afficher les noms des référents"),
        default=False,
        help_text=_("Sur la page publique et dans les données ouvertes ; sinon, aucun nom n'y figure."),
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = PacteQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("pacte")
        verbose_name_plural = _("pactes")
        ordering = ["-first_year", "title"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_year__gte=models.F("first_year")), name="pacte_years_ordered"
            ),
        ]

    def __str__(self):
        return self.title

    def clean(self):
        if self.first_year and self.last_year and self.last_year < self.first_year:
            raise ValidationError({"last_year": _("La dernière année doit être postérieure ou égale à la première.")})
        if self.published and self.status == PacteStatus.DRAFT:
            raise ValidationError(
                {"published": _("Un pacte en préparation ne peut pas être publié : passez-le d'abord « en cours ».")}
            )

    def get_absolute_url(self):
        return reverse("actions:pacte_detail", args=[self.slug])

    def stamp_publication(self, was_published):
        """`published_at` follows `published`: set when the pacte becomes public, cleared when it stops."""
        if self.published and not (was_published and self.published_at):
            self.published_at = timezone.now()
        elif not self.published:
            self.published_at = None

    @property
    def years(self):
        return list(range(self.first_year, self.last_year + 1))

    def contains_year(self, year):
        return self.first_year <= year <= self.last_year

    @property
    def is_public(self):
        return self.published and self.status != PacteStatus.DRAFT

    @property
    def is_closed(self):
        return self.status == PacteStatus.CLOSED

    def closure(self, year):
        """Why `year` of this pacte is closed (a `Closure`), or None while it is open. A year is closed once its
        bilan has been approved by the council, and every year of a closed pacte is: its reports, indicator
        values and budgets are then read-only (axes.closing). Reads prefetched `closed_years` if any."""
        from axes.closing import closure

        return closure(self, year)

    def is_year_closed(self, year):
        return self.closure(year) is not None

    def delete(self, *args, **kwargs):
        refusal = self.deletion_refusal()
        if refusal:
            from axes.closing import ClosedYearError, Closure

            raise ClosedYearError(Closure(year=None, pacte_closed=self.is_closed), refusal)
        return super().delete(*args, **kwargs)

    def deletion_refusal(self):
        """A pacte with closed years keeps them: it cannot be deleted (axes.closing)."""
        from axes.closing import writes_allowed

        if writes_allowed() or not (self.is_closed or self.closed_years.exists()):
            return None
        return _("Ce pacte a des années closes, dont les bilans sont approuvés : il ne peut pas être supprimé.")


class ClosedYear(models.Model):
    """A year of a pacte whose bilan was approved. Written by the bilan workflow, read by the access rule."""

    pacte = models.ForeignKey(Pacte, on_delete=models.CASCADE, related_name="closed_years", verbose_name=_("pacte"))
    year = models.PositiveSmallIntegerField(_("année"), validators=YEAR_VALIDATORS)
    closed_at = models.DateTimeField(_("clôturée le"), auto_now_add=True)
    # Copied from the approved bilan (bilans.workflow), so that every page can say why the year is closed.
    approval_date = models.DateField(_("date d'approbation du bilan"), null=True, blank=True)
    deliberation_reference = models.CharField(_("référence de la délibération"), max_length=120, blank=True)

    class Meta:
        verbose_name = _("année clôturée")
        verbose_name_plural = _("années clôturées")
        constraints = [models.UniqueConstraint(fields=["pacte", "year"], name="closedyear_unique_per_pacte")]

    def __str__(self):
        return f"{self.pacte} – {self.year}"


class Axe(models.Model):
    """An axis (PTI 2017-2021) or a thematic (PTI 2022-2025) of a pacte."""

    pacte = models.ForeignKey(Pacte, on_delete=models.CASCADE, related_name="axes", verbose_name=_("pacte"))
    number = models.PositiveSmallIntegerField(_("numéro"), validators=[MinValueValidator(1)])
    title = models.CharField(_("intitulé"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    thematic_referents = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="thematic_axes",
        verbose_name=_("référents thématiques"),
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    # Its thematic referents are kept too (they write the reports of its actions without named referents).
    history = KeptHistory(m2m_fields=[thematic_referents])

    class Meta:
        verbose_name = _("axe")
        verbose_name_plural = _("axes")
        ordering = ["pacte", "number"]
        constraints = [
            models.UniqueConstraint(fields=["pacte", "number"], name="axe_number_unique_per_pacte"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="axe_number_positive"),
        ]

    def __str__(self):
        return f"{self.number}. {self.title}"


class Objectif(models.Model):
    axe = models.ForeignKey(Axe, on_delete=models.CASCADE, related_name="objectifs", verbose_name=_("axe"))
    number = models.PositiveSmallIntegerField(_("numéro"), validators=[MinValueValidator(1)])
    text = models.CharField(_("intitulé"), max_length=500)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("objectif")
        verbose_name_plural = _("objectifs")
        ordering = ["axe__number", "number"]
        constraints = [
            models.UniqueConstraint(fields=["axe", "number"], name="objectif_number_unique_per_axe"),
            models.CheckConstraint(condition=models.Q(number__gte=1), name="objectif_number_positive"),
        ]

    def __str__(self):
        return f"{self.code} {self.text}"

    @property
    def code(self):
        return f"{self.axe.number}.{self.number}"


from axes.models_assises import Meeting, Proposal, WorkingGroup  # noqa: E402, F401  (the app's models, in their module)
