from django.db import models
from django.utils.translation import gettext_lazy as _


class ActionStatus(models.TextChoices):
    TO_LAUNCH = "to_launch", _("à lancer")
    IN_PROGRESS = "in_progress", _("en cours")
    DONE = "done", _("réalisée")
    POSTPONED = "postponed", _("reportée")
    ABANDONED = "abandoned", _("abandonnée")


# An action in one of these statuses is finished: it can no longer be late.
FINISHED_STATUSES = (ActionStatus.DONE, ActionStatus.ABANDONED)
# An action moved to one of these statuses says why and since when (Action.status_reason, Action.status_date).
REASONED_STATUSES = (ActionStatus.ABANDONED, ActionStatus.POSTPONED)


class Priority(models.TextChoices):
    HIGH = "high", _("haute")
    NORMAL = "normal", _("normale")
    LOW = "low", _("basse")


class PartnerKind(models.TextChoices):
    INSTITUTIONAL = "institutional", _("institutionnel")
    ECONOMIC = "economic", _("économique")
    ASSOCIATIVE = "associative", _("associatif")
    SIAE = "siae", _("structure d'insertion par l'activité économique (SIAE)")
    CONSULAR = "consular", _("chambre consulaire")
    EMPLOYERS_GROUP = "employers_group", _("groupement d'employeurs")
    OTHER = "other", _("autre")


class PartnerRole(models.TextChoices):
    PILOT = "pilot", _("pilote")
    CO_PILOT = "co_pilot", _("copilote")
    FUNDER = "funder", _("financeur")
    OPERATIONAL = "operational", _("partenaire opérationnel")


class Weather(models.TextChoices):
    """The referent's feeling about the year, distinct from the status."""

    ON_TRACK = "on_track", _("en bonne voie")
    SOME_DIFFICULTIES = "some_difficulties", _("quelques difficultés")
    AT_RISK = "at_risk", _("en danger")


class ReportState(models.TextChoices):
    DRAFT = "draft", _("brouillon")
    SUBMITTED = "submitted", _("transmis")


class YearReportState(models.TextChoices):
    """How an action's report for a year reads on the pages and in the exports (actions.queries)."""

    SUBMITTED = "submitted", _("transmis")
    DRAFT = "draft", _("brouillon")
    MISSING = "missing", _("manquant")
    NOT_DUE = "not_due", _("non attendu")


# "1 action réalisée", "33 réalisées": the statuses as counted, in the singular and the plural.
STATUS_COUNTS = {
    ActionStatus.TO_LAUNCH: ("%(n)s à lancer", "%(n)s à lancer"),
    ActionStatus.IN_PROGRESS: ("%(n)s en cours", "%(n)s en cours"),
    ActionStatus.DONE: ("%(n)s réalisée", "%(n)s réalisées"),
    ActionStatus.POSTPONED: ("%(n)s reportée", "%(n)s reportées"),
    ActionStatus.ABANDONED: ("%(n)s abandonnée", "%(n)s abandonnées"),
}


def status_count(status, n):
    """`n` actions of `status`, in French: "1 réalisée", "14 réalisées"."""
    from django.utils.translation import ngettext

    singular, plural = STATUS_COUNTS[ActionStatus(status)]
    return ngettext(singular, plural, n) % {"n": n}
