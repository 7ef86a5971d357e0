"""Performance figures of PTI's pages, printed (not a timed test).

For each page: SQL queries, median time over N requests, the ratio to a bare Django view (the floor: routing,
middleware, session), the ratio to the Django admin changelist of actions measured in the same run (the page a
Django developer would hand out instead), at demo size and at each `seed_demo --scale N` asked for, and the growth
between the demo size and the largest one. On PostgreSQL, every size is measured after `VACUUM ANALYZE`.

    python bench/run.py                              # throwaway SQLite database, demo size and --scale 25
    DATABASE_URL=postgres://... python bench/run.py --scale 25 --scale 100 --repeat 15
    python bench/run.py --scale 100 --markdown       # the table as Markdown (docs/performance.md)
    python bench/run.py --only bilan --only campagne # only the pages whose label holds one of the words

Each size is seeded in a database of its own, next to the one DATABASE_URL names (NAME_x1, NAME_x25, NAME_x100:
created afresh, dropped at the end unless --keep; files of a temporary folder without DATABASE_URL), and a process
per size measures the same page one after the other, page by page: the machine's drift during the run falls on
every size alike. `--sequential` measures the sizes one after the other in the database DATABASE_URL names, which
it empties first (as before 4 December 2026, evening).
"""

import argparse
import io
import itertools
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup(database_url, cache_url=None, broker_url=None):
    """Django in production mode on `database_url`; with the memory cache and eager tasks, or with the shared
    cache `cache_url` and the broker `broker_url` that a real worker uses too (bench/cache_loss.py)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pti.settings")
    os.environ["DATABASE_URL"] = database_url
    # Production mode: no query logging, no debug toolbar-like overhead (static files need no manifest here).
    os.environ["DJANGO_DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-" + "x" * 40)
    os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"
    if broker_url:
        os.environ.update({"CACHE_URL": cache_url, "CELERY_BROKER_URL": broker_url, "CELERY_TASK_ALWAYS_EAGER": "0"})
    else:
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
    if not broker_url:
        # One process: the memory cache stands for Redis (production without CACHE_URL would use the database's).
        settings.CACHES = {"default": settings.MEMORY_CACHE}


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


REFERENCE = "admin : liste des actions (référence)"
BARE = "vue Django nue (plancher)"
# The aim of issue 15: time at the largest size at most 1.5x the demo size's, and at most half the admin's.
AIM_GROWTH, AIM_ADMIN = 1.5, 0.5


def hard_cases():
    """The pages whose cost could grow with the data: query strings, deep and last pages, exports, API lists, an
    unfolded axe and its following pages, a thematic referent's axe, the journal. Resolved after seeding."""
    from django.urls import reverse

    from actions.models import Action
    from axes.models import Axe

    per_page = 25  # actions.views.PAGE_SIZE
    last = max(1, -(-Action.objects.count() // per_page))
    axe = Axe.objects.filter(pacte__slug="pti-2022-2025", thematic_referents__username="referent").order_by("number")
    axe = axe.first()
    actions = reverse("actions:list")
    return [
        ("liste des actions, page 2", "referent", f"{actions}?page=2"),
        ("liste des actions, dernière page", "referent", f"{actions}?page={last}"),
        ("liste des actions ?q=insertion", "referent", f"{actions}?q=insertion"),
        ("liste des actions ?q=insertion, page 2", "referent", f"{actions}?q=insertion&page=2"),
        ("admin : liste des actions, page 2", "admin", reverse("admin:actions_action_changelist") + "?p=2"),
        (
            "admin : liste des actions ?q=insertion",
            "admin",
            reverse("admin:actions_action_changelist") + "?q=insertion",
        ),
        ("page du pacte 2022-2025", "referent", reverse("actions:pacte_detail", args=["pti-2022-2025"])),
        ("axe déplié (pacte 2022-2025, axe 2)", "referent", f"/pactes/pti-2022-2025/axes/{axe.number}/"),
        ("axe déplié, page 2", "referent", f"/pactes/pti-2022-2025/axes/{axe.number}/?page=2"),
        ("/mes-actions/axes/<axe> (référent thématique)", "referent", reverse("actions:my_axe_actions", args=[axe.pk])),
        ("/mes-actions/axes/<axe>, page 2", "referent", reverse("actions:my_axe_actions", args=[axe.pk]) + "?page=2"),
        ("journal", "agent", "/journal/"),
        ("journal, page 2", "agent", "/journal/?page=2"),
        ("API : actions", "copil", "/api/v1/actions/"),
        ("API : actions, page 2", "copil", "/api/v1/actions/?page=2"),
        ("API : comptes rendus", "copil", "/api/v1/comptes-rendus/"),
        ("API : indicateurs", "copil", "/api/v1/indicateurs/"),
        ("API : partenaires", "copil", "/api/v1/partenaires/"),
        ("export XLSX des actions", "copil", reverse("actions_io:actions_xlsx")),
        ("export CSV des actions", "copil", reverse("actions_io:actions_csv")),
    ]


# Pages whose figures or rendered parts come from the cache (pti.stamps, pti.fragments) once computed: each is
# measured twice more, with the cache made cold before every request in two ways:
# - "(cache vidé)": the whole cache emptied (`cache.clear()`), as after Redis lost, or a migration applied (it
#   moves the plan's counters too): everything is computed and rendered again;
# - "(tampons renouvelés)": every stamp of the cache renewed, as after a lost stamp: what follows the stamps is
#   computed again, a pacte's figures (kept under the database's counters alone, actions.axe_stamps) are read
#   from the cache (`warm_caches --renew` forgets them too, and a deployment names every entry anew);
# - "(après un brouillon)": a referent's draft report saved through the service (`save_report`), as the report
#   form's autosave does every few seconds during a campaign: what reads the reports' table is computed again,
#   the rest (the filters' options, the partners, the plan's axes) is read from the cache.
COLD = (
    "tableau de bord 2017-2021",
    "tableau de bord 2022-2025, année 2024",
    "page du pacte 2017-2021",
    "page du bilan 2021 du pacte 2017-2021",
    "campagne de comptes rendus 2025",
    "aperçu des relances 2025",
    "axe déplié (pacte 2022-2025, axe 2)",
    "/mes-actions/axes/<axe> (référent thématique)",
    "liste des actions",
)
# - "(après un avancement)": the same draft saved with a new progress each time: a figure changes, the piece of
#   the axe it is in is computed again (actions.axe_stamps), the other pieces are read from the cache;
# - "(dix minutes plus tard)": nothing written, but every result kept `RESULT_SECONDS` has expired (the page's
#   parts, the sums of a pacte's pieces), as for a reader coming back after a meeting: the pieces, kept a day
#   under the database's counters, and the stamps stay.
EMPTY_SUFFIX = " (cache vidé)"
COLD_SUFFIX = " (tampons renouvelés)"
DRAFT_SUFFIX = " (après un brouillon)"
PROGRESS_SUFFIX = " (après un avancement)"
LATER_SUFFIX = " (dix minutes plus tard)"


def with_cold(rows):
    """`rows` and, after them, the cold-cache variants of each page of COLD."""
    return [
        *rows,
        *((label + EMPTY_SUFFIX, user, url) for label, user, url in rows if label in COLD),
        *((label + COLD_SUFFIX, user, url) for label, user, url in rows if label in COLD),
        *((label + DRAFT_SUFFIX, user, url) for label, user, url in rows if label in COLD),
        *((label + PROGRESS_SUFFIX, user, url) for label, user, url in rows if label in COLD),
        *((label + LATER_SUFFIX, user, url) for label, user, url in rows if label in COLD),
    ]


def ten_minutes_later():
    """Move the memory cache's clock past `RESULT_SECONDS`: what is kept that long expires, what is kept longer
    (the pieces) or for ever (the stamps) stays."""
    from django.core.cache import caches

    from pti import stamps

    backend = caches["default"]
    with backend._lock:
        for key, expiry in backend._expire_info.items():
            if expiry is not None:
                backend._expire_info[key] = expiry - stamps.RESULT_SECONDS - 1


def draft_saver(progress=False):
    """A function saving the referent's 2025 draft report of his first action of the PTI 2022-2025, as the
    report form does (the same service, a new text each time; with `progress`, a new progress too)."""
    from actions import services
    from actions.models import Action
    from pti.models import User

    referent = User.objects.get(username="referent")
    action = Action.objects.filter(pacte__slug="pti-2022-2025", referents=referent).order_by("pk").first()
    counter = iter(range(1_000_000))

    def save():
        number = next(counter)
        report = action.reports.filter(year=2025).first()
        services.save_report(
            action,
            2025,
            referent,
            {
                "status": action.status,
                "progress": (40 + number % 2) if progress else action.progress,
                "advances": f"Point d'étape n° {number}",
            },
            {},
            expected_version=report.version if report else 0,
            submit=False,
        )

    return save


def _get(client, url):
    """GET `url` and read the whole answer (a streamed export too); (response, first byte seconds, total)."""
    start = time.perf_counter()
    response = client.get(url)
    first = time.perf_counter() - start
    if response.streaming:
        chunks = iter(response.streaming_content)
        next(chunks, b"")
        first = time.perf_counter() - start
        for _chunk in chunks:
            pass
    else:
        response.content  # noqa: B018
    return response, first, time.perf_counter() - start


def measure(repeat, only=(), budget=10.0, skip=()):
    """{label: {"queries", "median", "first", "admin"}}: `measure_each`'s figures."""
    return dict(measure_each(repeat, only, budget, skip))


def measure_each(repeat, only=(), budget=10.0, skip=()):
    """(label, {"queries", "median", "first", "admin"}) of each page in turn, measured when asked for (a
    generator: the sizes' processes measure the same page one after the other, `measure_interleaved`); a page is
    requested `repeat` times, or fewer (at least once) when that would take more than `budget` seconds. Each
    request of a page is followed by one of the admin changelist (`admin`: their median), so that the ratio to the
    admin compares requests made under the same load of the machine."""
    from django.db import connection
    from django.test import Client

    from pti.models import User

    admin_url = next(url for label, _user, url in pages() if label == REFERENCE)
    clients = {}

    def client_for(username):
        if username not in clients:
            clients[username] = Client()
            clients[username].force_login(User.objects.get(username=username))
        return clients[username]

    from django.core.cache import cache

    from pti import stamps

    save_draft = save_progress = None
    for label, username, url in with_cold([*pages(), *hard_cases()]):
        if only and label not in (REFERENCE, BARE) and not any(word in label for word in only):
            continue
        if any(word in label for word in skip):
            continue
        client = client_for(username)
        cold = label.endswith(COLD_SUFFIX)
        emptied = label.endswith(EMPTY_SUFFIX)
        draft = label.endswith(DRAFT_SUFFIX)
        moved = label.endswith(PROGRESS_SUFFIX)
        later = label.endswith(LATER_SUFFIX)
        if draft and save_draft is None:
            save_draft = draft_saver()
        if moved and save_progress is None:
            save_progress = draft_saver(progress=True)

        def prepare(
            cold=cold, emptied=emptied, later=later, save=save_draft if draft else save_progress if moved else None
        ):
            if emptied:
                cache.clear()  # everything is computed and rendered again
            if cold:
                stamps.changed()  # what follows the stamps is computed again
            if later:
                ten_minutes_later()
            if save:
                save()  # what reads the reports is computed again

        def get(client=client, url=url, prepare=prepare):
            prepare()  # not timed
            return _get(client, url)

        get()  # warm-up: caches, connections, templates
        queries = []

        def count(execute, *args, queries=queries):
            queries.append(1)
            return execute(*args)

        prepare()
        with connection.execute_wrapper(count):  # the request's statements, not the draft's
            response, _first, elapsed = _get(client, url)
        assert response.status_code == 200, (label, url, response.status_code)
        timings, firsts, admin = [], [], []
        times = repeat if elapsed * repeat <= budget else max(1, int(budget / max(elapsed, 1e-6)))
        for _ in range(times):
            response, first, total = get()
            assert response.status_code == 200, (label, url, response.status_code)
            timings.append(total)
            firsts.append(first)
            admin.append(_get(client_for("admin"), admin_url)[2])
        yield (
            label,
            {
                "queries": len(queries),
                "median": statistics.median(timings),
                "first": statistics.median(firsts),
                "admin": statistics.median(admin),
            },
        )


def measure_elsewhere(database_url, args):
    """`measure`, in a Python process of its own started after the seeding, as a server process would be: the
    memory that seeding thousands of rows leaves behind (and the garbage collector's work over it) would slow
    every request of the larger sizes, the admin's too, and not the demo size's."""
    import subprocess

    command = [sys.executable, __file__, "--measure-here", "--repeat", str(args.repeat), "--budget", str(args.budget)]
    for word in args.only:
        command += ["--only", word]
    for word in args.skip:
        command += ["--skip", word]
    output = subprocess.run(
        command, check=True, capture_output=True, text=True, env={**os.environ, "DATABASE_URL": database_url}
    ).stdout
    return json.loads(output.splitlines()[-1])


def measure_interleaved(urls, args):
    """{scale: {label: figures}}: each size's database (`urls`: {scale: its DATABASE_URL}) measured by a process of
    its own, page by page in lockstep: the same page is measured at every size one after the other (in an order
    that turns from page to page) before the next one, so that the machine's drift over the run (another tenant,
    a warmer CPU) falls on every size alike and the growth compares requests made minutes apart no more."""
    import subprocess

    command = [sys.executable, __file__, "--measure-here", "--lockstep", "--repeat", str(args.repeat)]
    command += ["--budget", str(args.budget)]
    for word in args.only:
        command += ["--only", word]
    for word in args.skip:
        command += ["--skip", word]
    children = {
        scale: subprocess.Popen(
            command,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "DATABASE_URL": url},
        )
        for scale, url in urls.items()
    }
    results = {scale: {} for scale in urls}
    scales = list(urls)
    try:
        for turn in itertools.count():
            done = False
            for scale in scales[turn % len(scales) :] + scales[: turn % len(scales)]:
                child = children[scale]
                child.stdin.write("next\n")
                child.stdin.flush()
                answer = json.loads(child.stdout.readline() or "null")
                if answer is None:
                    done = True
                    continue
                label, figures = answer
                results[scale][label] = figures
            if done:
                break
    finally:
        for child in children.values():
            child.stdin.close()
            child.wait(60)
    return results


def _lockstep(args):
    """The child's side of `measure_interleaved`: one page measured each time the parent asks ("next" on standard
    input), its figures written as one line of JSON; null when every page is done."""
    answers, sys.stdout = sys.stdout, sys.stderr  # what the application prints stays off the answers
    pages_left = measure_each(args.repeat, args.only, args.budget, args.skip)
    for _line in sys.stdin:
        answer = next(pages_left, None)
        answers.write(json.dumps(answer) + "\n")
        answers.flush()
        if answer is None:
            return


def size_databases(database_url, scales, tmp):
    """{scale: the DATABASE_URL of its own database}: next to the one given (its name and `_x<scale>`, created
    afresh on PostgreSQL), or files of a temporary folder."""
    if database_url is None:
        return {scale: f"sqlite:///{tmp}/bench_x{scale}.sqlite3" for scale in scales}
    import psycopg

    base, _slash, name = database_url.rpartition("/")
    urls = {scale: f"{base}/{name}_x{scale}" for scale in scales}
    with psycopg.connect(database_url, autocommit=True) as connection:
        for scale in scales:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}_x{scale}"')
            connection.execute(f'CREATE DATABASE "{name}_x{scale}"')
    return urls


def drop_size_databases(database_url, urls):
    if database_url is None:
        return
    import psycopg

    with psycopg.connect(database_url, autocommit=True) as connection:
        for url in urls.values():
            connection.execute(f'DROP DATABASE IF EXISTS "{url.rpartition("/")[2]}"')


def seed_elsewhere(url, scale):
    """(actions, seconds) of `seed_demo --scale` into the database `url`, migrated first, in a process of its own."""
    import subprocess

    output = subprocess.run(
        [sys.executable, __file__, "--seed-here", str(scale)],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": url},
    ).stdout
    return tuple(json.loads(output.splitlines()[-1]))


def seed(scale):
    from django.core.management import call_command
    from django.db import connection

    from actions.models import Action

    start = time.perf_counter()
    call_command("seed_demo", scale=scale, stdout=io.StringIO(), stderr=io.StringIO())
    seconds = time.perf_counter() - start
    if connection.vendor == "postgresql":
        # VACUUM too, as autovacuum would have done since: the seeding's dead rows (the axes' counters, updated at
        # every row written, above all) are not left for the measured requests to skip, nor autovacuum to run
        # during them.
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    return Action.objects.count(), seconds


def verdict(growth, admin):
    return "oui" if growth <= AIM_GROWTH and admin <= AIM_ADMIN else "non"


def report(sizes, markdown=False):
    """Print the table: per size, queries, median ms and ratio to the admin; then growth and the aim."""
    first, last = sizes[0][3], sizes[-1][3]
    s_last = sizes[-1][0]
    # Between the two largest sizes too: a page that the demo data does not fill (an axe of 10 actions, a page of
    # 25) shows more rows at ×25 than at ×1, and as many at ×100; this growth is that of the data alone.
    before_last = sizes[-2] if len(sizes) > 2 else None
    if markdown:
        head = ["page"]
        for scale, *_rest in sizes:
            head += [f"req. ×{scale}", f"ms ×{scale}", f"/admin ×{scale}"]
        head += [f"croissance ×{s_last}"]
        head += [f"croissance ×{before_last[0]}→×{s_last}"] if before_last else []
        head += ["objectif"]
        print("| " + " | ".join(head) + " |")
        print("|" + "---|" * len(head))
    else:
        head = f"{'page':48}"
        for scale, *_rest in sizes:
            head += f" {'req x' + str(scale):>8} {'ms x' + str(scale):>9} {'/adm x' + str(scale):>9}"
        head += f" {'croiss.':>8} {'objectif':>8}"
        print(head)
        print("-" * len(head))
    for label in first:
        cells = []
        for _scale, _n, _t, results in sizes:
            row = results[label]
            ratio = row["median"] / row["admin"]
            cells.append((row["queries"], row["median"] * 1000, ratio))
        growth = last[label]["median"] / first[label]["median"]
        tail = last[label]["median"] / before_last[3][label]["median"] if before_last else None
        admin = cells[-1][2]
        aim = "—" if label in (REFERENCE, BARE) else verdict(growth, admin)
        if markdown:
            values = [label]
            for queries, ms, ratio in cells:
                values += [str(queries), f"{ms:.1f}".replace(".", ","), f"{ratio:.2f}".replace(".", ",")]
            values += [f"{growth:.2f}×".replace(".", ",")]
            values += [f"{tail:.2f}×".replace(".", ",")] if tail is not None else []
            values += [aim]
            print("| " + " | ".join(values) + " |")
        else:
            line = f"{label:48}"
            for queries, ms, ratio in cells:
                line += f" {queries:>8} {ms:>9.1f} {ratio:>9.2f}"
            print(line + f" {growth:>7.2f}x" + (f" {tail:>7.2f}x" if tail is not None else "") + f" {aim:>8}")
    streamed = [label for label in first if "export" in label]
    if streamed:
        print(
            "\nPremier octet des exports (ms) : "
            + " ; ".join(
                f"{label} "
                + " / ".join(f"x{scale} {results[label]['first'] * 1000:.0f}" for scale, _n, _t, results in sizes)
                for label in streamed
            )
        )
    print(
        f"\nObjectif (issue 15) : même nombre de requêtes à toutes les tailles ; à ×{s_last}, temps ≤ {AIM_GROWTH}× celui"
        f" de la taille démo et ≤ {AIM_ADMIN}× la liste des actions de l'admin mesurée dans la même exécution."
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument(
        "--scale",
        type=int,
        action="append",
        help="a size to measure besides the demo's (seed_demo --scale N); repeat it: --scale 25 --scale 100"
        " (25 when not given)",
    )
    parser.add_argument("--only", action="append", default=[], help="measure only the pages whose label holds this")
    parser.add_argument("--skip", action="append", default=[], help="leave out the pages whose label holds this")
    parser.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    parser.add_argument(
        "--budget", type=float, default=10.0, help="seconds at most per page and size (3 requests at least)"
    )
    parser.add_argument(
        "--sequential",
        action="store_true",
        help="mesurer les tailles l'une après l'autre dans une seule base (au lieu d'une base par taille, page par page)",
    )
    parser.add_argument("--keep", action="store_true", help="garder les bases des tailles (NOM_x1, NOM_x25…)")
    parser.add_argument("--measure-here", action="store_true", help=argparse.SUPPRESS)  # the child's side
    parser.add_argument("--lockstep", action="store_true", help=argparse.SUPPRESS)  # page by page, when asked
    parser.add_argument("--seed-here", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure_here:
        setup(os.environ["DATABASE_URL"])
        if args.lockstep:
            _lockstep(args)
        else:
            print(json.dumps(measure(args.repeat, args.only, args.budget, args.skip)))
        return
    if args.seed_here:
        setup(os.environ["DATABASE_URL"])
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        print(json.dumps(seed(args.seed_here)))
        return
    scales = sorted({1, *(args.scale or [25])})
    if not args.sequential:
        interleaved(scales, args)
        return

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
    for scale in scales:
        actions, seconds = seed(scale)
        print(f"seed_demo --scale {scale} : {actions} actions en {seconds:.1f} s", file=sys.stderr, flush=True)
        sizes.append((scale, actions, seconds, measure_elsewhere(database_url, args)))

    analyzed = " après VACUUM ANALYZE" if connection.vendor == "postgresql" else ""
    print(f"PTI bench – base {connection.vendor}{analyzed}, médiane sur {args.repeat} requêtes par page au plus\n")
    print(" ; ".join(f"--scale {scale} : {n} actions (seed {t:.1f} s)" for scale, n, t, _r in sizes) + "\n")
    report(sizes, args.markdown)
    if tmp:
        tmp.cleanup()


def interleaved(scales, args):
    """Each size in a database of its own (`size_databases`), seeded, then measured page by page in lockstep
    (`measure_interleaved`)."""
    database_url = os.environ.get("DATABASE_URL")
    tmp = tempfile.TemporaryDirectory()
    urls = size_databases(database_url, scales, tmp.name)
    try:
        seeded = {}
        for scale, url in urls.items():
            seeded[scale] = seed_elsewhere(url, scale)
            actions, seconds = seeded[scale]
            print(f"seed_demo --scale {scale} : {actions} actions en {seconds:.1f} s", file=sys.stderr, flush=True)
        results = measure_interleaved(urls, args)
        setup(urls[scales[0]])
        from django.db import connection

        analyzed = " après VACUUM ANALYZE" if connection.vendor == "postgresql" else ""
        print(
            f"PTI bench – une base {connection.vendor} par taille{analyzed}, mesurées page par page l'une après"
            f" l'autre ; médiane sur {args.repeat} requêtes par page au plus\n"
        )
        sizes = [(scale, *seeded[scale], results[scale]) for scale in scales]
        print(" ; ".join(f"--scale {scale} : {n} actions (seed {t:.1f} s)" for scale, n, t, _r in sizes) + "\n")
        report(sizes, args.markdown)
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            drop_size_databases(database_url, urls)
        tmp.cleanup()


def _has_tables():
    from django.db import connection

    return "django_migrations" in connection.introspection.table_names()


if __name__ == "__main__":
    main()
