"""The BOM export selector (export_boms and the export job): what it writes, and the progress it
reports, per BOM, at the job's bounded rate."""

import csv as std_csv
from io import StringIO

import pytest

from config.jobs.models import Job, JobStatus
from config.jobs.progress import Progress
from manufacturing.boms.exports import ExportResult, bom_export_csv
from manufacturing.boms.tasks import _export
from manufacturing.management.csv_layout import COLUMNS
from tests.manufacturing.factories import BOMFactory, WorkcenterFactory, op

pytestmark = pytest.mark.django_db


def test_export_writes_the_header_then_one_row_per_line_and_reports_each_bom():
    BOMFactory(number="BOM-B"), BOMFactory(number="BOM-A", operations=[op(WorkcenterFactory(), 5)])
    out, calls = StringIO(newline=""), []

    result = bom_export_csv(out=out, progress=lambda *args: calls.append(args))

    rows = list(std_csv.reader(StringIO(out.getvalue())))
    assert rows[0] == COLUMNS
    assert [row[0] for row in rows[1:]] == ["BOM-A", "BOM-A", "BOM-B"]
    assert result == ExportResult(boms=2, rows=3)
    assert calls == [(0, 2), (1,), (2,)]  # the total first, then after each BOM


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        self.now += 0.2  # each BOM takes 0.2 s
        return self.now


# Transactional: an export runs outside any transaction, as in a worker (the job row is written).
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_export_job_progress_is_per_bom_at_the_bounded_rate():
    for _ in range(10):
        BOMFactory()
    job = Job.objects.create(kind="bom_export", status=JobStatus.RUNNING)
    progress = Progress(job.pk, interval=0.5, clock=Clock())

    result = _export(job, progress)

    assert (result["boms"], result["rows"]) == (10, 10)
    assert (progress.done, progress.total) == (10, 10)
    # The total at once, then one write per 0.5 s of BOMs (not one per BOM).
    assert 1 < progress.writes < 1 + 10
    job.refresh_from_db()
    assert job.progress_total == 10
    assert 0 < job.progress_done <= 10
