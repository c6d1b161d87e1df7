"""Processes: run a command and measure its wall time and peak RSS; read /proc memory figures."""

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

TAIL_CHARS = 2000
PROBE = Path(__file__).with_name("rss_probe.py")


@dataclass
class CommandResult:
    argv: list[str]
    returncode: int
    wall_s: float
    peak_rss_mb: float  # ru_maxrss of the command's own process (not of its children); 0 if unknown
    timed_out: bool
    stdout_tail: str
    stderr_tail: str

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not self.timed_out

    def as_dict(self) -> dict:
        return asdict(self)


def _tail(handle) -> str:
    handle.seek(0)
    return handle.read().decode("utf-8", "replace")[-TAIL_CHARS:]


def run_measured(
    argv: Sequence[str],
    *,
    env: Mapping[str, str] | None = None,
    cwd: str | Path | None = None,
    timeout_s: float = 600.0,
) -> CommandResult:
    """Run `argv` to completion (killed after `timeout_s`, with anything it started) and return
    its wall time and the kernel's peak-RSS figure for exactly that process. The command is
    started by `bench.rss_probe`, a small interpreter that reaps it with `os.wait4` and reports
    its `ru_maxrss`: Linux keeps that figure across `exec`, so started straight from this
    (possibly large) process it would report at least this process's own peak. Output goes to
    temporary files (no pipe can fill up and stall the command); the tails are kept."""
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryDirectory(prefix="bench-rss-") as tmp,
    ):
        report = Path(tmp) / "rss.json"
        start = time.perf_counter()
        proc = subprocess.Popen(
            [sys.executable, str(PROBE), str(report), *argv],
            env=dict(env) if env else None,
            cwd=cwd,
            stdout=out,
            stderr=err,
            start_new_session=True,  # its own process group: a timeout kills the command too
        )
        timed_out = False
        try:
            proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        wall = time.perf_counter() - start
        try:
            probe = json.loads(report.read_text())
        except (OSError, ValueError):
            probe = {"returncode": proc.returncode, "maxrss_kb": 0}
        return CommandResult(
            argv=list(argv),
            returncode=probe["returncode"],
            wall_s=round(wall, 3),
            peak_rss_mb=round(probe["maxrss_kb"] / 1024, 1),  # Linux reports kilobytes
            timed_out=timed_out,
            stdout_tail=_tail(out),
            stderr_tail=_tail(err),
        )


def proc_status_kb(pid: int, field: str) -> int | None:
    """A `kB` figure from /proc/<pid>/status (VmHWM = peak RSS, VmRSS = current), or None when
    the process is gone."""
    try:
        text = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return None
    for line in text.splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return None


def child_pids(pid: int) -> list[int]:
    """The live children of `pid`, from /proc (the `children` file needs a kernel option that is
    often missing, so scan every process's parent instead)."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # Fields after the parenthesised command name: state, ppid, ...
        fields = stat.rsplit(")", 1)[1].split()
        if int(fields[1]) == pid:
            children.append(int(entry.name))
    return sorted(children)
