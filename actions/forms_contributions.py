"""Forms of the partner accounts: a partner's yearly contribution (with its version), and the staff's forms that
create a partner account or attach an existing one."""

from django import forms
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.utils.translation import gettext_lazy as _

from actions.models_contributions import CONTRIBUTION_FIELDS, CONTRIBUTION_TEXT_MAX
from pti.concurrency import VersionedForm, VersionField

HELP = {
    "achievements": _("Ce que votre organisation a fait pour l'action cette année : accueils, ateliers, partenariats…"),
    "figures": _("Les chiffres que vous apportez : personnes accompagnées, entrées en emploi ou en formation…"),
    "difficulties": _("Ce qui a freiné, et ce qui aiderait."),
}
LABELS = {
    "achievements": _("Ce que nous avons fait"),
    "figures": _("Les chiffres que nous apportons"),
    "difficulties": _("Les difficultés rencontrées"),
}


class ContributionForm(VersionedForm, forms.Form):
    version = VersionField()
    achievements = forms.CharField(required=False, max_length=CONTRIBUTION_TEXT_MAX, widget=forms.Textarea)
    figures = forms.CharField(required=False, max_length=CONTRIBUTION_TEXT_MAX, widget=forms.Textarea)
    difficulties = forms.CharField(required=False, max_length=CONTRIBUTION_TEXT_MAX, widget=forms.Textarea)

    def __init__(self, *args, contribution=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name in CONTRIBUTION_FIELDS:
            self.fields[name].label = LABELS[name]
            self.fields[name].help_text = HELP[name]
            self.fields[name].widget.attrs["rows"] = 5
        if not self.is_bound:
            self.initial["version"] = contribution.version if contribution is not None else 0
            if contribution is not None:
                for name in CONTRIBUTION_FIELDS:
                    self.initial[name] = getattr(contribution, name)

    def clean(self):
        cleaned = super().clean()
        if not self.errors and not any(cleaned.get(name, "").strip() for name in CONTRIBUTION_FIELDS):
            raise forms.ValidationError(_("Écrivez au moins l'un des trois textes : rien n'a été enregistré."))
        return cleaned

    def contribution_data(self):
        return {name: self.cleaned_data[name] for name in CONTRIBUTION_FIELDS}


class PartnerAccountForm(forms.Form):
    username = forms.CharField(
        label=_("Identifiant"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Lettres, chiffres et @ . + - _ ; par exemple prenom.nom"),
    )
    first_name = forms.CharField(label=_("Prénom"), max_length=150)
    last_name = forms.CharField(label=_("Nom"), max_length=150)
    email = forms.EmailField(
        label=_("Adresse e-mail"),
        help_text=_("La personne y reçoit le lien pour choisir son mot de passe."),
    )


class AttachAccountForm(forms.Form):
    username = forms.CharField(
        label=_("Identifiant du compte existant"),
        max_length=150,
        help_text=_("Un compte sans rôle au Département ni actions dont il serait référent."),
    )
