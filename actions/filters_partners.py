"""The partners' directory filters (django-filter): kind, pacte and name, all in the query string."""

import django_filters
from django.db.models import Exists, OuterRef, Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from actions.enums import PartnerKind
from actions.models import ActionPartner, Partner
from axes.models import Pacte


class PartnerFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Recherche"), method="filter_text", help_text=_("Nom de l'organisation ou de son contact.")
    )
    type = django_filters.ChoiceFilter(
        label=_("Type"),
        field_name="kind",
        choices=[(value, capfirst(label)) for value, label in PartnerKind.choices],
        empty_label=_("Tous les types"),
        help_text=_("Institutionnel, économique, associatif, SIAE…"),
    )
    pacte = django_filters.ModelChoiceFilter(
        label=_("Pacte"),
        queryset=Pacte.objects.order_by("-first_year"),
        to_field_name="slug",
        method="filter_pacte",
        empty_label=_("Tous les pactes"),
        help_text=_("Les partenaires d'au moins une action du pacte ; leurs chiffres sont ceux de ce pacte."),
    )

    class Meta:
        model = Partner
        fields: list = []

    def filter_text(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(Q(name__icontains=value) | Q(contact_name__icontains=value))

    def filter_pacte(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(Exists(ActionPartner.objects.filter(partner=OuterRef("pk"), action__pacte=value)))

    def selected_pacte(self):
        if self.is_bound and self.is_valid():
            return self.form.cleaned_data.get("pacte")
        return None
