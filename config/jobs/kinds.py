"""The kinds of job, registered by the apps that define their tasks (`<app>/tasks.py`).

A kind names its task and the permissions around it: `start_permission` to start one, and
`read_permission` to read what it produced (download an export). The job framework in `config`
never imports an app: an app registers its kinds when it loads (its AppConfig.ready).
"""

from dataclasses import dataclass

from django.utils.module_loading import import_string


@dataclass(frozen=True)
class JobKind:
    name: str
    label: str
    task: str  # dotted path of the @task function
    start_permission: str
    read_permission: str

    def get_task(self):
        return import_string(self.task)


KINDS: dict[str, JobKind] = {}


def register(kind: JobKind) -> JobKind:
    KINDS[kind.name] = kind
    return kind


def kind_of(name: str) -> JobKind | None:
    return KINDS.get(name)
