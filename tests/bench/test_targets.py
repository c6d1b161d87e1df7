import pytest

from bench.targets import (
    MET,
    NOT_MEASURED,
    NOT_MET,
    TARGETS,
    Target,
    evaluate,
    format_line,
)


def test_each_target_is_met_not_met_or_not_measured():
    targets = [
        Target("queries", "a.queries", "<=", 4),
        Target("ratio", "b.ratio", ">=", 0.35, "x"),
        Target("errors", "c.errors", "==", 0),
    ]

    results = evaluate(targets, {"a.queries": 4, "b.ratio": 0.2})

    assert [r.status for r in results] == [MET, NOT_MET, NOT_MEASURED]
    assert [r.value for r in results] == [4, 0.2, None]


def test_unknown_comparator_is_refused():
    with pytest.raises(ValueError):
        Target("x", "x", "~", 1)


def test_a_printed_target_line_ends_with_its_status():
    results = evaluate(
        [Target("items list: queries", "q", "<=", 4), Target("import: wall", "w", "<=", 60, "s")],
        {"q": 3},
    )

    lines = [format_line(r) for r in results]

    assert lines[0].startswith("items list: queries: 3 (target <= 4) ")
    assert lines[0].endswith(" met")
    assert lines[1].endswith(" not measured")
    assert "(target <= 60s)" in lines[1]


def test_issue_7_targets_are_all_there_once():
    keys = [t.key for t in TARGETS]

    assert len(keys) == len(set(keys))
    assert {
        "items_list.queries",
        "bom_list.queries",
        "bom_detail.queries",
        "bom_detail.query_growth",
        "explosion.queries_max",
        "where_used.queries_max",
        "explosion.10000.ratio_to_sql",
        "order.confirm.query_growth",
        "order.produce.query_growth",
        "http.bom_detail.c8.ratio",
        "http.items_list.c8.ratio",
        "http.errors_total",
        "import_boms.100000.wall_s",
        "import_boms.100000.peak_rss_mb",
        "http.worker_peak_rss_mb",
        "explosion.10000.mem_peak_mb",
    } <= set(keys)
    assert {t.key: t.threshold for t in TARGETS}["explosion.queries_max"] == 8  # depth 5 + 3
