from django.db import models
from django.utils.translation import gettext_lazy as _


class PacteStatus(models.TextChoices):
    DRAFT = "draft", _("en préparation")
    ACTIVE = "active", _("en cours")
    CLOSED = "closed", _("clos")


class ProposalFate(models.TextChoices):
    """What became of a proposal of the Assises de l'insertion."""

    RETAINED = "retained", _("retenue")
    MERGED = "merged", _("fusionnée")
    NOT_RETAINED = "not_retained", _("non retenue")


class ParticipantCategory(models.TextChoices):
    """Who took part in the Assises, counted by category (never named: no personal data of beneficiaries).
    The values are the names of the count fields (axes.models_assises.ParticipantCounts)."""

    INSTITUTIONAL = "institutional", _("partenaires institutionnels")
    ECONOMIC = "economic", _("acteurs économiques")
    ASSOCIATIVE = "associative", _("associations")
    SOCIAL_WORKERS = "social_workers", _("travailleurs sociaux")
    RSA = "rsa_beneficiaries", _("personnes au RSA")
