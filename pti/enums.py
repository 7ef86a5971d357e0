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
