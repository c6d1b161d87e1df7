"""The MRP run as a background task (Django's Tasks API): a thin wrapper over
`services.mrp_run` that records progress on its job (config.jobs)."""

from django_tasks import task

from config.jobs.services import job_run
from manufacturing.planning.jobkind import MRP_RUN
from manufacturing.planning.models import PlanningRun
from manufacturing.planning.services import mrp_run

__all__ = ["MRP_RUN", "mrp_run_job"]


def _run(job, progress) -> dict:
    run = PlanningRun.objects.get(pk=job.parameters["runId"])
    run = mrp_run(run=run, progress=progress)
    return {"runId": str(run.pk), **run.counts}


@task(takes_context=True)
def mrp_run_job(context, job_id: str) -> dict:
    return job_run(job_id=job_id, task_result_id=context.task_result.id, work=_run)
