from django.contrib import admin
from django.db import models
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from actions.models import (
    Action,
    ActionBudget,
    ActionPartner,
    Contribution,
    FollowUpNote,
    Indicator,
    IndicatorValue,
    Milestone,
    Partner,
    PartnerMember,
    ProgressReport,
    ReportDocument,
)
from axes.admin import ClosedYearAdminMixin, ClosedYearInlineFormSet
from pti.admin import VersionedAdminMixin


class LateFilter(admin.SimpleListFilter):
    title = _("en retard")
    parameter_name = "late"

    def lookups(self, request, model_admin):
        return [("yes", _("oui")), ("no", _("non"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.late()
        if self.value() == "no":
            return queryset.exclude(pk__in=Action.objects.late().values("pk"))
        return queryset


@admin.register(Partner)
class PartnerAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "contact_name", "email", "phone")
    list_filter = ("kind",)
    search_fields = ("name", "contact_name", "email")
    ordering = ("name",)
    # Django 6 default, explicit now (and silences its deprecation warning).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


class ActionPartnerInline(admin.TabularInline):
    model = ActionPartner
    fields = ("partner", "role", "amount")
    autocomplete_fields = ("partner",)
    extra = 0


class IndicatorInline(admin.TabularInline):
    model = Indicator
    fields = ("label", "unit", "baseline", "higher_is_better", "position")
    extra = 0
    show_change_link = True


class ActionBudgetInline(admin.TabularInline):
    formset = ClosedYearInlineFormSet
    model = ActionBudget
    fields = ("year", "planned", "actual")
    extra = 0


class ProgressReportInline(admin.TabularInline):
    formset = ClosedYearInlineFormSet
    model = ProgressReport
    fields = ("year", "state", "status", "progress", "weather", "author")
    autocomplete_fields = ("author",)
    extra = 0
    show_change_link = True


@admin.register(Action)
class ActionAdmin(ClosedYearAdminMixin, VersionedAdminMixin, SimpleHistoryAdmin):
    list_display = ("number", "title", "axe", "status", "priority", "progress", "late")
    list_display_links = ("number", "title")
    list_filter = ("pacte", "axe", "status", "priority", LateFilter)
    list_select_related = ("axe",)
    # One COUNT query fewer per page: the total is only shown when no filter is applied.
    show_full_result_count = False
    search_fields = ("number", "title", "description")
    ordering = ("pacte", "sort_key")
    autocomplete_fields = ("axe", "objectif", "referents")
    # The pacte is copied from the axe on save (Action.save); it cannot be chosen.
    readonly_fields = ("pacte", "version", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("axe", "objectif", "number", "title", "description", "target_public")}),
        (_("Calendrier et suivi"), {"fields": ("start_date", "end_date", "priority", "status", "progress")}),
        (_("Référents"), {"fields": ("referents",)}),
        (_("Informations"), {"fields": ("pacte", "version", "created_at", "updated_at")}),
    )
    inlines = [ActionPartnerInline, IndicatorInline, ActionBudgetInline, ProgressReportInline]

    @admin.display(description=_("en retard"), boolean=True)
    def late(self, obj):
        return obj.is_late


@admin.register(ActionPartner)
class ActionPartnerAdmin(SimpleHistoryAdmin):
    list_display = ("action", "partner", "role", "amount")
    list_filter = ("role", "action__pacte")
    list_select_related = ("action", "partner")
    search_fields = ("partner__name", "action__number", "action__title")
    ordering = ("action__pacte", "action__sort_key", "role")
    autocomplete_fields = ("action", "partner")


@admin.register(ActionBudget)
class ActionBudgetAdmin(ClosedYearAdminMixin, SimpleHistoryAdmin):
    list_display = ("action", "year", "planned", "actual")
    list_filter = ("year", "action__pacte")
    list_select_related = ("action",)
    search_fields = ("action__number", "action__title")
    ordering = ("action__pacte", "action__sort_key", "year")
    autocomplete_fields = ("action",)


class IndicatorValueInline(admin.TabularInline):
    formset = ClosedYearInlineFormSet
    model = IndicatorValue
    fields = ("year", "target", "value")
    extra = 0


@admin.register(Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ("label", "action", "unit", "baseline", "higher_is_better")
    list_filter = ("higher_is_better", "action__pacte")
    list_select_related = ("action",)
    search_fields = ("label", "action__number", "action__title")
    ordering = ("action__pacte", "action__sort_key", "position", "pk")
    autocomplete_fields = ("action",)
    inlines = [IndicatorValueInline]


@admin.register(IndicatorValue)
class IndicatorValueAdmin(ClosedYearAdminMixin, SimpleHistoryAdmin):
    list_display = ("indicator", "action", "year", "target", "value")
    list_filter = ("year", "indicator__action__pacte")
    list_select_related = ("indicator__action",)
    search_fields = ("indicator__label", "indicator__action__number", "indicator__action__title")
    ordering = ("indicator__action__pacte", "indicator__action__sort_key", "indicator", "year")
    autocomplete_fields = ("indicator",)

    @admin.display(description=_("action"), ordering="indicator__action__sort_key")
    def action(self, obj):
        return obj.indicator.action


class ReportDocumentInline(admin.TabularInline):
    formset = ClosedYearInlineFormSet
    """Documents are uploaded from the report page, where their size and content are checked."""

    model = ReportDocument
    fields = ("title", "file", "content_type", "size", "uploaded_by", "uploaded_at")
    readonly_fields = ("file", "content_type", "size", "uploaded_by", "uploaded_at")
    extra = 0

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ProgressReport)
class ProgressReportAdmin(ClosedYearAdminMixin, VersionedAdminMixin, SimpleHistoryAdmin):
    list_display = ("action", "year", "state", "status", "progress", "weather", "author", "submitted_at")
    list_filter = ("state", "year", "weather", "status", "action__pacte")
    list_select_related = ("action", "author")
    search_fields = ("action__number", "action__title", "advances", "difficulties")
    ordering = ("action__pacte", "action__sort_key", "-year")
    autocomplete_fields = ("action", "author")
    readonly_fields = ("version", "created_at", "updated_at")
    inlines = [ReportDocumentInline]


@admin.register(ReportDocument)
class ReportDocumentAdmin(ClosedYearAdminMixin, admin.ModelAdmin):
    """Only the title can be changed here: files are uploaded from the report page, where their size and
    content are checked."""

    list_display = ("title", "report", "content_type", "human_size", "uploaded_by", "uploaded_at")
    list_filter = ("content_type",)
    list_select_related = ("report__action", "uploaded_by")
    search_fields = ("title", "report__action__number", "report__action__title")
    ordering = ("-uploaded_at",)
    fields = ("report", "title", "file", "content_type", "size", "uploaded_by", "uploaded_at")
    readonly_fields = ("report", "file", "content_type", "size", "uploaded_by", "uploaded_at")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("report__action")

    def has_add_permission(self, request):
        return False

    @admin.display(description=_("taille"), ordering="size")
    def human_size(self, obj):
        return filesizeformat(obj.size)


@admin.register(Milestone)
class MilestoneAdmin(VersionedAdminMixin, SimpleHistoryAdmin):
    list_display = ("title", "action", "planned_date", "done_date")
    list_filter = ("action__pacte",)
    search_fields = ("title", "action__number", "action__title")
    autocomplete_fields = ("action",)
    date_hierarchy = "planned_date"

    def save_model(self, request, obj, form, change):
        if not change:
            # The next position in the action (the pages' service does the same: actions.followup).
            last = Milestone.objects.filter(action=obj.action).aggregate(last=models.Max("position"))["last"]
            obj.position = (last or 0) + 1
        super().save_model(request, obj, form, change)


@admin.register(FollowUpNote)
class FollowUpNoteAdmin(SimpleHistoryAdmin):
    list_display = ("date", "action", "author", "text")
    list_filter = ("action__pacte",)
    search_fields = ("text", "action__number", "action__title")
    autocomplete_fields = ("action", "author")
    date_hierarchy = "date"


@admin.register(PartnerMember)
class PartnerMemberAdmin(SimpleHistoryAdmin):
    list_display = ("user", "partner", "created_at")
    list_select_related = ("user", "partner")
    search_fields = ("user__username", "user__last_name", "partner__name")
    autocomplete_fields = ("user", "partner")


@admin.register(Contribution)
class ContributionAdmin(ClosedYearAdminMixin, VersionedAdminMixin, SimpleHistoryAdmin):
    list_display = ("action", "partner", "year", "author", "updated_at")
    list_filter = ("year", "action__pacte")
    list_select_related = ("action", "partner", "author")
    search_fields = ("action__number", "action__title", "partner__name", "achievements", "difficulties")
    ordering = ("action__pacte", "action__sort_key", "-year", "partner__name")
    autocomplete_fields = ("action", "partner", "author")
    readonly_fields = ("version", "created_at", "updated_at")
