"""Following the action through the year: its milestones (étapes) and the short dated notes of its referents.

Imported by actions/models.py, so Django sees these models as the app's."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

NOTE_TEXT_MAX = 2000


class MilestoneQuerySet(models.QuerySet):
    def late(self, today=None):
        """Late milestones (actions.figures.milestone_late_q, today)."""
        from actions.figures import milestone_late_q

        return self.filter(milestone_late_q(today or timezone.localdate()))

    def ordered(self):
        return self.order_by("planned_date", "position", "pk")


class Milestone(models.Model):
    """A step of the action, planned for a date and marked done on the day it was reached."""

    action = models.ForeignKey(
        "actions.Action", on_delete=models.CASCADE, related_name="milestones", verbose_name=_("action")
    )
    title = models.CharField(_("intitulé"), max_length=200)
    planned_date = models.DateField(_("date prévue"))
    done_date = models.DateField(_("date de réalisation"), null=True, blank=True)
    note = models.TextField(_("remarque"), blank=True, max_length=NOTE_TEXT_MAX)
    position = models.PositiveIntegerField(_("position"), default=1, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    objects = MilestoneQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = _("étape")
        verbose_name_plural = _("étapes")
        ordering = ["action", "planned_date", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["action", "position"], name="milestone_unique_position"),
            models.CheckConstraint(condition=~Q(title=""), name="milestone_title_not_empty"),
        ]

    def __str__(self):
        return self.title

    def is_late(self, today=None):
        """The same rule as actions.figures.milestone_late_q, for one milestone already read."""
        from actions.figures import milestone_is_late

        return milestone_is_late(self.planned_date, self.done_date, today or timezone.localdate())


def note_document_path(instance, filename):
    return f"notes/{instance.action.pacte_id}/{instance.action_id}/{filename}"


class FollowUpNote(models.Model):
    """A short dated note on the action's progress, written by one of its referents (or by staff)."""

    action = models.ForeignKey(
        "actions.Action", on_delete=models.CASCADE, related_name="notes", verbose_name=_("action")
    )
    date = models.DateField(_("date"))
    text = models.TextField(_("note"), max_length=NOTE_TEXT_MAX)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="followup_notes",
        verbose_name=_("auteur"),
    )
    # Optional, checked by content and size on upload (actions.uploads), downloaded by every signed-in user.
    document = models.FileField(_("document"), upload_to=note_document_path, max_length=300, blank=True)
    document_content_type = models.CharField(_("type du document"), max_length=120, blank=True)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)

    history = HistoricalRecords(excluded_fields=["created_at"])

    class Meta:
        verbose_name = _("note de suivi")
        verbose_name_plural = _("notes de suivi")
        ordering = ["-date", "-pk"]
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="followupnote_text_not_empty")]
        indexes = [models.Index(fields=["action", "date"], name="followupnote_action_date_idx")]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} – {self.text[:60]}"
