"""Progress from inside a running task, written to its job at a bounded rate.

A task reports as often as it likes (`progress(done, total)` per row is fine: it is a clock
check); the job row is written at most once every `JOBS_PROGRESS_INTERVAL` seconds (and once
more at the end), each write also being the job's heartbeat for the stale-job rule.

The work usually runs inside one transaction (an import is all or nothing), whose writes nobody
sees before it commits. So while the task's connection is inside a transaction, progress goes
through a second connection of its own, in autocommit, which every reader sees at once
(PostgreSQL). SQLite has one writer at a time and the task's transaction holds that lock (it
begins IMMEDIATE): there, progress written inside the transaction is skipped and the job shows
the progress it had when the transaction began, and the final count once it ends.
"""

import logging
import time

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models.sql import UpdateQuery
from django.db.models.sql.constants import NO_RESULTS
from django.utils import timezone

from config.jobs.models import Job

logger = logging.getLogger(__name__)

SIDE_LOCK_TIMEOUT_MS = 2000  # never wait long for the job row: skip this write instead


class Progress:
    def __init__(
        self,
        job_id,
        *,
        done: int = 0,
        total: int | None = None,
        interval=None,
        clock=time.monotonic,
    ):
        self.job_id = job_id
        self.done = done
        self.total = total
        self.interval = settings.JOBS_PROGRESS_INTERVAL if interval is None else interval
        self.clock = clock
        self.writes = 0  # rows written (published), for tests and logs
        self._last = clock()
        self._side = None

    def __call__(self, done: int, total: int | None = None) -> None:
        self.done = done
        if total is not None and total != self.total:
            self.total = total
            self.publish()  # a new total is news: show it at once
            return
        if self.clock() - self._last >= self.interval:
            self.publish()

    def advance(self, rows: int = 1) -> None:
        self(self.done + rows)

    def publish(self) -> bool:
        self._last = self.clock()
        values = {
            "progress_done": self.done,
            "progress_total": self.total,
            "heartbeat_at": timezone.now(),
        }
        connection = connections[DEFAULT_DB_ALIAS]
        try:
            if not connection.in_atomic_block:
                Job.objects.filter(pk=self.job_id).update(**values)
            elif connection.vendor == "sqlite":
                return False  # our own transaction holds SQLite's only write lock
            else:
                self._side_update(values)
        except DatabaseError as exc:  # progress is best effort: the work goes on without it
            logger.warning("job %s: progress not written (%s)", self.job_id, exc)
            return False
        self.writes += 1
        return True

    def _side_update(self, values: dict) -> None:
        """UPDATE the job row through a second connection, outside the caller's transaction:
        the ORM builds the statement, the side connection runs it (autocommit)."""
        if self._side is None:
            self._side = connections.create_connection(DEFAULT_DB_ALIAS)
            self._side.ensure_connection()
            if self._side.vendor == "postgresql":
                with self._side.cursor() as cursor:
                    cursor.execute(f"SET lock_timeout = {SIDE_LOCK_TIMEOUT_MS}")
        query = Job.objects.filter(pk=self.job_id).query.chain(UpdateQuery)
        query.add_update_values(values)
        query.get_compiler(connection=self._side).execute_sql(NO_RESULTS)

    def close(self) -> None:
        if self._side is not None:
            self._side.close()
            self._side = None
