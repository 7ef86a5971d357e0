from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from pti.enums import Role


class User(AbstractUser):
    """An agent of the département or of a partner. Never a beneficiary: no personal data on BRSA is stored."""

    email = models.EmailField(_("adresse e-mail"), blank=True)
    role = models.CharField(_("rôle"), max_length=16, choices=Role.choices, default=Role.REFERENT)
    organisation = models.CharField(_("organisme"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        ordering = ["last_name", "first_name", "username"]
        constraints = [
            models.UniqueConstraint(
                models.functions.Lower("email"),
                condition=~models.Q(email=""),
                name="user_email_unique_ci",
            ),
        ]

    def __str__(self):
        return self.get_full_name() or self.username

    def save(self, *args, **kwargs):
        # An administrator gets Django's admin; the role is the source of truth.
        if self.role == Role.ADMIN:
            self.is_staff = True
            self.is_superuser = True
        super().save(*args, **kwargs)

    @property
    def is_administrator(self):
        return self.is_superuser or self.role == Role.ADMIN

    @property
    def is_departement_staff(self):
        return self.is_administrator or self.role == Role.STAFF
