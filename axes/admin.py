from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.forms.models import BaseInlineFormSet
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from axes.models import Axe, ClosedYear, Objectif, Pacte


def _refusal(obj):
    refusal = getattr(obj, "deletion_refusal", None)
    return refusal() if refusal else None


class ClosedYearInlineFormSet(BaseInlineFormSet):
    """An inline row of a closed year may not be deleted: the formset says why (axes.closing)."""

    def clean(self):
        super().clean()
        refusals = [r for r in (_refusal(form.instance) for form in self.deleted_forms if form.instance.pk) if r]
        if refusals:
            raise ValidationError(refusals[0])


class ClosedYearAdminMixin:
    """The admin refuses, with the reason, to delete what a closed year holds (axes.closing), one object or a
    selection, instead of failing on the models' refusal."""

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        refusal = _refusal(obj) if obj is not None else None
        if refusal:
            self.message_user(request, refusal, messages.ERROR)
            info = obj._meta.app_label, obj._meta.model_name
            return redirect(reverse(f"admin:{info[0]}_{info[1]}_change", args=[obj.pk]))
        return super().delete_view(request, object_id, extra_context)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            delete, name, description = actions["delete_selected"]

            def delete_selected(modeladmin, request, queryset):
                refusals = [r for r in (_refusal(obj) for obj in queryset) if r]
                if refusals:
                    modeladmin.message_user(request, refusals[0], messages.ERROR)
                    return None
                return delete(modeladmin, request, queryset)

            actions["delete_selected"] = (delete_selected, name, description)
        return actions


class VersionMixin:
    """A change made in the admin moves the row's version on too, so that a form opened in the application on the
    old version is refused with the change (pti.concurrency) instead of overwriting it."""

    def save_model(self, request, obj, form, change):
        if change and form.has_changed():
            obj.version += 1
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for inline in formset.forms:
            instance = inline.instance
            if instance.pk and inline.has_changed() and hasattr(instance, "version"):
                instance.version += 1
        super().save_formset(request, form, formset, change)


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
class PacteAdmin(VersionMixin, ClosedYearAdminMixin, SimpleHistoryAdmin):
    list_display = ("title", "territory", "first_year", "last_year", "status", "signature_date", "published")
    list_filter = ("status", "territory", "published")
    search_fields = ("title", "slug", "territory")
    ordering = ("-first_year", "title")
    prepopulated_fields = {"slug": ("title",)}
    readonly_fields = ("published_at",)
    inlines = [AxeInline]

    def save_model(self, request, obj, form, change):
        # A closed pacte is published from here (its edit page is closed): the date follows, as in axes.services.
        was_published = bool(obj.pk and Pacte.objects.filter(pk=obj.pk, published=True).exists())
        obj.stamp_publication(was_published)
        super().save_model(request, obj, form, change)


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
class AxeAdmin(VersionMixin, SimpleHistoryAdmin):
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
class ObjectifAdmin(VersionMixin, SimpleHistoryAdmin):
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
