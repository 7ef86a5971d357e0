from django.db import models
from django.utils.translation import gettext_lazy as _


class DecisionStatus(models.TextChoices):
    OPEN = "open", _("ouverte")
    DONE = "done", _("réalisée")
    DROPPED = "dropped", _("abandonnée")


class Presence(models.TextChoices):
    PRESENT = "present", _("présent")
    EXCUSED = "excused", _("excusé")
