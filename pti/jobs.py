"""What every background job shares: a heartbeat beaten from a side thread while the job works.

A job's row says when its worker last gave a sign of life. The steps of a job write it, but one step can take
minutes (WeasyPrint laying out a long PDF); so, for as long as the job runs, a side thread beats it every
`PTI_JOB_HEARTBEAT_SECONDS`. A job whose heartbeat is older than `PTI_JOB_LOST_SECONDS` (a few beats) has lost
its worker (killed, out of memory, machine restarted): the pages show it failed, with a retry, within a minute.

    with Heartbeat(lambda: Job.objects.filter(pk=pk, task_id=task_id).update(heartbeat_at=now()) > 0):
        do_the_work()

`beat` returns False once the row no longer names this job (done, failed or superseded elsewhere): the thread
stops beating, and the job finds out at its next step. A beat that fails (database briefly away) is skipped. The
thread also stops after `max_seconds` (the task's hard time limit): a job stuck for longer than it may run
must not look alive for ever.
"""

import logging
import threading
import time

from django.conf import settings
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)


class Heartbeat:
    def __init__(self, beat, interval=None, max_seconds=None):
        self.beat = beat
        self.interval = settings.PTI_JOB_HEARTBEAT_SECONDS if interval is None else interval
        self.max_seconds = settings.CELERY_TASK_TIME_LIMIT if max_seconds is None else max_seconds
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pti-job-heartbeat", daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc_info):
        self._stop.set()
        self._thread.join()
        return False

    def _run(self):
        deadline = time.monotonic() + self.max_seconds
        try:
            while not self._stop.wait(self.interval):
                if time.monotonic() >= deadline:
                    logger.warning("Job heartbeat stopped after %s s: the job ran longer than it may", self.max_seconds)
                    return
                try:
                    if not self.beat():
                        return
                except DatabaseError:
                    logger.warning("Job heartbeat skipped: the database did not answer", exc_info=True)
        finally:
            connections.close_all()  # this thread's own connections
