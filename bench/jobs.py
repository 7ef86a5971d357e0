"""The progress bar of the two background jobs, printed (not a timed test): how long each job takes, how often
its bar moves, and the longest time it stands still (aim: a few seconds at most, during the PDF's layout too).

For the dossier COPIL of the latest COPIL of the pacte 2022-2025 and the bilan 2021 of the pacte 2017-2021, on the
demo data (or `--scale N`): each job runs through pti.jobs as a worker would run it, and every progress it writes
to its row (what the page's poll reads) is timed.

    python bench/jobs.py                        # throwaway SQLite database, demo size
    DATABASE_URL=postgres://... python bench/jobs.py --scale 25

The database named by DATABASE_URL is created from scratch: point it at a scratch database.
"""

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # noqa: E402 - bench/run.py: the same set-up (production settings, scratch database)


def recorder(engine):
    """Time every progress `engine` writes (its steps and the moves during the layout)."""
    marks = []
    step, report = engine.step, engine.report_progress

    def timed_step(pk, task_id, name):
        step(pk, task_id, name)
        marks.append((time.perf_counter(), engine.percent(name)))

    def timed_report(pk, task_id, progress):
        moved = report(pk, task_id, progress)
        if moved:
            marks.append((time.perf_counter(), int(progress)))
        return moved

    engine.step, engine.report_progress = timed_step, timed_report
    return marks


def summary(name, started, finished, marks):
    times = [started, *(at for at, _progress in marks), finished]
    still = max(b - a for a, b in zip(times, times[1:], strict=False))
    print(f"{name}")
    print(f"  durée                               {finished - started:7.2f} s")
    print(f"  mouvements de la barre              {len(marks):7d}")
    print(f"  plus longue immobilité de la barre  {still:7.2f} s")
    shown = ", ".join(f"{at - started:.1f} s : {progress} %" for at, progress in marks[:: max(1, len(marks) // 12)])
    print(f"  quelques points                     {shown}")


def dossier_job():
    from axes.models import Pacte
    from pilotage import jobs
    from pilotage.models import DossierJob

    copil = Pacte.objects.get(slug="pti-2022-2025").copils.order_by("-date").first()
    DossierJob.objects.filter(copil=copil).delete()
    marks = recorder(jobs.JOBS)
    job = jobs.request_dossier(copil)
    started = time.perf_counter()
    jobs.run(job.pk, job.task_id)
    finished = time.perf_counter()
    job.refresh_from_db()
    assert job.status == "done", job.error
    summary(f"Dossier du {copil} ({job.pdf.size // 1024} Ko)", started, finished, marks)


def bilan_job():
    import uuid

    from django.db import transaction
    from django.utils import timezone

    from axes.models import Pacte
    from bilans import services
    from bilans.enums import BilanStatus
    from bilans.models import Bilan
    from bilans.workflow import transition

    bilan = services.bilan_for(Pacte.objects.get(slug="pti-2017-2021"), 2021)
    Bilan.objects.filter(pk=bilan.pk).update(status="draft", task_id="")
    bilan.refresh_from_db()
    marks = recorder(services.JOBS)
    task_id = f"bench-{uuid.uuid4()}"
    with transaction.atomic():
        transition(bilan, BilanStatus.GENERATING, **services.JOBS.new_job_fields(task_id, timezone.now()))
    started = time.perf_counter()
    services.run_generation(bilan.pk, task_id)
    finished = time.perf_counter()
    bilan.refresh_from_db()
    assert bilan.status == BilanStatus.GENERATED, bilan.error
    summary(f"Bilan 2021 du pacte 2017-2021 ({bilan.pdf.size // 1024} Ko)", started, finished, marks)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=int, default=1)
    args = parser.parse_args()

    tmp = None
    database_url = os.environ.get("DATABASE_URL")
    if not database_url:
        tmp = tempfile.TemporaryDirectory()
        database_url = f"sqlite:///{tmp.name}/bench.sqlite3"
    run.setup(database_url)
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    media = tempfile.TemporaryDirectory()
    settings.MEDIA_ROOT = media.name
    call_command("flush", interactive=False, verbosity=0) if run._has_tables() else None
    call_command("migrate", verbosity=0)
    call_command("seed_demo", scale=args.scale, stdout=io.StringIO())

    print(
        f"PTI bench de la progression des tâches de fond – base {connection.vendor}, seed_demo --scale {args.scale}\n"
    )
    dossier_job()
    bilan_job()


if __name__ == "__main__":
    main()
