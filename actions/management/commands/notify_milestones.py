import datetime

from django.core.management.base import BaseCommand, CommandError

from actions import notifications


class Command(BaseCommand):
    help = (
        "Prévient les référents des étapes de leurs actions prévues dans les 15 jours (une seule fois par étape "
        "et par date : la commande peut être relancée sans risque). Celery beat le fait chaque matin."
    )

    def add_arguments(self, parser):
        parser.add_argument("--date", help="Jour de référence (AAAA-MM-JJ), aujourd'hui par défaut.")

    def handle(self, *args, date=None, **options):
        today = None
        if date:
            try:
                today = datetime.date.fromisoformat(date)
            except ValueError:
                raise CommandError(f"Date invalide : « {date} » (attendu : AAAA-MM-JJ).") from None
        told = notifications.milestones_due(today)
        self.stdout.write(f"{told} notification(s) d'étape créée(s).")
