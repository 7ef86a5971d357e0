from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    REFERENT = "referent", _("référent")
    COPIL = "copil", _("membre du COPIL")
    STAFF = "staff", _("agent du Département")
    ADMIN = "admin", _("administrateur")


class JobStatus(models.TextChoices):
    """The state of a background job row (pti.models.JobRow, driven by pti.jobs)."""

    RUNNING = "running", _("génération en cours")
    DONE = "done", _("terminée")
    FAILED = "failed", _("échec")
