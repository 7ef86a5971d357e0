"""Performance figures of PTI's pages, printed (not a timed test).

For each page: SQL queries, median time over N requests, the ratio to a bare Django view (the floor: routing,
middleware, session), the ratio to the Django admin changelist of
actions measured in the same run (the page a Django developer would hand out instead), at demo size and at
`seed_demo --scale 25`, and the growth between the two sizes.

    python bench/run.py                 # throwaway SQLite database
    DATABASE_URL=postgres://... python bench/run.py --repeat 30

The database named by DATABASE_URL is created from scratch: point it at a scratch database.
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(database_url):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pti.settings")
    os.environ["DATABASE_URL"] = database_url
    # Production mode: no query logging, no debug toolbar-like overhead (static files need no manifest here).
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"
    os.environ.pop("CELERY_BROKER_URL", None)
    import django

    django.setup()
    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    settings.ROOT_URLCONF = "bench.urls"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # One process: the memory cache stands for Redis (production without CACHE_URL would use the database's).
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def pages():
    """(label, username, url) measured at each size; urls resolved after seeding."""
    from django.urls import reverse

    from actions.models import Action
    from axes.models import Pacte
    from bilans.models import ReportingCampaign
    from pilotage.models import Copil

    pacte = Pacte.objects.get(slug="pti-2017-2021")
    campaign, _created = ReportingCampaign.objects.get_or_create(
        pacte=Pacte.objects.get(slug="pti-2022-2025"), year=2025, defaults={"deadline": "2026-01-31"}
    )
    action = Action.objects.filter(pacte__slug="pti-2022-2025", referents__username="referent").order_by("pk").first()
    copil = Copil.objects.filter(pacte__slug="pti-2022-2025").order_by("-date").first()
    return [
        ("admin : liste des actions (référence)", "admin", reverse("admin:actions_action_changelist")),
        ("vue Django nue (plancher)", "referent", "/bench/vue-nue/"),
        ("/mes-actions/", "referent", reverse("actions:my_actions")),
        ("liste des actions", "referent", reverse("actions:list")),
        (
            "liste filtrée (statut, année, texte)",
            "referent",
            reverse("actions:list") + "?statut=in_progress&annee=2024&compte_rendu=transmis&q=a",
        ),
        ("page du pacte 2017-2021", "referent", reverse("actions:pacte_detail", args=[pacte.slug])),
        ("page d'une action", "referent", reverse("actions:detail", args=[action.pk])),
        ("formulaire du compte rendu", "referent", reverse("actions:report_edit", args=[action.pk, 2025])),
        ("tableau de bord 2017-2021", "copil", reverse("pilotage:dashboard", args=[pacte.slug])),
        (
            "tableau de bord 2022-2025, année 2024",
            "copil",
            reverse("pilotage:dashboard", args=["pti-2022-2025"]) + "?annee=2024",
        ),
        ("page d'un COPIL", "copil", reverse("pilotage:copil_detail", args=[copil.pk])),
        ("décisions ouvertes", "copil", reverse("pilotage:decision_list")),
        ("bilans annuels", "agent", reverse("bilans:list")),
        ("page du bilan 2021 du pacte 2017-2021", "agent", reverse("bilans:detail", args=[pacte.slug, 2021])),
        (
            "campagne de comptes rendus 2025",
            "agent",
            reverse("bilans:campaign", args=[campaign.pacte.slug, campaign.year]),
        ),
        (
            "tableau de bord 2022-2025 (campagne en cours)",
            "copil",
            reverse("pilotage:dashboard", args=["pti-2022-2025"]),
        ),
        ("annuaire des partenaires", "copil", "/partenaires/"),
        ("annuaire des partenaires, page 2", "copil", "/partenaires/?page=2"),
        ("annuaire des partenaires, filtré par pacte", "copil", "/partenaires/?pacte=pti-2017-2021"),
        ("plan du pacte 2017-2021 (agent)", "agent", f"/pactes/{pacte.slug}/plan/"),
        ("fiche : partenaires d'une action", "agent", f"/actions/{action.pk}/modifier/partenaires/"),
        ("fiche : indicateurs d'une action", "agent", f"/actions/{action.pk}/modifier/indicateurs/"),
        ("aperçu des relances 2025", "agent", f"/pactes/{campaign.pacte.slug}/campagnes/{campaign.year}/relances/"),
    ]


def measure(repeat):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from pti.models import User

    clients = {}
    results = {}
    for label, username, url in pages():
        client = clients.get(username)
        if client is None:
            client = clients[username] = Client()
            client.force_login(User.objects.get(username=username))
        assert client.get(url).status_code == 200, (label, url)  # warm-up
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        queries = len(ctx.captured_queries)
        timings = []
        for _ in range(repeat):
            start = time.perf_counter()
            response = client.get(url)
            timings.append(time.perf_counter() - start)
            assert response.status_code == 200
        results[label] = {"queries": queries, "median": statistics.median(timings)}
    return results


def seed(scale):
    from django.core.management import call_command

    from actions.models import Action

    start = time.perf_counter()
    call_command("seed_demo", scale=scale, stdout=io.StringIO())
    return Action.objects.count(), time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--scale", type=int, default=25)
    args = parser.parse_args()

    tmp = None
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        tmp = tempfile.TemporaryDirectory()
        database_url = f"sqlite:///{tmp.name}/bench.sqlite3"
    setup(database_url)
    from django.core.management import call_command
    from django.db import connection

    call_command("flush", interactive=False, verbosity=0) if _has_tables() else None
    call_command("migrate", verbosity=0)

    sizes = []
    for scale in (1, args.scale):
        actions, seconds = seed(scale)
        sizes.append((scale, actions, seconds, measure(args.repeat)))

    print(f"PTI bench – base {connection.vendor}, médiane sur {args.repeat} requêtes par page\n")
    reference = "admin : liste des actions (référence)"
    BARE = "vue Django nue (plancher)"  # noqa: N806
    (s1, n1, t1, small), (s2, n2, t2, big) = sizes
    print(f"seed_demo : {n1} actions en {t1:.1f} s ; --scale {s2} : {n2} actions en {t2:.1f} s\n")
    header = f"{'page':42} {'req. x1':>7} {'req. x' + str(s2):>8} {'ms x1':>8} {'ms x' + str(s2):>9} {'/admin x1':>9} {'/admin x' + str(s2):>10} {'/nue x' + str(s2):>9} {'croissance':>10}"
    print(header)
    print("-" * len(header))
    for label in small:
        a, b = small[label], big[label]
        ratio1 = a["median"] / small[reference]["median"]
        ratio2 = b["median"] / big[reference]["median"]
        bare = b["median"] / big[BARE]["median"]
        growth = b["median"] / a["median"]
        print(
            f"{label:42} {a['queries']:>7} {b['queries']:>8} {a['median'] * 1000:>8.1f} {b['median'] * 1000:>9.1f}"
            f" {ratio1:>9.2f} {ratio2:>10.2f} {bare:>9.1f} {growth:>9.2f}x"
        )
    print(
        f"\nObjectifs : au plus 12 requêtes et le même nombre aux deux tailles ; croissance ≤ 3x pour {s2}x de données."
    )
    if tmp:
        tmp.cleanup()


def _has_tables():
    from django.db import connection

    return "django_migrations" in connection.introspection.table_names()


if __name__ == "__main__":
    main()
