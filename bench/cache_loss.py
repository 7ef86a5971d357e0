"""What a lost cache costs the readers who come after it, with a real Redis cache, broker and Celery worker.

The cache is emptied (as when Redis restarts); one request sees its stamps gone, which queues the warming of the
main pages for the worker (`pti.warm.when_cache_lost`); `--wait` seconds later, each page of the bench's cold
list (`bench/run.py` COLD) is requested once, as its first reader would. Printed: each page's time, warm (before
the loss), then after the loss with the warming queued, then with it turned off (`PTI_WARM_WHEN_CACHE_LOST=0`),
as before: each first reader computes his page until Celery beat's next round.

    createdb -h 127.0.0.1 -U postgres pti_loss
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pti_loss .venv/bin/python manage.py migrate
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pti_loss .venv/bin/python manage.py seed_demo --scale 100
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pti_loss .venv/bin/python bench/cache_loss.py --wait 3

It uses Redis databases 6 (broker) and 7 (cache) of 127.0.0.1:6379 unless told otherwise, and empties the
cache's.
"""

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def start_worker(log):
    command = [sys.executable, "-m", "celery", "-A", "pti", "worker", "--pool=solo", "--loglevel=info"]
    command += ["--without-gossip", "--without-mingle", "--without-heartbeat", "-n", f"bench-loss-{os.getpid()}@%h"]
    worker = subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, env=os.environ.copy())
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if "ready." in Path(log.name).read_text(errors="replace"):
            return worker
        if worker.poll() is not None:
            raise SystemExit(Path(log.name).read_text(errors="replace"))
        time.sleep(0.2)
    worker.kill()
    raise SystemExit("le worker Celery n'est pas prêt après 60 s")


def warmings(log):
    """[seconds] of each warming the worker has finished (its log: "… succeeded in 4.2s: …")."""
    text = Path(log.name).read_text(errors="replace")
    found = re.findall(r"pti\.tasks\.warm_caches\[[^\]]+\] succeeded in ([0-9.]+)s", text)
    return [float(seconds) for seconds in found]


def first_readers(pages, clients, wait, warm_when_lost):
    """{label: ms} of each page's first request, `wait` seconds after the loss was seen."""
    from django.conf import settings
    from django.core.cache import cache

    from pti import stamps

    settings.PTI_WARM_WHEN_CACHE_LOST = warm_when_lost
    cache.clear()  # Redis restarted
    stamps.current()  # the first request after it, whichever page: it reads the stamps and finds them gone
    time.sleep(wait)
    times = {}
    for label, username, url in pages:
        start = time.perf_counter()
        response = clients[username].get(url)
        times[label] = (time.perf_counter() - start) * 1000
        assert response.status_code == 200, (label, response.status_code)
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--wait", type=float, default=3.0, help="secondes entre la perte vue et les lecteurs")
    parser.add_argument("--cache-url", default="redis://127.0.0.1:6379/7")
    parser.add_argument("--broker-url", default="redis://127.0.0.1:6379/6")
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL"):
        raise SystemExit("DATABASE_URL : une base PostgreSQL remplie par seed_demo")
    from bench import run  # the setup, the pages and the cold list

    run.setup(os.environ["DATABASE_URL"], args.cache_url, args.broker_url)
    from django.test import Client

    from actions.models import Action
    from pti.models import User

    pages = [row for row in [*run.pages(), *run.hard_cases()] if row[0] in run.COLD]
    clients = {}
    for _label, username, _url in pages:
        if username not in clients:
            clients[username] = Client()
            clients[username].force_login(User.objects.get(username=username))
    with tempfile.NamedTemporaryFile("w+", suffix=".log") as log:
        worker = start_worker(log)
        try:
            for _label, username, url in pages:  # warm
                clients[username].get(url)
            warm = {label: min(run._get(clients[u], url)[2] for _ in range(3)) * 1000 for label, u, url in pages}
            time.sleep(args.wait)  # a warming queued by the first requests (the cache was new) is done
            before = len(warmings(log))
            queued = first_readers(pages, clients, args.wait, True)
            deadline = time.monotonic() + 120
            while len(warmings(log)) == before and time.monotonic() < deadline:  # its end, before the next round
                time.sleep(0.2)
            during = warmings(log)[before:]
            alone = first_readers(pages, clients, args.wait, False)
            after = warmings(log)[before + len(during) :]
        finally:
            worker.terminate()
            worker.wait(30)
    actions = Action.objects.count()
    durations = ", ".join(f"{seconds:.1f} s".replace(".", ",") for seconds in during) or "aucun"
    print(
        f"{actions} actions ; lecteurs {args.wait:g} s après la perte vue ; préchauffage mis en file après la perte :"
        f" {durations} ; sans : {len(after)} préchauffage"
    )
    print()
    print("| page | à chaud (ms) | après la perte, préchauffage en file (ms) | après la perte, sans (ms) |")
    print("|---|---|---|---|")
    for label, _user, _url in pages:
        figures = " | ".join(f"{value[label]:.1f}".replace(".", ",") for value in (warm, queued, alone))
        print(f"| {label} | {figures} |")


if __name__ == "__main__":
    main()
