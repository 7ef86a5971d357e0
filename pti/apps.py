from django.apps import AppConfig


class PtiConfig(AppConfig):
    name = "pti"
    verbose_name = "Utilisateurs et accès"

    def ready(self):
        from pti import sso, stamps, throttle, warm  # noqa: F401 - connect the sign-in signals (SSO, login failures)

        if warm.when_cache_lost not in stamps.ON_LOSS:
            stamps.ON_LOSS.append(warm.when_cache_lost)
