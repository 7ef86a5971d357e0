"""The partners' directory forms: a partner's card (created or edited by staff, with its version) and the choice of
the duplicates to merge."""

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from actions import partners
from actions.models import Partner
from pti.concurrency import VersionedForm, VersionField
from pti.widgets import SearchableSelectMultiple


class PartnerForm(VersionedForm, forms.ModelForm):
    version = VersionField()
    website = forms.URLField(
        label=capfirst(Partner._meta.get_field("website").verbose_name),
        required=False,
        max_length=200,
        assume_scheme="https",
        help_text=_("Par exemple : https://www.francetravail.fr"),
        widget=forms.URLInput(attrs={"placeholder": "https://"}),
    )

    class Meta:
        model = Partner
        fields = partners.EDITABLE_FIELDS
        help_texts = {
            "name": _("Unique : deux fiches ne peuvent pas porter le même nom, majuscules comprises."),
            "contact_name": _("La personne à joindre dans l'organisation."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(value, capfirst(label)) for value, label in self.fields["kind"].choices]
        if self.instance.pk is None:
            # A new partner has no version to check against.
            del self.fields["version"]
        elif not self.is_bound:
            self.initial["version"] = self.instance.version

    def clean_name(self):
        name = " ".join((self.cleaned_data.get("name") or "").split())
        if not name:
            raise forms.ValidationError(_("Donnez le nom de l'organisation."))
        other = partners.name_taken_by(name, exclude_pk=self.instance.pk)
        if other is not None:
            raise forms.ValidationError(partners.name_taken_message(other))
        return name

    def validate_unique(self):
        # Uniqueness of the name is checked by clean_name (with its own message, whatever the case) and by the
        # database's constraint when two people create the same name at once (actions.partners._save_unique).
        pass

    def partner_data(self):
        return {name: self.cleaned_data[name] for name in partners.EDITABLE_FIELDS}


class PartnerMergeForm(forms.Form):
    kept = forms.ModelChoiceField(
        label=_("Partenaire à garder"),
        queryset=Partner.objects.order_by("name"),
        empty_label=_("Choisissez le partenaire à garder"),
        help_text=_("Sa fiche reste ; elle reçoit les actions et les liens des doublons."),
        error_messages={
            "required": _("Choisissez le partenaire à garder."),
            "invalid_choice": _("Ce partenaire n'existe plus : rechargez la page."),
        },
    )
    duplicates = forms.ModelMultipleChoiceField(
        label=_("Doublons à fusionner dans celui-ci"),
        queryset=Partner.objects.order_by("name"),
        help_text=_("Leurs fiches seront supprimées après la fusion (leur historique est conservé)."),
        widget=SearchableSelectMultiple(label=_("Doublons à fusionner")),
        error_messages={
            "required": _("Choisissez au moins un doublon à fusionner."),
            "invalid_choice": _("L'un des doublons choisis n'existe plus : rechargez la page."),
            "invalid_pk_value": _("Ce choix de doublon est invalide."),
        },
    )
    fingerprint = forms.CharField(required=False, widget=forms.HiddenInput, max_length=64)

    def clean(self):
        cleaned = super().clean()
        kept, duplicates = cleaned.get("kept"), cleaned.get("duplicates")
        if kept is not None and duplicates and any(dup.pk == kept.pk for dup in duplicates):
            self.add_error("duplicates", _("Le partenaire à garder ne peut pas être aussi l'un des doublons."))
        return cleaned
