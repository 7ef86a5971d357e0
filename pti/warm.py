"""The warming of the caches: what the main pages compute from the figures of the day (a pacte's figures piece by
piece, the dashboard's body, the campaign's tables), computed in the background before anyone asks.

The figures' statements hold the day's date, so that "late" and "due" follow it: the first reader of a new day
would pay for the whole pacte's statement (a few hundred milliseconds at 10,000 actions). Celery beat runs
`pti.tasks.warm_caches` every ten minutes from 0:01 (cheap on a warm cache; a lost cache is queued for a worker as
soon as a reader finds its stamps gone, `when_cache_lost`), and a deployment runs `manage.py warm_caches` after its
migrations (its new code reads nothing the old one kept, `pti.stamps.release`). What is warmed is kept as the pages
keep it (`pti.stamps`): the pieces a day, the rest until the next write or `RESULT_SECONDS`, after which a page sums
the kept pieces again without running their statements.

Each app registers what its pages read (`register`, from its `AppConfig.ready`): pti imports no domain app. A
warmer takes no argument and returns how many things it computed; it runs in French, the pages' language, so that
the parts of pages it renders are those the pages read (`pti.fragments`).
"""

import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.utils import translation

logger = logging.getLogger(__name__)

QUEUED = "pti:warm:queued-after-loss"
QUEUED_SECONDS = 60

_warmers = {}


def register(label, warm, last=False):
    """Warm with `warm()` (labelled `label` in the command's output and the logs); registering again replaces.
    `last`: after every other warmer (what fewer readers ask for: the past years' dashboards), so that the pages
    read most are warm first after a lost cache."""
    _warmers[label] = (warm, last)


def warm_all():
    """Run every warmer: [(label, how many, seconds)], in the order they were registered, those registered `last`
    after the others. A warmer that fails is logged and leaves the others to run (a page then computes what it
    did not)."""
    done = []
    language = translation.get_supported_language_variant(settings.LANGUAGE_CODE)
    ordered = sorted(_warmers.items(), key=lambda item: item[1][1])  # a stable sort: the registration's order
    with translation.override(language):
        for label, (warm, _last) in ordered:
            start = time.perf_counter()
            try:
                count = warm()
            except Exception:
                logger.exception("warming %s failed", label)
                count = None
            done.append((label, count, time.perf_counter() - start))
    return done


def when_cache_lost():
    """The cache has lost its stamps (`pti.stamps.ON_LOSS`: Redis restarted or emptied): queue the warming of the
    main pages for a Celery worker at once (once a minute at most, whichever process saw the loss first), so that
    their readers meet the whole pacte's statement for the seconds it takes, not until the next round of the
    beat. Never with eager tasks (the embedded default, the tests): the request would compute everything."""
    if settings.CELERY_TASK_ALWAYS_EAGER or not settings.PTI_WARM_WHEN_CACHE_LOST:
        return
    if not cache.add(QUEUED, True, QUEUED_SECONDS):
        return

    from pti import tasks

    try:
        tasks.warm_caches.apply_async(retry=False)
    except Exception:  # the broker down: the beat's next round warms, a page computes what it needs
        logger.exception("queueing the warming after a lost cache failed")
