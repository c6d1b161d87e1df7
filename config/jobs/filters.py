import django_filters

from config.api.filters import FilterSet
from config.jobs.models import Job, JobStatus


class JobFilter(FilterSet):
    status = django_filters.ChoiceFilter(choices=JobStatus.choices)
    kind = django_filters.CharFilter()

    class Meta:
        model = Job
        fields = []
