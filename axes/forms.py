from django import forms
from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db.models import Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from axes.enums import PacteStatus
from axes.models import Axe, Objectif, Pacte
from axes.services import NUMBER_MAX, years_refusal
from pti.concurrency import VersionedForm, VersionField
from pti.enums import Role
from pti.models import User
from pti.widgets import SearchableSelectMultiple

LONG_TEXT_MAX = 10_000

NUMBER_HELP = {
    "axe": _(
        "Unique dans le pacte. Si ce numéro est déjà pris, l'axe prend sa place et les axes suivants sont décalés "
        "d'un rang (un axe déplacé décale ceux qui sont entre son ancienne et sa nouvelle place). Les numéros des "
        "actions ne changent pas."
    ),
    "objectif": _(
        "Unique dans l'axe. Si ce numéro est déjà pris, l'objectif prend sa place et les objectifs suivants sont "
        "décalés d'un rang ; un objectif déplacé vers un autre axe laisse sa place libre aux suivants."
    ),
}


def _number_field(form, kind):
    field = form.fields["number"]
    field.min_value, field.max_value = 1, NUMBER_MAX
    field.validators += [MinValueValidator(1), MaxValueValidator(NUMBER_MAX)]
    field.widget.attrs.update({"min": 1, "max": NUMBER_MAX})
    field.help_text = NUMBER_HELP[kind]
    field.error_messages["min_value"] = _("Le numéro commence à 1.")
    field.error_messages["max_value"] = _("Le numéro va jusqu'à %(limit_value)s.")
    field.error_messages["invalid"] = _("Donnez un nombre entier.")


def capitalise_choices(form, *names):
    """Enum labels are lowercase (they read inside sentences); in a select they start a line."""
    for name in names:
        field = form.fields[name]
        field.choices = [(value, capfirst(label)) for value, label in field.choices]


class _Versioned(VersionedForm):
    """Edit forms carry the version they were opened on; creation forms have none. A number already taken is
    not an error: the service makes room (axes.services), so the unique constraints are left to it."""

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        exclude.add("number")
        return exclude

    def _add_version(self):
        if self.instance.pk:
            self.fields["version"] = VersionField()
            if not self.is_bound:
                self.initial["version"] = self.instance.version


class PacteForm(_Versioned, forms.ModelForm):
    class Meta:
        model = Pacte
        fields = [
            "title",
            "territory",
            "first_year",
            "last_year",
            "signature_date",
            "status",
            "description",
            "published",
            "show_referent_names",
        ]
        widgets = {
            "signature_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "description": forms.Textarea(attrs={"rows": 4}),
            "first_year": forms.NumberInput(attrs={"min": 2000, "max": 2100}),
            "last_year": forms.NumberInput(attrs={"min": 2000, "max": 2100}),
        }
        help_texts = {
            "status": _(
                "Un pacte clos ne se modifie plus : ses axes, ses objectifs et les données de ses années non plus."
            ),
            "last_year": _("Les comptes rendus et les bilans sont attendus pour chaque année du pacte."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_version()
        if not self.instance.pk:
            self.fields["status"].choices = [(v, label) for v, label in PacteStatus.choices if v != PacteStatus.CLOSED]
            self.initial.setdefault("territory", settings.DEPARTEMENT["short_name"])
        capitalise_choices(self, "status")
        for name in ("first_year", "last_year"):
            self.fields[name].error_messages["invalid"] = _("Donnez une année, par exemple 2026.")
            self.fields[name].error_messages["min_value"] = _("L'année va de 2000 à 2100.")
            self.fields[name].error_messages["max_value"] = _("L'année va de 2000 à 2100.")
        self.fields["signature_date"].error_messages["invalid"] = _("Donnez une date, par exemple 01/03/2026.")
        self.fields["description"].max_length = LONG_TEXT_MAX
        self.fields["description"].validators.append(MaxLengthValidator(LONG_TEXT_MAX))

    def clean(self):
        cleaned = super().clean()
        refusal = years_refusal(self.instance, cleaned.get("first_year"), cleaned.get("last_year"))
        if refusal:
            for field, message in refusal.items():
                self.add_error(field, message)
        return cleaned

    def pacte_data(self):
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class ReferentChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, user):
        return f"{user} ({user.organisation})" if user.organisation else str(user)


class AxeForm(_Versioned, forms.ModelForm):
    thematic_referents = ReferentChoiceField(
        label=_("Référents thématiques"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Ils suivent toutes les actions de l'axe et peuvent les modifier."),
        widget=SearchableSelectMultiple(label=_("Référents thématiques")),
    )

    class Meta:
        model = Axe
        fields = ["number", "title", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, pacte, **kwargs):
        super().__init__(*args, **kwargs)
        self.pacte = pacte
        self._add_version()
        _number_field(self, "axe")
        # Active referents, and whoever is named already (a deactivated account is not dropped behind one's back).
        choices = Q(is_active=True, role=Role.REFERENT)
        if self.instance.pk:
            choices |= Q(thematic_axes=self.instance)
        self.fields["thematic_referents"].queryset = (
            User.objects.filter(choices).distinct().order_by("last_name", "first_name", "username")
        )
        if self.instance.pk and not self.is_bound:
            self.initial["thematic_referents"] = list(self.instance.thematic_referents.values_list("pk", flat=True))
        if not self.instance.pk and not self.is_bound:
            top = max(pacte.axes.values_list("number", flat=True), default=0)
            self.initial["number"] = top + 1
        self.fields["description"].max_length = LONG_TEXT_MAX
        self.fields["description"].validators.append(MaxLengthValidator(LONG_TEXT_MAX))

    def axe_data(self):
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class ObjectifForm(_Versioned, forms.ModelForm):
    class Meta:
        model = Objectif
        fields = ["axe", "number", "text"]

    def __init__(self, *args, pacte, **kwargs):
        super().__init__(*args, **kwargs)
        self.pacte = pacte
        self._add_version()
        _number_field(self, "objectif")
        self.fields["axe"].queryset = Axe.objects.filter(pacte=pacte).order_by("number")
        self.fields["axe"].empty_label = None
        self.fields["axe"].help_text = _("Pour déplacer l'objectif vers un autre axe du pacte.")
        if not self.instance.pk and not self.is_bound:
            axe_id = self.initial.get("axe")
            top = max(Objectif.objects.filter(axe_id=axe_id).values_list("number", flat=True), default=0)
            self.initial["number"] = top + 1

    def objectif_data(self):
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class DeletionForm(VersionedForm, forms.Form):
    """A deletion says which version it saw: a row changed in between is shown, not deleted blindly."""

    version = VersionField()
