from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from actions.models import Action, Partner
from axes.models import Pacte
from pilotage.enums import DecisionStatus, DossierStep, Presence
from pti.enums import JobStatus
from pti.models import JobRow


class Copil(models.Model):
    """A meeting of the comité de pilotage of a pacte ("point d'étape global")."""

    pacte = models.ForeignKey(Pacte, on_delete=models.CASCADE, related_name="copils", verbose_name=_("pacte"))
    date = models.DateField(_("date"))
    place = models.CharField(_("lieu"), max_length=200, blank=True)
    agenda = models.TextField(_("ordre du jour"), blank=True)
    minutes = models.TextField(_("compte rendu"), blank=True)
    attendees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="copils_attended", verbose_name=_("participants")
    )
    partners = models.ManyToManyField(
        Partner, blank=True, related_name="copils", verbose_name=_("partenaires présents")
    )
    highlighted_actions = models.ManyToManyField(
        Action, through="HighlightedAction", blank=True, related_name="copils", verbose_name=_("actions mises en avant")
    )
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("comité de pilotage")
        verbose_name_plural = _("comités de pilotage")
        ordering = ["-date"]
        constraints = [models.UniqueConstraint(fields=["pacte", "date"], name="copil_unique_date_per_pacte")]

    def __str__(self):
        return _("COPIL du %(date)s") % {"date": self.date.strftime("%d/%m/%Y")}

    @property
    def year(self):
        return self.date.year


class CopilAttendee(models.Model):
    """Someone at (or excused from) a COPIL who has no account: a name, an organisation (one of the partners or
    free text), a function. Users with an account stay in `Copil.attendees`."""

    copil = models.ForeignKey(Copil, on_delete=models.CASCADE, related_name="guests", verbose_name=_("COPIL"))
    name = models.CharField(_("nom"), max_length=200)
    partner = models.ForeignKey(
        Partner,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="copil_attendees",
        verbose_name=_("partenaire"),
    )
    organisation = models.CharField(_("organisme"), max_length=200, blank=True)
    function = models.CharField(_("fonction"), max_length=200, blank=True)
    presence = models.CharField(_("présence"), max_length=16, choices=Presence.choices, default=Presence.PRESENT)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("participant sans compte")
        verbose_name_plural = _("participants sans compte")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(presence__in=Presence.values), name="copil_attendee_presence_valid"),
            models.CheckConstraint(condition=~Q(name=""), name="copil_attendee_name_required"),
            models.CheckConstraint(
                condition=Q(partner__isnull=True) | Q(organisation=""), name="copil_attendee_one_organisation"
            ),
        ]

    def __str__(self):
        return self.name

    @property
    def organisation_name(self):
        """The partner's name, or the organisation typed in."""
        return self.partner.name if self.partner_id else self.organisation


class HighlightedAction(models.Model):
    copil = models.ForeignKey(Copil, on_delete=models.CASCADE, related_name="highlights", verbose_name=_("COPIL"))
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="highlights", verbose_name=_("action"))
    comment = models.TextField(_("commentaire"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("action mise en avant")
        verbose_name_plural = _("actions mises en avant")
        ordering = ["action__sort_key"]
        constraints = [models.UniqueConstraint(fields=["copil", "action"], name="highlight_unique_per_copil")]

    def __str__(self):
        return str(self.action)

    def clean(self):
        if self.copil_id and self.action_id and self.action.pacte_id != self.copil.pacte_id:
            raise ValidationError({"action": _("L'action doit appartenir au pacte du COPIL.")})

    @property
    def is_open(self):
        return self.status == DecisionStatus.OPEN


def decision_late_q(today, prefix=""):
    """A late decision: still open and its due date has passed. A decision due today is not late yet; one
    without a due date never is. The one definition (docs/indicateurs.md), for pages, exports, API and PDFs;
    `prefix` reaches decisions through a relation ("copils__decisions__")."""
    return Q(
        **{f"{prefix}status": DecisionStatus.OPEN, f"{prefix}due_date__isnull": False, f"{prefix}due_date__lt": today}
    )


class DecisionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=DecisionStatus.OPEN)

    def late(self, today=None):
        return self.filter(decision_late_q(today or timezone.localdate()))

    def with_late(self, today=None):
        return self.annotate(
            is_late=ExpressionWrapper(decision_late_q(today or timezone.localdate()), output_field=BooleanField())
        )


class DecisionManager(models.Manager.from_queryset(DecisionQuerySet)):
    def get_queryset(self):
        # Every decision read through the ORM knows whether it is late today.
        return super().get_queryset().with_late()


class Decision(models.Model):
    copil = models.ForeignKey(Copil, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("COPIL"))
    text = models.TextField(_("décision"))
    action = models.ForeignKey(
        Action,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="decisions",
        verbose_name=_("action liée"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_decisions",
        verbose_name=_("responsable"),
    )
    due_date = models.DateField(_("échéance"), null=True, blank=True)
    status = models.CharField(_("statut"), max_length=16, choices=DecisionStatus.choices, default=DecisionStatus.OPEN)
    follow_up = models.TextField(_("suivi"), blank=True)
    # Recorded when the decision leaves "open" (pilotage.services), cleared if it is opened again.
    closed_on = models.DateField(_("clôturée le"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    objects = DecisionManager()
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = _("décision")
        verbose_name_plural = _("décisions")
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(status__in=DecisionStatus.values), name="decision_status_valid")
        ]

    def __str__(self):
        return self.text[:80]

    def clean(self):
        if self.copil_id and self.action_id and self.action.pacte_id != self.copil.pacte_id:
            raise ValidationError({"action": _("L'action doit appartenir au pacte du COPIL.")})


def dossier_pdf_path(instance, filename):
    return f"dossiers-copil/{instance.copil_id}/{filename}"


class DossierJob(JobRow):
    """The dossier COPIL of one COPIL, rendered in the background (pilotage.jobs): the job's state, the hash of
    the data it renders, and the PDF, served for as long as that hash is the data's (the cache)."""

    copil = models.OneToOneField(Copil, on_delete=models.CASCADE, related_name="dossier_job", verbose_name=_("COPIL"))
    inputs_hash = models.CharField(_("empreinte des données"), max_length=64, blank=True)
    pdf = models.FileField(_("fichier PDF"), upload_to=dossier_pdf_path, blank=True, max_length=300)
    pdf_sha256 = models.CharField(_("empreinte SHA-256 du PDF"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("génération du dossier COPIL")
        verbose_name_plural = _("générations des dossiers COPIL")
        constraints = [
            models.CheckConstraint(condition=Q(status__in=JobStatus.values), name="dossier_job_status_valid"),
            models.CheckConstraint(condition=Q(progress__lte=100), name="dossier_job_progress_0_100"),
        ]

    def __str__(self):
        return _("Dossier du %(copil)s") % {"copil": self.copil}

    @property
    def step_label(self):
        return DossierStep(self.step).label if self.step in DossierStep.values else self.step

    def is_ready_for(self, inputs_hash):
        """The stored PDF is the dossier of the data whose hash is `inputs_hash`."""
        return self.status == JobStatus.DONE and bool(self.pdf and self.pdf_sha256) and self.inputs_hash == inputs_hash


@receiver(post_delete, sender=DossierJob)
def _delete_dossier_file(sender, instance, **kwargs):
    """A COPIL deleted takes its dossier's cached PDF with it, once the deletion is committed."""
    if instance.pdf:
        name, storage = instance.pdf.name, instance.pdf.storage
        transaction.on_commit(lambda: storage.delete(name))
