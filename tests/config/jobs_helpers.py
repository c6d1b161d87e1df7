"""Running the database backend's worker in tests: in this process (`run_worker`), or as real
`manage.py db_worker` processes (`start_worker`)."""

import os
import subprocess
import sys
import time
from pathlib import Path

from django.conf import settings
from django_tasks_db.management.commands.db_worker import Worker

from config.jobs.models import Job

ROOT = Path(settings.BASE_DIR)
WAIT_TIMEOUT = 60


def run_worker(max_tasks: int | None = None) -> None:
    """Run every queued task in this process and return (`db_worker --batch`), without the
    worker's signal handlers (they would replace pytest's)."""
    Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=max_tasks,
        worker_id="test-in-process",
        excluded_queue_names=[],
    ).run()


def worker_env(**extra) -> dict:
    """The environment of a worker process: this test run's databases and job storage."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **extra}
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3"):
        env.pop("DATABASE_URL", None)
        # The worker opens the test database file itself (settings name the dev one).
        env["DATABASE_URL"] = f"sqlite:///{settings.DATABASES['default']['NAME']}"
    else:
        db = settings.DATABASES["default"]
        env["DATABASE_URL"] = (
            f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
    return env


def start_worker(*args: str, **env) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "db_worker",
            "--no-reload",
            "--no-startup-delay",
            "--interval",
            "0.05",
            *args,
        ],
        cwd=ROOT,
        env=worker_env(**env),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def wait_for(check, what: str, timeout: float = WAIT_TIMEOUT, interval: float = 0.05):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}")


def job_state(job_id) -> Job:
    return Job.objects.get(pk=job_id)
