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


class GenerationStep(models.TextChoices):
    """The steps of a bilan's generation (and of the approved PDF's finalisation), shown with a progress bar."""

    QUEUED = "queued", _("en attente d'un processus de génération")
    GATHERING = "gathering", _("rassemblement des données")
    CHARTS = "charts", _("dessin des graphiques")
    RENDERING = "rendering", _("mise en page du PDF")
    STORING = "storing", _("enregistrement du PDF")
    DONE = "done", _("terminé")


class ReminderKind(models.TextChoices):
    BEFORE = "before", _("avant l'échéance")
    AFTER = "after", _("après l'échéance")
    # Sent by staff from the campaign page ("Envoyer les relances maintenant"): any day, never twice the same
    # day for the same report.
    MANUAL = "manual", _("envoyée par un agent")
