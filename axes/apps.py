from django.apps import AppConfig


class AxesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "axes"
