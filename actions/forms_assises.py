"""The forms of the Assises' pages (actions.views_assises): a working group, a meeting, a proposal."""

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.translation import gettext_lazy as _

from actions.models import Action
from axes import assises
from axes.enums import ProposalFate
from axes.forms import LONG_TEXT_MAX, capitalise_choices
from axes.models import Meeting, Proposal, WorkingGroup
from axes.models_assises import CATEGORIES, COUNT_MAX
from pti.concurrency import VersionedForm, VersionField
from pti.widgets import SearchableSelectMultiple

COUNT_ERRORS = {
    "invalid": _("Donnez un nombre entier de personnes."),
    "min_value": _("Un nombre de personnes ne peut pas être négatif."),
    "max_value": _("Le nombre va jusqu'à %(limit_value)s."),
    "required": _("Donnez un nombre de personnes (0 s'il n'y en avait pas)."),
}


class _AssisesForm(VersionedForm, forms.ModelForm):
    """Edit forms carry the version they were opened on; the counts are whole numbers from 0."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version"] = VersionField()
            if not self.is_bound:
                self.initial["version"] = self.instance.version
        for name in CATEGORIES:
            if name in self.fields:
                field = self.fields[name]
                field.min_value, field.max_value = 0, COUNT_MAX
                field.widget.attrs.update({"min": 0, "max": COUNT_MAX, "inputmode": "numeric"})
                field.error_messages.update(COUNT_ERRORS)
        for name, field in self.fields.items():
            if isinstance(field, forms.CharField) and field.max_length is None and name != "version":
                field.max_length = LONG_TEXT_MAX
                field.widget.attrs.setdefault("maxlength", LONG_TEXT_MAX)

    def data_for_service(self):
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class WorkingGroupForm(_AssisesForm):
    class Meta:
        model = WorkingGroup
        fields = ["axe", "title", "description", *CATEGORIES]
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}
        help_texts = {"axe": _("Un groupe de travail par thématique (axe) du pacte.")}

    def __init__(self, *args, pacte, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["axe"].queryset = assises.axes_without_group(pacte, keep=self.instance.axe_id and self.instance.axe)
        self.fields["axe"].empty_label = None
        self.fields["axe"].label_from_instance = lambda axe: f"{axe.number}. {axe.title}"
        for name in CATEGORIES:
            self.fields[name].help_text = (
                _("Membres du groupe, comptés (jamais nommés).") if name == CATEGORIES[0] else ""
            )

    def _get_validation_exclusions(self):
        # One group per thematic is said by the service, in French, rather than by the constraint's message.
        exclude = super()._get_validation_exclusions()
        exclude.add("axe")
        return exclude


class MeetingForm(_AssisesForm):
    class Meta:
        model = Meeting
        fields = ["date", "place", "topic", *CATEGORIES]
        widgets = {"date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].error_messages["invalid"] = _("Donnez une date, par exemple 15/03/2021.")
        self.fields["date"].error_messages["required"] = _("Donnez la date de la réunion.")
        self.fields[CATEGORIES[0]].help_text = _("Personnes présentes, par catégorie : des nombres, jamais de noms.")


class ActionChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, action):
        return f"{action.number} {action.title}"


class ProposalForm(_AssisesForm):
    actions = ActionChoiceField(
        label=_("Actions qui la portent"),
        queryset=Action.objects.none(),
        required=False,
        help_text=_("Pour une proposition retenue : les actions du pacte qui la mettent en œuvre."),
        widget=SearchableSelectMultiple(label=_("Actions qui portent la proposition")),
    )

    class Meta:
        model = Proposal
        fields = ["number", "text", "fate", "merged_into", "reason"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 2}),
            "fate": forms.RadioSelect,
            "reason": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "merged_into": _("Pour une proposition fusionnée : celle qui la reprend."),
            "reason": _("Obligatoire pour une proposition non retenue."),
        }

    def __init__(self, *args, group, **kwargs):
        super().__init__(*args, **kwargs)
        self.group = group
        pacte = group.axe.pacte
        self.fields["actions"].queryset = (
            Action.objects.filter(pacte=pacte).select_related(None).only("pk", "number", "title").order_by("sort_key")
        )
        targets = (
            Proposal.objects.filter(group__axe__pacte=pacte)
            .exclude(fate=ProposalFate.MERGED)
            .select_related("group__axe")
            .order_by("group__axe__number", "number")
        )
        if self.instance.pk:
            targets = targets.exclude(pk=self.instance.pk)
        self.fields["merged_into"].queryset = targets
        self.fields["merged_into"].empty_label = "—"
        number = self.fields["number"]
        number.widget.attrs.update({"min": 1, "max": 999})
        number.validators = [
            MinValueValidator(1, message=_("Le numéro commence à 1.")),
            MaxValueValidator(999, message=_("Le numéro va jusqu'à 999.")),
        ]
        number.error_messages["invalid"] = _("Donnez un nombre entier.")
        self.fields["fate"].choices = [(v, label) for v, label in self.fields["fate"].choices if v]
        capitalise_choices(self, "fate")
        if self.instance.pk and not self.is_bound:
            self.initial["actions"] = [action.pk for action in self.instance.actions.all()]
        if not self.instance.pk and not self.is_bound:
            top = max(group.proposals.values_list("number", flat=True), default=0)
            self.initial.setdefault("number", top + 1)
            self.initial.setdefault("fate", ProposalFate.RETAINED)

    def _get_validation_exclusions(self):
        exclude = super()._get_validation_exclusions()
        exclude.add("number")  # unique within the group: said by the service
        return exclude

    def clean(self):
        cleaned = super().clean()
        fate, actions = cleaned.get("fate"), cleaned.get("actions")
        if fate == ProposalFate.RETAINED and actions is not None and not actions:
            self.add_error("actions", _("Une proposition retenue est portée par au moins une action : choisissez-la."))
        if fate and fate != ProposalFate.RETAINED and actions:
            self.add_error(
                "actions",
                _(
                    "Seule une proposition retenue est portée par des actions : retirez les actions ou changez sa suite."
                ),
            )
        return cleaned

    def _post_clean(self):
        # The reason and the target only go with their fate: cleared before the model checks them.
        fate = self.cleaned_data.get("fate")
        if fate != ProposalFate.MERGED:
            self.cleaned_data["merged_into"] = None
        if fate != ProposalFate.NOT_RETAINED:
            self.cleaned_data["reason"] = ""
        self.instance.group = self.group
        super()._post_clean()
