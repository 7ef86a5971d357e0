from django.apps import AppConfig


class BilansConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "bilans"

    def ready(self):
        from bilans import signals  # noqa: F401 - registers the receivers
        from bilans.models import Reminder, ReportingCampaign
        from pti import stamps

        # The reminders' preview is kept in the cache (campaigns.reminders_preview): a reminder sent, a deadline
        # moved, change it.
        stamps.watch(Reminder, ReportingCampaign)

        from bilans import views
        from pti import warm

        warm.register("campagnes de comptes rendus", views.warm_campaigns)
        warm.register("pages des bilans", views.warm_bilans, last=True)
