from django import forms
from django.core.validators import MaxLengthValidator
from django.template.defaultfilters import floatformat
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from actions.enums import REASONED_STATUSES, ActionStatus
from actions.models import Action, ProgressReport
from actions.services import indicator_field, transmission_errors
from actions.uploads import ACCEPT_ATTRIBUTE, check_upload
from axes.models import Objectif
from pti.concurrency import VersionedForm, VersionField

LONG_TEXT_MAX = 10_000


def plain_number(value):
    """97.00 → 97, 12.50 → 12.5: a count reads as a whole number in its input, a measure without trailing zeros."""
    if value is None:
        return None
    if value == value.to_integral_value():
        return value.quantize(1)
    return value.normalize()


def capitalise_choices(form, *names):
    """Enum labels are lowercase (they read inside sentences); in a select or radio list they start a line."""
    for name in names:
        field = form.fields[name]
        field.choices = [(value, capfirst(label)) for value, label in field.choices]


class ActionForm(VersionedForm, forms.ModelForm):
    version = VersionField()

    class Meta:
        model = Action
        fields = [
            "title",
            "objectif",
            "description",
            "target_public",
            "start_date",
            "end_date",
            "priority",
            "status",
            "progress",
            "status_reason",
            "status_date",
        ]
        widgets = {
            "start_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "status_date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "status_reason": forms.Textarea(attrs={"rows": 2}),
            "description": forms.Textarea(attrs={"rows": 4}),
            "target_public": forms.Textarea(attrs={"rows": 2}),
            "progress": forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["objectif"].queryset = Objectif.objects.filter(axe_id=self.instance.axe_id).select_related("axe")
        self.fields["objectif"].label_from_instance = lambda obj: f"{obj.code} {obj.text}"
        capitalise_choices(self, "status", "priority")
        if not self.is_bound:
            self.initial["version"] = self.instance.version
        for name in ("description", "target_public", "status_reason"):
            self.fields[name].max_length = LONG_TEXT_MAX
            self.fields[name].validators.append(MaxLengthValidator(LONG_TEXT_MAX))

    def clean(self):
        cleaned = super().clean()
        status = cleaned.get("status")
        if status in REASONED_STATUSES:
            label = ActionStatus(status).label
            if not (cleaned.get("status_reason") or "").strip() and "status_reason" not in self.errors:
                self.add_error("status_reason", _("Dites pourquoi l'action est %(status)s.") % {"status": label})
            if cleaned.get("status_date") is None and "status_date" not in self.errors:
                self.add_error("status_date", _("Dites depuis quand l'action est %(status)s.") % {"status": label})
        else:
            # The reason and date go with the status (Action.save clears them): none is kept for another one.
            cleaned["status_reason"], cleaned["status_date"] = "", None
        return cleaned


class ReportForm(VersionedForm, forms.ModelForm):
    """The referent's yearly update: the report's fields, one value per indicator, and supporting documents."""

    version = VersionField()
    document = forms.FileField(
        label=_("Pièce justificative"),
        required=False,
        help_text=_("PDF, image (PNG, JPEG) ou document bureautique, 10 Mo au plus."),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
    )
    document_title = forms.CharField(label=_("Titre de la pièce"), max_length=200, required=False)

    class Meta:
        model = ProgressReport
        fields = ["status", "progress", "weather", "advances", "difficulties", "next_steps", "adjustments", "means"]
        widgets = {
            "progress": forms.NumberInput(attrs={"min": 0, "max": 100, "step": 1}),
            "weather": forms.RadioSelect,
            **{name: forms.Textarea(attrs={"rows": 4}) for name in ("advances", "difficulties", "next_steps")},
            "adjustments": forms.Textarea(attrs={"rows": 3}),
            "means": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "weather": _("Votre ressenti sur l'année, indépendamment du statut."),
            "adjustments": _("Ce qui a été ajusté avec les partenaires de l'action."),
        }

    def __init__(self, *args, action, year, indicators, indicator_values, submit=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        self.year = year
        self.submit = submit
        self.instance.action = action
        self.instance.year = year
        self.fields["status"].choices = ActionStatus.choices
        capitalise_choices(self, "status", "weather")
        self.indicators = indicators
        for indicator in indicators:
            current = indicator_values.get(indicator.pk)
            label = indicator.label + (f" ({indicator.unit})" if indicator.unit else "")
            target = current.target if current else None
            self.fields[self.indicator_field(indicator)] = forms.DecimalField(
                label=label,
                required=False,
                min_value=0,
                max_digits=14,
                decimal_places=2,
                localize=True,
                help_text=_("Cible %(year)s : %(target)s") % {"year": year, "target": floatformat(target, "-2g")}
                if target is not None
                else _("Pas de cible fixée pour %(year)s.") % {"year": year},
                initial=plain_number(current.value) if current else None,
            )
            self.fields[self.reason_field(indicator)] = forms.CharField(
                label=_("Valeur non disponible ? Dites pourquoi"),
                required=False,
                max_length=1000,
                widget=forms.TextInput(attrs={"maxlength": 1000}),
                initial=current.unavailable_reason if current else "",
            )
        for name in ("advances", "difficulties", "next_steps", "adjustments", "means"):
            self.fields[name].max_length = LONG_TEXT_MAX
            self.fields[name].widget.attrs["maxlength"] = LONG_TEXT_MAX
            self.fields[name].validators.append(MaxLengthValidator(LONG_TEXT_MAX))
        if not self.is_bound:
            self.initial["version"] = self.instance.version if self.instance.pk else 0
            if not self.instance.pk:
                self.initial.setdefault("status", action.status)
                self.initial.setdefault("progress", action.progress)

    @staticmethod
    def indicator_field(indicator):
        return indicator_field(indicator.pk)

    @staticmethod
    def reason_field(indicator):
        return f"{indicator_field(indicator.pk)}_reason"

    def indicator_bound_fields(self):
        return [self[self.indicator_field(indicator)] for indicator in self.indicators]

    def indicator_field_pairs(self):
        """[(value field, reason field)] of each indicator, in order."""
        return [(self[self.indicator_field(i)], self[self.reason_field(i)]) for i in self.indicators]

    def clean_document(self):
        upload = self.cleaned_data.get("document")
        if upload:
            self.document_content_type = check_upload(upload)
        return upload

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("document") and not cleaned.get("document_title"):
            cleaned["document_title"] = cleaned["document"].name[:200]
        for indicator in self.indicators:
            value = cleaned.get(self.indicator_field(indicator))
            if value is not None and (cleaned.get(self.reason_field(indicator)) or "").strip():
                self.add_error(
                    self.reason_field(indicator),
                    _("Une valeur est donnée : laissez vide la raison pour laquelle elle ne le serait pas."),
                )
        if self.submit and not self.errors:
            errors = transmission_errors(
                self.year, cleaned, self.indicators, self.indicator_data(), self.indicator_reasons()
            )
            for name, message in errors.items():
                self.add_error(name, message)
        return cleaned

    def report_data(self):
        return {name: self.cleaned_data[name] for name in self._meta.fields}

    def indicator_data(self):
        return {indicator.pk: self.cleaned_data.get(self.indicator_field(indicator)) for indicator in self.indicators}

    def indicator_reasons(self):
        return {
            indicator.pk: (self.cleaned_data.get(self.reason_field(indicator)) or "").strip()
            for indicator in self.indicators
        }

    def documents(self):
        upload = self.cleaned_data.get("document")
        if not upload:
            return []
        return [
            {
                "file": upload,
                "title": self.cleaned_data["document_title"],
                "content_type": self.document_content_type,
                "size": upload.size,
            }
        ]


class ReportReturnForm(VersionedForm, forms.Form):
    """Staff's request to the referent when sending his transmitted report back."""

    version = VersionField()
    comment = forms.CharField(
        label=_("Ce qu'il faut compléter"),
        max_length=LONG_TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Le référent le lira dans son espace « Mes actions », dans le formulaire et par e-mail."),
    )
