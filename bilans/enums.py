from django.db import models
from django.utils.translation import gettext_lazy as _


class BilanStatus(models.TextChoices):
    DRAFT = "draft", _("brouillon")
    GENERATING = "generating", _("génération en cours")
    GENERATED = "generated", _("généré")
    FAILED = "failed", _("échec de la génération")
    SUBMITTED = "submitted", _("soumis à l'assemblée")
    APPROVED = "approved", _("approuvé")
    REJECTED = "rejected", _("rejeté")
