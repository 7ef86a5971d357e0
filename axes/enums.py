from django.db import models
from django.utils.translation import gettext_lazy as _


class PacteStatus(models.TextChoices):
    DRAFT = "draft", _("en préparation")
    ACTIVE = "active", _("en cours")
    CLOSED = "closed", _("clos")
