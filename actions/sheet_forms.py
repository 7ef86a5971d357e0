"""Forms of the action's sheet, section by section (actions/sheet.py does the writes)."""

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MaxLengthValidator
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from actions.enums import PartnerRole
from actions.forms import LONG_TEXT_MAX, capitalise_choices, plain_number
from actions.models import NON_NEGATIVE, Action, ActionPartner, Indicator, Partner
from axes.models import Objectif
from pti.concurrency import VersionedForm, VersionField
from pti.enums import Role
from pti.widgets import QuickSelect, SearchableSelectMultiple

MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": 0}
MEASURE = {"max_digits": 14, "decimal_places": 2, "min_value": 0}
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def closed_year_error(closure):
    return _("%(why)s Sa valeur ne peut plus changer.") % {"why": closure.message}


class YearFieldsMixin:
    """Fields named `<prefix>_<year>`, one per year of the pacte; a closed year's field is read-only, and a
    posted change of it is refused next to the field."""

    def year_fields(self, prefix):
        return [self[f"{prefix}_{year}"] for year in self.pacte.years]

    def add_year_field(self, prefix, year, field, stored):
        name = f"{prefix}_{year}"
        closure = self.pacte.closure(year)
        field.initial = plain_number(stored)
        if closure is not None:
            field.widget.attrs.update({"readonly": True, "class": "bg-body-tertiary"})
            field.help_text = closure.message
        self.fields[name] = field
        self._stored[name] = (stored, closure)

    def clean_closed_years(self):
        for name, (stored, closure) in self._stored.items():
            if closure is None or name in self.errors:
                continue
            if self.cleaned_data.get(name) != stored:
                self.add_error(name, closed_year_error(closure))


class ActionCreateForm(forms.ModelForm):
    """A new action in an axe: its number (unique in the pacte), title and objective (of the axe)."""

    referents = forms.ModelMultipleChoiceField(
        label=_("Référents"),
        queryset=None,
        required=False,
        widget=SearchableSelectMultiple(label=_("Référents de l'action")),
    )

    class Meta:
        model = Action
        fields = ["number", "title", "objectif", "description", "target_public", "start_date", "end_date", "priority"]
        widgets = {
            "start_date": DATE_WIDGET,
            "end_date": DATE_WIDGET,
            "description": forms.Textarea(attrs={"rows": 4}),
            "target_public": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, axe, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.axe = axe
        self.fields["objectif"].queryset = Objectif.objects.filter(axe=axe).select_related("axe")
        self.fields["objectif"].label_from_instance = lambda obj: f"{obj.code} {obj.text}"
        self.fields["referents"].queryset = referent_choices()
        capitalise_choices(self, "priority")
        for name in ("description", "target_public"):
            self.fields[name].max_length = LONG_TEXT_MAX
            self.fields[name].validators.append(MaxLengthValidator(LONG_TEXT_MAX))

    def action_data(self):
        return {name: self.cleaned_data[name] for name in self._meta.fields}


def referent_choices(current=()):
    """The users who may be named referents (active referents), and the current ones whoever they are."""
    return (
        get_user_model()
        .objects.filter(Q(role=Role.REFERENT, is_active=True) | Q(pk__in=[user.pk for user in current]))
        .order_by("last_name", "first_name", "username")
    )


class ReferentsForm(VersionedForm, forms.Form):
    version = VersionField()
    referents = forms.ModelMultipleChoiceField(
        label=_("Référents de l'action"),
        queryset=None,
        required=False,
        help_text=_("Ils rédigent les comptes rendus annuels et tiennent la fiche à jour."),
        widget=SearchableSelectMultiple(label=_("Référents de l'action")),
    )

    def __init__(self, *args, action, **kwargs):
        super().__init__(*args, **kwargs)
        current = list(action.referents.all())
        self.fields["referents"].queryset = referent_choices(current)
        self.fields["referents"].label_from_instance = lambda user: (
            f"{user.get_full_name() or user.username}" + (f" ({user.organisation})" if user.organisation else "")
        )
        if not self.is_bound:
            self.initial = {"version": action.version, "referents": [user.pk for user in current]}


class VersionForm(VersionedForm, forms.Form):
    """The action's version, for a section made of a formset."""

    version = VersionField()


class PartnerRowForm(forms.ModelForm):
    class Meta:
        model = ActionPartner
        fields = ["partner", "role", "amount"]
        # Every row offers every partner: written in Python, not one template per option.
        widgets = {"partner": QuickSelect, "role": QuickSelect}

    def __init__(self, *args, partner_choices=None, **kwargs):
        super().__init__(*args, **kwargs)
        if partner_choices is not None:
            # One query for the whole formset, not one per row.
            self.fields["partner"].choices = partner_choices
        capitalise_choices(self, "role")
        self.fields["amount"].validators.extend(NON_NEGATIVE)
        if not self.is_bound and self.instance.amount is not None:
            self.initial["amount"] = plain_number(self.instance.amount)
        self.fields["amount"].widget.attrs.update({"min": 0, "step": "0.01"})

    def clean(self):
        cleaned = super().clean()
        role, amount = cleaned.get("role"), cleaned.get("amount")
        # A non-funder with an amount is refused by the model (ActionPartner.clean).
        if role == PartnerRole.FUNDER and amount is None and "amount" not in self.errors:
            self.add_error("amount", _("Dites le montant qu'apporte ce financeur."))
        return cleaned

    def validate_unique(self):
        # The formset checks duplicates between its rows (validate_unique of the formset); the action is set on save.
        pass


class BasePartnerFormSet(forms.BaseInlineFormSet):
    def get_unique_error_message(self, unique_check):
        return _("Un même partenaire figure deux fois avec le même rôle : gardez une seule ligne.")

    def rows(self):
        """The rows to save, as sheet.save_partners reads them (untouched blank rows left out)."""
        rows = []
        for form in self.forms:
            if not form.has_changed() and not form.instance.pk:
                continue
            deleted = self.can_delete and self._should_delete_form(form)
            if deleted and not form.instance.pk:
                continue
            data = form.cleaned_data
            rows.append(
                {
                    "pk": form.instance.pk,
                    "partner": data.get("partner"),
                    "role": data.get("role"),
                    "amount": data.get("amount"),
                    "delete": deleted,
                }
            )
        return rows


PartnerFormSet = forms.inlineformset_factory(
    Action,
    ActionPartner,
    form=PartnerRowForm,
    formset=BasePartnerFormSet,
    fields=["partner", "role", "amount"],
    extra=2,
    can_delete=True,
    max_num=200,
    validate_max=True,
)


def partner_formset(action, data=None):
    choices = [("", "---------")] + [(partner.pk, partner.name) for partner in Partner.objects.order_by("name")]
    return PartnerFormSet(
        data,
        instance=action,
        queryset=ActionPartner.objects.filter(action=action).select_related("partner"),
        prefix="partenaires",
        form_kwargs={"partner_choices": choices},
    )


class BudgetForm(YearFieldsMixin, VersionedForm, forms.Form):
    """The planned and actual budget of each year of the pacte."""

    version = VersionField()

    def __init__(self, *args, action, **kwargs):
        super().__init__(*args, **kwargs)
        self.pacte = action.pacte
        self._stored = {}
        stored = {budget.year: budget for budget in action.budgets.all()}
        for year in self.pacte.years:
            budget = stored.get(year)
            self.add_year_field(
                "planned",
                year,
                forms.DecimalField(label=_("Prévu en %(year)s (€)") % {"year": year}, required=False, **MONEY),
                budget.planned if budget else None,
            )
            self.add_year_field(
                "actual",
                year,
                forms.DecimalField(label=_("Réalisé en %(year)s (€)") % {"year": year}, required=False, **MONEY),
                budget.actual if budget else None,
            )
        if not self.is_bound:
            self.initial["version"] = action.version

    def years(self):
        return [
            {"year": year, "planned": self[f"planned_{year}"], "actual": self[f"actual_{year}"]}
            for year in self.pacte.years
        ]

    def clean(self):
        cleaned = super().clean()
        self.clean_closed_years()
        return cleaned

    def budgets(self):
        return {
            year: (self.cleaned_data.get(f"planned_{year}"), self.cleaned_data.get(f"actual_{year}"))
            for year in self.pacte.years
        }


class IndicatorForm(YearFieldsMixin, VersionedForm, forms.ModelForm):
    """An indicator (label, unit, baseline, direction) and its target for each year of the pacte."""

    version = VersionField()

    class Meta:
        model = Indicator
        fields = ["label", "unit", "baseline", "higher_is_better"]

    def __init__(self, *args, action, **kwargs):
        super().__init__(*args, **kwargs)
        self.pacte = action.pacte
        self._stored = {}
        self.fields["baseline"].validators.extend(NON_NEGATIVE)
        stored = {value.year: value for value in self.instance.values.all()} if self.instance.pk else {}
        for year in self.pacte.years:
            value = stored.get(year)
            self.add_year_field(
                "target",
                year,
                forms.DecimalField(label=_("Cible %(year)s") % {"year": year}, required=False, **MEASURE),
                value.target if value else None,
            )
        if not self.is_bound:
            self.initial["version"] = action.version
            self.initial["baseline"] = plain_number(self.instance.baseline)

    def clean(self):
        cleaned = super().clean()
        self.clean_closed_years()
        return cleaned

    def year_fields_target(self):
        return self.year_fields("target")

    def indicator_data(self):
        return {name: self.cleaned_data[name] for name in self._meta.fields}

    def targets(self):
        return {year: self.cleaned_data.get(f"target_{year}") for year in self.pacte.years}
