from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from axes.models import YEAR_VALIDATORS, Pacte
from bilans.enums import BilanStatus, GenerationStep, ReminderKind


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
    # Written by the running task at every step: a generation whose heartbeat is older than the task's time
    # limit has lost its worker (see bilans.services.mark_stale_jobs).
    generation_heartbeat_at = models.DateTimeField(_("dernier signe de vie de la génération"), null=True, blank=True)
    generation_attempts = models.PositiveSmallIntegerField(_("tentatives de génération"), default=0)
    task_id = models.CharField(_("tâche"), max_length=64, blank=True)
    error = models.TextField(_("erreur"), blank=True)
    submitted_at = models.DateTimeField(_("soumis le"), null=True, blank=True)
    approval_date = models.DateField(_("date d'approbation"), null=True, blank=True)
    deliberation_reference = models.CharField(_("référence de la délibération"), max_length=120, blank=True)
    rejection_reason = models.TextField(_("motif du rejet"), blank=True)
    # Approval renders the final PDF (its cover carries the deliberation) in the background: meanwhile the
    # bilan stays "submitted" with `approving` set, and `approved_by` is who asked for it.
    approving = models.BooleanField(_("approbation en cours de finalisation"), default=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approuvé par"),
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    # People edit the introduction and the conclusion: their history shows who changed what in a conflict.
    # The generation's own bookkeeping and the (large) snapshot stay out of it.
    history = HistoricalRecords(
        excluded_fields=[
            "snapshot",
            "generation_step",
            "generation_progress",
            "generation_heartbeat_at",
            "generation_attempts",
            "created_at",
            "updated_at",
        ]
    )

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
            models.CheckConstraint(
                condition=Q(approving=False) | Q(status=BilanStatus.SUBMITTED), name="bilan_approving_is_submitted"
            ),
            models.CheckConstraint(condition=Q(generation_progress__lte=100), name="bilan_generation_progress_0_100"),
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

    @property
    def is_generating(self):
        return self.status == BilanStatus.GENERATING

    @property
    def has_job(self):
        """A generation or an approval's finalisation is under way: the page follows its progress."""
        return self.status == BilanStatus.GENERATING or self.approving

    @property
    def generation_step_label(self):
        if self.generation_step in GenerationStep.values:
            return GenerationStep(self.generation_step).label
        return self.generation_step

    @property
    def can_download(self):
        return bool(self.pdf and self.pdf_sha256) and self.status in (
            BilanStatus.GENERATED,
            BilanStatus.SUBMITTED,
            BilanStatus.APPROVED,
        )


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


def default_reminder_days_before():
    return settings.PTI_REMINDER_DAYS_BEFORE


def default_reminder_days_after():
    return settings.PTI_REMINDER_DAYS_AFTER


class ReportingCampaign(models.Model):
    """The yearly call for the referents' reports of a pacte, with its deadline and its reminders."""

    pacte = models.ForeignKey(Pacte, on_delete=models.CASCADE, related_name="campaigns", verbose_name=_("pacte"))
    year = models.PositiveSmallIntegerField(_("année"), validators=YEAR_VALIDATORS)
    deadline = models.DateField(_("date limite de transmission"))
    reminder_days_before = models.PositiveSmallIntegerField(
        _("relance, jours avant l'échéance"),
        default=default_reminder_days_before,
        validators=[MaxValueValidator(90)],
        help_text=_("Les référents qui n'ont pas tout transmis sont relancés ce nombre de jours avant l'échéance."),
    )
    reminder_days_after = models.PositiveSmallIntegerField(
        _("relance, jours après l'échéance"),
        default=default_reminder_days_after,
        validators=[MinValueValidator(1), MaxValueValidator(90)],
        help_text=_("Puis une seconde et dernière fois ce nombre de jours après l'échéance."),
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ouverte par"),
    )
    opened_at = models.DateTimeField(_("ouverte le"), auto_now_add=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("campagne de comptes rendus")
        verbose_name_plural = _("campagnes de comptes rendus")
        ordering = ["-year", "pacte"]
        constraints = [
            models.UniqueConstraint(fields=["pacte", "year"], name="campaign_unique_year_per_pacte"),
            models.CheckConstraint(
                condition=Q(reminder_days_before__lte=90) & Q(reminder_days_after__gte=1, reminder_days_after__lte=90),
                name="campaign_reminder_days_bounded",
            ),
        ]

    def __str__(self):
        return _("Campagne %(year)s – %(pacte)s") % {"year": self.year, "pacte": self.pacte}

    def clean(self):
        if self.pacte_id and self.year and not self.pacte.contains_year(self.year):
            raise ValidationError({"year": _("L'année doit être comprise dans les années du pacte.")})


class Reminder(models.Model):
    """One e-mail sent to a referent about his missing reports: at most one before and one after the deadline
    per campaign (the beat's), and those staff send from the campaign page (`sent_by`), never twice the same day
    for the same report (bilans.campaigns)."""

    campaign = models.ForeignKey(
        ReportingCampaign, on_delete=models.CASCADE, related_name="reminders", verbose_name=_("campagne")
    )
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("destinataire")
    )
    kind = models.CharField(_("relance"), max_length=8, choices=ReminderKind.choices)
    email = models.EmailField(_("adresse"))
    actions = models.JSONField(_("actions listées"), default=list)
    sent_at = models.DateTimeField(_("envoyée le"), auto_now_add=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("envoyée par"),
    )

    class Meta:
        verbose_name = _("relance")
        verbose_name_plural = _("relances")
        ordering = ["-sent_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "recipient", "kind"],
                condition=Q(kind__in=["before", "after"]),
                name="reminder_once_per_kind",
            ),
            models.CheckConstraint(condition=Q(kind__in=ReminderKind.values), name="reminder_kind_valid"),
        ]

    def __str__(self):
        return f"{self.recipient} – {self.get_kind_display()}"
