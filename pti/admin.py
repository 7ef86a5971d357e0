from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm as BaseUserChangeForm
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from pti.enums import Role
from pti.models import Notification, NotificationPreferences, User


class VersionedAdminMixin:
    """For models with a `version`: an admin save bumps it, as the app's forms do.

    An edit opened in the app before an administrator's change is then refused as a conflict instead of
    silently overwriting it. The new version is read from the database, not from the instance: a revert from
    the history page saves an old record whose `version` would otherwise move backwards.
    """

    @staticmethod
    def _bump_version(obj):
        current = type(obj)._default_manager.filter(pk=obj.pk).values_list("version", flat=True).first()
        obj.version = (current or 0) + 1

    def save_model(self, request, obj, form, change):
        if change:
            self._bump_version(obj)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for obj in formset.deleted_objects:
            obj.delete()
        for obj in instances:
            if obj.pk and hasattr(obj, "version"):
                self._bump_version(obj)
            obj.save()
        formset.save_m2m()


class UserChangeForm(BaseUserChangeForm):
    def clean(self):
        cleaned_data = super().clean()
        # The role is the source of truth (see User.save): a superuser who is not an administrator would keep
        # every right after being "demoted" to another role.
        if cleaned_data.get("is_superuser") and cleaned_data.get("role") != Role.ADMIN:
            self.add_error(
                "role",
                _(
                    "Un super-utilisateur doit avoir le rôle « administrateur » : décochez « statut super-utilisateur »."
                ),
            )
        return cleaned_data


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    form = UserChangeForm
    list_display = ("username", "last_name", "first_name", "email", "role", "organisation", "is_active", "last_login")
    list_filter = ("role", "is_active", "is_staff", "is_superuser")
    search_fields = ("username", "first_name", "last_name", "email", "organisation")
    ordering = ("last_name", "first_name", "username")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Informations personnelles"), {"fields": ("first_name", "last_name", "email", "organisation")}),
        (
            _("Rôle dans PTI"),
            {
                "fields": ("role",),
                "description": _(
                    "Le rôle décide de ce que la personne peut faire dans PTI. Le rôle « administrateur » donne "
                    "aussi accès à cette interface d'administration."
                ),
            },
        ),
        (
            _("Permissions de l'administration Django"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Dates importantes"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = BaseUserAdmin.add_fieldsets + (
        (_("Profil"), {"fields": ("first_name", "last_name", "email", "organisation", "role")}),
    )


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """What each user was told, and when it was read and e-mailed; recorded by the apps, never typed in."""

    list_display = ("title", "user", "kind", "created_at", "read_at", "emailed_at")
    list_filter = ("kind", ("read_at", admin.EmptyFieldListFilter), ("emailed_at", admin.EmptyFieldListFilter))
    list_select_related = ("user",)
    search_fields = ("title", "body", "user__username", "user__last_name")
    readonly_fields = ("user", "kind", "content_type", "object_id", "key", "title", "body", "url", "created_at")
    date_hierarchy = "created_at"

    def has_add_permission(self, request):
        return False


@admin.register(NotificationPreferences)
class NotificationPreferencesAdmin(VersionedAdminMixin, SimpleHistoryAdmin):
    list_display = ("user", *NotificationPreferences.FIELDS.values(), "updated_at")
    list_select_related = ("user",)
    search_fields = ("user__username", "user__last_name", "user__email")
    raw_id_fields = ("user",)
