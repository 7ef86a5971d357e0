"""The API's view of COPILs and their decisions, and what a write may carry.

Writes are validated by the pages' forms (`CopilForm`, `DecisionForm`): the same rules and the same French
messages, whichever door the data comes through.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from actions.forms import LONG_TEXT_MAX
from actions.models import Action
from actions.serializers import StrictSerializer, _form_errors, _form_value, _resolve_version
from pilotage import forms as copil_forms
from pilotage.enums import DecisionStatus, Presence
from pilotage.models import Copil, CopilAttendee, Decision, HighlightedAction
from pti.api import ChoiceLabelField, PersonSerializer
from pti.inputs import ID_MAX, VERSION_MAX


class HighlightSerializer(serializers.ModelSerializer):
    action_number = serializers.CharField(source="action.number", read_only=True)

    class Meta:
        model = HighlightedAction
        fields = ["action", "action_number", "comment"]
        read_only_fields = fields


class GuestSerializer(serializers.ModelSerializer):
    partner_name = serializers.CharField(source="partner.name", read_only=True, allow_null=True, default=None)
    presence_label = ChoiceLabelField("presence")

    class Meta:
        model = CopilAttendee
        fields = ["id", "name", "partner", "partner_name", "organisation", "function", "presence", "presence_label"]
        read_only_fields = fields


class CopilSerializer(serializers.ModelSerializer):
    pacte = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    attendees = PersonSerializer(many=True, read_only=True)
    partners = serializers.SerializerMethodField(help_text=gettext_lazy("Partenaires présents : identifiant et nom."))
    guests = GuestSerializer(
        many=True, read_only=True, help_text=gettext_lazy("Participants sans compte, présents ou excusés.")
    )
    highlighted_actions = HighlightSerializer(source="highlights", many=True, read_only=True)

    class Meta:
        model = Copil
        fields = [
            "id",
            "pacte",
            "date",
            "place",
            "agenda",
            "minutes",
            "attendees",
            "partners",
            "guests",
            "highlighted_actions",
            "version",
        ]
        read_only_fields = fields

    def get_partners(self, copil) -> list[dict]:
        return [{"id": partner.pk, "name": partner.name} for partner in copil.partners.all()]


class DecisionSerializer(serializers.ModelSerializer):
    pacte = serializers.SlugRelatedField(source="copil.pacte", slug_field="slug", read_only=True)
    copil_date = serializers.DateField(source="copil.date", read_only=True)
    action_number = serializers.CharField(source="action.number", read_only=True, allow_null=True, default=None)
    owner = PersonSerializer(read_only=True, allow_null=True)
    status_label = ChoiceLabelField("status")
    is_late = serializers.BooleanField(read_only=True, help_text=gettext_lazy("Ouverte et échéance dépassée."))

    class Meta:
        model = Decision
        fields = [
            "id",
            "pacte",
            "copil",
            "copil_date",
            "text",
            "action",
            "action_number",
            "owner",
            "due_date",
            "status",
            "status_label",
            "closed_on",
            "is_late",
            "follow_up",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


# --- writes ---------------------------------------------------------------------------------------------

ROWS_MAX = copil_forms.ROWS_MAX


def _version_field(what):
    return serializers.IntegerField(
        min_value=0,
        max_value=VERSION_MAX,
        required=False,
        help_text=gettext_lazy("Version lue %(what)s ; obligatoire pour modifier, sauf avec l'en-tête If-Match.")
        % {"what": what},
    )


def _id_field(**kwargs):
    return serializers.IntegerField(min_value=1, max_value=ID_MAX, **kwargs)


def _rows_errors(formset, name):
    """A formset's errors as one French list: « Ligne 2, nom : Ce champ est obligatoire. »"""
    messages = [str(message) for message in formset.non_form_errors()]
    for index, errors in enumerate(formset.errors, 1):
        for field, field_messages in errors.items():
            label = formset.forms[index - 1].fields[field].label if field in formset.forms[index - 1].fields else ""
            for message in field_messages:
                where = _("Ligne %(line)s") % {"line": index}
                messages.append(f"{where}, {str(label).lower()} : {message}" if label else f"{where} : {message}")
    return {name: messages}


class GuestWriteSerializer(StrictSerializer):
    id = _id_field(
        required=False, allow_null=True, help_text=gettext_lazy("La ligne existante qu'elle modifie ; vide : nouvelle.")
    )
    name = serializers.CharField(max_length=200, help_text=gettext_lazy("Prénom et nom."))
    partner = _id_field(required=False, allow_null=True, help_text=gettext_lazy("Son organisme, s'il est partenaire."))
    organisation = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    function = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    presence = serializers.ChoiceField(choices=Presence.choices, required=False, default=Presence.PRESENT)


class HighlightWriteSerializer(StrictSerializer):
    action = _id_field(help_text=gettext_lazy("Une action du pacte du COPIL."))
    comment = serializers.CharField(
        max_length=copil_forms.COMMENT_MAX, required=False, allow_blank=True, default="", trim_whitespace=False
    )


class CopilWriteSerializer(StrictSerializer):
    """POST (with `pacte`) or PATCH of a COPIL. The lists given replace the COPIL's (attendees, partners,
    guests, highlighted actions); a list left out stays as it is."""

    version = _version_field(gettext_lazy("du COPIL"))
    pacte = serializers.SlugField(
        max_length=60, required=False, help_text=gettext_lazy("Pacte du nouveau COPIL (création seulement).")
    )
    date = serializers.DateField(required=False)
    place = serializers.CharField(max_length=200, required=False, allow_blank=True)
    agenda = serializers.CharField(max_length=LONG_TEXT_MAX, required=False, allow_blank=True, trim_whitespace=False)
    minutes = serializers.CharField(max_length=LONG_TEXT_MAX, required=False, allow_blank=True, trim_whitespace=False)
    attendees = serializers.ListField(
        child=_id_field(), max_length=ROWS_MAX, required=False, help_text=gettext_lazy("Utilisateurs présents.")
    )
    partners = serializers.ListField(
        child=_id_field(), max_length=ROWS_MAX, required=False, help_text=gettext_lazy("Partenaires présents.")
    )
    guests = GuestWriteSerializer(many=True, required=False, max_length=ROWS_MAX)
    highlighted_actions = HighlightWriteSerializer(many=True, required=False, max_length=ROWS_MAX)

    def validate(self, attrs):
        copil = self.instance
        pacte = self.context["pacte"]
        attrs.pop("pacte", None)
        version = _resolve_version(self, attrs) if copil is not None else 0
        data = {"version": version}
        for name in ("date", "place", "agenda", "minutes"):
            value = attrs[name] if name in attrs else (getattr(copil, name) if copil else "")
            data[name] = _form_value(value)
        for name in ("attendees", "partners"):
            if name in attrs:
                data[name] = [str(pk) for pk in attrs[name]]
            else:
                data[name] = [str(pk) for pk in getattr(copil, name).values_list("pk", flat=True)] if copil else []
        if "guests" in attrs:
            # A PATCH is partial: DRF leaves the rows' defaults out, the form needs them.
            guests = [{"presence": Presence.PRESENT, **row} for row in attrs["guests"]]
            data.update(self._rows(copil_forms.GUESTS_PREFIX, guests))
        if "highlighted_actions" in attrs:
            rows = attrs["highlighted_actions"]
            numbers = dict(
                Action.objects.filter(pacte=pacte, pk__in=[row["action"] for row in rows]).values_list("pk", "number")
            )
            unknown = [row["action"] for row in rows if row["action"] not in numbers]
            if unknown:
                raise serializers.ValidationError(
                    {
                        "highlighted_actions": [
                            _("L'action %(id)s n'existe pas ou n'appartient pas au pacte du COPIL.") % {"id": pk}
                            for pk in unknown
                        ]
                    }
                )
            data.update(
                self._rows(
                    copil_forms.HIGHLIGHTS_PREFIX,
                    [{"action": numbers[row["action"]], "comment": row.get("comment", "")} for row in rows],
                )
            )
        form = copil_forms.CopilForm(data, instance=copil, pacte=pacte)
        if not form.is_valid():
            errors = _form_errors(form)
            generic = {str(copil_forms.GUESTS_INVALID), str(copil_forms.HIGHLIGHTS_INVALID)}
            rest = [message for message in errors.pop("non_field_errors", []) if message not in generic]
            if rest:
                errors["non_field_errors"] = rest
            if form.guest_formset is not None and not form.guest_formset.is_valid():
                errors.update(_rows_errors(form.guest_formset, "guests"))
            if form.highlight_formset is not None and not form.highlight_formset.is_valid():
                errors.update(_rows_errors(form.highlight_formset, "highlighted_actions"))
            raise serializers.ValidationError(errors)
        cleaned = form.cleaned_data
        return {
            "version": cleaned["version"],
            "data": form.copil_data(),
            "attendees": cleaned["attendees"] if "attendees" in attrs or copil is None else None,
            "partners": cleaned["partners"] if "partners" in attrs or copil is None else None,
            "guests": cleaned["guests"],
            "highlights": cleaned["highlights"],
        }

    @staticmethod
    def _rows(prefix, rows):
        data = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"}
        for index, row in enumerate(rows):
            for name, value in row.items():
                data[f"{prefix}-{index}-{name}"] = "" if value is None else str(value)
        return data


# The fields a decision's owner may change through the API; the rest is the staff's.
OWNER_FIELDS = ("follow_up", "status")


class DecisionWriteSerializer(StrictSerializer):
    """POST (with `copil`) or PATCH of a decision, checked by the pages' form."""

    version = _version_field(gettext_lazy("de la décision"))
    copil = _id_field(required=False, help_text=gettext_lazy("COPIL qui prend la décision (création seulement)."))
    text = serializers.CharField(max_length=LONG_TEXT_MAX, required=False, trim_whitespace=False)
    action = _id_field(required=False, allow_null=True)
    owner = _id_field(required=False, allow_null=True)
    due_date = serializers.DateField(required=False, allow_null=True)
    status = serializers.ChoiceField(choices=DecisionStatus.choices, required=False)
    follow_up = serializers.CharField(max_length=LONG_TEXT_MAX, required=False, allow_blank=True, trim_whitespace=False)

    def validate(self, attrs):
        decision = self.instance
        copil = self.context["copil"]
        attrs.pop("copil", None)
        version = _resolve_version(self, attrs) if decision is not None else 0
        fields = copil_forms.DecisionForm._meta.fields
        if decision is not None:
            data = {
                name: _form_value(getattr(decision, f"{name}_id" if name in ("action", "owner") else name))
                for name in fields
            }
        else:
            data = {name: "" for name in fields}
            data["status"] = DecisionStatus.OPEN
        data.update({name: _form_value(value) for name, value in attrs.items()})
        data["version"] = version
        form = copil_forms.DecisionForm(data, instance=decision, copil=copil)
        if not form.is_valid():
            raise serializers.ValidationError(_form_errors(form))
        return {"version": form.cleaned_data["version"], "data": form.decision_data()}
