"""`make bench`: a reproducible benchmark of the API, the selectors and the ops commands.

`python -m bench --help` for the options; docs/bench.md for what each figure means.
Only `cli`, `database`, `context`, `dataset` and `scenarios` touch Django; the measuring
helpers (stats, loadgen, procs, targets, results, report) are plain Python and unit-tested.
"""
