from django import forms

from pti.concurrency import VersionedForm, VersionField
from pti.models import NotificationPreferences


class PreferencesForm(VersionedForm, forms.ModelForm):
    """Which notifications the user receives by e-mail, with the version it was opened on."""

    version = VersionField()

    class Meta:
        model = NotificationPreferences
        fields = list(NotificationPreferences.FIELDS.values())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].initial = self.instance.version

    def preference_data(self):
        return {name: self.cleaned_data[name] for name in NotificationPreferences.FIELDS.values()}
