"""What every part of the REST API shares: the door to the access rule, pagination, ordering, conflict
responses, and the root URLs of `/api/v1/`.

Permission classes ask `pti.access` and nothing else: a viewset names the access permission its writes need
(`write_permission = access.EDIT_ACTION`), reads need `access.VIEW`. Anonymous requests get 401 (token
authentication comes first, so the answer carries `WWW-Authenticate: Token`).

This module imports no domain app at module level; `urlpatterns()` is wiring, like `pti/urls.py`: it imports
each app's `api` module when the root URLconf asks for the routes.
"""

import functools

from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import filters, mixins, pagination, permissions, serializers, status, viewsets
from rest_framework.exceptions import NotAuthenticated, PermissionDenied
from rest_framework.response import Response

from pti import access, prefetch
from pti.concurrency import ConflictError
from pti.inputs import InvalidInput, bounded_int, version_number
from pti.inputs import choice_filter as choice_filter  # the apps' API modules import the bounded filters from here
from pti.inputs import id_filter as id_filter
from pti.inputs import year_filter as year_filter
from pti.paging import FromTheEndPaginator
from pti.pending import pending_message


class AccessPermission(permissions.BasePermission):
    """Partner accounts: only the endpoints `access.partner_may_request` opens to them (their querysets scoped by
    `access.visible_actions` / `visible_contributions`). Reads: `access.can_view`. Writes: the viewset's `write_permission`, checked on the object by
    `access.can` (creations check it in the view, once the object they would create is known)."""

    message = gettext_lazy("Vous n'avez pas le droit de faire cette modification.")

    def has_permission(self, request, view):
        if access.is_pending(request.user):
            raise PermissionDenied(pending_message())
        if not access.is_active(request.user):
            raise NotAuthenticated(_("Authentification requise : connectez-vous ou envoyez votre jeton."))
        match = request.resolver_match
        if not access.partner_may_request(request.user, match.view_name if match else None):
            self.message = _("Cette partie de l'API n'est pas ouverte aux comptes des partenaires.")
            return False
        if request.method in permissions.SAFE_METHODS:
            return True
        return getattr(view, "write_permission", None) is not None

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return access.can(request.user, access.VIEW, obj)
        allowed = access.can(request.user, view.write_permission, obj)
        if not allowed:
            # The true reason when the rule has one (a closed year, say), rather than a generic refusal.
            self.message = access.refusal(request.user, view.write_permission, obj) or self.message
        return allowed


class Pagination(pagination.PageNumberPagination):
    # The last pages are read from the end of the list (pti.paging): they cost what the first costs.
    django_paginator_class = FromTheEndPaginator
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    page_query_description = gettext_lazy("Numéro de la page (à partir de 1).")
    page_size_query_description = gettext_lazy("Nombre de résultats par page (200 au plus, 50 par défaut).")

    def get_page_size(self, request):
        """`page_size` if asked for, refused (400) rather than ignored when it is no number within the bounds."""
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        try:
            return bounded_int(value, 1, self.max_page_size, label=_("Nombre de résultats par page"))
        except InvalidInput as error:
            raise serializers.ValidationError({self.page_size_query_param: [error.message]}) from None


class OrderingFilter(filters.OrderingFilter):
    """DRF's ordering, with public names mapped to columns (`number` sorts by the action's sort key, so that
    2.10 comes after 2.9) and the primary key as the last key, so that pages never overlap."""

    ordering_description = gettext_lazy("Tri : un champ, ou plusieurs séparés par des virgules ; « - » pour décroître.")

    def filter_queryset(self, request, queryset, view):
        ordering = self.get_ordering(request, queryset, view)
        if not ordering:
            return queryset
        aliases = getattr(view, "ordering_aliases", {})
        columns = []
        for term in ordering:
            sign, name = ("-", term[1:]) if term.startswith("-") else ("", term)
            target = aliases.get(name, name)
            columns.extend(sign + column for column in (target if isinstance(target, tuple) else (target,)))
        return queryset.order_by(*columns, "pk")


class BaseViewSet(viewsets.GenericViewSet):
    """Access through `pti.access`, pagination, django-filter filters and ordering. A viewset that writes names
    the access permission its writes need in `write_permission`."""

    permission_classes = [AccessPermission]
    pagination_class = Pagination
    filter_backends = [DjangoFilterBackend, OrderingFilter]
    write_permission = None
    # [(path, queryset)]: the related rows a list's page reads, one query each through `pti.prefetch.fill`
    # instead of the queryset's prefetch_related (which costs per row); a single object keeps the queryset's.
    page_prefetch = ()

    def paginate_queryset(self, queryset):
        if not self.page_prefetch or self.paginator is None:
            return super().paginate_queryset(queryset)
        page = super().paginate_queryset(queryset.prefetch_related(None))
        prefetch.fill(page, self.page_prefetch)
        return page


class ReadOnlyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, BaseViewSet):
    pass


class ChangeSerializer(serializers.Serializer):
    field = serializers.CharField(help_text=gettext_lazy("Champ modifié."))
    before = serializers.CharField(help_text=gettext_lazy("Valeur avant."))
    after = serializers.CharField(help_text=gettext_lazy("Valeur après."))


class ConflictSerializer(serializers.Serializer):
    """The body of a 409/412: the write was refused, here is what the other person changed."""

    detail = serializers.CharField()
    current_version = serializers.IntegerField(allow_null=True)
    changed_by = serializers.CharField(allow_null=True)
    changed_at = serializers.DateTimeField(allow_null=True)
    changes = ChangeSerializer(many=True)
    current = serializers.DictField(required=False, help_text=gettext_lazy("La fiche telle qu'elle est maintenant."))


def conflict_response(error: ConflictError, status_code=status.HTTP_409_CONFLICT, current=None):
    """A refused stale write: nothing was applied; the client reloads `current_version` and retries."""
    body = {
        "detail": error.message,
        "current_version": getattr(error.instance, "version", None),
        "changed_by": str(error.changed_by) if error.changed_by else None,
        "changed_at": error.changed_at,
        "changes": [{key: str(value) for key, value in change.items()} for change in error.changes],
    }
    if current is not None:
        body["current"] = current
    response = Response(body, status=status_code)
    if body["current_version"] is not None:
        response["ETag"] = etag(body["current_version"])
    return response


def etag(version):
    return f'"{version}"'


def if_match_version(request):
    """The version named by an `If-Match: "n"` header, or None. A malformed header is a 400."""
    header = request.headers.get("If-Match")
    if not header:
        return None
    value = header.strip().removeprefix("W/").strip('"')
    try:
        if not value.isdigit():
            raise InvalidInput("")
        return version_number(value)
    except InvalidInput:
        raise serializers.ValidationError(
            {"If-Match": [_('L\'en-tête If-Match doit contenir la version lue, par exemple "3".')]}
        ) from None


IF_MATCH_PARAMETER = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    OpenApiParameter.HEADER,
    required=False,
    description=gettext_lazy(
        "Version lue (valeur de l'en-tête ETag de la lecture), à la place du champ `version` du corps. "
        "Si la fiche a changé depuis, la modification est refusée avec le code 412."
    ),
)
CONFLICT_RESPONSES = {
    409: ConflictSerializer,
    412: ConflictSerializer,
}


# How every versioned write of the API is refused when stale: said once, at the end of each one's description.
VERSION_RULE = (
    "Le champ `version` (ou l'en-tête If-Match) porte la version lue ; il est obligatoire. Si quelqu'un a enregistré "
    "{subject} depuis, rien n'est {done} et la réponse 409 (412 avec If-Match) donne la version actuelle et les "
    "changements de l'autre personne."
)


def conflict_schema(*, subject, description="", deletes=False, responses=None, **kwargs):
    """Document a write that may be refused as stale: the If-Match parameter, the 409 and 412 responses, and the
    rule (VERSION_RULE, about `subject`: "l'action", "le COPIL"…) after `description`."""
    rule = VERSION_RULE.format(subject=subject, done="supprimé" if deletes else "modifié")
    return extend_schema(
        parameters=[IF_MATCH_PARAMETER],
        description=f"{description} {rule}" if description else rule,
        responses={**(responses or {}), **CONFLICT_RESPONSES},
        **kwargs,
    )


def urlpatterns():
    """The routes of /api/v1/ (included by pti/urls.py under the `v1` namespace)."""
    from django.urls import path
    from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView
    from rest_framework.routers import DefaultRouter

    from actions import api as actions_api
    from actions import api_assises as actions_assises_api
    from actions import api_contributions as actions_contributions_api
    from actions import api_followup as actions_followup_api
    from bilans import api as bilans_api
    from pilotage import api as pilotage_api
    from pti import api_notifications

    router = DefaultRouter()
    for module in (
        actions_api,
        actions_followup_api,
        actions_contributions_api,
        actions_assises_api,
        pilotage_api,
        bilans_api,
        api_notifications,
    ):
        for prefix, viewset, basename in module.ROUTES:
            router.register(prefix, viewset, basename=basename)
    return [
        path("schema/", SpectacularAPIView.as_view(), name="schema"),
        # Redoc, from the pinned sidecar, in our template (templates/drf_spectacular/redoc.html): no inline script
        # (CSP), no CDN, and it passes axe-core where Swagger UI nests its controls (RGAA).
        path("docs/", SpectacularRedocView.as_view(url_name="v1:schema"), name="docs"),
        path(
            "preferences-notifications/",
            api_notifications.PreferencesView.as_view(),
            name="notification-preferences",
        ),
        *router.urls,
    ]


class BlankAsNull:
    """A text with a format (e-mail, URL) left blank is answered as null: "" is no e-mail address."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return None if value == "" else super().to_representation(value)


class NullableEmailField(BlankAsNull, serializers.EmailField):
    pass


class NullableURLField(BlankAsNull, serializers.URLField):
    pass


class PersonSerializer(serializers.Serializer):
    """A user as other users see him: an agent's professional name and address, nothing else."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="__str__", read_only=True, help_text=gettext_lazy("Prénom et nom."))
    email = NullableEmailField(read_only=True, help_text=gettext_lazy("Adresse e-mail ; null s'il n'en a pas."))


@functools.cache
def _choice_labels(model, field_name, language):
    """{stored value: label} of a model field's choices in `language`, built once per process."""
    return {value: str(label) for value, label in model._meta.get_field(field_name).flatchoices}


class ChoiceLabelField(serializers.CharField):
    """The label of a choice field's value, as `get_FOO_display` gives it, read from a dict built once per
    language: `get_FOO_display` rebuilds the choices' dict and DRF inspects the method's signature on every
    call, which made most of a list's time."""

    def __init__(self, choice_field, **kwargs):
        self.choice_field = choice_field
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, instance):
        value = getattr(instance, self.choice_field)
        labels = _choice_labels(type(instance)._meta.concrete_model, self.choice_field, get_language())
        return labels.get(value, value)
