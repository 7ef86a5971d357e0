import re

from django import forms
from django.contrib.auth import get_user_model
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from actions.forms import LONG_TEXT_MAX, capitalise_choices
from actions.models import Action, Partner, number_sort_key
from pilotage.models import Copil, Decision
from pti.concurrency import VersionedForm, VersionField

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
HIGHLIGHT_LINE = re.compile(r"^\s*(?P<number>\d{1,3}(?:\.\d{1,3}){0,3})\s*(?:[–—:-]\s*(?P<comment>.*))?$")
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


class CopilForm(VersionedForm, forms.ModelForm):
    """A COPIL with its highlighted actions, typed one per line: "2.3 – comment". Editing one needs the version
    the form was opened on; creating one does not."""

    version = VersionField(required=False)
    highlights = forms.CharField(
        label=_("Actions mises en avant"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_(
            "Une action par ligne : son numéro, un tiret, puis le commentaire du comité. "
            "Par exemple : « 2.3 – Action exemplaire présentée en séance »."
        ),
    )

    class Meta:
        model = Copil
        fields = ["date", "place", "agenda", "minutes", "attendees", "partners"]
        widgets = {
            "date": DATE_WIDGET,
            "agenda": forms.Textarea(attrs={"rows": 4}),
            "minutes": forms.Textarea(attrs={"rows": 8}),
            "attendees": forms.SelectMultiple(attrs={"size": 8}),
            "partners": forms.SelectMultiple(attrs={"size": 8}),
        }
        help_texts = {
            "attendees": _("Ctrl (ou Cmd) + clic pour en choisir plusieurs."),
            "partners": _("Ctrl (ou Cmd) + clic pour en choisir plusieurs."),
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
        self.fields["partners"].queryset = Partner.objects.order_by("name")
        limit_length(self, "agenda", "minutes", "highlights")
        if not self.is_bound:
            self.initial["version"] = self.instance.version if self.instance.pk else 0
            if self.instance.pk:
                self.initial["highlights"] = "\n".join(
                    f"{highlight.action.number} – {highlight.comment}".rstrip(" –")
                    for highlight in self.instance.highlights.select_related("action").order_by("action__sort_key")
                )

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

    def clean_highlights(self):
        """[(action, comment)] from the lines "number – comment", every action of this pacte, each once."""
        lines = [line for line in self.cleaned_data["highlights"].splitlines() if line.strip()]
        parsed, errors = [], []
        for index, line in enumerate(lines, 1):
            match = HIGHLIGHT_LINE.match(line)
            if not match:
                errors.append(
                    _("Ligne %(line)s : commencez par le numéro de l'action, par exemple « 2.3 – commentaire ».")
                    % {"line": index}
                )
                continue
            comment = (match["comment"] or "").strip()
            if len(comment) > COMMENT_MAX:
                errors.append(
                    _("Ligne %(line)s : le commentaire dépasse %(max)s caractères.")
                    % {"line": index, "max": COMMENT_MAX}
                )
            parsed.append((index, match["number"], comment))
        numbers = {number for _index, number, _comment in parsed}
        actions = {
            action.number: action
            for action in Action.objects.filter(pacte=self.pacte, sort_key__in=[number_sort_key(n) for n in numbers])
        }
        seen = set()
        highlights = []
        for index, number, comment in parsed:
            action = actions.get(number)
            if action is None:
                errors.append(
                    _("Ligne %(line)s : aucune action n° %(number)s dans ce pacte.") % {"line": index, "number": number}
                )
            elif number in seen:
                errors.append(
                    _("Ligne %(line)s : l'action %(number)s est déjà mise en avant plus haut.")
                    % {"line": index, "number": number}
                )
            else:
                seen.add(number)
                highlights.append((action, comment))
        if errors:
            raise forms.ValidationError(errors)
        return highlights

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
