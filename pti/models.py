from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from pti.enums import JobStatus, Role


class User(AbstractUser):
    """An agent of the département or of a partner. Never a beneficiary: no personal data on BRSA is stored."""

    email = models.EmailField(_("adresse e-mail"), blank=True)
    role = models.CharField(_("rôle"), max_length=16, choices=Role.choices, default=Role.REFERENT)
    organisation = models.CharField(_("organisme"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        ordering = ["last_name", "first_name", "username"]
        constraints = [
            models.UniqueConstraint(
                models.functions.Lower("email"),
                condition=~models.Q(email=""),
                name="user_email_unique_ci",
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        # An administrator gets Django's admin; the role is the source of truth.
        if self.role == Role.ADMIN:
            self.is_staff = True
            self.is_superuser = True
        super().save(*args, **kwargs)

    @property
    def is_administrator(self):
        return self.is_superuser or self.role == Role.ADMIN

    @property
    def is_departement_staff(self):
        return self.is_administrator or self.role == Role.STAFF


class JobRow(models.Model):
    """The state of one background job (Sèves' `Export`), driven by pti.jobs.Jobs: a running job names its task
    (`task_id`), records its step and progress, beats its heartbeat and counts its deliveries. A domain model
    adds what the job produces (a PDF and its SHA-256, say)."""

    status = models.CharField(_("état"), max_length=16, choices=JobStatus.choices, default=JobStatus.RUNNING)
    step = models.CharField(_("étape"), max_length=120, blank=True)
    progress = models.PositiveSmallIntegerField(_("progression (%)"), default=0)
    error = models.TextField(_("erreur"), blank=True)
    task_id = models.CharField(_("tâche"), max_length=64, blank=True)
    started_at = models.DateTimeField(_("commencée le"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("dernier signe de vie"), null=True, blank=True)
    finished_at = models.DateTimeField(_("terminée le"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    class Meta:
        abstract = True

    @property
    def is_running(self):
        return self.status == JobStatus.RUNNING
