from django.apps import AppConfig


class PtiConfig(AppConfig):
    name = "pti"
    verbose_name = "Utilisateurs et accès"

    def ready(self):
        from pti import throttle  # noqa: F401 - connects the login failure signals
