from django.contrib import admin
from django.db.models import Count
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from axes.models import Axe, ClosedYear, Objectif, Pacte


class AxeInline(admin.TabularInline):
    model = Axe
    fields = ("number", "title")
    extra = 0
    show_change_link = True


class ObjectifInline(admin.TabularInline):
    model = Objectif
    fields = ("number", "text")
    extra = 0


@admin.register(Pacte)
class PacteAdmin(SimpleHistoryAdmin):
    list_display = ("title", "territory", "first_year", "last_year", "status", "signature_date")
    list_filter = ("status", "territory")
    search_fields = ("title", "slug", "territory")
    ordering = ("-first_year", "title")
    prepopulated_fields = {"slug": ("title",)}
    inlines = [AxeInline]


@admin.register(ClosedYear)
class ClosedYearAdmin(admin.ModelAdmin):
    """Years are closed by the approval of their bilan. An administrator may add one by hand (a year approved
    before PTI existed) but not reopen one: deleting it would make an approved bilan's reports editable again."""

    list_display = ("pacte", "year", "closed_at")
    list_filter = ("pacte", "year")
    list_select_related = ("pacte",)
    search_fields = ("pacte__title",)
    ordering = ("pacte", "-year")
    autocomplete_fields = ("pacte",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Axe)
class AxeAdmin(SimpleHistoryAdmin):
    list_display = ("number", "title", "pacte", "action_count")
    list_display_links = ("number", "title")
    list_filter = ("pacte",)
    list_select_related = ("pacte",)
    search_fields = ("title", "description")
    ordering = ("pacte", "number")
    autocomplete_fields = ("pacte", "thematic_referents")
    inlines = [ObjectifInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(action_count=Count("actions"))

    @admin.display(description=_("actions"), ordering="action_count")
    def action_count(self, obj):
        return getattr(obj, "action_count", None)


@admin.register(Objectif)
class ObjectifAdmin(SimpleHistoryAdmin):
    list_display = ("code", "text", "axe")
    list_filter = ("axe__pacte",)
    list_select_related = ("axe",)
    search_fields = ("text", "axe__title")
    ordering = ("axe__pacte", "axe__number", "number")
    autocomplete_fields = ("axe",)

    def get_queryset(self, request):
        # str() shows the code "2.3", read from the axe: the autocomplete lists it too.
        return super().get_queryset(request).select_related("axe")

    @admin.display(description=_("code"), ordering="number")
    def code(self, obj):
        return obj.code
