from django.apps import AppConfig


class ActionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "actions"

    def ready(self):
        from actions import figures, notifications, signals  # noqa: F401  (receivers of axes.signals, e-mail builders)
        from pti import stamps

        stamps.watch(*figures.watched_models())
