import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from pilotage.demo.accounts import ACCOUNT_PURPOSES, ACCOUNTS, DEMO_PASSWORD
from pilotage.demo.builder import max_scale, seed


class Command(BaseCommand):
    help = (
        "Crée ou met à jour les données de démonstration : PTI 2022-2025 et 2017-2021, actions, comptes rendus, "
        "COPIL et comptes de démonstration. Idempotente : la relancer ne change rien."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help=f"Multiplie les actions des deux pactes (1 à {max_scale()}), pour les mesures de performance.",
        )

    def handle(self, *args, scale, **options):
        if not 1 <= scale <= max_scale():
            raise CommandError(f"--scale doit être compris entre 1 et {max_scale()}.")
        if not settings.DEBUG:
            self.stderr.write(
                self.style.WARNING(
                    "Attention : DEBUG est désactivé. Les comptes de démonstration ont un mot de passe public ; "
                    "ne les laissez pas sur un serveur de production."
                )
            )
        started = time.monotonic()
        stats, summaries, users = seed(scale)
        elapsed = time.monotonic() - started

        self.stdout.write(self.style.SUCCESS(f"Données de démonstration à jour (échelle {scale}, {elapsed:.1f} s)."))
        for summary in summaries:
            self.stdout.write(
                f"  {summary['pacte'].title} : {summary['axes']} axes, {summary['objectifs']} objectifs, "
                f"{summary['actions']} actions (dont {summary['late']} en retard), "
                f"{summary['reports']} comptes rendus, {summary['copils']} COPIL, {summary['decisions']} décisions."
            )
        self.stdout.write(f"  Lignes créées : {stats.total_created} ; lignes modifiées : {stats.total_updated}.")
        self.stdout.write("")
        self.stdout.write(f"Comptes de démonstration (mot de passe commun : {DEMO_PASSWORD}) :")
        for username, *_rest in ACCOUNTS:
            user = users[username]
            purpose = ACCOUNT_PURPOSES.get(username, f"référent thématique ({user.get_role_display()})")
            self.stdout.write(f"  {username:<17} {user.get_full_name()} – {purpose}")
