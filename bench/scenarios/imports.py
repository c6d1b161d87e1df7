"""`manage.py import_boms FILE.csv` as a subprocess: wall time and peak RSS at each size."""

import tempfile
from pathlib import Path

from bench.context import Context
from bench.dataset import MANUFACTURING, write_import_csv
from bench.registry import scenario

# The command line, once the command's options are settled (e.g. a --commit flag).
IMPORT_ARGS = ("import_boms", "{path}")


@scenario(
    "import_boms",
    needs=("items",),
    requires=("command:import_boms", *MANUFACTURING),
    mutates=True,
)
def import_boms(ctx: Context) -> None:
    """Import files of 10,000 and 100,000 lines (quick: 2,000 and 20,000); the peak RSS must
    not grow with the file (`import_boms.rss_growth_mb`, largest minus smallest)."""
    peaks: dict[int, float] = {}
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        for lines in ctx.profile.import_sizes:
            path = Path(tmp) / f"boms-{lines}.csv"
            write_import_csv(path, items=ctx.data["items"], lines=lines)
            result = ctx.run_command(
                f"import_boms.{lines}", [arg.format(path=path) for arg in IMPORT_ARGS]
            )
            path.unlink()
            if result.ok:
                peaks[lines] = result.peak_rss_mb
    if len(peaks) >= 2:
        ctx.record("import_boms.rss_growth_mb", round(peaks[max(peaks)] - peaks[min(peaks)], 1))
