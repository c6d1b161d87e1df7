"""The MRP run's kind of background job (config.jobs); its task is `tasks.mrp_run_job`."""

from config.jobs.kinds import JobKind, register

MRP_RUN = register(
    JobKind(
        name="mrp_run",
        label="MRP run",
        task="manufacturing.planning.tasks.mrp_run_job",
        start_permission="manufacturing.run_planningrun",
        read_permission="manufacturing.view_planningrun",
    )
)
