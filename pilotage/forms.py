import re

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from actions.forms import LONG_TEXT_MAX, capitalise_choices
from actions.models import Action, Partner
from pilotage.enums import Presence
from pilotage.models import Copil, Decision
from pti.concurrency import VersionedForm, VersionField
from pti.inputs import ID_MAX
from pti.widgets import SearchableSelectMultiple

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ACTION_NUMBER = re.compile(r"^\s*(?P<number>\d{1,3}(?:\.\d{1,3}){0,3})(?![\d.]*\d)")
COMMENT_MAX = 2_000


def limit_length(form, *names, maximum=LONG_TEXT_MAX):
    """A textarea refuses more than `maximum` characters, with Django's French message next to the field."""
    for name in names:
        field = form.fields[name]
        field.max_length = maximum
        field.widget.attrs["maxlength"] = maximum
        field.validators.append(MaxLengthValidator(maximum))


class YearForm(forms.Form):
    """The dashboard's year selector: one of the pacte's years."""

    annee = forms.TypedChoiceField(label=_("Année"), coerce=int)

    def __init__(self, *args, pacte, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["annee"]
        field.choices = [(year, year) for year in pacte.years]
        field.error_messages["invalid_choice"] = _(
            "L'année « %(value)s » n'est pas une année de ce pacte : choisissez entre %(first)s et %(last)s."
        ) % {"value": "%(value)s", "first": pacte.first_year, "last": pacte.last_year}


def user_choices():
    return get_user_model().objects.filter(is_active=True).order_by("last_name", "first_name", "username")


class AttendeeForm(forms.Form):
    """One person without an account at the COPIL (or excused): the rows of the attendance list."""

    id = forms.IntegerField(required=False, min_value=1, max_value=ID_MAX, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Prénom et nom"), max_length=200)
    partner = forms.TypedChoiceField(label=_("Partenaire"), required=False, coerce=int, empty_value=None)
    organisation = forms.CharField(
        label=_("Ou autre organisme"),
        max_length=200,
        required=False,
        help_text=_("S'il n'est pas dans la liste des partenaires."),
    )
    function = forms.CharField(label=_("Fonction"), max_length=200, required=False)
    presence = forms.ChoiceField(label=_("Présence"), choices=(), initial=Presence.PRESENT)

    def __init__(self, *args, partner_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["partner"].choices = [("", _("Aucun"))] + list(partner_choices)
        self.fields["presence"].choices = [(value, label.capitalize()) for value, label in Presence.choices]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("partner") and cleaned.get("organisation"):
            self.add_error(
                "organisation", _("Choisissez un partenaire ou écrivez un autre organisme, mais pas les deux.")
            )
        return cleaned


class HighlightForm(forms.Form):
    """One highlighted action: picked in the pacte's list of actions (a search field), with the committee's
    comment."""

    action = forms.CharField(
        label=_("Action"),
        max_length=320,
        help_text=_("Tapez son numéro ou un mot de son titre, puis choisissez-la dans la liste proposée."),
    )
    comment = forms.CharField(
        label=_("Commentaire du comité"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, actions_by_number=None, datalist_id="", **kwargs):
        super().__init__(*args, **kwargs)
        self.actions_by_number = actions_by_number or {}
        self.fields["action"].widget.attrs.update(list=datalist_id, autocomplete="off")
        limit_length(self, "comment", maximum=COMMENT_MAX)

    def clean_action(self):
        value = self.cleaned_data["action"]
        match = ACTION_NUMBER.match(value)
        if not match:
            # Its title alone, typed without picking it from the list, is enough when no other action has it.
            titled = [a for a in self.actions_by_number.values() if a.title.casefold() == value.strip().casefold()]
            if len(titled) == 1:
                return titled[0]
            raise forms.ValidationError(
                _("Choisissez l'action dans la liste : son numéro d'abord, par exemple « 2.3 – Clauses sociales ».")
            )
        action = self.actions_by_number.get(match["number"])
        if action is None:
            raise forms.ValidationError(_("Aucune action n° %(number)s dans ce pacte.") % {"number": match["number"]})
        return action


def action_label(action):
    return f"{action.number} – {action.title}"


class RowsFormSet(forms.BaseFormSet):
    """A list of rows of the COPIL form; `rows()` gives the cleaned rows that are kept, in order."""

    def rows(self):
        return [
            form.cleaned_data
            for form in self.forms
            # Blank extra rows have no cleaned data; rows already saved always do.
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]


class HighlightFormSet(RowsFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for row in self.rows():
            action = row["action"]
            if action.pk in seen:
                raise forms.ValidationError(
                    _("L'action %(number)s est mise en avant deux fois.") % {"number": action.number}
                )
            seen.add(action.pk)


ROWS_MAX = 200
AttendeeFormSet = forms.formset_factory(
    AttendeeForm,
    formset=RowsFormSet,
    extra=2,
    can_delete=True,
    max_num=ROWS_MAX,
    absolute_max=ROWS_MAX,
    validate_max=True,
)
HighlightsFormSet = forms.formset_factory(
    HighlightForm,
    formset=HighlightFormSet,
    extra=1,
    can_delete=True,
    max_num=ROWS_MAX,
    absolute_max=ROWS_MAX,
    validate_max=True,
)
GUESTS_PREFIX = "personnes"
HIGHLIGHTS_PREFIX = "mises_en_avant"
ACTIONS_DATALIST = "actions-du-pacte"
GUESTS_INVALID = _("La liste des participants sans compte contient des erreurs (voir plus bas).")
HIGHLIGHTS_INVALID = _("La liste des actions mises en avant contient des erreurs (voir plus bas).")


class CopilForm(VersionedForm, forms.ModelForm):
    """A COPIL with its attendees (users, partners and people without an account) and its highlighted actions,
    each picked from the pacte's actions with its comment. Editing one needs the version the form was opened on;
    creating one does not.

    The two lists are formsets owned by this form (`guest_formset`, `highlight_formset`); a POST that carries
    neither (an older page) leaves those rows as they are: `cleaned_data["guests"]` / `["highlights"]` is None.
    """

    version = VersionField(required=False)

    class Meta:
        model = Copil
        fields = ["date", "place", "agenda", "minutes", "attendees", "partners"]
        widgets = {
            "date": DATE_WIDGET,
            "agenda": forms.Textarea(attrs={"rows": 4}),
            "minutes": forms.Textarea(attrs={"rows": 8}),
            "attendees": SearchableSelectMultiple(label=_("Participants ayant un compte")),
            "partners": SearchableSelectMultiple(label=_("Partenaires présents")),
        }
        labels = {"attendees": _("Participants ayant un compte")}
        help_texts = {
            "attendees": _("Cochez les personnes présentes ; filtrez la liste par nom ou organisme."),
            "partners": _("Cochez les partenaires représentés ; filtrez la liste par nom."),
        }

    def __init__(self, *args, pacte, **kwargs):
        super().__init__(*args, **kwargs)
        self.pacte = pacte
        self.instance.pacte = pacte
        self.fields["version"].required = self.instance.pk is not None
        self.fields["attendees"].queryset = user_choices()
        self.fields["attendees"].label_from_instance = lambda user: (
            f"{user} ({user.organisation})" if user.organisation else str(user)
        )
        partners = list(Partner.objects.order_by("name"))
        self.fields["partners"].queryset = Partner.objects.order_by("name")
        limit_length(self, "agenda", "minutes")
        if not self.is_bound:
            self.initial["version"] = self.instance.version if self.instance.pk else 0
        self.partners_by_pk = {partner.pk: partner for partner in partners}
        self.actions = list(Action.objects.filter(pacte=pacte).order_by("sort_key").only("pk", "number", "title"))
        self.action_labels = [action_label(action) for action in self.actions]
        data = self.data if self.is_bound else None
        guests_initial = highlights_initial = None
        if self.instance.pk and not self.is_bound:
            guests_initial = [
                {
                    "id": guest.pk,
                    "name": guest.name,
                    "partner": guest.partner_id,
                    "organisation": guest.organisation,
                    "function": guest.function,
                    "presence": guest.presence,
                }
                for guest in self.instance.guests.all()
            ]
            highlights_initial = [
                {"action": action_label(highlight.action), "comment": highlight.comment}
                for highlight in self.instance.highlights.select_related("action").order_by("action__sort_key")
            ]
        self.guest_formset = self._formset(
            AttendeeFormSet,
            data,
            GUESTS_PREFIX,
            guests_initial,
            partner_choices=[(partner.pk, partner.name) for partner in partners],
        )
        self.highlight_formset = self._formset(
            HighlightsFormSet,
            data,
            HIGHLIGHTS_PREFIX,
            highlights_initial,
            actions_by_number={action.number: action for action in self.actions},
            datalist_id=ACTIONS_DATALIST,
        )

    @staticmethod
    def _formset(formset_class, data, prefix, initial, **form_kwargs):
        if data is not None and f"{prefix}-TOTAL_FORMS" not in data:
            return None  # not part of this POST: leave those rows alone
        return formset_class(data, prefix=prefix, initial=initial, form_kwargs=form_kwargs)

    @property
    def formsets(self):
        return [formset for formset in (self.guest_formset, self.highlight_formset) if formset is not None]

    def clean(self):
        cleaned = super().clean()
        cleaned["guests"] = cleaned["highlights"] = None
        if self.guest_formset is not None:
            if self.guest_formset.is_valid():
                cleaned["guests"] = [
                    {
                        "id": row.get("id"),
                        "name": row["name"],
                        "partner": self.partners_by_pk.get(row.get("partner")),
                        "organisation": row.get("organisation", ""),
                        "function": row.get("function", ""),
                        "presence": row["presence"],
                    }
                    for row in self.guest_formset.rows()
                ]
            else:
                self.add_error(None, GUESTS_INVALID)
        if self.highlight_formset is not None:
            if self.highlight_formset.is_valid():
                cleaned["highlights"] = [(row["action"], row["comment"]) for row in self.highlight_formset.rows()]
            else:
                self.add_error(None, HIGHLIGHTS_INVALID)
        return cleaned

    def clean_date(self):
        date = self.cleaned_data["date"]
        # A COPIL can meet early in the year after the pacte's last one to review it.
        if not self.pacte.first_year <= date.year <= self.pacte.last_year + 1:
            raise forms.ValidationError(
                _("La date doit tomber pendant le pacte (%(first)s-%(last)s) ou l'année qui suit.")
                % {"first": self.pacte.first_year, "last": self.pacte.last_year}
            )
        others = Copil.objects.filter(pacte=self.pacte, date=date).exclude(pk=self.instance.pk)
        if others.exists():
            raise forms.ValidationError(_("Ce pacte a déjà un COPIL à cette date."))
        return date

    def copil_data(self):
        return {name: self.cleaned_data[name] for name in ("date", "place", "agenda", "minutes")}


class DecisionForm(VersionedForm, forms.ModelForm):
    """A decision; editing one needs the version the form was opened on, creating one does not."""

    version = VersionField(required=False)

    class Meta:
        model = Decision
        fields = ["text", "action", "owner", "due_date", "status", "follow_up"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 3}),
            "due_date": DATE_WIDGET,
            "follow_up": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "action": _("Facultative : l'action du pacte que la décision concerne."),
            "owner": _("La personne chargée de la mettre en œuvre ; elle la voit sur sa page « Mes actions »."),
            "follow_up": _("Où en est la décision : ce qui a été fait, ce qui reste à faire."),
        }

    def __init__(self, *args, copil, **kwargs):
        super().__init__(*args, **kwargs)
        self.copil = copil
        self.instance.copil = copil
        self.fields["version"].required = self.instance.pk is not None
        self.fields["action"].queryset = Action.objects.filter(pacte_id=copil.pacte_id).order_by("sort_key")
        self.fields["action"].label_from_instance = lambda action: f"{action.number} – {action.title}"
        self.fields["action"].empty_label = _("Aucune action liée")
        self.fields["owner"].queryset = user_choices()
        self.fields["owner"].empty_label = _("Personne pour l'instant")
        capitalise_choices(self, "status")
        limit_length(self, "text", "follow_up")
        if not self.is_bound:
            self.initial["version"] = self.instance.version if self.instance.pk else 0

    def clean_due_date(self):
        due_date = self.cleaned_data["due_date"]
        if due_date and due_date < self.copil.date:
            raise forms.ValidationError(
                _("L'échéance ne peut pas précéder le COPIL qui a pris la décision (%(date)s).")
                % {"date": self.copil.date.strftime("%d/%m/%Y")}
            )
        return due_date

    def decision_data(self):
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class DecisionFollowUpForm(VersionedForm, forms.ModelForm):
    """What the owner of a decision updates himself: where it stands and its status (from /mes-actions/ or
    /decisions/). The rest of the decision is staff's (DecisionForm)."""

    version = VersionField()

    class Meta:
        model = Decision
        fields = ["status", "follow_up"]
        widgets = {"follow_up": forms.Textarea(attrs={"rows": 3})}
        help_texts = {"follow_up": _("Où en est la décision : ce qui a été fait, ce qui reste à faire.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        capitalise_choices(self, "status")
        limit_length(self, "follow_up")
        if not self.is_bound:
            self.initial["version"] = self.instance.version

    def decision_data(self):
        return {name: self.cleaned_data[name] for name in self._meta.fields}
