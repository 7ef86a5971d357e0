import json

from django.contrib import admin
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from bilans.enums import BilanStatus
from bilans.models import Bilan, BilanTransition
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
