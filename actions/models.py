import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import BooleanField, ExpressionWrapper, Q
from django.db.models.functions import Lower
from django.db.models.signals import pre_delete
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from actions.enums import (
    REASONED_STATUSES,
    ActionStatus,
    PartnerKind,
    PartnerRole,
    Priority,
    ReportState,
    Weather,
)
from axes.closing import ClosedYearError, ensure_open, ensure_queryset_open, writes_allowed
from axes.models import YEAR_VALIDATORS, Axe, Objectif, Pacte
from pti import links
from pti.history import KeptHistory

ACTION_NUMBER_RE = r"^\d{1,3}(\.\d{1,3}){0,3}$"
PROGRESS_VALIDATORS = [MinValueValidator(0), MaxValueValidator(100)]
NON_NEGATIVE = [MinValueValidator(0)]


def number_sort_key(number):
    """'2.10' sorts after '2.9': each part is zero-padded."""
    return ".".join(part.zfill(4) for part in re.findall(r"\d+", number or ""))


class ClosedYearQuerySet(models.QuerySet):
    """Bulk updates of rows of a closed year are refused too (axes.closing)."""

    pacte_path = "action__pacte"

    def update(self, **kwargs):
        ensure_queryset_open(self, self.pacte_path)
        return super().update(**kwargs)

    def delete(self):
        ensure_queryset_open(self, self.pacte_path)
        return super().delete()


class YearDataMixin:
    """Data of a year of a pacte (report, indicator value, budget): refused in a closed year (axes.closing)."""

    # Bookkeeping that may change on a closed year's row (nothing a reader of the year sees).
    UNGUARDED_FIELDS = ("id", "version", "created_at", "updated_at")

    def year_pacte(self):
        return self.action.pacte

    def _stored(self):
        if not self.pk:
            return None
        return type(self)._base_manager.filter(pk=self.pk).first()

    def clean_closed_year(self):
        """Refuse to write this row if its year (or the year it had) is closed, unless nothing changes."""
        if writes_allowed():
            return
        stored = self._stored()
        if stored is not None:
            fields = [f.attname for f in self._meta.concrete_fields if f.attname not in self.UNGUARDED_FIELDS]
            if all(getattr(stored, name) == getattr(self, name) for name in fields):
                return
            if stored.year != self.year:
                ensure_open(self.year_pacte(), stored.year)
        ensure_open(self.year_pacte(), self.year)

    def deletion_refusal(self):
        """Why this row may not be deleted (its year is closed), or None."""
        closure = self.year_pacte().closure(self.year)
        return None if closure is None or writes_allowed() else closure.message

    def save(self, *args, **kwargs):
        self.clean_closed_year()
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        ensure_open(self.year_pacte(), self.year)
        return super().delete(*args, **kwargs)


class Partner(models.Model):
    name = models.CharField(_("nom"), max_length=200, unique=True)
    kind = models.CharField(_("type"), max_length=24, choices=PartnerKind.choices, default=PartnerKind.OTHER)
    contact_name = models.CharField(_("contact"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=40, blank=True)
    website = models.URLField(_("site internet"), blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("partenaire")
        verbose_name_plural = _("partenaires")
        ordering = ["name"]
        constraints = [
            # "France Travail" and "FRANCE TRAVAIL" are one organisation: duplicates are merged, not created.
            models.UniqueConstraint(
                Lower("name"),
                name="partner_name_unique_ci",
                violation_error_message=_(
                    "Un partenaire porte déjà ce nom (majuscules et minuscules confondues) : s'il s'agit de la même "
                    "organisation, modifiez sa fiche ou fusionnez les doublons."
                ),
            ),
            models.CheckConstraint(condition=Q(kind__in=PartnerKind.values), name="partner_kind_valid"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return links.object_url("partners:detail", self.pk)


def action_late_q(today):
    """Late now: the live state of `actions.figures.late_q` (imported here lazily: figures reads these models)."""
    from actions.figures import late_q

    return late_q(today)


class ActionQuerySet(models.QuerySet):
    def delete(self):
        for action in self.select_related("pacte"):
            action.ensure_deletable()
        return super().delete()

    def late(self, today=None):
        return self.filter(action_late_q(today or timezone.localdate()))

    def with_late(self, today=None):
        """Each action with `is_late` (actions.figures.late_q, today)."""
        return self.annotate(
            is_late=ExpressionWrapper(action_late_q(today or timezone.localdate()), output_field=BooleanField())
        )

    def for_referent(self, user):
        """Actions the user is referent of, or that belong to an axe he is thematic referent of."""
        return self.filter(Q(referents=user) | Q(axe__thematic_referents=user)).distinct()

    def with_tree(self):
        return self.select_related("pacte", "axe", "objectif", "objectif__axe")


class ActionManager(models.Manager.from_queryset(ActionQuerySet)):
    def get_queryset(self):
        # Every action read through the ORM knows whether it is late today (one definition: actions.figures).
        return super().get_queryset().with_late()


# An axe's actions are kept in BUCKETS pieces by their id (actions.axe_stamps): the piece of an action, as an
# expression (its index) and as SQL (axe_stamps.piece_sql, which the figures' statement and the triggers write).
BUCKETS = 16
PIECE = models.F("axe_id") * BUCKETS + models.F("id") - models.F("id") / BUCKETS * BUCKETS


class Action(models.Model):
    # The pacte is copied from the axe on save, so the database can enforce unique numbers per pacte.
    pacte = models.ForeignKey(Pacte, on_delete=models.CASCADE, related_name="actions", editable=False)
    axe = models.ForeignKey(Axe, on_delete=models.PROTECT, related_name="actions", verbose_name=_("axe"))
    objectif = models.ForeignKey(
        Objectif,
        on_delete=models.PROTECT,
        related_name="actions",
        null=True,
        blank=True,
        verbose_name=_("objectif"),
    )
    number = models.CharField(
        _("numéro"),
        max_length=16,
        validators=[RegexValidator(ACTION_NUMBER_RE, _("Le numéro doit être de la forme 2.3 (chiffres et points)."))],
        help_text=_("Par exemple 2.3 : unique dans le pacte."),
    )
    sort_key = models.CharField(max_length=40, editable=False, db_index=True)
    title = models.CharField(_("intitulé"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    target_public = models.TextField(_("public visé"), blank=True)
    start_date = models.DateField(_("date de début"), null=True, blank=True)
    end_date = models.DateField(_("date de fin"), null=True, blank=True)
    priority = models.CharField(_("priorité"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(_("statut"), max_length=16, choices=ActionStatus.choices, default=ActionStatus.TO_LAUNCH)
    progress = models.PositiveSmallIntegerField(_("avancement (%)"), default=0, validators=PROGRESS_VALIDATORS)
    # Why and since when the action is abandoned or postponed (asked by the forms for those statuses; cleared when
    # the action leaves them). The figures read the abandonment date: actions.figures.finished_before_q.
    status_reason = models.TextField(_("motif de l'abandon ou du report"), blank=True)
    status_date = models.DateField(_("date de l'abandon ou du report"), null=True, blank=True)
    referents = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="referent_actions", verbose_name=_("référents")
    )
    partners = models.ManyToManyField(
        Partner, through="ActionPartner", blank=True, related_name="actions", verbose_name=_("partenaires")
    )
    # The proposals of the Assises de l'insertion this action carries (axes.models_assises; set from a proposal's
    # page, actions.assises).
    assises_proposals = models.ManyToManyField(
        "axes.Proposal", blank=True, related_name="actions", verbose_name=_("propositions des Assises")
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("créée le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifiée le"), auto_now=True)

    objects = ActionManager()
    # Its referents are kept too: naming one gives him the right to write the action's reports (the journal says
    # who named whom).
    history = KeptHistory(excluded_fields=["sort_key", "created_at", "updated_at"], m2m_fields=[referents])

    class Meta:
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        ordering = ["pacte", "sort_key"]
        constraints = [
            models.UniqueConstraint(fields=["pacte", "number"], name="action_number_unique_per_pacte"),
            models.CheckConstraint(condition=Q(progress__gte=0, progress__lte=100), name="action_progress_0_100"),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="action_dates_ordered",
            ),
            models.CheckConstraint(condition=Q(status__in=ActionStatus.values), name="action_status_valid"),
        ]
        indexes = [
            models.Index(fields=["pacte", "status"], name="action_pacte_status_idx"),
            # The action list's order (actions.views.LIST_ORDER), read page after page from a row (pti.paging).
            models.Index(fields=["pacte", "sort_key", "id"], name="action_list_order_idx"),
            # An axe's actions in the plan's order, page after page (a thematic referent's axe, an unfolded axe).
            models.Index(fields=["axe", "sort_key", "id"], name="action_axe_order_idx"),
            # The piece of its axe an action's figures are kept in (actions.axe_stamps.piece_sql, the same formula).
            models.Index(PIECE, name="action_piece_idx"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def save(self, *args, **kwargs):
        if self.axe_id:
            self.pacte_id = self.axe.pacte_id
        self.sort_key = number_sort_key(self.number)
        always = {"pacte", "sort_key", "updated_at"}
        if self.status not in REASONED_STATUSES and (self.status_reason or self.status_date):
            # The reason and date of an abandonment or a postponement go with the status, whoever changes it.
            self.status_reason, self.status_date = "", None
            always |= {"status_reason", "status_date"}
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = set(update_fields) | always
        super().save(*args, **kwargs)

    def clean(self):
        errors = {}
        axe = self.axe if self.axe_id else None
        if self.objectif_id and axe and self.objectif.axe_id != axe.pk:
            errors["objectif"] = _("L'objectif choisi n'appartient pas à cet axe.")
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("La date de fin doit être postérieure à la date de début.")
        if axe:
            pacte = axe.pacte
            for field in ("start_date", "end_date"):
                value = getattr(self, field)
                if value and not pacte.contains_year(value.year):
                    errors[field] = _("La date doit être comprise dans les années du pacte (%(first)s-%(last)s).") % {
                        "first": pacte.first_year,
                        "last": pacte.last_year,
                    }
            if self.number:
                duplicates = Action.objects.filter(pacte=pacte, number=self.number).exclude(pk=self.pk)
                if duplicates.exists():
                    errors["number"] = _("Une autre action de ce pacte porte déjà le numéro %(number)s.") % {
                        "number": self.number
                    }
        if errors:
            raise ValidationError(errors)

    def get_absolute_url(self):
        return links.object_url("actions:detail", self.pk)

    def delete(self, *args, **kwargs):
        self.ensure_deletable()
        return super().delete(*args, **kwargs)

    def closed_years_with_data(self):
        """The closed years for which this action has a report, an indicator value or a budget."""
        years = set(self.reports.values_list("year", flat=True))
        years |= set(IndicatorValue.objects.filter(indicator__action=self).values_list("year", flat=True))
        years |= set(self.budgets.values_list("year", flat=True))
        return sorted(year for year in years if self.pacte.is_year_closed(year))

    def deletion_refusal(self):
        """Why this action may not be deleted (it has data in a closed year: abandon it instead), or None."""
        if writes_allowed():
            return None
        closed = self.closed_years_with_data()
        if not closed:
            return None
        return _(
            "L'action %(number)s a des données de %(years)s, année close : elle ne peut pas être supprimée. "
            "Abandonnez-la plutôt (statut « abandonnée »)."
        ) % {"number": self.number, "years": ", ".join(str(year) for year in closed)}

    def ensure_deletable(self):
        """An action with data in a closed year cannot be deleted (axes.closing)."""
        refusal = self.deletion_refusal()
        if refusal:
            raise ClosedYearError(self.pacte.closure(self.closed_years_with_data()[0]), refusal)


class ActionPartner(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="partner_roles", verbose_name=_("action"))
    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="action_roles", verbose_name=_("partenaire")
    )
    role = models.CharField(_("rôle"), max_length=16, choices=PartnerRole.choices)
    amount = models.DecimalField(
        _("montant (€)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=NON_NEGATIVE,
        help_text=_("Pour un financeur : montant apporté."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("partenaire de l'action")
        verbose_name_plural = _("partenaires de l'action")
        ordering = ["role", "partner__name"]
        constraints = [
            models.UniqueConstraint(fields=["action", "partner", "role"], name="actionpartner_unique_role"),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="actionpartner_amount_positive"
            ),
        ]

    def __str__(self):
        return f"{self.partner} ({self.get_role_display()})"

    def clean(self):
        if self.amount is not None and self.role != PartnerRole.FUNDER:
            raise ValidationError({"amount": _("Seul un financeur apporte un montant.")})


class ActionBudget(YearDataMixin, models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="budgets", verbose_name=_("action"))
    year = models.PositiveSmallIntegerField(_("année"), validators=YEAR_VALIDATORS)
    planned = models.DecimalField(
        _("budget prévu (€)"), max_digits=12, decimal_places=2, default=0, validators=NON_NEGATIVE
    )
    actual = models.DecimalField(
        _("budget réalisé (€)"), max_digits=12, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )

    objects = ClosedYearQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("budget annuel")
        verbose_name_plural = _("budgets annuels")
        ordering = ["year"]
        constraints = [
            models.UniqueConstraint(fields=["action", "year"], name="actionbudget_unique_year"),
            models.CheckConstraint(condition=Q(planned__gte=0), name="actionbudget_planned_positive"),
            models.CheckConstraint(
                condition=Q(actual__isnull=True) | Q(actual__gte=0), name="actionbudget_actual_positive"
            ),
        ]

    def __str__(self):
        return f"{self.action.number} – {self.year}"

    def clean(self):
        if self.action_id and self.year and not self.action.pacte.contains_year(self.year):
            raise ValidationError({"year": _("L'année doit être comprise dans les années du pacte.")})
        if self.action_id and self.year:
            self.clean_closed_year()


class Indicator(models.Model):
    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="indicators", verbose_name=_("action"))
    label = models.CharField(_("libellé"), max_length=300)
    unit = models.CharField(_("unité"), max_length=40, blank=True, help_text=_("Par exemple : personnes, %, €."))
    baseline = models.DecimalField(
        _("valeur de référence"), max_digits=14, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )
    higher_is_better = models.BooleanField(_("plus c'est haut, mieux c'est"), default=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicateur")
        verbose_name_plural = _("indicateurs")
        ordering = ["action", "position", "pk"]

    def __str__(self):
        return self.label


class IndicatorValueQuerySet(ClosedYearQuerySet):
    pacte_path = "indicator__action__pacte"


class IndicatorValueManager(models.Manager.from_queryset(IndicatorValueQuerySet)):
    def get_queryset(self):
        from actions.figures import indicator_state

        return super().get_queryset().annotate(state=indicator_state(higher_is_better="indicator__higher_is_better"))


class IndicatorValue(YearDataMixin, models.Model):
    """The target and the measured value of an indicator for one year."""

    indicator = models.ForeignKey(
        Indicator, on_delete=models.CASCADE, related_name="values", verbose_name=_("indicateur")
    )
    year = models.PositiveSmallIntegerField(_("année"), validators=YEAR_VALIDATORS)
    target = models.DecimalField(
        _("cible"), max_digits=14, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )
    value = models.DecimalField(
        _("valeur"), max_digits=14, decimal_places=2, null=True, blank=True, validators=NON_NEGATIVE
    )
    unavailable_reason = models.TextField(
        _("valeur non disponible : pourquoi"),
        blank=True,
        help_text=_("À la place de la valeur, quand elle ne peut pas être mesurée cette année."),
    )

    objects = IndicatorValueManager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("valeur annuelle d'indicateur")
        verbose_name_plural = _("valeurs annuelles d'indicateurs")
        ordering = ["indicator", "year"]
        constraints = [
            models.UniqueConstraint(fields=["indicator", "year"], name="indicatorvalue_unique_year"),
            models.CheckConstraint(
                condition=Q(target__isnull=True) | Q(target__gte=0), name="indicatorvalue_target_positive"
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0), name="indicatorvalue_value_positive"
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(unavailable_reason=""), name="indicatorvalue_value_or_reason"
            ),
        ]

    def __str__(self):
        return f"{self.indicator} – {self.year}"

    def year_pacte(self):
        return self.indicator.action.pacte

    def clean(self):
        if self.indicator_id and self.year and not self.indicator.action.pacte.contains_year(self.year):
            raise ValidationError({"year": _("L'année doit être comprise dans les années du pacte.")})
        if self.indicator_id and self.year:
            self.clean_closed_year()

    @property
    def gap(self):
        if self.target is None or self.value is None:
            return None
        return self.value - self.target

    @property
    def on_target(self):
        """True on target, False behind, None unmeasured: read from `state`, which the default manager annotates
        with the one rule (actions.figures.indicator_state)."""
        return {"on_target": True, "behind": False}.get(getattr(self, "state", None))


class ProgressReportQuerySet(ClosedYearQuerySet):
    def submitted(self):
        return self.filter(state=ReportState.SUBMITTED)


class ProgressReport(YearDataMixin, models.Model):
    """The referent's yearly update of an action: one per action and year."""

    action = models.ForeignKey(Action, on_delete=models.CASCADE, related_name="reports", verbose_name=_("action"))
    year = models.PositiveSmallIntegerField(_("année"), validators=YEAR_VALIDATORS)
    state = models.CharField(_("état"), max_length=16, choices=ReportState.choices, default=ReportState.DRAFT)
    status = models.CharField(_("statut de l'action"), max_length=16, choices=ActionStatus.choices)
    progress = models.PositiveSmallIntegerField(_("avancement (%)"), validators=PROGRESS_VALIDATORS)
    weather = models.CharField(_("météo"), max_length=20, choices=Weather.choices, default=Weather.ON_TRACK)
    advances = models.TextField(_("avancées de l'année"), blank=True)
    difficulties = models.TextField(_("difficultés rencontrées"), blank=True)
    next_steps = models.TextField(_("prochaines étapes"), blank=True)
    adjustments = models.TextField(_("ajustements convenus avec les partenaires"), blank=True)
    means = models.TextField(_("moyens mobilisés"), blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="progress_reports",
        verbose_name=_("auteur"),
    )
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)
    submitted_at = models.DateTimeField(_("transmis le"), null=True, blank=True)
    # Staff may send a transmitted report back to its referent with a request ("demande de complément"): it is
    # a draft again until the referent transmits it anew (actions.services.return_report).
    return_comment = models.TextField(_("demande de complément"), blank=True)
    returned_at = models.DateTimeField(_("renvoyé le"), null=True, blank=True)
    returned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("renvoyé par"),
    )

    objects = ProgressReportQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["created_at", "updated_at"])

    class Meta:
        verbose_name = _("compte rendu annuel")
        verbose_name_plural = _("comptes rendus annuels")
        ordering = ["action", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["action", "year"], name="progressreport_unique_year"),
            models.CheckConstraint(
                condition=Q(progress__gte=0, progress__lte=100), name="progressreport_progress_0_100"
            ),
            models.CheckConstraint(condition=Q(status__in=ActionStatus.values), name="progressreport_status_valid"),
            models.CheckConstraint(condition=Q(weather__in=Weather.values), name="progressreport_weather_valid"),
        ]
        indexes = [
            # The figures read each action's reports by year, state and weather (actions.figures, `rep`): from the
            # index alone on PostgreSQL (INCLUDE; SQLite indexes the two keys).
            models.Index(fields=["action", "year"], include=["state", "weather"], name="report_action_year_idx"),
        ]

    def __str__(self):
        return f"{self.action.number} – {self.year}"

    def clean(self):
        if self.action_id and self.year and not self.action.pacte.contains_year(self.year):
            raise ValidationError({"year": _("L'année doit être comprise dans les années du pacte.")})
        if self.action_id and self.year:
            self.clean_closed_year()

    @property
    def is_submitted(self):
        return self.state == ReportState.SUBMITTED

    @property
    def is_returned(self):
        """Sent back by staff and not transmitted again since."""
        return self.state == ReportState.DRAFT and bool(self.return_comment) and self.returned_at is not None


def report_document_path(instance, filename):
    return f"reports/{instance.report.action.pacte_id}/{instance.report.year}/{instance.report_id}/{filename}"


class ReportDocument(models.Model):
    """A supporting document attached to a yearly report (checked by content and size on upload)."""

    report = models.ForeignKey(
        ProgressReport, on_delete=models.CASCADE, related_name="documents", verbose_name=_("compte rendu")
    )
    file = models.FileField(_("fichier"), upload_to=report_document_path, max_length=300)
    title = models.CharField(_("titre"), max_length=200)
    content_type = models.CharField(_("type"), max_length=120, blank=True)
    size = models.PositiveIntegerField(_("taille (octets)"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("déposé par")
    )
    uploaded_at = models.DateTimeField(_("déposé le"), auto_now_add=True)

    class Meta:
        verbose_name = _("pièce justificative")
        verbose_name_plural = _("pièces justificatives")
        ordering = ["uploaded_at"]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        ensure_open(self.report.action.pacte, self.report.year)
        super().save(*args, **kwargs)

    def deletion_refusal(self):
        closure = self.report.action.pacte.closure(self.report.year)
        return None if closure is None or writes_allowed() else closure.message

    def delete(self, *args, **kwargs):
        ensure_open(self.report.action.pacte, self.report.year)
        return super().delete(*args, **kwargs)


@receiver(pre_delete, sender=ProgressReport)
@receiver(pre_delete, sender=ActionBudget)
def _refuse_deleting_closed_year_data(sender, instance, **kwargs):
    """Deleting a report or a budget of a closed year, directly or with its action or pacte, is refused."""
    ensure_open(instance.action.pacte, instance.year)


@receiver(pre_delete, sender=IndicatorValue)
def _refuse_deleting_closed_indicator_value(sender, instance, **kwargs):
    ensure_open(instance.indicator.action.pacte, instance.year)


@receiver(pre_delete, sender=ReportDocument)
def _refuse_deleting_closed_document(sender, instance, **kwargs):
    ensure_open(instance.report.action.pacte, instance.report.year)


class ActionYear(models.Model):
    """One action in one year, as `actions.figures` computes it in SQL: a row of its `action_year` subquery.

    Not a table (`managed = False`): it names the columns the figures' rules (`actions.figures`, Q objects)
    are written against, so each rule is compiled to SQL by Django from one definition."""

    id = models.BigIntegerField(primary_key=True)
    pacte_id = models.BigIntegerField()
    axe_id = models.BigIntegerField()
    objectif_id = models.BigIntegerField(null=True)
    axe_number = models.IntegerField()
    number = models.CharField(max_length=16)
    title = models.CharField(max_length=300)
    sort_key = models.CharField(max_length=40)
    start_date = models.DateField(null=True)
    end_date = models.DateField(null=True)
    status = models.CharField(max_length=16)
    status_date = models.DateField(null=True)
    progress = models.IntegerField()
    previous_status = models.CharField(max_length=16, null=True)
    previous_progress = models.IntegerField(null=True)
    report = models.CharField(max_length=16, null=True)
    weather = models.CharField(max_length=20, null=True)
    ind_on_target = models.IntegerField()
    ind_behind = models.IntegerField()
    ind_no_value = models.IntegerField()
    ind_no_target = models.IntegerField()
    milestones_late_count = models.IntegerField()

    class Meta:
        managed = False
        db_table = "action_year"
        verbose_name = _("action dans l'année")


class IndicatorYear(models.Model):
    """One indicator in one year (target, value and direction): a row the indicator rule is compiled against."""

    id = models.BigIntegerField(primary_key=True)
    action_id = models.BigIntegerField()
    year = models.IntegerField()
    target = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    value = models.DecimalField(max_digits=14, decimal_places=2, null=True)
    higher_is_better = models.BooleanField()

    class Meta:
        managed = False
        db_table = "indicator_year"
        verbose_name = _("indicateur dans l'année")


from actions.models_contributions import Contribution, PartnerMember  # noqa: E402, F401
from actions.models_followup import FollowUpNote, Milestone  # noqa: E402, F401  (the app's models, in their module)


class AxeStamp(models.Model):
    """A counter per piece of an axe (`piece`: the axe's id × BUCKETS + the remainder of its actions' ids,
    `actions.axe_stamps`) that the database itself increments, in the transaction of the write, after every
    INSERT, UPDATE or DELETE of what the figures of the piece's actions read: the figures of a pacte are kept
    piece by piece, and a report saved computes again its piece's alone.

    No foreign key: the triggers write it while an axe's actions are deleted, before the axe itself."""

    piece = models.BigIntegerField(primary_key=True)
    version = models.BigIntegerField(default=0)
    # Moved only by the writes that change what some results read (`actions.axe_stamps.NARROW`): the report counts
    # (a progress saved leaves the campaign's completion and the reminders' preview), the dashboard's indicators
    # and budgets (a report saved leaves them).
    reports = models.BigIntegerField(default=0)
    indicators = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("version des chiffres d'un axe")
