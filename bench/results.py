"""One run's results: sections for people (the table) and a flat `metrics` map for targets.

Shape of bench/results/latest.json (SCHEMA_VERSION bumps when it changes incompatibly):

    {"schema": 1,
     "meta":     {started_at, finished_at, duration_s, profile, database, python, django, cpus, ...},
     "dataset":  {part: {"seconds": s, "rows": {table: n}}},
     "inprocess": {name: {runs, warmup, median_ms, p95_ms, min_ms, max_ms, queries, mem_peak_kb}},
     "http":     {"server": {workers, worker_peak_rss_mb: {pid: mb}}, "runs": [LoadResult + ratio]},
     "commands": {name: CommandResult},
     "metrics":  {"items_list.queries": 3, "http.items_list.c8.ratio": 0.41, ...},
     "targets":  [{name, key, comparator, threshold, unit, value, status}],
     "skipped":  [{"name", "reason"}],
     "errors":   [{"name", "error"}]}
"""

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1
SECTIONS = (
    "meta",
    "dataset",
    "inprocess",
    "http",
    "commands",
    "metrics",
    "targets",
    "skipped",
    "errors",
)


@dataclass
class Results:
    meta: dict[str, Any] = field(default_factory=dict)
    dataset: dict[str, dict] = field(default_factory=dict)
    inprocess: dict[str, dict] = field(default_factory=dict)
    http: dict[str, Any] = field(default_factory=lambda: {"server": {}, "runs": []})
    commands: dict[str, dict] = field(default_factory=dict)
    metrics: dict[str, float | None] = field(default_factory=dict)
    targets: list[dict] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)

    def record(self, key: str, value: float | None) -> None:
        """A figure a target can refer to; None (not measurable) is kept out."""
        if value is not None:
            self.metrics[key] = value

    def record_many(self, prefix: str, figures: dict[str, Any]) -> None:
        for name, value in figures.items():
            if isinstance(value, int | float) and not isinstance(value, bool):
                self.record(f"{prefix}.{name}", value)

    def skip(self, name: str, reason: str) -> None:
        self.skipped.append({"name": name, "reason": reason})

    def error(self, name: str, error: str) -> None:
        self.errors.append({"name": name, "error": error})

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"schema": SCHEMA_VERSION}
        for section in SECTIONS:
            data[section] = getattr(self, section)
        return data

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.to_dict(), indent=2, sort_keys=False, default=str) + "\n")
        tmp.replace(path)


def check_shape(data: dict[str, Any]) -> list[str]:
    """Problems with a results document (empty when it has the documented shape)."""
    problems = []
    if data.get("schema") != SCHEMA_VERSION:
        problems.append(f"schema is {data.get('schema')!r}, expected {SCHEMA_VERSION}")
    for section in SECTIONS:
        if section not in data:
            problems.append(f"missing section {section!r}")
    for key, value in data.get("metrics", {}).items():
        if not isinstance(value, int | float) or isinstance(value, bool):
            problems.append(f"metric {key!r} is not a number: {value!r}")
    for target in data.get("targets", []):
        if target.get("status") not in ("met", "not met", "not measured"):
            problems.append(f"target {target.get('name')!r} has status {target.get('status')!r}")
    runs = data.get("http", {}).get("runs")
    if not isinstance(runs, list):
        problems.append("http.runs is not a list")
    return problems
