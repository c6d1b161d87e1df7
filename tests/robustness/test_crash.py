"""Crash safety on PostgreSQL, against a real gunicorn with production settings.

The test holds the production order's row lock in its own transaction, so a `produce` request
(with an Idempotency-Key) blocks inside the service, after its idempotency row and before any
stock posting. Then either the gunicorn worker is SIGKILLed or the request's database backend is
terminated. Whatever was written in that request's transaction must vanish with it: no
consumption, no production, no produced quantity, no idempotency row. A retry with the same key
then executes exactly once, and a third identical call replays the stored response.
"""

import contextlib
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection, transaction
from rest_framework.authtoken.models import Token

from config.models import IdempotencyKey
from inventory.models import MoveKind, StockMove
from manufacturing.orders import services as order_services
from manufacturing.orders.models import OrderStatus, ProductionOrder
from tests.manufacturing.orders_fixtures import make_order, make_plant, on_hand, reservations_of

pytestmark = [
    pytest.mark.postgres,
    # Transactional: gunicorn reads what the test committed. serialized_rollback keeps the data
    # migrations' rows (units, WH) across the flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
D = Decimal
START_TIMEOUT = 30  # seconds for gunicorn (or a respawned worker) to answer /api/health
WAIT_TIMEOUT = 15  # seconds for anything else to happen
KEY = "crash-retry-1"
RESERVED = {"FRAME": D(5), "BOARD": D(10), "PAINT": D(2500)}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for(check, what: str, timeout: float = WAIT_TIMEOUT, context=lambda: ""):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(0.05)
    raise AssertionError(f"timed out after {timeout}s waiting for {what}. {context()}")


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
        except OSError:
            continue
        ppid = next(line for line in status.splitlines() if line.startswith("PPid:"))
        if int(ppid.split()[1]) == pid:
            found.append(int(entry.name))
    return found


@dataclass
class Gunicorn:
    process: subprocess.Popen
    port: int
    log: Path

    def request(self, method: str, path: str, *, token: str, body=None, key=None, timeout=30):
        """(status, headers, body bytes); raises when the connection dies without an answer."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        if key:
            headers["Idempotency-Key"] = key
        try:
            conn.request(
                method, path, body=json.dumps(body) if body is not None else None, headers=headers
            )
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            conn.close()

    def healthy(self) -> bool:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            conn.request("GET", "/api/health")
            return conn.getresponse().status == 200
        except OSError:
            return False

    def worker(self) -> int:
        """The master's only worker (one sync worker)."""
        workers = _wait_for(lambda: _children(self.process.pid), "a gunicorn worker")
        assert len(workers) == 1, workers
        return workers[0]

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:]


@pytest.fixture
def gunicorn(tmp_path):
    """gunicorn with one sync worker and production settings, on the test database."""
    db = connection.settings_dict
    url = "postgres://{user}:{password}@{host}:{port}/{name}".format(
        user=quote(db["USER"] or ""),
        password=quote(db["PASSWORD"] or ""),
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        name=quote(db["NAME"]),
    )
    port = _free_port()
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "DATABASE_URL": url,
        "CONN_MAX_AGE": "0",
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    log = tmp_path / "gunicorn.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "config.wsgi",
                "--workers",
                "1",
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{port}",
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
                "--no-control-socket",
            ],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Gunicorn(process, port, log)
    try:
        _wait_for(server.healthy, "gunicorn to start", START_TIMEOUT)
        yield server
    finally:
        workers = _children(process.pid)
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        for pid in workers:  # a worker outliving its master would keep a database session
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


@pytest.fixture
def scene(make_user):
    """A confirmed order of 5 widgets and a superuser's token, committed for gunicorn."""
    plant = make_plant()
    order = make_order(plant, "5")
    order_services.production_order_confirm(order=order)
    token = Token.objects.create(user=make_user(superuser=True)).key
    return plant, order, token


def _blocked_backend() -> int | None:
    """The database backend waiting for the order row lock we hold (the request's)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            """
            SELECT pid FROM pg_stat_activity
            WHERE datname = current_database() AND pid <> pg_backend_pid()
              AND wait_event_type = 'Lock' AND query ILIKE %s
            """,
            # The text is cut at track_activity_query_size: match its start, not its FOR clause.
            ['SELECT "manufacturing_productionorder"."id"%'],
        )
        rows = cursor.fetchall()
    assert len(rows) <= 1, rows
    return rows[0][0] if rows else None


def _sessions() -> list:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT pid, state, wait_event_type, wait_event, left(query, 300) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return cursor.fetchall()


def _backend_gone(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone()[0] == 0


def _produce_in_background(server: Gunicorn, order, token) -> tuple[threading.Thread, dict]:
    outcome: dict = {}

    def call():
        try:
            outcome["response"] = server.request(
                "POST",
                f"/api/manufacturing/orders/{order.pk}/produce",
                token=token,
                body={"qty": 2, "lotNumber": "CRASH-1"},
                key=KEY,
            )
        except Exception as exc:
            outcome["error"] = exc

    thread = threading.Thread(target=call, daemon=True)
    thread.start()
    return thread, outcome


def _assert_nothing_written(plant, order, assert_no_drift):
    order.refresh_from_db()
    assert (order.status, order.produced_qty) == (OrderStatus.CONFIRMED, D(0))
    assert not StockMove.objects.filter(production_order_id=order.pk).exists()
    assert on_hand(plant.product) == D(0)
    assert on_hand(plant.frame) == D(1000)
    assert reservations_of(order) == RESERVED
    assert not IdempotencyKey.objects.filter(key=KEY).exists(), "a failed request was stored"
    assert_no_drift()


def _assert_retry_executes_once_then_replays(server, plant, order, token, assert_no_drift):
    path = f"/api/manufacturing/orders/{order.pk}/produce"
    body = {"qty": 2, "lotNumber": "CRASH-1"}

    status, headers, first = server.request("POST", path, token=token, body=body, key=KEY)
    assert status == 200, (first, server.output())
    assert "Idempotent-Replayed" not in headers
    assert json.loads(first)["producedQty"] == 2

    status, headers, again = server.request("POST", path, token=token, body=body, key=KEY)
    assert status == 200
    assert headers.get("Idempotent-Replayed") == "true"
    assert again == first

    order.refresh_from_db()
    assert (order.status, order.produced_qty) == (OrderStatus.IN_PROGRESS, D(2))
    moves = StockMove.objects.filter(production_order_id=order.pk)
    assert list(moves.filter(kind=MoveKind.PRODUCTION).values_list("quantity", flat=True)) == [D(2)]
    assert sorted(
        moves.filter(kind=MoveKind.CONSUMPTION).values_list("item__number", "quantity")
    ) == [
        ("BOARD", D(4)),
        ("FRAME", D(2)),
        ("PAINT", D(1000)),
    ]
    assert on_hand(plant.product) == D(2)
    assert IdempotencyKey.objects.filter(key=KEY).count() == 1
    assert_no_drift()


def test_sigkill_of_the_worker_inside_produce_leaves_nothing_and_the_retry_runs_once(
    gunicorn, scene, assert_no_drift
):
    plant, order, token = scene
    worker = gunicorn.worker()

    with transaction.atomic():
        ProductionOrder.objects.select_for_update().get(pk=order.pk)
        thread, outcome = _produce_in_background(gunicorn, order, token)
        backend = _wait_for(
            _blocked_backend,
            "the request to block on the order lock",
            context=lambda: (
                f"request: {outcome}; sessions: {_sessions()}; gunicorn: {gunicorn.output()}"
            ),
        )
        os.kill(worker, signal.SIGKILL)
        thread.join(timeout=WAIT_TIMEOUT)
        assert not thread.is_alive()
    # The lock is released: the orphaned backend runs into its dead client and rolls back.
    _wait_for(lambda: _backend_gone(backend), "the killed request's backend to end")

    assert "response" not in outcome, outcome  # the client never got an answer
    assert isinstance(outcome["error"], (http.client.HTTPException, OSError)), outcome
    _assert_nothing_written(plant, order, assert_no_drift)

    _wait_for(lambda: _children(gunicorn.process.pid) not in ([], [worker]), "a new worker")
    _wait_for(gunicorn.healthy, "the new worker", START_TIMEOUT)
    assert gunicorn.worker() != worker
    _assert_retry_executes_once_then_replays(gunicorn, plant, order, token, assert_no_drift)


def test_terminated_database_backend_inside_produce_leaves_nothing_and_the_retry_runs_once(
    gunicorn, scene, assert_no_drift
):
    plant, order, token = scene
    worker = gunicorn.worker()

    with transaction.atomic():
        ProductionOrder.objects.select_for_update().get(pk=order.pk)
        thread, outcome = _produce_in_background(gunicorn, order, token)
        backend = _wait_for(
            _blocked_backend,
            "the request to block on the order lock",
            context=lambda: (
                f"request: {outcome}; sessions: {_sessions()}; gunicorn: {gunicorn.output()}"
            ),
        )
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_terminate_backend(%s)", [backend])
            assert cursor.fetchone()[0] is True
        thread.join(timeout=WAIT_TIMEOUT)
        assert not thread.is_alive()
    _wait_for(lambda: _backend_gone(backend), "the terminated backend to end")

    # A killed backend is a server error (5xx is acceptable), and it is not stored.
    status, _headers, body = outcome["response"]
    assert 500 <= status < 600, (status, body)
    assert json.loads(body)["code"] == "server_error"
    _assert_nothing_written(plant, order, assert_no_drift)

    assert gunicorn.worker() == worker  # the worker survived and serves the retry
    _assert_retry_executes_once_then_replays(gunicorn, plant, order, token, assert_no_drift)
