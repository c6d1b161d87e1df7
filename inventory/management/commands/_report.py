"""Shared output of check_stock and rebuild_stock."""

from functools import partial

from tqdm import tqdm

from inventory.selectors import Drift, drift_names


def progress_for(command, verbosity: int):
    """A tqdm bar on the command's output when it is a terminal and verbosity allows."""
    out = command.stdout
    disabled = verbosity < 1 or not out.isatty()
    return partial(tqdm, file=out, disable=disabled, leave=False)


def write_drift(command, drift: list[Drift], *, limit: int | None = None) -> None:
    names = drift_names(drift[:limit] if limit else drift)
    shown = drift[:limit] if limit else drift
    for row in shown:
        command.stdout.write(f"  {row.kind:5} {row.describe(names)}")
    if limit and len(drift) > limit:
        command.stdout.write(f"  … and {len(drift) - limit} more")
