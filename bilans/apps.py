from django.apps import AppConfig


class BilansConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "bilans"

    def ready(self):
        from bilans import signals  # noqa: F401 - registers the receivers
