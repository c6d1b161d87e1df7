"""The printed table, rendered from a results document (so latest.json can be re-rendered)."""

from typing import Any

from bench.targets import Target, TargetResult, format_line


def _ms(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f} ms" if value >= 100 else f"{value:.2f} ms"


def _mem_kb(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value / 1024:,.1f} MB" if value >= 1024 else f"{value:,.0f} KB"


def _opt(value: Any, fmt: str = "{}") -> str:
    return "—" if value is None else fmt.format(value)


def render(data: dict[str, Any]) -> str:
    meta = data.get("meta", {})
    out: list[str] = []
    out.append(
        f"Benchmark · {meta.get('database', '?')} ({meta.get('database_name', '?')}) · "
        f"{meta.get('profile', '?')} profile · {meta.get('cpus', '?')} CPUs · "
        f"Python {meta.get('python', '?')} · Django {meta.get('django', '?')}"
    )
    loads = [meta[key] for key in ("loadavg_start", "loadavg_end") if meta.get(key)]
    load = " -> ".join("/".join(f"{x:.2f}" for x in figures) for figures in loads)
    out.append(
        f"Started {meta.get('started_at', '?')} · total {_opt(meta.get('duration_s'), '{:.1f} s')}"
        + (f" · load average {load} (start -> end)" if load else "")
    )

    if data.get("dataset"):
        out += ["", "Dataset (bulk paths, validated)", f"  {'part':<14}{'time':>10}  rows"]
        for part, info in data["dataset"].items():
            rows = ", ".join(f"{n:,} {name}" for name, n in info.get("rows", {}).items())
            out.append(f"  {part:<14}{_opt(info.get('seconds'), '{:.2f} s'):>10}  {rows}")

    if data.get("inprocess"):
        first = next(iter(data["inprocess"].values()))
        out += [
            "",
            f"In-process (Django test client, bearer token; median of {first.get('runs')} runs "
            f"after {first.get('warmup')} warm-up; queries and memory from separate runs)",
            f"  {'scenario':<28}{'median':>11}{'p95':>11}{'queries':>9}{'peak mem':>11}",
        ]
        for name, t in data["inprocess"].items():
            out.append(
                f"  {name:<28}{_ms(t.get('median_ms')):>11}{_ms(t.get('p95_ms')):>11}"
                f"{_opt(t.get('queries')):>9}{_mem_kb(t.get('mem_peak_kb')):>11}"
            )

    http = data.get("http", {})
    if http.get("runs"):
        server = http.get("server", {})
        out += [
            "",
            f"HTTP (gunicorn, {server.get('workers', '?')} workers, DEBUG=0; "
            f"{_opt(server.get('seconds_per_run'), '{:g}')} s per endpoint between two "
            f"{_opt(server.get('health_slice_seconds'), '{:g}')} s health slices; "
            "closed loop on loopback)",
            f"  {'endpoint':<16}{'conc':>5}{'req/s':>10}{'p50':>11}{'p95':>11}{'p99':>11}"
            f"{'errors':>8}{'vs health':>11}",
        ]
        for run in http["runs"]:
            out.append(
                f"  {run['name']:<16}{run['concurrency']:>5}{run['rps']:>10,.1f}"
                f"{_ms(run.get('p50_ms')):>11}{_ms(run.get('p95_ms')):>11}{_ms(run.get('p99_ms')):>11}"
                f"{run['errors']:>8}{_opt(run.get('ratio'), '{:.2f}'):>11}"
            )
        peaks = server.get("worker_peak_rss_mb", {})
        if peaks:
            out.append(
                "  worker peak RSS (VmHWM): " + ", ".join(f"{mb:.1f} MB" for mb in peaks.values())
            )

    if data.get("commands"):
        out += [
            "",
            "Commands (subprocess)",
            f"  {'command':<28}{'wall':>10}{'peak RSS':>12}{'rc':>5}",
        ]
        for name, c in data["commands"].items():
            out.append(
                f"  {name:<28}{c['wall_s']:>8.2f} s{c['peak_rss_mb']:>9.1f} MB{c['returncode']:>5}"
            )

    if data.get("skipped"):
        out += ["", "Skipped"]
        out += [f"  {s['name']}: {s['reason']}" for s in data["skipped"]]
    if data.get("errors"):
        out += ["", "Errors"]
        out += [f"  {e['name']}: {e['error']}" for e in data["errors"]]

    if data.get("targets"):
        out += ["", "Targets"]
        for t in data["targets"]:
            target = Target(t["name"], t["key"], t["comparator"], t["threshold"], t.get("unit", ""))
            out.append("  " + format_line(TargetResult(target, t["value"], t["status"])))
    return "\n".join(out)
