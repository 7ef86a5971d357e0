"""The API's view of actions, partners, indicators and yearly reports.

Writes are validated by the very forms the pages use (`ActionForm`, `ReportForm`), fed with the stored values
and the fields the client sent, so that the API accepts and refuses exactly what the pages do, with the same
French messages; the views then write through `actions.services`.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from rest_framework import serializers

from actions.enums import ActionStatus, Priority, Weather
from actions.forms import ActionForm, ReportForm
from actions.models import Action, ActionPartner, Indicator, IndicatorValue, Partner, ProgressReport
from pti.api import ChoiceLabelField, NullableEmailField, NullableURLField, PersonSerializer
from pti.inputs import ID_MAX, VERSION_MAX, YEAR_MAX, YEAR_MIN


class PartnerSerializer(serializers.ModelSerializer):
    kind_label = ChoiceLabelField("kind")
    email = NullableEmailField(
        read_only=True, help_text=gettext_lazy("Adresse e-mail ; null si elle n'est pas connue.")
    )
    website = NullableURLField(read_only=True, help_text=gettext_lazy("Site internet ; null s'il n'est pas connu."))

    class Meta:
        model = Partner
        fields = ["id", "name", "kind", "kind_label", "contact_name", "email", "phone", "website"]
        read_only_fields = fields


class ActionPartnerSerializer(serializers.ModelSerializer):
    partner_name = serializers.CharField(source="partner.name", read_only=True)
    role_label = ChoiceLabelField("role")

    class Meta:
        model = ActionPartner
        fields = ["partner", "partner_name", "role", "role_label", "amount"]
        read_only_fields = fields


class ActionSerializer(serializers.ModelSerializer):
    pacte = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    axe_number = serializers.IntegerField(source="axe.number", read_only=True)
    objectif_code = serializers.CharField(source="objectif.code", read_only=True, allow_null=True, default=None)
    status_label = ChoiceLabelField("status")
    priority_label = ChoiceLabelField("priority")
    referents = PersonSerializer(many=True, read_only=True)
    partners = ActionPartnerSerializer(source="partner_roles", many=True, read_only=True)
    is_late = serializers.BooleanField(
        read_only=True,
        help_text=gettext_lazy("Date de fin passée, ni réalisée ni abandonnée (voir /aide/chiffres/)."),
    )
    version = serializers.IntegerField(
        read_only=True, help_text=gettext_lazy("À renvoyer avec toute modification (ou dans l'en-tête If-Match).")
    )

    class Meta:
        model = Action
        fields = [
            "id",
            "pacte",
            "axe",
            "axe_number",
            "objectif",
            "objectif_code",
            "number",
            "title",
            "description",
            "target_public",
            "start_date",
            "end_date",
            "priority",
            "priority_label",
            "status",
            "status_label",
            "progress",
            "is_late",
            "referents",
            "partners",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


def _form_value(value):
    """A Python value as a bound form expects it (what a browser would have sent)."""
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def _form_errors(form, renames=None):
    """Form errors as DRF errors: {field: [messages]}, form-wide errors under `non_field_errors`."""
    renames = renames or {}
    errors = {}
    for name, messages in form.errors.items():
        key = "non_field_errors" if name == "__all__" else renames.get(name, name)
        errors.setdefault(key, []).extend(str(message) for message in messages)
    return errors


class StrictSerializer(serializers.Serializer):
    """Refuses fields it does not know, instead of ignoring them: a client sending `number` must not believe
    it changed the number."""

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            unknown = sorted(set(data.keys()) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: [_("Ce champ n'existe pas ou ne peut pas être modifié.")] for name in unknown}
                )
        return super().to_internal_value(data)


def _resolve_version(serializer, attrs):
    """The version the client read: the body's `version`, or the `If-Match` header (one of them is required)."""
    version = attrs.pop("version", None)
    if_match = serializer.context.get("if_match")
    if version is None:
        version = if_match
    if version is None:
        raise serializers.ValidationError(
            {"version": [_("La version lue est obligatoire (champ « version » ou en-tête If-Match).")]}
        )
    return version


class ActionUpdateSerializer(StrictSerializer):
    """PATCH of an action: the fields of the page's form, and the version the client read."""

    version = serializers.IntegerField(
        min_value=0,
        max_value=VERSION_MAX,
        required=False,
        help_text=gettext_lazy("Version lue de l'action ; obligatoire, sauf avec l'en-tête If-Match."),
    )
    title = serializers.CharField(required=False, max_length=300)
    objectif = serializers.IntegerField(required=False, allow_null=True, min_value=1)
    description = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    target_public = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    start_date = serializers.DateField(required=False, allow_null=True)
    end_date = serializers.DateField(required=False, allow_null=True)
    priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    status = serializers.ChoiceField(choices=ActionStatus.choices, required=False)
    progress = serializers.IntegerField(required=False, min_value=0, max_value=100)

    def validate(self, attrs):
        version = _resolve_version(self, attrs)
        action = Action.objects.get(pk=self.instance.pk)
        data = {name: _form_value(getattr(action, name)) for name in ActionForm._meta.fields if name != "objectif"}
        data["objectif"] = action.objectif_id or ""
        data.update({name: _form_value(value) for name, value in attrs.items()})
        data["version"] = version
        form = ActionForm(data, instance=action)
        if not form.is_valid():
            raise serializers.ValidationError(_form_errors(form))
        return {
            "version": form.cleaned_data["version"],
            "data": {name: form.cleaned_data[name] for name in ActionForm._meta.fields},
        }


class IndicatorValueSerializer(serializers.ModelSerializer):
    gap = serializers.DecimalField(max_digits=15, decimal_places=2, read_only=True, allow_null=True)
    on_target = serializers.BooleanField(read_only=True, allow_null=True)

    class Meta:
        model = IndicatorValue
        fields = ["year", "target", "value", "gap", "on_target"]
        read_only_fields = fields


class IndicatorSerializer(serializers.ModelSerializer):
    pacte = serializers.SlugRelatedField(source="action.pacte", slug_field="slug", read_only=True)
    action_number = serializers.CharField(source="action.number", read_only=True)
    values = IndicatorValueSerializer(many=True, read_only=True)

    class Meta:
        model = Indicator
        fields = [
            "id",
            "pacte",
            "action",
            "action_number",
            "label",
            "unit",
            "baseline",
            "higher_is_better",
            "position",
            "values",
        ]
        read_only_fields = fields


class ReportIndicatorValueSerializer(serializers.Serializer):
    indicator = serializers.IntegerField(min_value=1)
    value = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True, min_value=0)
    unavailable_reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=1000,
        help_text=gettext_lazy("À la place de la valeur : pourquoi elle n'est pas disponible cette année."),
    )

    def validate(self, attrs):
        # A PATCH is partial and DRF passes that on to these rows, which still need their indicator and value.
        missing = [name for name in ("indicator", "value") if name not in attrs]
        if missing:
            raise serializers.ValidationError({name: [_("Ce champ est obligatoire.")] for name in missing})
        return attrs


class ReportSerializer(serializers.ModelSerializer):
    pacte = serializers.SlugRelatedField(source="action.pacte", slug_field="slug", read_only=True)
    action_number = serializers.CharField(source="action.number", read_only=True)
    state_label = ChoiceLabelField("state")
    status_label = ChoiceLabelField("status")
    weather_label = ChoiceLabelField("weather")
    author = PersonSerializer(read_only=True, allow_null=True)
    indicator_values = serializers.SerializerMethodField(
        help_text=gettext_lazy("Valeurs des indicateurs de l'action pour l'année du compte rendu.")
    )
    documents = serializers.SerializerMethodField()

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "pacte",
            "action",
            "action_number",
            "year",
            "state",
            "state_label",
            "status",
            "status_label",
            "progress",
            "weather",
            "weather_label",
            "advances",
            "difficulties",
            "next_steps",
            "adjustments",
            "means",
            "author",
            "indicator_values",
            "documents",
            "version",
            "created_at",
            "updated_at",
            "submitted_at",
        ]
        read_only_fields = fields

    def get_indicator_values(self, report) -> list[dict]:
        # Reads the prefetched indicators and values: no query per report.
        rows = []
        for indicator in report.action.indicators.all():
            current = next((iv for iv in indicator.values.all() if iv.year == report.year), None)
            rows.append(
                {
                    "indicator": indicator.pk,
                    "label": indicator.label,
                    "target": None if current is None or current.target is None else str(current.target),
                    "value": None if current is None or current.value is None else str(current.value),
                    "unavailable_reason": current.unavailable_reason if current else "",
                }
            )
        return rows

    def get_documents(self, report) -> list[dict]:
        from django.urls import reverse

        return [
            {"id": document.pk, "title": document.title, "url": reverse("actions:document", args=[document.pk])}
            for document in report.documents.all()
        ]


REPORT_FIELDS = ReportForm._meta.fields


class ReportWriteSerializer(StrictSerializer):
    """POST (a new report for an action and a year) or PATCH of a yearly report.

    `submit: true` transmits the report (as the page's "Transmettre" button); otherwise it is saved as it is
    (a draft stays a draft). Validated by the page's form; written by `actions.services.save_report`."""

    action = serializers.IntegerField(min_value=1, required=False, help_text=gettext_lazy("À la création."))
    year = serializers.IntegerField(
        required=False, min_value=2000, max_value=2100, help_text=gettext_lazy("À la création.")
    )
    version = serializers.IntegerField(
        min_value=0,
        max_value=VERSION_MAX,
        required=False,
        help_text=gettext_lazy("Version lue du compte rendu (0 ou absent à la création) ; ou l'en-tête If-Match."),
    )
    status = serializers.ChoiceField(choices=ActionStatus.choices, required=False)
    progress = serializers.IntegerField(required=False, min_value=0, max_value=100)
    weather = serializers.ChoiceField(choices=Weather.choices, required=False)
    advances = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    difficulties = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    next_steps = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    adjustments = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    means = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    indicator_values = ReportIndicatorValueSerializer(many=True, required=False)
    submit = serializers.BooleanField(required=False, default=False)

    def validate(self, attrs):
        """Needs `action` and `year` in the context (checked by the view before the access rule)."""
        action = self.context["action"]
        year = self.context["year"]
        report = self.instance
        attrs.pop("action", None)
        attrs.pop("year", None)
        if report is None:
            version = attrs.pop("version", None)
            version = self.context.get("if_match") if version is None else version
            version = 0 if version is None else version
        else:
            version = _resolve_version(self, attrs)
        indicators = list(Indicator.objects.filter(action=action).prefetch_related("values"))
        current_values = {iv.indicator_id: iv for ind in indicators for iv in ind.values.all() if iv.year == year}
        given = {}
        for row in attrs.pop("indicator_values", []):
            if row["indicator"] not in {indicator.pk for indicator in indicators}:
                raise serializers.ValidationError(
                    {
                        "indicator_values": [
                            _("L'indicateur %(id)s n'appartient pas à cette action.") % {"id": row["indicator"]}
                        ]
                    }
                )
            given[row["indicator"]] = row
        submit = attrs.pop("submit", False)

        if report is not None:
            data = {name: _form_value(getattr(report, name)) for name in REPORT_FIELDS}
        else:
            data = {"status": action.status, "progress": action.progress, "weather": Weather.ON_TRACK}
        data.update({name: _form_value(value) for name, value in attrs.items()})
        data["version"] = version
        for indicator in indicators:
            current = current_values.get(indicator.pk)
            row = given.get(indicator.pk)
            value = row["value"] if row else (current.value if current else None)
            reason = row.get("unavailable_reason", "") if row else (current.unavailable_reason if current else "")
            data[ReportForm.indicator_field(indicator)] = _form_value(value)
            data[ReportForm.reason_field(indicator)] = reason
        form = ReportForm(
            data,
            instance=report,
            action=action,
            year=year,
            indicators=indicators,
            indicator_values=current_values,
            submit=submit,
        )
        if not form.is_valid():
            renames = {ReportForm.indicator_field(indicator): "indicator_values" for indicator in indicators}
            renames |= {ReportForm.reason_field(indicator): "indicator_values" for indicator in indicators}
            raise serializers.ValidationError(_form_errors(form, renames))
        return {
            "version": form.cleaned_data["version"],
            "data": form.report_data(),
            "indicator_values": form.indicator_data(),
            "unavailable_reasons": form.indicator_reasons(),
            "submit": submit,
        }


class ReportCreateSerializer(ReportWriteSerializer):
    """POST of a new report: as ReportWriteSerializer, with the action and the year it is for required."""

    action = serializers.IntegerField(min_value=1, max_value=ID_MAX, help_text=gettext_lazy("L'action."))
    year = serializers.IntegerField(
        min_value=YEAR_MIN, max_value=YEAR_MAX, help_text=gettext_lazy("L'année, une des années du pacte.")
    )
