import django_filters

from config.jobs.models import Job, JobStatus


class JobFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=JobStatus.choices)
    kind = django_filters.CharFilter()

    class Meta:
        model = Job
        fields = []
