"""Helpers for the PostgreSQL race and crash tests: threads released together, each with its own
database connection, and PostgreSQL's own deadlock counter."""

import queue
import threading
import time
from collections.abc import Callable

from django.db import connection

JOIN_TIMEOUT = 120  # seconds for a whole race; a hung thread fails the test instead of CI


def race(count: int, work: Callable[[int], object], *, threads: int | None = None) -> list:
    """Run `work(index)` for every index in range(count) on `threads` threads (default: one per
    index) that start together on a barrier. Returns the results in index order; an exception
    raised by `work` is returned in its place (the caller asserts there is none)."""
    threads = min(threads or count, count)
    todo: queue.Queue[int] = queue.Queue()
    for index in range(count):
        todo.put(index)
    results: list = [None] * count
    barrier = threading.Barrier(threads)

    def run() -> None:
        try:
            barrier.wait(timeout=JOIN_TIMEOUT)
            while True:
                try:
                    index = todo.get_nowait()
                except queue.Empty:
                    return
                try:
                    results[index] = work(index)
                except Exception as exc:
                    results[index] = exc
        finally:
            connection.close()

    pool = [threading.Thread(target=run, daemon=True) for _ in range(threads)]
    for thread in pool:
        thread.start()
    deadline = time.monotonic() + JOIN_TIMEOUT
    for thread in pool:
        thread.join(timeout=max(deadline - time.monotonic(), 0))
    assert not any(thread.is_alive() for thread in pool), "a racing thread hung"
    return results


def assert_all_answered(responses: list) -> None:
    """Every call returned an HTTP response (no exception escaped: a deadlock or a lost
    connection would), and none was a 5xx."""
    errors = [r for r in responses if not hasattr(r, "status_code")]
    assert not errors, errors
    server_errors = [(r.status_code, r.content[:300]) for r in responses if r.status_code >= 500]
    assert not server_errors, server_errors


def deadlock_count() -> int:
    """PostgreSQL's count of deadlocks detected in this (test) database. Backends report it when
    they finish a transaction or exit, so read it after the racing connections are closed."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]
