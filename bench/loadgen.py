"""A small, bounded HTTP/1.1 load generator over loopback (asyncio, stdlib only).

Each of `concurrency` workers keeps one connection and sends its next request as soon as the
previous answer is read: a closed loop, so requests/s is what the server sustains at that
concurrency. Connections are reused while the server keeps them alive (gunicorn's sync workers
close each one, so reconnecting is part of every request there, as it is for real clients).
The run stops issuing requests at `duration_s` or after `max_requests`, whichever comes first,
and every request has its own timeout: nothing here can run unbounded.
"""

import asyncio
import contextlib
import time
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field

from bench.stats import percentile

MAX_HEADER_LINES = 100
MAX_ERROR_SAMPLES = 5


class ProtocolError(Exception):
    """The server's answer is not the HTTP/1.1 we can read."""


@dataclass
class LoadResult:
    path: str
    concurrency: int
    elapsed_s: float
    requests: int  # answered or failed
    ok: int  # 2xx answers
    errors: int  # non-2xx answers and socket/protocol errors/timeouts
    connections: int  # connections opened (1 per worker when the server keeps them alive)
    rps: float  # 2xx answers per second
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None
    statuses: dict[str, int] = field(default_factory=dict)
    error_samples: list[str] = field(default_factory=list)
    latencies_s: list[float] = field(default_factory=list, repr=False)  # 2xx only; not in JSON

    def as_dict(self) -> dict:
        data = asdict(self)
        del data["latencies_s"]
        return data


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value * 1000, 3)


def _result(
    path: str,
    concurrency: int,
    elapsed: float,
    latencies: list[float],
    errors: int,
    connections: int,
    statuses: Counter,
    samples: list[str],
) -> LoadResult:
    return LoadResult(
        path=path,
        concurrency=concurrency,
        elapsed_s=round(elapsed, 3),
        requests=len(latencies) + errors,
        ok=len(latencies),
        errors=errors,
        connections=connections,
        rps=round(len(latencies) / elapsed, 2) if elapsed > 0 else 0.0,
        p50_ms=_ms(percentile(latencies, 50)),
        p95_ms=_ms(percentile(latencies, 95)),
        p99_ms=_ms(percentile(latencies, 99)),
        statuses=dict(sorted(statuses.items())),
        error_samples=samples[:MAX_ERROR_SAMPLES],
        latencies_s=latencies,
    )


def merge(results: list[LoadResult]) -> LoadResult:
    """Runs of the same path and concurrency as one: counts and time add up, percentiles come
    from all latencies together (used for the health floor, measured in slices)."""
    if not results:
        raise ValueError("nothing to merge")
    statuses: Counter = Counter()
    for result in results:
        statuses.update(result.statuses)
    return _result(
        results[0].path,
        results[0].concurrency,
        sum(r.elapsed_s for r in results),
        [latency for r in results for latency in r.latencies_s],
        sum(r.errors for r in results),
        sum(r.connections for r in results),
        statuses,
        [sample for r in results for sample in r.error_samples],
    )


@dataclass
class _Tally:
    latencies_s: list[float] = field(default_factory=list)
    statuses: Counter = field(default_factory=Counter)
    errors: int = 0
    started: int = 0
    connections: int = 0
    error_samples: list[str] = field(default_factory=list)

    def fail(self, reason: str) -> None:
        self.errors += 1
        if len(self.error_samples) < MAX_ERROR_SAMPLES:
            self.error_samples.append(reason)


def build_request(host: str, port: int, path: str, headers: Mapping[str, str] | None) -> bytes:
    lines = [
        f"GET {path} HTTP/1.1",
        f"Host: {host}:{port}",
        "Accept: application/json",
        "Connection: keep-alive",
        "User-Agent: bench-loadgen",
    ]
    lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


async def read_response(reader: asyncio.StreamReader) -> tuple[int, bool]:
    """Read one response; return (status, whether the connection may be reused)."""
    status_line = await reader.readline()
    if not status_line:
        raise ConnectionResetError("connection closed before the response")
    parts = status_line.decode("latin-1").split(" ", 2)
    if len(parts) < 2 or not parts[0].startswith("HTTP/1."):
        raise ProtocolError(f"bad status line {status_line[:60]!r}")
    version, status = parts[0], int(parts[1])
    headers: dict[str, str] = {}
    for _ in range(MAX_HEADER_LINES):
        line = await reader.readline()
        if line in (b"\r\n", b"\n"):
            break
        if not line:
            raise ConnectionResetError("connection closed inside the headers")
        name, _, value = line.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    else:
        raise ProtocolError("too many header lines")

    connection = headers.get("connection", "").lower()
    keep_alive = "close" not in connection if version == "HTTP/1.1" else "keep-alive" in connection
    if status in (204, 304) or 100 <= status < 200:
        return status, keep_alive
    if "chunked" in headers.get("transfer-encoding", "").lower():
        await _read_chunked(reader)
    elif "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    else:  # body runs to the end of the connection
        await reader.read()
        keep_alive = False
    return status, keep_alive


async def _read_chunked(reader: asyncio.StreamReader) -> None:
    while True:
        size_line = await reader.readline()
        if not size_line:
            raise ConnectionResetError("connection closed inside a chunked body")
        size = int(size_line.split(b";")[0].strip(), 16)
        if size == 0:
            break
        await reader.readexactly(size + 2)  # the chunk and its CRLF
    while (await reader.readline()) not in (b"\r\n", b"\n", b""):  # trailers
        pass


async def _close(writer: asyncio.StreamWriter | None) -> None:
    if writer is None:
        return
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()


async def _worker(
    host: str,
    port: int,
    request: bytes,
    *,
    deadline: float,
    max_requests: int,
    timeout_s: float,
    tally: _Tally,
) -> None:
    reader: asyncio.StreamReader | None = None
    writer: asyncio.StreamWriter | None = None
    try:
        while time.perf_counter() < deadline and tally.started < max_requests:
            tally.started += 1
            start = time.perf_counter()
            try:
                async with asyncio.timeout(timeout_s):
                    if writer is None:
                        reader, writer = await asyncio.open_connection(host, port)
                        tally.connections += 1
                    writer.write(request)
                    await writer.drain()
                    status, keep_alive = await read_response(reader)
            except (OSError, TimeoutError, asyncio.IncompleteReadError, ProtocolError) as exc:
                tally.fail(f"{type(exc).__name__}: {exc}"[:200])
                await _close(writer)
                reader = writer = None
                continue
            elapsed = time.perf_counter() - start
            tally.statuses[str(status)] += 1
            if 200 <= status < 300:
                tally.latencies_s.append(elapsed)
            else:
                tally.fail(f"HTTP {status}")
            if not keep_alive:
                await _close(writer)
                reader = writer = None
    finally:
        await _close(writer)


async def run_load(
    host: str,
    port: int,
    path: str,
    *,
    concurrency: int,
    duration_s: float,
    max_requests: int = 100_000,
    headers: Mapping[str, str] | None = None,
    timeout_s: float = 10.0,
) -> LoadResult:
    """Drive GET `path` with `concurrency` closed-loop workers for `duration_s` seconds."""
    if concurrency < 1 or duration_s <= 0 or max_requests < 1:
        raise ValueError("concurrency, duration_s and max_requests must be positive")
    request = build_request(host, port, path, headers)
    tally = _Tally()
    start = time.perf_counter()
    deadline = start + duration_s
    await asyncio.gather(
        *(
            _worker(
                host,
                port,
                request,
                deadline=deadline,
                max_requests=max_requests,
                timeout_s=timeout_s,
                tally=tally,
            )
            for _ in range(concurrency)
        )
    )
    elapsed = time.perf_counter() - start
    return _result(
        path,
        concurrency,
        elapsed,
        tally.latencies_s,
        tally.errors,
        tally.connections,
        tally.statuses,
        tally.error_samples,
    )
