"""Background tasks of manufacturing (Django's Tasks API): thin wrappers over the services that
run as a job (config.jobs), recording progress and outcome on it."""

import io
import tempfile

from django.core.files import File
from django_tasks import task

from config.jobs.kinds import JobKind, register
from config.jobs.services import job_run
from manufacturing.boms.exports import bom_export_csv
from manufacturing.boms.imports import bom_import_csv

BOM_IMPORT = register(
    JobKind(
        name="bom_import",
        label="BOM import",
        task="manufacturing.boms.tasks.bom_import",
        start_permission="manufacturing.add_bom",
        read_permission="manufacturing.view_bom",
    )
)

BOM_EXPORT = register(
    JobKind(
        name="bom_export",
        label="BOM export",
        task="manufacturing.boms.tasks.bom_export",
        start_permission="manufacturing.view_bom",
        read_permission="manufacturing.view_bom",
    )
)


def _import(job, progress) -> dict:
    with job.input_file.open("rb") as handle:
        result = bom_import_csv(file=handle, actor=job.created_by, progress=progress)
    return {"created": result.created, "rows": result.rows}


@task(takes_context=True)
def bom_import(context, job_id: str) -> dict:
    """Import the job's uploaded CSV (import_boms' service): all or nothing; a refusal fails the
    job with every row error."""
    return job_run(job_id=job_id, task_result_id=context.task_result.id, work=_import)


def _export(job, progress) -> dict:
    name = f"boms-{job.created_at:%Y%m%d-%H%M%S}.csv"
    with tempfile.NamedTemporaryFile("w+b", suffix=".csv") as tmp:
        text = io.TextIOWrapper(tmp, encoding="utf-8", newline="")
        result = bom_export_csv(out=text, progress=progress)
        text.flush()
        text.detach()
        tmp.seek(0)
        job.output_file.save(name, File(tmp), save=False)
    return {"boms": result.boms, "rows": result.rows, "file": name}


@task(takes_context=True)
def bom_export(context, job_id: str) -> dict:
    """Write the active BOMs as CSV (the export_boms layout) into the job's file."""
    return job_run(job_id=job_id, task_result_id=context.task_result.id, work=_export)
