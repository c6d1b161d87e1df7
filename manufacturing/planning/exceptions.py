"""Planning's domain errors (docs/planning.md lists their codes)."""

from config.exceptions import DomainError


class RunInProgress(DomainError):
    code = "run_in_progress"
    status = 409
    title = "An MRP run is in progress"


class PlanStale(DomainError):
    code = "plan_stale"
    status = 409
    title = "The plan is stale"


class AlreadyFirmed(DomainError):
    code = "already_firmed"
    status = 409
    title = "Already firmed"


class NotMakeable(DomainError):
    code = "not_makeable"
    status = 422
    title = "Not a make order"
