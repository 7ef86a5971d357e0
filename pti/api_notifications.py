"""API of the signed-in user's notifications (read his own, mark them read) and of his e-mail preferences (read
and write his own, with the version read: a stale write is a 409, 412 with If-Match). Wired by pti.api."""

import django_filters
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from pti import access, notifications
from pti.api import (
    AccessPermission,
    ChoiceLabelField,
    ReadOnlyViewSet,
    conflict_response,
    conflict_schema,
    etag,
    if_match_version,
)
from pti.concurrency import ConflictError
from pti.inputs import VERSION_MAX
from pti.models import Notification, NotificationPreferences

PREFERENCE_FIELDS = list(NotificationPreferences.FIELDS.values())


class NotificationSerializer(serializers.ModelSerializer):
    kind_label = ChoiceLabelField("kind", help_text=gettext_lazy("Type."))
    read = serializers.BooleanField(source="is_read", read_only=True, help_text=gettext_lazy("Lue ?"))

    class Meta:
        model = Notification
        fields = ["id", "kind", "kind_label", "title", "body", "url", "created_at", "read", "read_at"]
        read_only_fields = fields


class NotificationFilter(django_filters.FilterSet):
    lue = django_filters.BooleanFilter(
        field_name="read_at", lookup_expr="isnull", exclude=True, label=gettext_lazy("Lues (true) ou non lues (false)")
    )

    class Meta:
        model = Notification
        fields: list = []


COUNT_RESPONSE = inline_serializer("MarkedRead", {"marked_read": serializers.IntegerField()})


@extend_schema_view(
    list=extend_schema(summary="Mes notifications", description="Les notifications de l'utilisateur connecté."),
    retrieve=extend_schema(summary="Une de mes notifications"),
)
class NotificationViewSet(ReadOnlyViewSet):
    serializer_class = NotificationSerializer
    filterset_class = NotificationFilter
    write_permission = access.OWN_NOTIFICATIONS
    ordering_fields = ["created_at"]
    ordering = ["-created_at"]

    def get_queryset(self):
        return notifications.notifications_of(self.request.user).recent_first()

    @extend_schema(summary="Marquer une notification comme lue", request=None, responses={200: NotificationSerializer})
    @action(detail=True, methods=["post"], url_path="lue")
    def read(self, request, pk=None, **kwargs):
        notification = self.get_object()
        notification = notifications.mark_read(request.user, notification.pk)
        return Response(self.get_serializer(notification).data)

    @extend_schema(summary="Marquer toutes mes notifications comme lues", request=None, responses={200: COUNT_RESPONSE})
    @action(detail=False, methods=["post"], url_path="tout-lu", filter_backends=[], pagination_class=None)
    def read_all(self, request, **kwargs):
        return Response({"marked_read": notifications.mark_all_read(request.user)})


class PreferencesSerializer(serializers.ModelSerializer):
    class Meta:
        model = NotificationPreferences
        fields = [*PREFERENCE_FIELDS, "version"]
        read_only_fields = fields


class PreferencesWriteSerializer(serializers.Serializer):
    version = serializers.IntegerField(
        required=False,
        min_value=0,
        max_value=VERSION_MAX,
        help_text=gettext_lazy("Version lue (0 : jamais enregistrées) ; obligatoire, sauf avec l'en-tête If-Match."),
    )
    email_report_returned = serializers.BooleanField(required=False)
    email_decision_assigned = serializers.BooleanField(required=False)
    email_milestone_due = serializers.BooleanField(required=False)
    email_campaign_opened = serializers.BooleanField(required=False)
    email_reminder = serializers.BooleanField(required=False)

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            unknown = sorted(set(data.keys()) - set(self.fields))
            if unknown:
                raise serializers.ValidationError(
                    {name: [_("Ce champ n'existe pas ou ne peut pas être modifié.")] for name in unknown}
                )
        return super().to_internal_value(data)


class PreferencesView(APIView):
    """The signed-in user's e-mail preferences (the defaults, version 0, until he saves them)."""

    permission_classes = [AccessPermission]
    write_permission = access.OWN_NOTIFICATIONS

    @extend_schema(summary="Mes préférences de notification par courriel", responses={200: PreferencesSerializer})
    def get(self, request, **kwargs):
        current = notifications.preferences(request.user)
        return Response(PreferencesSerializer(current).data, headers={"ETag": etag(current.version)})

    @conflict_schema(
        summary="Modifier mes préférences de notification par courriel",
        subject="vos préférences",
        request=PreferencesWriteSerializer,
        responses={200: PreferencesSerializer},
    )
    def patch(self, request, **kwargs):
        if_match = if_match_version(request)
        serializer = PreferencesWriteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        attrs = dict(serializer.validated_data)
        version = attrs.pop("version", None)
        if version is None:
            version = if_match
        if version is None:
            raise serializers.ValidationError(
                {"version": [_("La version lue est obligatoire (champ « version » ou en-tête If-Match).")]}
            )
        try:
            saved = notifications.update_preferences(request.user, attrs, version)
        except ConflictError as error:
            current = PreferencesSerializer(notifications.preferences(request.user)).data
            return conflict_response(error, 412 if if_match is not None else 409, current)
        return Response(PreferencesSerializer(saved).data, headers={"ETag": etag(saved.version)})


ROUTES = [("notifications", NotificationViewSet, "notification")]
