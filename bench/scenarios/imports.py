"""`manage.py import_boms FILE.csv` as a subprocess: wall time and peak RSS at each size, and
against the floor of loading the same rows with bulk_create (`bench.import_baseline`)."""

import os
import sys
import tempfile
from pathlib import Path

from bench.context import Context
from bench.database import PROJECT_DIR
from bench.dataset import MANUFACTURING, write_import_csv
from bench.procs import run_measured
from bench.registry import scenario

# The command line, once the command's options are settled (e.g. a --commit flag).
IMPORT_ARGS = ("import_boms", "{path}")


@scenario(
    "import_boms",
    # boms: the file's workcenters, its products' defaults and its sub-assemblies' BOMs.
    needs=("items", "boms"),
    requires=("command:import_boms", *MANUFACTURING),
    mutates=True,
)
def import_boms(ctx: Context) -> None:
    """Import files of 10,000 and 100,000 lines (quick: 2,000 and 20,000); the peak RSS must
    not grow with the file (`import_boms.rss_growth_mb`, largest minus smallest). Before each
    import, the same file is loaded by `bench.import_baseline` (bulk_create into the final
    tables, rolled back), in a subprocess too: `import_boms.<lines>.ratio_to_bulk` is the
    import's wall time over that one's."""
    peaks: dict[int, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        for lines in ctx.profile.import_sizes:
            path = Path(tmp) / f"boms-{lines}.csv"
            write_import_csv(path, items=ctx.data["items"], lines=lines)
            baseline = _bulk_baseline(ctx, lines, path)
            result = ctx.run_command(
                f"import_boms.{lines}", [arg.format(path=path) for arg in IMPORT_ARGS]
            )
            path.unlink()
            if result.ok:
                peaks[lines] = result.peak_rss_mb
                if baseline:
                    ctx.record(
                        f"import_boms.{lines}.ratio_to_bulk", round(result.wall_s / baseline, 2)
                    )
    if len(peaks) >= 2:
        ctx.record("import_boms.rss_growth_mb", round(peaks[max(peaks)] - peaks[min(peaks)], 1))


def _bulk_baseline(ctx: Context, lines: int, path: Path) -> float | None:
    """The wall time of `python -m bench.import_baseline FILE` (recorded as the command
    `import_baseline.<lines>`), or None when it failed (recorded as an error)."""
    name = f"import_baseline.{lines}"
    result = run_measured(
        [sys.executable, "-m", "bench.import_baseline", str(path)],
        env={**os.environ, **ctx.env},
        cwd=PROJECT_DIR,
        timeout_s=ctx.profile.command_timeout_s,
    )
    ctx.results.commands[name] = result.as_dict()
    if not result.ok:
        ctx.results.error(name, f"exit {result.returncode}: {result.stderr_tail[-500:]}")
        return None
    ctx.record(f"{name}.wall_s", result.wall_s)
    return result.wall_s
