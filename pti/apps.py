from django.apps import AppConfig


class PtiConfig(AppConfig):
    name = "pti"
    verbose_name = "Utilisateurs et accès"

    def ready(self):
        from pti import sso, throttle  # noqa: F401 - connect the sign-in signals (SSO sessions, login failures)
