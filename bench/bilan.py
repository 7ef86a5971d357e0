"""Performance of the bilan's generation, printed (not a timed test).

For the bilan 2021 of the 82-action pacte 2017-2021 (demo size): the whole generation (the same job as the Celery
task: data, charts, HTML, WeasyPrint, storage, workflow) beside WeasyPrint alone on the very same HTML, in the same
run (aim: at most 1.25x), and where the time goes. Then the same bilan at `seed_demo --scale 25`: time and peak
memory (the process's peak RSS, which includes WeasyPrint's C libraries, and Python's own peak from tracemalloc).

    python bench/bilan.py                      # throwaway SQLite database
    DATABASE_URL=postgres://... python bench/bilan.py --repeat 3 --scale 25

The database named by DATABASE_URL is created from scratch: point it at a scratch database.
"""

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # noqa: E402 - bench/run.py: the same set-up (production settings, scratch database)

SLUG, YEAR = "pti-2017-2021", 2021


def reset(bilan):
    """Back to a draft, so that the next generation runs the whole job again."""
    from bilans.models import Bilan

    Bilan.objects.filter(pk=bilan.pk).update(status="draft", task_id="")
    bilan.refresh_from_db()


def timed_generation(bilan):
    """The whole job, step by step: {step: seconds}, and the HTML it laid out."""
    from bilans import content, services
    from pti import pdf

    spans, captured = {}, {}
    originals = (content.collect, content.draw_charts, content.build_html, services.html_to_pdf, services._complete)

    def timing(name, function, keep=None):
        def wrapper(*args, **kwargs):
            start = time.perf_counter()
            result = function(*args, **kwargs)
            spans[name] = spans.get(name, 0) + time.perf_counter() - start
            if keep:
                captured[keep] = result
            return result

        return wrapper

    content.collect = timing("données", originals[0])
    content.draw_charts = timing("graphiques", originals[1])
    content.build_html = timing("HTML", originals[2], keep="html")
    services.html_to_pdf = timing("WeasyPrint", pdf.html_to_pdf)
    services._complete = timing("enregistrement", originals[4])
    try:
        reset(bilan)
        start = time.perf_counter()
        services.generate_now(bilan)
        spans["total"] = time.perf_counter() - start
    finally:
        content.collect, content.draw_charts, content.build_html, services.html_to_pdf, services._complete = originals
    assert bilan.status == "generated", bilan.error
    return spans, captured["html"]


def weasyprint_alone(html):
    """WeasyPrint by itself on the same HTML (same PDF/A variant and resources), without PTI's memory savings
    (pti.pdf.html_to_pdf): the yardstick."""
    from weasyprint import HTML

    from pti import pdf

    start = time.perf_counter()
    HTML(string=html, base_url=pdf.BASE_URL, url_fetcher=pdf._fetcher()).write_pdf(pdf_variant=pdf.PDF_VARIANT)
    return time.perf_counter() - start


# What a measuring process starts with: the project on its path, Django set up, and the peak of its own memory
# (VmHWM starts afresh at exec; ru_maxrss would carry over this benchmark's).
PREAMBLE = """
import os, sys, time
sys.path.insert(0, {root!r})
sys.path.insert(0, {bench!r})
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pti.settings")
import django
django.setup()


def peak_mb():
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
"""

ALONE_SCRIPT = """
import bilan
html = open({path!r}, encoding="utf-8").read()
seconds = bilan.weasyprint_alone(html)
print(seconds, peak_mb())
"""

GENERATION_SCRIPT = """
import weasyprint  # a worker has it loaded after its first job; WeasyPrint alone is timed after its import too
from bilans import services
from bilans.models import Bilan
Bilan.objects.filter(pk={pk}).update(status="draft", task_id="")
bilan = Bilan.objects.get(pk={pk})
before = peak_mb()
start = time.perf_counter()
services.generate_now(bilan)
seconds = time.perf_counter() - start
bilan.refresh_from_db()
assert bilan.status == "generated", bilan.error
print(seconds, peak_mb(), before)
"""


def in_own_process(script, env=None, **values):
    """Run PREAMBLE + `script` (formatted with `values`) in a new Python process; the numbers its last line
    prints."""
    import subprocess

    here = Path(__file__).resolve().parent
    source = (PREAMBLE + script).format(root=str(here.parent), bench=str(here), **values)
    output = subprocess.run(
        [sys.executable, "-c", source], check=True, capture_output=True, text=True, env=env or os.environ
    ).stdout
    return [float(number) for number in output.splitlines()[-1].split()]


def generation_elsewhere(bilan, media_root):
    """(seconds, peak RSS in MB, RSS before in MB) of the whole job for `bilan` in a process of its own, as a
    Celery worker runs it: the memory a worker needs, apart from what this benchmark holds."""
    return in_own_process(GENERATION_SCRIPT, env={**os.environ, "DJANGO_MEDIA_ROOT": media_root}, pk=bilan.pk)


def weasyprint_alone_elsewhere(html):
    """(seconds, peak RSS in MB) of WeasyPrint alone on `html`, in a process of its own (its own peak)."""
    with tempfile.NamedTemporaryFile("w", suffix=".html", encoding="utf-8", delete=False) as handle:
        handle.write(html)
    try:
        return in_own_process(ALONE_SCRIPT, path=handle.name)
    finally:
        os.unlink(handle.name)


def bilan_for_demo():
    from axes.models import Pacte
    from bilans import services

    return services.bilan_for(Pacte.objects.get(slug=SLUG), YEAR)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scale", type=int, default=25)
    parser.add_argument("--no-scale", action="store_true", help="Seulement la taille de démonstration.")
    parser.add_argument(
        "--tracemalloc", action="store_true", help="Le pic de mémoire Python aussi (une génération de plus, lente)."
    )
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
    call_command("seed_demo", stdout=io.StringIO())

    from actions.models import Action

    bilan = bilan_for_demo()
    actions = Action.objects.filter(pacte=bilan.pacte).count()
    timed_generation(bilan)  # warm-up: fonts, templates, imports
    runs = []
    for _ in range(args.repeat):
        spans, html = timed_generation(bilan)
        runs.append((spans, weasyprint_alone(html)))
    generation = statistics.median(spans["total"] for spans, _alone in runs)
    alone = statistics.median(seconds for _spans, seconds in runs)
    pages = _pages(bilan)

    print(f"PTI bench des bilans – base {connection.vendor}, médiane de {args.repeat} générations\n")
    print(f"Bilan {YEAR} du pacte 2017-2021 ({actions} actions, {pages} pages, {bilan.pdf.size // 1024} Ko)")
    print(f"  génération complète (tâche)      {generation:7.2f} s")
    print(f"  WeasyPrint seul, même HTML       {alone:7.2f} s")
    print(f"  rapport                          {generation / alone:7.2f}x   (objectif : au plus 1,25x)")
    print("  détail de la génération (médianes) :")
    for step in ("données", "graphiques", "HTML", "WeasyPrint", "enregistrement"):
        seconds = statistics.median(spans.get(step, 0) for spans, _alone in runs)
        print(f"    {step:30} {seconds:7.2f} s")

    if args.no_scale:
        return _cleanup(tmp, media)
    started = time.perf_counter()
    call_command("seed_demo", scale=args.scale, stdout=io.StringIO())
    seeded = time.perf_counter() - started
    bilan = bilan_for_demo()
    actions = Action.objects.filter(pacte=bilan.pacte).count()
    spans, html = timed_generation(bilan)
    pages, size_kb = _pages(bilan), bilan.pdf.size // 1024  # before the next run replaces the file
    worker_seconds, worker_peak, worker_before = generation_elsewhere(bilan, media.name)
    alone_seconds, alone_peak = weasyprint_alone_elsewhere(html)
    print(f"\nseed_demo --scale {args.scale} : {actions} actions dans le pacte 2017-2021 (semées en {seeded:.0f} s)")
    print(f"  génération complète              {spans['total']:7.1f} s   ({pages} pages, {size_kb} Ko)")
    for step in ("données", "graphiques", "HTML", "WeasyPrint", "enregistrement"):
        print(f"    {step:30} {spans.get(step, 0):7.1f} s")
    print("  chacun dans un processus à part (comme un worker Celery), l'un après l'autre :")
    print(
        f"    génération complète (la tâche)   {worker_seconds:7.1f} s, pic de mémoire {worker_peak:6.0f} Mo"
        f" (dont {worker_before:.0f} Mo avant la tâche ; objectif : moins de 1 024 Mo)"
    )
    print(f"    WeasyPrint seul, même HTML       {alone_seconds:7.1f} s, pic de mémoire {alone_peak:6.0f} Mo")
    print(f"    rapport génération / WeasyPrint seul : {worker_seconds / alone_seconds:.2f}x (objectif : au plus 1,0x)")
    if args.tracemalloc:
        tracemalloc.start()
        timed_generation(bilan)
        _current, python_peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        print(f"  pic de mémoire Python (tracemalloc) {python_peak / 1024 / 1024:4.0f} Mo")
    _cleanup(tmp, media)


def _pages(bilan):
    from pypdf import PdfReader

    with bilan.pdf.open("rb") as handle:
        return len(PdfReader(handle).pages)


def _cleanup(*directories):
    for directory in directories:
        if directory:
            directory.cleanup()


if __name__ == "__main__":
    main()
