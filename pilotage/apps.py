from django.apps import AppConfig


class PilotageConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "pilotage"

    def ready(self):
        from pilotage.models import Copil, Decision
        from pti import stamps

        # The dashboard's body is kept in the cache (pilotage.views._dashboard_body) and counts the open and late
        # decisions of the pacte's COPILs: a decision taken, closed or moved to another COPIL changes it.
        stamps.watch(Copil, Decision)

        from pilotage import views
        from pti import warm

        warm.register("tableaux de bord", views.warm_dashboards)
        warm.register("tableaux de bord des années passées", views.warm_past_dashboards, last=True)
