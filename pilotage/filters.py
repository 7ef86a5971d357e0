import django_filters
from django.contrib.auth import get_user_model
from django.db.models import Case, IntegerField, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from axes.models import Pacte
from pilotage.enums import DecisionStatus
from pilotage.models import Decision, decision_late_q

ALL = "toutes"


class DecisionFilter(django_filters.FilterSet):
    """The decisions list's filters, in the query string; without `statut`, the open decisions."""

    pacte = django_filters.ModelChoiceFilter(
        label=_("Pacte"),
        field_name="copil__pacte",
        queryset=Pacte.objects.all(),
        to_field_name="slug",
        empty_label=_("Tous les pactes"),
    )
    responsable = django_filters.ModelChoiceFilter(
        label=_("Responsable"), field_name="owner", queryset=None, empty_label=_("Tous les responsables")
    )
    statut = django_filters.ChoiceFilter(
        label=_("Statut"),
        choices=[(value, label.capitalize()) for value, label in DecisionStatus.choices] + [(ALL, _("Toutes"))],
        method="filter_status",
        empty_label=None,
        help_text=_("Par défaut, les décisions ouvertes."),
    )

    class Meta:
        model = Decision
        fields: list = []

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else None
        if data is not None and not data.get("statut"):
            data["statut"] = DecisionStatus.OPEN
        super().__init__(data, *args, **kwargs)
        self.filters["responsable"].queryset = (
            get_user_model().objects.filter(owned_decisions__isnull=False).distinct().order_by("last_name")
        )

    def filter_status(self, queryset, name, value):
        if value == ALL:
            return queryset
        return queryset.filter(status=value)


def late_first(queryset, today=None):
    """Late open decisions first (oldest due date first), then the others by due date, undated last."""
    today = today or timezone.localdate()
    return (
        queryset.with_late(today)
        .annotate(
            late_rank=Case(
                When(decision_late_q(today), then=Value(0)),
                When(status=DecisionStatus.OPEN, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            ),
            undated=Case(When(due_date__isnull=True, then=Value(1)), default=Value(0), output_field=IntegerField()),
        )
        .order_by("late_rank", "undated", Coalesce("due_date", "copil__date"), "pk")
    )
