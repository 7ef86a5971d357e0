from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from axes.models import Pacte
from bilans import services
from bilans.enums import BilanStatus as S


class Command(BaseCommand):
    help = (
        "Génère le bilan annuel d'un pacte (comme le bouton « Générer » de sa page, mais dans ce processus, sans "
        "worker Celery) et, avec --output, en écrit le PDF. Un bilan approuvé n'est jamais régénéré : --output "
        "en écrit alors le PDF approuvé, après vérification de son empreinte SHA-256."
    )

    def add_arguments(self, parser):
        parser.add_argument("pacte", help="Identifiant du pacte (par exemple pti-2017-2021).")
        parser.add_argument("year", type=int, help="Année du bilan.")
        parser.add_argument("--output", "-o", type=Path, help="Fichier où écrire le PDF.")

    def handle(self, *args, pacte, year, output=None, **options):
        pacte_obj = Pacte.objects.filter(slug=pacte).first()
        if pacte_obj is None:
            raise CommandError(f"Aucun pacte n'a l'identifiant « {pacte} ».")
        if not pacte_obj.contains_year(year):
            raise CommandError(f"{year} n'est pas une année du pacte ({pacte_obj.first_year}-{pacte_obj.last_year}).")
        bilan = services.bilan_for(pacte_obj, year)
        services.mark_stale_jobs(type(bilan).objects.filter(pk=bilan.pk))
        bilan.refresh_from_db()

        if bilan.status == S.APPROVED:
            if output is None:
                raise CommandError(services.frozen_message())
            self.stdout.write("Bilan approuvé : il n'est pas régénéré, son PDF approuvé est écrit tel quel.")
        else:
            self._generate(bilan)

        if output is not None:
            try:
                handle = services.verified_pdf(bilan)
            except services.BilanError as error:
                raise CommandError(error.message) from error
            with handle, open(output, "wb") as target:
                for chunk in iter(lambda: handle.read(1024 * 1024), b""):
                    target.write(chunk)
            self.stdout.write(f"PDF écrit dans {output}.")
        self.stdout.write(self.style.SUCCESS(f"{bilan} : {bilan.get_status_display()}, SHA-256 {bilan.pdf_sha256}."))

    def _generate(self, bilan):
        started = timezone.now()
        try:
            services.generate_now(bilan)
        except services.BilanError as error:
            raise CommandError(error.message) from error
        if bilan.status != S.GENERATED:
            raise CommandError(f"La génération a échoué : {bilan.error}")
        seconds = (timezone.now() - started).total_seconds()
        self.stdout.write(f"Bilan généré en {seconds:.1f} s ({bilan.pdf.size // 1024} Ko).")
