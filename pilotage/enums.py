from django.db import models
from django.utils.translation import gettext_lazy as _


class DecisionStatus(models.TextChoices):
    OPEN = "open", _("ouverte")
    DONE = "done", _("réalisée")
    DROPPED = "dropped", _("abandonnée")


class Presence(models.TextChoices):
    PRESENT = "present", _("présent")
    EXCUSED = "excused", _("excusé")


class DossierStep(models.TextChoices):
    """The steps of a dossier COPIL's rendering (pilotage.jobs), shown with a progress bar."""

    QUEUED = "queued", _("en attente d'un processus de génération")
    GATHERING = "gathering", _("rassemblement des données et dessin des graphiques")
    RENDERING = "rendering", _("mise en page du PDF")
    STORING = "storing", _("enregistrement du PDF")
    DONE = "done", _("terminé")
