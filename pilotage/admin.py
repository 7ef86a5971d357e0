from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from pilotage.models import Copil, CopilAttendee, Decision, DossierJob, HighlightedAction
from pti.admin import VersionedAdminMixin


class HighlightedActionInline(admin.TabularInline):
    model = HighlightedAction
    fields = ("action", "comment")
    autocomplete_fields = ("action",)
    extra = 0


class CopilAttendeeInline(admin.TabularInline):
    model = CopilAttendee
    fields = ("name", "partner", "organisation", "function", "presence")
    autocomplete_fields = ("partner",)
    extra = 0


class DecisionInline(admin.TabularInline):
    model = Decision
    fields = ("text", "action", "owner", "due_date", "status")
    autocomplete_fields = ("action", "owner")
    extra = 0
    show_change_link = True


@admin.register(Copil)
class CopilAdmin(VersionedAdminMixin, SimpleHistoryAdmin):
    list_display = ("__str__", "pacte", "date", "place")
    list_filter = ("pacte",)
    list_select_related = ("pacte",)
    search_fields = ("place", "agenda", "minutes")
    date_hierarchy = "date"
    ordering = ("-date",)
    autocomplete_fields = ("pacte", "attendees", "partners")
    readonly_fields = ("version",)
    inlines = [CopilAttendeeInline, HighlightedActionInline, DecisionInline]


@admin.register(HighlightedAction)
class HighlightedActionAdmin(SimpleHistoryAdmin):
    list_display = ("action", "copil", "comment")
    list_filter = ("copil__pacte",)
    list_select_related = ("action", "copil")
    search_fields = ("action__number", "action__title", "comment")
    ordering = ("-copil__date", "action__sort_key")
    autocomplete_fields = ("copil", "action")


@admin.register(Decision)
class DecisionAdmin(VersionedAdminMixin, SimpleHistoryAdmin):
    list_display = ("__str__", "copil", "action", "owner", "due_date", "status", "late")
    list_filter = ("status", "copil__pacte", "due_date")
    list_select_related = ("copil", "action", "owner")
    search_fields = ("text", "follow_up", "action__number", "action__title")
    ordering = ("due_date", "pk")
    autocomplete_fields = ("copil", "action", "owner")
    readonly_fields = ("version", "created_at", "updated_at")

    @admin.display(description=_("en retard"), boolean=True)
    def late(self, obj):
        return obj.is_late


@admin.register(DossierJob)
class DossierJobAdmin(admin.ModelAdmin):
    """The dossiers COPIL being rendered or cached: read only, the pages drive them."""

    list_display = ("copil", "status", "step", "progress", "attempts", "finished_at")
    list_filter = ("status",)
    readonly_fields = [field.name for field in DossierJob._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
