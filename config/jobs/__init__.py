"""Background jobs: what the UI shows of a task run by Django's Tasks framework (docs/jobs.md).

A `Job` row is created by `services.job_create`, which enqueues the kind's task after commit;
the task (a thin wrapper in `<app>/tasks.py`) runs the work through `services.job_run`, which
marks the job running, hands the work a `Progress` reporter, and records the outcome.
"""
