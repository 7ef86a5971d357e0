from django import forms
from django.core.validators import MaxLengthValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bilans import workflow
from bilans.models import Bilan, ReportingCampaign
from pti.concurrency import VersionedForm, VersionField

TEXT_MAX = 5_000
REASON_MAX = 5_000


def _limit(field, maximum):
    field.max_length = maximum
    field.widget.attrs["maxlength"] = maximum
    field.validators.append(MaxLengthValidator(maximum))


class BilanTextsForm(VersionedForm, forms.ModelForm):
    version = VersionField()

    class Meta:
        model = Bilan
        fields = ["introduction", "conclusion"]
        widgets = {
            "introduction": forms.Textarea(attrs={"rows": 6}),
            "conclusion": forms.Textarea(attrs={"rows": 6}),
        }
        help_texts = {
            "introduction": _("Quelques paragraphes en tête du bilan : le contexte de l'année, ses faits marquants."),
            "conclusion": _("Les perspectives pour l'année suivante."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("introduction", "conclusion"):
            _limit(self.fields[name], TEXT_MAX)
        if not self.is_bound:
            # An unsaved bilan is created at version 1 by the first save: the form starts from there too.
            self.initial["version"] = self.instance.version


class ApprovalForm(forms.Form):
    approval_date = forms.DateField(
        label=_("Date de la délibération"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    deliberation_reference = forms.CharField(
        label=_("Référence de la délibération"), max_length=120, help_text=_("Par exemple : CD-2025-03-012.")
    )

    def __init__(self, *args, bilan=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.bilan = bilan

    def clean_approval_date(self):
        """The workflow's rule (not before the submission, not in the future: bilans.workflow), shown next to the
        field before the confirmation is asked; services.request_approval checks it again under the row lock."""
        value = self.cleaned_data["approval_date"]
        if self.bilan is not None and (error := workflow.approval_date_error(self.bilan, value)):
            raise forms.ValidationError(error)
        return value


class RejectionForm(forms.Form):
    rejection_reason = forms.CharField(
        label=_("Motif du rejet"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Ce que l'assemblée demande de revoir : il sera conservé dans l'historique du bilan."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _limit(self.fields["rejection_reason"], REASON_MAX)


class CampaignForm(VersionedForm, forms.ModelForm):
    version = VersionField()

    class Meta:
        model = ReportingCampaign
        fields = ["deadline", "reminder_days_before", "reminder_days_after"]
        widgets = {
            "deadline": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "reminder_days_before": forms.NumberInput(attrs={"min": 0, "max": 90}),
            "reminder_days_after": forms.NumberInput(attrs={"min": 1, "max": 90}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = self.instance.version if self.instance.pk else 0

    def clean_deadline(self):
        value = self.cleaned_data["deadline"]
        if value < timezone.localdate() and value != self.initial.get("deadline"):
            raise forms.ValidationError(_("La date limite ne peut pas être dans le passé."))
        return value
