"""Forms of the action's milestones and follow-up notes (actions/followup.py does the writes)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from actions.models import FollowUpNote, Milestone
from actions.models_followup import NOTE_TEXT_MAX
from actions.sheet_forms import DATE_WIDGET
from actions.uploads import ACCEPT_ATTRIBUTE, check_upload
from pti.concurrency import VersionedForm, VersionField


class MilestoneForm(forms.ModelForm):
    """A milestone: its title, planned date, date done (if it is) and a remark."""

    class Meta:
        model = Milestone
        fields = ["title", "planned_date", "done_date", "note"]
        widgets = {
            "planned_date": DATE_WIDGET,
            "done_date": DATE_WIDGET,
            "note": forms.Textarea(attrs={"rows": 2}),
        }
        help_texts = {"done_date": _("Laissez vide tant que l'étape n'est pas franchie.")}
        error_messages = {
            "title": {"required": _("Donnez un intitulé à l'étape.")},
            "planned_date": {
                "required": _("Indiquez la date prévue de l'étape."),
                "invalid": _("Saisissez une date valide, par exemple 31/03/2025."),
            },
            "done_date": {"invalid": _("Saisissez une date valide, par exemple 31/03/2025.")},
        }

    def __init__(self, *args, action, **kwargs):
        super().__init__(*args, **kwargs)
        self.action = action
        self.instance.action = action

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("Donnez un intitulé à l'étape."))
        return title

    def clean_planned_date(self):
        planned = self.cleaned_data["planned_date"]
        pacte = self.action.pacte
        if planned and not pacte.contains_year(planned.year):
            raise forms.ValidationError(
                _("La date prévue doit être comprise dans les années du pacte (%(first)s-%(last)s).")
                % {"first": pacte.first_year, "last": pacte.last_year}
            )
        return planned

    def clean_done_date(self):
        done = self.cleaned_data.get("done_date")
        if done and done > timezone.localdate():
            raise forms.ValidationError(_("La date de réalisation ne peut pas être dans le futur."))
        return done

    def validate_unique(self):
        # The position is set by the service; nothing else is unique.
        pass

    def milestone_data(self):
        return {name: self.cleaned_data[name] for name in self._meta.fields}


class MilestoneEditForm(VersionedForm, MilestoneForm):
    version = VersionField()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = self.instance.version


class MilestoneDoneForm(VersionedForm, forms.Form):
    """Mark a milestone done, on a date (today unless said otherwise)."""

    version = VersionField()
    done_date = forms.DateField(
        label=_("Franchie le"),
        widget=DATE_WIDGET,
        error_messages={
            "required": _("Indiquez la date à laquelle l'étape a été franchie."),
            "invalid": _("Saisissez une date valide, par exemple 31/03/2025."),
        },
    )

    def clean_done_date(self):
        done = self.cleaned_data["done_date"]
        if done > timezone.localdate():
            raise forms.ValidationError(_("La date de réalisation ne peut pas être dans le futur."))
        return done


class MilestoneDeleteForm(VersionedForm, forms.Form):
    version = VersionField()


class NoteForm(forms.ModelForm):
    document = forms.FileField(
        label=_("Document (facultatif)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT_ATTRIBUTE}),
        help_text=_("PDF, image ou document bureautique."),
    )

    class Meta:
        model = FollowUpNote
        fields = ["date", "text"]
        widgets = {"date": DATE_WIDGET, "text": forms.Textarea(attrs={"rows": 3})}
        labels = {"text": _("Note de suivi")}
        help_texts = {
            "text": _("Quelques lignes : ce qui s'est passé, ce qui a été décidé (2 000 caractères au plus).")
        }
        error_messages = {
            "date": {
                "required": _("Indiquez la date de la note."),
                "invalid": _("Saisissez une date valide, par exemple 31/03/2025."),
            },
            "text": {"required": _("Écrivez le texte de la note.")},
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].max_length = NOTE_TEXT_MAX
        if not self.is_bound:
            self.initial.setdefault("date", timezone.localdate())

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError(_("Écrivez le texte de la note."))
        return text

    def clean_document(self):
        upload = self.cleaned_data.get("document")
        if upload:
            self.document_content_type = check_upload(upload)
        return upload

    def clean_date(self):
        date = self.cleaned_data["date"]
        if date > timezone.localdate():
            raise forms.ValidationError(_("Une note de suivi ne peut pas être datée dans le futur."))
        return date
