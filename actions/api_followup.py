"""API of the action's follow-up: its milestones and its follow-up notes.

Read by every signed-in user. Written by those `pti.access.can_edit_action` lets edit the action (its referents,
the thematic referents of its axe, staff): milestones are added, changed (PATCH, with the `version` read or the
If-Match header; a stale one is a 409/412 with the other person's changes) and deleted (with the version read, in
the body or If-Match); notes are added. The checks are the pages' forms' (actions/forms_followup.py) and the writes
the pages' services (actions/followup.py).
"""

import django_filters
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.response import Response

from actions import followup
from actions.forms_followup import MilestoneForm, NoteForm
from actions.models import Action, FollowUpNote, Milestone
from actions.serializers import StrictSerializer, _form_errors, _form_value, _resolve_version
from pti import access
from pti.api import (
    ReadOnlyViewSet,
    conflict_response,
    conflict_schema,
    etag,
    id_filter,
    if_match_version,
    year_filter,
)
from pti.concurrency import ConflictError
from pti.inputs import ID_MAX, VERSION_MAX

# --- serializers ------------------------------------------------------------------------------------------------


class MilestoneSerializer(serializers.ModelSerializer):
    action_number = serializers.CharField(source="action.number", read_only=True)
    late = serializers.SerializerMethodField(help_text=gettext_lazy("Date prévue passée et étape non franchie."))

    class Meta:
        model = Milestone
        fields = ["id", "action", "action_number", "title", "planned_date", "done_date", "note", "late", "version"]
        read_only_fields = fields

    def get_late(self, milestone) -> bool:
        return milestone.is_late(timezone.localdate())


class MilestoneWriteSerializer(StrictSerializer):
    """POST (with `action`) or PATCH (with `version`) of a milestone; checked by the page's form."""

    action = serializers.IntegerField(required=False, min_value=1, help_text=gettext_lazy("Action (à la création)."))
    version = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=VERSION_MAX,
        help_text=gettext_lazy("Version lue de l'étape ; obligatoire pour modifier, sauf avec l'en-tête If-Match."),
    )
    title = serializers.CharField(required=False, allow_blank=True, max_length=200)
    planned_date = serializers.DateField(required=False)
    done_date = serializers.DateField(required=False, allow_null=True)
    note = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)


class NoteSerializer(serializers.ModelSerializer):
    author = serializers.StringRelatedField()
    document = serializers.SerializerMethodField(help_text=gettext_lazy("Adresse du document joint, s'il y en a un."))

    class Meta:
        model = FollowUpNote
        fields = ["id", "action", "date", "text", "author", "document", "created_at"]
        read_only_fields = fields

    def get_document(self, note) -> str | None:
        return reverse("actions:note_document", args=[note.pk]) if note.document else None


class NoteWriteSerializer(StrictSerializer):
    action = serializers.IntegerField(min_value=1)
    date = serializers.DateField(required=False)
    text = serializers.CharField(allow_blank=True, trim_whitespace=False)


def _writable_action(request, pk):
    action = get_object_or_404(Action.objects.select_related("pacte").prefetch_related("pacte__closed_years"), pk=pk)
    if not access.can_edit_action(request.user, action):
        raise PermissionDenied(_("Vous n'êtes pas référent de cette action."))
    return action


def _action_of_request(request):
    """The action a creation names, checked for the user before its input (permission first), or None."""
    raw = request.data.get("action") if hasattr(request.data, "get") else None
    try:
        pk = int(raw)
    except (TypeError, ValueError):
        return None
    return _writable_action(request, pk) if 1 <= pk <= ID_MAX else None


def _refusal(error):
    raise ValidationError({error.field or "non_field_errors": [error.message]})


# --- milestones -------------------------------------------------------------------------------------------------


class MilestoneFilter(django_filters.FilterSet):
    action = id_filter("action_id", gettext_lazy("Action (identifiant)"))
    pacte = django_filters.CharFilter(field_name="action__pacte__slug", label=gettext_lazy("Pacte (identifiant)"))

    class Meta:
        model = Milestone
        fields: list = []


class FollowUpObjectMixin:
    """Writes are checked on the milestone's (or note's) action: `access.can(user, EDIT_ACTION, action)`."""

    write_permission = access.EDIT_ACTION

    def check_object_permissions(self, request, obj):
        super().check_object_permissions(request, obj.action)


@extend_schema_view(
    list=extend_schema(summary="Étapes des actions"),
    retrieve=extend_schema(summary="Une étape", description="L'en-tête ETag porte la version de l'étape."),
    create=extend_schema(
        summary="Ajouter une étape",
        description="Réservé aux référents de l'action et aux agents du Département.",
        request=MilestoneWriteSerializer,
        responses={201: MilestoneSerializer},
    ),
    partial_update=conflict_schema(
        summary="Modifier une étape",
        subject="l'étape",
        request=MilestoneWriteSerializer,
        responses={200: MilestoneSerializer},
    ),
    destroy=conflict_schema(
        summary="Supprimer une étape",
        subject="l'étape",
        deletes=True,
        request=MilestoneWriteSerializer,
        responses={204: None},
    ),
)
class MilestoneViewSet(
    FollowUpObjectMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, mixins.DestroyModelMixin, ReadOnlyViewSet
):
    serializer_class = MilestoneSerializer
    filterset_class = MilestoneFilter
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]
    ordering_fields = ["planned_date", "done_date"]
    ordering = ["planned_date"]

    def get_queryset(self):
        return Milestone.objects.select_related("action")

    def retrieve(self, request, *args, **kwargs):
        milestone = self.get_object()
        return Response(self.get_serializer(milestone).data, headers={"ETag": etag(milestone.version)})

    def _form(self, action, data, instance=None):
        form = MilestoneForm(
            {name: _form_value(value) for name, value in data.items()}, instance=instance, action=action
        )
        if not form.is_valid():
            raise ValidationError(_form_errors(form))
        return form.milestone_data()

    def create(self, request, *args, **kwargs):
        _action_of_request(request)
        serializer = MilestoneWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attrs = dict(serializer.validated_data)
        attrs.pop("version", None)
        if "action" not in attrs:
            raise ValidationError({"action": [_("Dites à quelle action ajouter l'étape.")]})
        action = _writable_action(request, attrs.pop("action"))
        data = {"title": "", "planned_date": None, "done_date": None, "note": "", **attrs}
        try:
            saved = followup.create_milestone(action, self._form(action, data), request.user)
        except followup.FollowUpError as error:
            _refusal(error)
        location = reverse(f"{request.version}:milestone-detail", args=[saved.pk])
        return Response(
            self.get_serializer(saved).data,
            status=status.HTTP_201_CREATED,
            headers={"ETag": etag(saved.version), "Location": location},
        )

    def _version(self, request, attrs):
        serializer = MilestoneWriteSerializer(context={"if_match": if_match_version(request)})
        return _resolve_version(serializer, attrs)

    def partial_update(self, request, *args, **kwargs):
        milestone = self.get_object()
        if_match = if_match_version(request)
        serializer = MilestoneWriteSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        attrs = dict(serializer.validated_data)
        if "action" in attrs:
            raise ValidationError({"action": [_("Une étape ne change pas d'action.")]})
        version = self._version(request, attrs)
        action = _writable_action(request, milestone.action_id)
        data = {name: getattr(milestone, name) for name in followup.MILESTONE_FIELDS}
        data.update(attrs)
        try:
            saved = followup.update_milestone(
                action, milestone, self._form(action, data, milestone), request.user, version
            )
        except ConflictError as error:
            current = self.get_serializer(Milestone.objects.select_related("action").get(pk=milestone.pk)).data
            return conflict_response(error, 412 if if_match is not None else 409, current)
        except followup.FollowUpError as error:
            _refusal(error)
        return Response(self.get_serializer(saved).data, headers={"ETag": etag(saved.version)})

    def destroy(self, request, *args, **kwargs):
        milestone = self.get_object()
        if_match = if_match_version(request)
        serializer = MilestoneWriteSerializer(data=request.data or {}, partial=True)
        serializer.is_valid(raise_exception=True)
        version = self._version(request, dict(serializer.validated_data))
        action = _writable_action(request, milestone.action_id)
        try:
            followup.delete_milestone(action, milestone, request.user, version)
        except ConflictError as error:
            return conflict_response(error, 412 if if_match is not None else 409)
        except followup.FollowUpError as error:
            _refusal(error)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- notes ------------------------------------------------------------------------------------------------------


class NoteFilter(django_filters.FilterSet):
    action = id_filter("action_id", gettext_lazy("Action (identifiant)"))
    annee = year_filter("date__year", gettext_lazy("Année de la note"))

    class Meta:
        model = FollowUpNote
        fields: list = []


@extend_schema_view(
    list=extend_schema(summary="Notes de suivi des actions"),
    retrieve=extend_schema(summary="Une note de suivi"),
    create=extend_schema(
        summary="Ajouter une note de suivi",
        description="Réservé aux référents de l'action et aux agents du Département. Sans date, la note est du jour.",
        request=NoteWriteSerializer,
        responses={201: NoteSerializer},
    ),
)
class NoteViewSet(FollowUpObjectMixin, mixins.CreateModelMixin, ReadOnlyViewSet):
    serializer_class = NoteSerializer
    filterset_class = NoteFilter
    http_method_names = ["get", "post", "head", "options"]
    ordering_fields = ["date"]
    ordering = ["-date"]

    def get_queryset(self):
        return FollowUpNote.objects.select_related("action", "author")

    def create(self, request, *args, **kwargs):
        _action_of_request(request)
        serializer = NoteWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attrs = serializer.validated_data
        action = _writable_action(request, attrs["action"])
        form = NoteForm({"date": _form_value(attrs.get("date") or timezone.localdate()), "text": attrs["text"]})
        if not form.is_valid():
            raise ValidationError(_form_errors(form))
        try:
            note = followup.add_note(action, form.cleaned_data["date"], form.cleaned_data["text"], request.user)
        except followup.FollowUpError as error:
            _refusal(error)
        location = reverse(f"{request.version}:note-detail", args=[note.pk])
        return Response(self.get_serializer(note).data, status=status.HTTP_201_CREATED, headers={"Location": location})


ROUTES = [
    ("etapes", MilestoneViewSet, "milestone"),
    ("notes-de-suivi", NoteViewSet, "note"),
]
