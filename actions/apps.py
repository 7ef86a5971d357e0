from django.apps import AppConfig


class ActionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "actions"

    def ready(self):
        from actions import axe_stamps, figures, notifications, signals  # noqa: F401  (receivers, e-mail builders)
        from pti import stamps

        stamps.watch(*figures.watched_models())
        if axe_stamps.renew_epoch not in stamps.RENEWALS:
            stamps.RENEWALS.append(axe_stamps.renew_epoch)

        from actions import queries, views
        from pti import warm

        warm.register("pactes et axes", queries.warm)
        warm.register("axes dépliés et axes des référents thématiques", views.warm_axes)
        warm.register("liste des actions", views.warm_action_list)
