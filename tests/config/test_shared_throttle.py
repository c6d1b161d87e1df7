"""The action rate limit is one limit for every process and host: separate gunicorn servers on
the same database (and, when a Redis server is reachable, the same Redis) share the counts, and
a server started later (a restart) still sees them."""

import contextlib
import http.client
import os
import secrets
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection
from rest_framework.authtoken.models import Token

pytestmark = [
    # Transactional: the servers read the token the test committed. serialized_rollback keeps
    # the data migrations' rows (units, WH) across the flush.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]
RATE = "4/hour"  # an hour: no window boundary in the middle of the test
REDIS = ("127.0.0.1", 6379)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return "postgres://{user}:{password}@{host}:{port}/{name}".format(
        user=quote(db["USER"] or ""),
        password=quote(db["PASSWORD"] or ""),
        host=db["HOST"] or "127.0.0.1",
        port=db["PORT"] or 5432,
        name=quote(db["NAME"]),
    )


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(REDIS, timeout=1) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class Server:
    """One gunicorn (sync workers, one unless told) with production settings: a host of its
    own."""

    def __init__(self, tmp_path, workers=1, **env):
        self.port = _free_port()
        self.log = tmp_path / f"gunicorn-{self.port}.log"
        environ = {
            k: v for k, v in os.environ.items() if k not in {"REDIS_URL", "CACHE_KEY_PREFIX"}
        }
        environ.update(
            {
                "DEBUG": "0",
                "SECRET_KEY": secrets.token_urlsafe(50),
                "ALLOWED_HOSTS": "127.0.0.1",
                "SECURE_SSL_REDIRECT": "0",
                "DATABASE_URL": _database_url(),
                "CONN_MAX_AGE": "0",
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "API_ACTION_RATE": RATE,
                **env,
            }
        )
        with self.log.open("wb") as out:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gunicorn",
                    "config.wsgi",
                    "--workers",
                    str(workers),
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--no-control-socket",
                ],
                cwd=settings.BASE_DIR,
                env=environ,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 30
        while not self._healthy():
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise AssertionError(f"gunicorn did not start: {self.log.read_text()[-3000:]}")
            time.sleep(0.1)

    def _healthy(self) -> bool:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=2)
            conn.request("GET", "/api/health")
            return conn.getresponse().status == 200
        except OSError:
            return False

    def post(self, path: str, token: str) -> int:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("POST", path, headers={"Authorization": f"Bearer {token}"})
            response = conn.getresponse()
            response.read()
            return response.status
        finally:
            conn.close()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)


@pytest.fixture
def servers(tmp_path):
    started = []

    def start(workers=1, **env) -> Server:
        server = Server(tmp_path, workers, **env)
        started.append(server)
        return server

    yield start
    for server in started:
        with contextlib.suppress(Exception):
            server.stop()


@pytest.fixture
def token(make_user) -> str:
    return Token.objects.create(user=make_user(superuser=True)).key


def _shared_limit(servers, token, **env) -> list[int]:
    """Four actions alternating between two servers, one more on each, then one on a server
    started afterwards. The action is a restore of an item that does not exist: counted (the
    throttle runs before the lookup), then 404."""
    first, second = servers(**env), servers(**env)
    path = f"/api/items/{uuid.uuid4()}/restore"
    statuses = [server.post(path, token) for server in (first, second, first, second)]
    statuses += [first.post(path, token), second.post(path, token)]
    first.stop()
    statuses.append(servers(**env).post(path, token))
    return statuses


def test_two_servers_on_one_database_share_the_rate_limit(servers, token):
    # Per process (the local-memory cache) each server would allow 4: [404] * 6, then 404.
    assert _shared_limit(servers, token) == [404, 404, 404, 404, 429, 429, 429]


def test_simultaneous_actions_on_four_workers_admit_exactly_the_limit(servers, token):
    """Two servers of two workers each, 24 actions at once: exactly 4 get through. (Each
    check is a read then a write of the user's request times: unlocked, simultaneous requests
    would read the same times and admit more.)"""
    pair = [servers(workers=2), servers(workers=2)]
    path = f"/api/items/{uuid.uuid4()}/restore"
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda n: pair[n % 2].post(path, token), range(24)))

    assert sorted(statuses) == [404] * 4 + [429] * 20


@pytest.mark.skipif(not _redis_reachable(), reason="no Redis server at 127.0.0.1:6379")
def test_two_servers_on_one_redis_share_the_rate_limit(servers, token):
    import redis

    prefix = f"test-throttle-{secrets.token_hex(6)}"
    try:
        statuses = _shared_limit(
            servers, token, REDIS_URL="redis://127.0.0.1:6379/0", CACHE_KEY_PREFIX=prefix
        )
        keys = list(redis.Redis(*REDIS).scan_iter(f"{prefix}:*"))
    finally:
        client = redis.Redis(*REDIS)
        for key in client.scan_iter(f"{prefix}:*"):
            client.delete(key)

    assert statuses == [404, 404, 404, 404, 429, 429, 429]
    assert len(keys) == 1 and keys[0].decode().endswith(
        "throttle_actions_" + str(Token.objects.get(key=token).user_id)
    )
