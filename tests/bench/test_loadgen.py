"""The load generator against a tiny HTTP server on 127.0.0.1, started and stopped per test."""

import asyncio
import socket

import pytest

from bench.loadgen import ProtocolError, build_request, merge, read_response, run_load

BODY = b'{"status": "ok"}'


async def _handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        while True:
            request_line = await reader.readline()
            if not request_line:
                return
            while (await reader.readline()) not in (b"\r\n", b""):
                pass
            path = request_line.split()[1].decode()
            status, headers, body, close = "200 OK", [f"Content-Length: {len(BODY)}"], BODY, False
            if path == "/close":
                headers.append("Connection: close")
                close = True
            elif path == "/chunked":
                headers = ["Transfer-Encoding: chunked"]
                body = b"5\r\nhello\r\n6;x=y\r\n world\r\n0\r\n\r\n"
            elif path == "/eof":
                headers, close = [], True
            elif path == "/fail":
                status = "500 Internal Server Error"
            elif path == "/slow":
                await asyncio.sleep(1)
            head = "\r\n".join([f"HTTP/1.1 {status}", *headers]) + "\r\n\r\n"
            writer.write(head.encode() + body)
            await writer.drain()
            if close:
                return
    except (ConnectionError, asyncio.CancelledError):
        return
    finally:
        writer.close()


def load(path: str, **options):
    """Run the load generator against a fresh local server. The tests that count answers stop at
    `max_requests` (milliseconds here); the duration is only a bound, generous so that a busy
    machine cannot cut a run short and turn a count into a race."""

    async def main():
        server = await asyncio.start_server(_handle, "127.0.0.1", 0)
        port = server.sockets[0].getsockname()[1]
        try:
            return await run_load("127.0.0.1", port, path, **options)
        finally:
            server.close()

    options.setdefault("concurrency", 4)
    options.setdefault("duration_s", 30)
    options.setdefault("max_requests", 400)
    return asyncio.run(main())


def test_keep_alive_connections_are_reused():
    result = load("/ok")

    assert result.ok == result.requests > 0
    assert result.errors == 0
    assert result.connections == 4  # one per worker
    assert result.statuses == {"200": result.ok}
    assert result.rps > 0
    assert 0 < result.p50_ms <= result.p95_ms <= result.p99_ms


def test_a_server_that_closes_each_connection_gets_a_new_one_per_request():
    result = load("/close", max_requests=50)

    assert result.errors == 0
    assert result.ok == 50
    assert result.connections == 50


@pytest.mark.parametrize("path", ["/chunked", "/eof"])
def test_chunked_and_read_to_end_bodies_are_read(path):
    result = load(path, max_requests=40)

    assert result.errors == 0
    assert result.ok == 40


def test_non_2xx_answers_are_errors_without_latencies():
    result = load("/fail", max_requests=20)

    assert result.ok == 0
    assert result.errors == result.requests == 20
    assert result.statuses == {"500": 20}
    assert result.error_samples[0] == "HTTP 500"
    assert result.p50_ms is None and result.rps == 0


def test_requests_stop_at_the_limit_or_the_duration():
    assert load("/ok", max_requests=7).requests == 7
    assert load("/ok", duration_s=0.05, max_requests=10**9).elapsed_s < 5  # not endless


def test_a_slow_answer_times_out_as_an_error():
    result = load("/slow", concurrency=2, max_requests=2, timeout_s=0.1)

    assert result.ok == 0
    assert result.errors == 2
    assert result.error_samples[0].startswith("TimeoutError")


def test_a_refused_connection_is_an_error_not_a_crash():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens once closed

    result = asyncio.run(
        run_load("127.0.0.1", port, "/", concurrency=2, duration_s=0.05, max_requests=10)
    )

    assert result.ok == 0
    assert result.errors > 0
    assert result.connections == 0


def test_request_carries_host_keep_alive_and_extra_headers():
    request = build_request("127.0.0.1", 8000, "/api/items?page=1", {"Authorization": "Bearer t"})

    assert request.startswith(b"GET /api/items?page=1 HTTP/1.1\r\nHost: 127.0.0.1:8000\r\n")
    assert b"Connection: keep-alive\r\n" in request
    assert request.endswith(b"Authorization: Bearer t\r\n\r\n")


def _read(raw: bytes):
    async def main():
        reader = asyncio.StreamReader()
        reader.feed_data(raw)
        reader.feed_eof()
        return await read_response(reader)

    return asyncio.run(main())


def test_response_reader_knows_when_a_connection_may_be_reused():
    assert _read(b"HTTP/1.1 204 No Content\r\n\r\n") == (204, True)
    assert _read(b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok") == (
        200,
        False,
    )
    assert _read(b"HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok") == (200, False)
    assert _read(b"HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 0\r\n\r\n") == (
        200,
        True,
    )


def test_response_reader_refuses_what_is_not_http():
    with pytest.raises(ProtocolError):
        _read(b"SSH-2.0-OpenSSH\r\n\r\n")
    with pytest.raises(ConnectionResetError):
        _read(b"")
    with pytest.raises(asyncio.IncompleteReadError):
        _read(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort")


def test_slices_of_one_load_merge_into_one_result():
    first = load("/ok", max_requests=30)
    second = load("/fail", max_requests=10)

    merged = merge([first, second])

    assert merged.requests == 40
    assert merged.ok == 30 and merged.errors == 10
    assert merged.elapsed_s == pytest.approx(first.elapsed_s + second.elapsed_s)
    assert merged.rps == pytest.approx(30 / merged.elapsed_s, rel=0.01)
    assert merged.statuses == {"200": 30, "500": 10}
    assert merged.p50_ms == pytest.approx(first.p50_ms, rel=0.5)
    assert "latencies_s" not in merged.as_dict()
