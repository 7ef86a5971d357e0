from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from pti.enums import JobStatus, NotificationKind, Role


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

    # Who gave an account which role, organisation or access, and when (the journal's "Comptes"): every field but
    # the password's hash and the sign-in dates.
    history = HistoricalRecords(excluded_fields=["password", "last_login", "date_joined"])

    def __str__(self):
        return self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        # An administrator gets Django's admin; the role is the source of truth.
        if self.role == Role.ADMIN:
            self.is_staff = True
            self.is_superuser = True
        if not self._state.adding and not self._history_worthy(kwargs.get("update_fields")):
            # A sign-in (its date) or a new password changes nothing the journal shows: no empty "modification".
            self.skip_history_when_saving = True
        try:
            super().save(*args, **kwargs)
        finally:
            self.__dict__.pop("skip_history_when_saving", None)

    def _history_worthy(self, update_fields):
        """Whether this save changes a field the history keeps (compared with the row in the database: a user is
        saved rarely, and never at a sign-in, whose save names its fields)."""
        tracked = [field.attname for field in type(self).history.model.tracked_fields if field.attname in self.__dict__]
        if update_fields is not None:
            tracked = [name for name in tracked if name in set(update_fields)]
            if not tracked:
                return False
        stored = type(self)._base_manager.using(self._state.db).filter(pk=self.pk).values(*tracked).first()
        return stored is None or any(stored[name] != getattr(self, name) for name in tracked)

    @property
    def is_administrator(self):
        return self.is_superuser or self.role == Role.ADMIN

    @property
    def is_departement_staff(self):
        return self.is_administrator or self.role == Role.STAFF


class NotificationQuerySet(models.QuerySet):
    def unread(self):
        return self.filter(read_at__isnull=True)

    def recent_first(self):
        return self.order_by("-created_at", "-pk")


class Notification(models.Model):
    """One event told to one user (pti.notifications.notify): shown in his "Nouveautés" panel until he marks it
    read, and e-mailed once (`emailed_at`, set under the row's lock) if his preferences say so.

    The same event (kind, object, key, user) is recorded once: the database refuses a second row. `key` tells
    apart events of the same kind on the same object (a report sent back twice, a milestone moved to a new date)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("destinataire")
    )
    kind = models.CharField(_("type"), max_length=32, choices=NotificationKind.choices)
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, verbose_name=_("type d'objet"))
    object_id = models.PositiveBigIntegerField(_("identifiant de l'objet"))
    target = GenericForeignKey("content_type", "object_id")
    key = models.CharField(_("clé de l'événement"), max_length=64, blank=True, default="")
    title = models.CharField(_("titre"), max_length=300)
    body = models.TextField(_("texte"), blank=True, max_length=2000)
    url = models.CharField(_("adresse"), max_length=500)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    read_at = models.DateTimeField(_("lue le"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("envoyée par courriel le"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind", "content_type", "object_id", "key"], name="notification_unique_event"
            ),
            models.CheckConstraint(condition=Q(kind__in=NotificationKind.values), name="notification_kind_valid"),
            models.CheckConstraint(condition=~Q(url=""), name="notification_url_not_empty"),
        ]
        indexes = [models.Index(fields=["user", "read_at", "-created_at"], name="notification_user_unread_idx")]

    def __str__(self):
        return self.title

    @property
    def is_read(self):
        return self.read_at is not None


class NotificationPreferences(models.Model):
    """Which events a user receives by e-mail (the panel shows them all). A user without a row has the defaults:
    everything but the milestone reminders."""

    # kind -> field; the defaults are the fields' own.
    FIELDS = {
        NotificationKind.REPORT_RETURNED: "email_report_returned",
        NotificationKind.DECISION_ASSIGNED: "email_decision_assigned",
        NotificationKind.MILESTONE_DUE: "email_milestone_due",
        NotificationKind.CAMPAIGN_OPENED: "email_campaign_opened",
        NotificationKind.REMINDER: "email_reminder",
    }

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("utilisateur"),
    )
    email_report_returned = models.BooleanField(_("un compte rendu m'est renvoyé avec un commentaire"), default=True)
    email_decision_assigned = models.BooleanField(_("une décision du COPIL m'est confiée"), default=True)
    email_milestone_due = models.BooleanField(_("une étape de mes actions arrive dans les 15 jours"), default=False)
    email_campaign_opened = models.BooleanField(_("la campagne de comptes rendus s'ouvre"), default=True)
    email_reminder = models.BooleanField(_("une relance de la campagne m'est adressée"), default=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(_("modifiées le"), auto_now=True)

    history = HistoricalRecords(excluded_fields=["updated_at"])

    class Meta:
        verbose_name = _("préférences de notification")
        verbose_name_plural = _("préférences de notification")

    def __str__(self):
        return str(self.user)

    def wants_email(self, kind):
        return bool(getattr(self, self.FIELDS[kind]))


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


class SsoSession(models.Model):
    """A session opened through the SSO, with the provider's session id (`sid`) and subject (`sub`) of its ID
    token: the provider's back-channel logout (pti.sso.backchannel_logout) names them, and these sessions end."""

    session_key = models.CharField(_("clé de session"), max_length=40, unique=True)
    sid = models.CharField(_("session du fournisseur"), max_length=255, blank=True, db_index=True)
    sub = models.CharField(_("sujet"), max_length=255, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(_("ouverte le"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("session ouverte par le SSO")
        verbose_name_plural = _("sessions ouvertes par le SSO")

    def __str__(self):
        return f"{self.user} ({self.sid or self.sub})"
