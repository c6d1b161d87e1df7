"""Progress from inside a running task, written to its job at a bounded rate.

A task reports as often as it likes (`progress(done, total)` per row is fine: it is a clock
check); the job row is written at most once every `JOBS_PROGRESS_INTERVAL` seconds (and once
more at the end), each write also being the job's heartbeat for the stale-job rule.

The work usually runs inside one transaction (an import is all or nothing), whose writes nobody
sees before it commits. So while the task's connection is inside a transaction:

- PostgreSQL: progress goes through a second connection of its own, in autocommit, which every
  reader sees at once.
- SQLite has one writer at a time and the task's transaction holds that lock (it begins
  IMMEDIATE), so no connection may write the job row. Progress goes to a side store that needs
  no database lock: Django's FileBasedCache in a folder next to the database file
  (`db.sqlite3-progress/`, one small file per running job, each written to a temporary file and
  renamed over the last, so a reader never sees half of one). Readers (`job_progress`, the
  stale-job rule) take the newest of the row and the side store. An SQLite database is on one
  host, and so is its side store.
"""

import logging
import os
import pickle
import time
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.cache.backends.filebased import FileBasedCache
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.db.models.sql import UpdateQuery
from django.db.models.sql.constants import NO_RESULTS
from django.utils import timezone

from config.jobs.models import Job

logger = logging.getLogger(__name__)

SIDE_LOCK_TIMEOUT_MS = 2000  # never wait long for the job row: skip this write instead


# --- the SQLite side store ------------------------------------------------------------------

_side_stores: dict[str, FileBasedCache] = {}


@dataclass(frozen=True)
class SideProgress:
    done: int
    total: int | None
    at: datetime  # when it was written: the job's last sign of life


def side_store() -> FileBasedCache | None:
    """The progress side store of the SQLite database in use (the test database in tests), or
    None: PostgreSQL (a side connection does it), or an in-memory SQLite database."""
    connection = connections[DEFAULT_DB_ALIAS]
    if connection.vendor != "sqlite":
        return None
    name = str(connection.settings_dict["NAME"])
    if connection.creation.is_in_memory_db(name):
        return None
    location = f"{os.path.abspath(name)}-progress"
    store = _side_stores.get(location)
    if store is None:
        # Entries never expire: each is deleted when its job ends (or is found stale).
        params = {"TIMEOUT": None, "OPTIONS": {"MAX_ENTRIES": 100_000}}
        store = _side_stores[location] = FileBasedCache(location, params)
    return store


def _side_key(job_id) -> str:
    return f"job-{job_id}"


def side_progress(job_ids) -> dict:
    """{job id: SideProgress} for the given jobs that have progress in the side store."""
    store = side_store()
    if store is None:
        return {}
    keys = {_side_key(job_id): job_id for job_id in job_ids}
    try:
        found = store.get_many(keys)
    except (OSError, EOFError, pickle.UnpicklingError) as exc:  # best effort, as the writes
        logger.warning("job progress side store unreadable (%s)", exc)
        return {}
    # Entries are plain tuples (done, total, at): nothing of ours is unpickled.
    return {keys[key]: SideProgress(*value) for key, value in found.items()}


def side_progress_discard(job_ids) -> None:
    store = side_store()
    if store is not None:
        store.delete_many([_side_key(job_id) for job_id in job_ids])


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
                # Our own transaction holds SQLite's only write lock: the side store.
                store = side_store()
                if store is None:
                    return False
                store.set(
                    _side_key(self.job_id),
                    (self.done, self.total, values["heartbeat_at"]),
                )
            else:
                self._side_update(values)
        except (
            DatabaseError,
            OSError,
        ) as exc:  # progress is best effort: the work goes on without it
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
        """After the job's final state is written: drop the side connection, and the side
        store's entry (the row now has the newest)."""
        if self._side is not None:
            self._side.close()
            self._side = None
        try:
            side_progress_discard([self.job_id])
        except OSError as exc:
            logger.warning("job %s: progress side store not cleared (%s)", self.job_id, exc)
