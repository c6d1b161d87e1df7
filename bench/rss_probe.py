"""`python -m bench.rss_probe REPORT COMMAND...`: run COMMAND, then write its exit code and its
own peak RSS (`ru_maxrss`, kB) to the file REPORT as JSON, and exit with its exit code.

Why a go-between: Linux keeps `ru_maxrss` across `exec`, so a command spawned straight from
the bench process (hundreds of MB after the explosions) would report at least the bench's own
peak. Spawned from this small interpreter instead, it starts from this one's few MB.
"""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path


def main(argv: list[str]) -> int:
    report, *command = argv
    if not command:
        print("usage: python -m bench.rss_probe REPORT COMMAND...", file=sys.stderr)
        return 2
    proc = subprocess.Popen(command)
    while True:
        try:
            _, status, usage = os.wait4(proc.pid, 0)
            break
        except InterruptedError:  # pragma: no cover (PEP 475 retries; belt and braces)
            continue
    returncode = os.waitstatus_to_exitcode(status)
    proc.returncode = returncode
    Path(report).write_text(json.dumps({"returncode": returncode, "maxrss_kb": usage.ru_maxrss}))
    if returncode < 0:  # killed by a signal: die the same way
        signal.signal(-returncode, signal.SIG_DFL)
        os.kill(os.getpid(), -returncode)
    return returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
