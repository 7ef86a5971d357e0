from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from axes.models import YEAR_VALIDATORS, Pacte
from bilans.enums import BilanStatus


def bilan_pdf_path(instance, filename):
    return f"bilans/{instance.pacte.slug}/{instance.year}/{filename}"


class Bilan(models.Model):
    """The yearly bilan of a pacte presented to the departmental council. Its status only moves through
    `bilans.workflow.transition`; once approved, nothing about it changes any more."""

    pacte = models.ForeignKey(Pacte, on_delete=models.PROTECT, related_name="bilans", verbose_name=_("pacte"))
    year = models.PositiveSmallIntegerField(_("année"), validators=YEAR_VALIDATORS)
    status = models.CharField(_("statut"), max_length=16, choices=BilanStatus.choices, default=BilanStatus.DRAFT)
    introduction = models.TextField(_("introduction"), blank=True)
    conclusion = models.TextField(_("conclusion"), blank=True)
    pdf = models.FileField(_("fichier PDF"), upload_to=bilan_pdf_path, blank=True, max_length=300)
    pdf_sha256 = models.CharField(_("empreinte SHA-256 du PDF"), max_length=64, blank=True)
    snapshot = models.JSONField(_("données figées"), null=True, blank=True, editable=False)
    generation_started_at = models.DateTimeField(_("génération commencée le"), null=True, blank=True)
    generation_finished_at = models.DateTimeField(_("génération terminée le"), null=True, blank=True)
    generation_step = models.CharField(_("étape de génération"), max_length=120, blank=True)
    generation_progress = models.PositiveSmallIntegerField(_("progression (%)"), default=0)
    task_id = models.CharField(_("tâche"), max_length=64, blank=True)
    error = models.TextField(_("erreur"), blank=True)
    submitted_at = models.DateTimeField(_("soumis le"), null=True, blank=True)
    approval_date = models.DateField(_("date d'approbation"), null=True, blank=True)
    deliberation_reference = models.CharField(_("référence de la délibération"), max_length=120, blank=True)
    rejection_reason = models.TextField(_("motif du rejet"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        verbose_name = _("bilan")
        verbose_name_plural = _("bilans")
        ordering = ["-year", "pacte"]
        constraints = [
            models.UniqueConstraint(fields=["pacte", "year"], name="bilan_unique_year_per_pacte"),
            models.CheckConstraint(condition=Q(status__in=BilanStatus.values), name="bilan_status_valid"),
            models.CheckConstraint(
                condition=~Q(status=BilanStatus.APPROVED) | (~Q(pdf_sha256="") & ~Q(deliberation_reference="")),
                name="bilan_approved_is_complete",
            ),
        ]

    def __str__(self):
        return _("Bilan %(year)s – %(pacte)s") % {"year": self.year, "pacte": self.pacte}

    def save(self, *args, **kwargs):
        if self.pk and Bilan.objects.filter(pk=self.pk, status=BilanStatus.APPROVED).exists():
            raise ValidationError(_("Un bilan approuvé ne peut plus être modifié."))
        super().save(*args, **kwargs)

    def clean(self):
        if self.pacte_id and self.year and not self.pacte.contains_year(self.year):
            raise ValidationError({"year": _("L'année doit être comprise dans les années du pacte.")})

    @property
    def is_frozen(self):
        return self.status == BilanStatus.APPROVED


class BilanTransition(models.Model):
    """Who moved a bilan from one status to another, and when."""

    bilan = models.ForeignKey(Bilan, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("bilan"))
    source = models.CharField(_("de"), max_length=16, choices=BilanStatus.choices)
    target = models.CharField(_("vers"), max_length=16, choices=BilanStatus.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("par")
    )
    at = models.DateTimeField(_("le"), auto_now_add=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("transition de bilan")
        verbose_name_plural = _("transitions de bilan")
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.get_source_display()} → {self.get_target_display()}"
