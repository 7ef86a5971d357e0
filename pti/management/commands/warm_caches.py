from django.core.management.base import BaseCommand

from pti import stamps, warm


class Command(BaseCommand):
    help = (
        "Calcule à l'avance les chiffres du jour des pages principales (tableaux de bord, pactes, campagnes) :"
        " après un déploiement, et chaque nuit par Celery beat."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--renew",
            action="store_true",
            help="oublier d'abord tout ce que le cache garde (après une restauration de la base, ou des données"
            " écrites hors de PTI, avec psql par exemple)",
        )

    def handle(self, *args, renew=False, **options):
        if renew:
            stamps.renew()
            self.stdout.write("Cache renouvelé : tout est recalculé.")
        failed = False
        for label, count, seconds in warm.warm_all():
            if count is None:
                failed = True
                self.stderr.write(f"{label} : échec (voir le journal de l'application)")
            else:
                self.stdout.write(f"{label} : {count} calculé(s) en {seconds:.1f} s")
        if failed:
            raise SystemExit(1)
