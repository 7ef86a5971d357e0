from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    REFERENT = "referent", _("référent")
    COPIL = "copil", _("membre du COPIL")
    STAFF = "staff", _("agent du Département")
    ADMIN = "admin", _("administrateur")
    # A partner organisation's person (actions.PartnerMember ties the account to its organisation).
    PARTNER = "partner", _("partenaire")
    # An agent who signed in through the SSO for the first time: no right at all until staff give him a role.
    PENDING = "pending", _("en attente d'habilitation")


class NotificationKind(models.TextChoices):
    """What a user is told about, in the "Nouveautés" panel and by e-mail (pti.notifications)."""

    REPORT_RETURNED = "report_returned", _("compte rendu renvoyé avec un commentaire")
    DECISION_ASSIGNED = "decision_assigned", _("décision du COPIL confiée")
    MILESTONE_DUE = "milestone_due", _("étape à franchir dans les 15 jours")
    CAMPAIGN_OPENED = "campaign_opened", _("ouverture de la campagne de comptes rendus")
    REMINDER = "reminder", _("relance de la campagne")
