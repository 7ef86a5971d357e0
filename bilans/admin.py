import json

from django.contrib import admin
from django.db.models import Count
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from bilans.enums import BilanStatus
from bilans.models import Bilan, BilanTransition, Reminder, ReportingCampaign
from pti.admin import VersionedAdminMixin

# Everything the workflow (bilans.workflow.transition) and the generation task write: never by hand.
WORKFLOW_FIELDS = (
    "status",
    "pdf",
    "pdf_sha256",
    "snapshot_size",
    "generation_started_at",
    "generation_finished_at",
    "generation_step",
    "generation_progress",
    "generation_heartbeat_at",
    "generation_attempts",
    "task_id",
    "error",
    "submitted_at",
    "approval_date",
    "deliberation_reference",
    "rejection_reason",
    "approving",
    "approved_by",
    "version",
    "created_at",
    "updated_at",
)


class BilanTransitionInline(admin.TabularInline):
    model = BilanTransition
    fields = ("at", "source", "target", "user", "note")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Bilan)
class BilanAdmin(VersionedAdminMixin, admin.ModelAdmin):
    """Only the texts are edited here. The status moves through bilans.workflow.transition alone, and an
    approved bilan is read-only: it is what the departmental council voted."""

    list_display = ("__str__", "pacte", "year", "status", "approval_date", "deliberation_reference")
    list_filter = ("status", "pacte", "year")
    list_select_related = ("pacte",)
    search_fields = ("pacte__title", "deliberation_reference")
    ordering = ("-year", "pacte")
    autocomplete_fields = ("pacte",)
    fieldsets = (
        (None, {"fields": ("pacte", "year", "introduction", "conclusion")}),
        (_("Cycle de vie (modifié uniquement par le circuit de validation)"), {"fields": WORKFLOW_FIELDS}),
    )
    readonly_fields = WORKFLOW_FIELDS
    inlines = [BilanTransitionInline]

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            # Moving a bilan to another pacte or year would detach it from its PDF and its data.
            return ("pacte", "year", *WORKFLOW_FIELDS)
        return WORKFLOW_FIELDS

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_frozen:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.is_frozen:
            return False
        return super().has_delete_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        # The transitions of a deleted (never approved) bilan go with it, though they cannot be deleted alone.
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        perms_needed.discard(BilanTransition._meta.verbose_name)
        return deleted, counts, perms_needed, protected

    def delete_queryset(self, request, queryset):
        # Belt and braces: the bulk action never deletes an approved bilan.
        queryset.exclude(status=BilanStatus.APPROVED).delete()

    @admin.display(description=_("données figées"))
    def snapshot_size(self, obj):
        if obj.snapshot is None:
            return "—"
        return filesizeformat(len(json.dumps(obj.snapshot)))


@admin.register(BilanTransition)
class BilanTransitionAdmin(admin.ModelAdmin):
    """The log of the workflow: read-only."""

    list_display = ("bilan", "source", "target", "user", "at")
    list_filter = ("target", "source", "bilan__pacte")
    list_select_related = ("bilan__pacte", "user")
    search_fields = ("bilan__pacte__title", "note", "user__username", "user__last_name")
    ordering = ("-at", "-pk")
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _listed_actions(reminder):
    return ", ".join(str(item.get("number", "?")) for item in reminder.actions or () if isinstance(item, dict)) or "—"


class ReminderInline(admin.TabularInline):
    """The campaign's reminders, as sent: read-only."""

    model = Reminder
    fields = ("sent_at", "recipient", "email", "kind", "sent_by", "listed_actions")
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-sent_at", "pk")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("recipient", "sent_by")

    @admin.display(description=_("actions listées"))
    def listed_actions(self, obj):
        return _listed_actions(obj)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReportingCampaign)
class ReportingCampaignAdmin(VersionedAdminMixin, SimpleHistoryAdmin):
    """The deadline and the reminder days may be corrected here, as on the campaign page; who opened it and the
    reminders sent are history: read-only. A campaign whose year is closed is read-only, and one with reminders
    cannot be deleted (its reminders cannot)."""

    list_display = ("__str__", "pacte", "year", "deadline", "reminder_days_before", "reminder_days_after", "sent")
    list_filter = ("pacte", "year")
    list_select_related = ("pacte", "opened_by")
    search_fields = ("pacte__title",)
    ordering = ("-year", "pacte")
    autocomplete_fields = ("pacte",)
    fields = ("pacte", "year", "deadline", "reminder_days_before", "reminder_days_after", "opened_by", "opened_at")
    readonly_fields = ("opened_by", "opened_at")
    inlines = [ReminderInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(reminder_count=Count("reminders"))

    @admin.display(description=_("relances envoyées"), ordering="reminder_count")
    def sent(self, obj):
        return obj.reminder_count

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            # Its reminders were sent for this pacte and year.
            return ("pacte", "year", "opened_by", "opened_at")
        return self.readonly_fields

    def _closed(self, obj):
        return obj is not None and obj.pacte.closure(obj.year) is not None

    def has_change_permission(self, request, obj=None):
        if self._closed(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if self._closed(obj):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.opened_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    """The log of the reminders e-mailed to referents (by the beat or by staff): read-only."""

    list_display = ("sent_at", "campaign", "recipient", "email", "kind", "sent_by", "listed_actions")
    list_filter = ("kind", "campaign__pacte", "campaign__year")
    list_select_related = ("campaign__pacte", "recipient", "sent_by")
    search_fields = ("recipient__username", "recipient__last_name", "email", "campaign__pacte__title")
    ordering = ("-sent_at", "-pk")
    date_hierarchy = "sent_at"
    fields = ("campaign", "recipient", "email", "kind", "sent_at", "sent_by", "listed_actions")
    readonly_fields = fields

    @admin.display(description=_("actions listées"))
    def listed_actions(self, obj):
        return _listed_actions(obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
