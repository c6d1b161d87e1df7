"""gunicorn under production settings on a free loopback port, with its workers' peak RSS.

The server is always stopped (SIGTERM, then SIGKILL) when the `with` block ends, whatever
happened inside; its output goes to a temporary log whose tail is shown if it fails to start.
"""

import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bench.procs import child_pids, proc_status_kb

HOST = "127.0.0.1"


def free_port(host: str = HOST) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


class RssSampler(threading.Thread):
    """Samples VmHWM (the kernel's peak RSS) of the children of `pid` every `interval` seconds,
    keeping each worker's highest figure, also for a worker that dies and is replaced."""

    def __init__(self, pid: int, interval: float = 0.5) -> None:
        super().__init__(daemon=True, name="rss-sampler")
        self.pid = pid
        self.interval = interval
        self.peaks_kb: dict[int, int] = {}
        self._stop_event = threading.Event()
        self._lock = threading.Lock()

    def sample(self) -> None:
        for child in child_pids(self.pid):
            hwm = proc_status_kb(child, "VmHWM")
            if hwm is not None:
                with self._lock:
                    self.peaks_kb[child] = max(hwm, self.peaks_kb.get(child, 0))

    def run(self) -> None:
        while not self._stop_event.wait(self.interval):
            self.sample()

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=5)
        self.sample()

    def peaks_mb(self) -> dict[str, float]:
        with self._lock:
            return {str(pid): round(kb / 1024, 1) for pid, kb in sorted(self.peaks_kb.items())}


@dataclass
class Server:
    host: str
    port: int
    pid: int
    workers: int
    sampler: RssSampler
    log_path: Path
    info: dict = field(default_factory=dict)


def _health_ok(host: str, port: int) -> bool:
    conn = http.client.HTTPConnection(host, port, timeout=2)
    try:
        conn.request("GET", "/api/health")
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def _log_tail(path: Path, chars: int = 3000) -> str:
    try:
        return path.read_text(errors="replace")[-chars:]
    except OSError:
        return ""


def _stop(proc: subprocess.Popen, timeout_s: float = 15) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)  # graceful: workers finish their request and exit
    try:
        proc.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)


@contextlib.contextmanager
def gunicorn(
    *,
    env: Mapping[str, str],
    cwd: Path,
    workers: int = 2,
    startup_timeout_s: float = 60,
) -> Iterator[Server]:
    """Serve config.wsgi with `workers` sync workers until the block ends."""
    port = free_port()
    log = tempfile.NamedTemporaryFile(prefix="bench-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
    log_path = Path(log.name)
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "config.wsgi",
        "--workers",
        str(workers),
        "--bind",
        f"{HOST}:{port}",
        "--log-level",
        "warning",
        "--timeout",
        "60",
    ]
    proc = subprocess.Popen(
        argv,
        cwd=cwd,
        env={**os.environ, **env},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # Ctrl-C reaches the bench, which stops the server itself
    )
    sampler = RssSampler(proc.pid)
    try:
        deadline = time.monotonic() + startup_timeout_s
        while not _health_ok(HOST, port):
            if proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({proc.returncode}):\n{_log_tail(log_path)}")
            if time.monotonic() > deadline:
                raise RuntimeError(
                    f"gunicorn not healthy after {startup_timeout_s}s:\n{_log_tail(log_path)}"
                )
            time.sleep(0.2)
        sampler.start()
        yield Server(HOST, port, proc.pid, workers, sampler, log_path)
    finally:
        if sampler.is_alive():
            sampler.stop()
        _stop(proc)
        log.close()
        log_path.unlink(missing_ok=True)
