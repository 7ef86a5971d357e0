from django.core.management.base import BaseCommand

from pti import warm


class Command(BaseCommand):
    help = (
        "Calcule à l'avance les chiffres du jour des pages principales (tableaux de bord, pactes, campagnes) :"
        " après un déploiement, et chaque nuit par Celery beat."
    )

    def handle(self, *args, **options):
        failed = False
        for label, count, seconds in warm.warm_all():
            if count is None:
                failed = True
                self.stderr.write(f"{label} : échec (voir le journal de l'application)")
            else:
                self.stdout.write(f"{label} : {count} calculé(s) en {seconds:.1f} s")
        if failed:
            raise SystemExit(1)
