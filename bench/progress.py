"""Progress lines on stderr, timed from the start of the run (the table goes to stdout)."""

import sys
import time

_T0 = time.perf_counter()


def log(message: str) -> None:
    print(f"[{time.perf_counter() - _T0:7.1f}s] {message}", file=sys.stderr, flush=True)
