import json

from bench.report import render
from bench.results import SCHEMA_VERSION, SECTIONS, Results, check_shape
from bench.targets import TARGETS, evaluate


def _results() -> Results:
    results = Results(meta={"profile": "quick", "database": "sqlite", "duration_s": 1.5})
    results.dataset["items"] = {"seconds": 0.1, "rows": {"components": 450, "assemblies": 50}}
    results.inprocess["items_list"] = {
        "runs": 20,
        "warmup": 2,
        "median_ms": 4.1,
        "p95_ms": 5.0,
        "min_ms": 3.9,
        "max_ms": 6.0,
        "queries": 3,
        "mem_peak_kb": 160.0,
    }
    results.record_many("items_list", {"queries": 3, "median_ms": 4.1, "label": "x", "ok": True})
    results.http["server"] = {"workers": 2, "seconds_per_run": 5, "worker_peak_rss_mb": {"7": 70.0}}
    results.http["runs"].append(
        {
            "name": "health",
            "concurrency": 8,
            "rps": 400.0,
            "p50_ms": 1.0,
            "p95_ms": 2.0,
            "p99_ms": 3.0,
            "errors": 0,
            "ratio": 1.0,
        }
    )
    results.record("http.errors_total", 0)
    results.record("not.measured", None)
    results.skip("bom_list", "needs manufacturing.models.BOM")
    results.targets = [r.as_dict() for r in evaluate(TARGETS, results.metrics)]
    return results


def test_results_document_has_the_documented_shape(tmp_path):
    path = tmp_path / "results" / "latest.json"

    _results().write(path)

    data = json.loads(path.read_text())
    assert data["schema"] == SCHEMA_VERSION
    assert list(data) == ["schema", *SECTIONS]
    assert check_shape(data) == []
    assert data["metrics"] == {
        "items_list.queries": 3,
        "items_list.median_ms": 4.1,
        "http.errors_total": 0,
    }
    assert {t["status"] for t in data["targets"]} == {"met", "not measured"}
    assert not list(path.parent.glob("*.tmp"))


def test_shape_check_names_what_is_wrong():
    data = _results().to_dict()
    del data["http"]
    data["metrics"]["bad"] = "3"
    data["targets"][0]["status"] = "ok"

    problems = check_shape(data)

    assert "missing section 'http'" in problems
    assert any("'bad'" in p for p in problems)
    assert any("status 'ok'" in p for p in problems)


def test_table_shows_every_section_and_one_line_per_target():
    text = render(_results().to_dict())

    assert "items_list" in text and "4.10 ms" in text and "160 KB" in text
    assert "health" in text and "400.0" in text and "70.0 MB" in text
    assert "bom_list: needs manufacturing.models.BOM" in text
    target_lines = text.split("Targets\n", 1)[1].splitlines()
    assert len(target_lines) == len(TARGETS)
    assert all(line.endswith((" met", " not met", " not measured")) for line in target_lines)
