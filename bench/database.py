"""The bench's own database: never the dev db.sqlite3, never the database DATABASE_URL names.

PostgreSQL `…/<name>` becomes `…/<name>_bench`, dropped and created again at the start of
every run so runs are reproducible; anything else runs on SQLite in bench/bench.sqlite3.
The environment built here is what the in-process run and gunicorn both get: production
settings (DEBUG off, a random SECRET_KEY, no SSL redirect on loopback).
"""

import os
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BENCH_DIR.parent
SQLITE_PATH = BENCH_DIR / "bench.sqlite3"
SUFFIX = "_bench"


@dataclass(frozen=True)
class BenchDatabase:
    url: str  # what DATABASE_URL is set to for the run
    engine: str  # "postgresql" or "sqlite"
    name: str  # database name, or the SQLite file
    admin_url: str | None = None  # PostgreSQL: where to connect to drop/create `name`


def is_postgres(url: str | None) -> bool:
    return bool(url) and urlsplit(url).scheme in ("postgres", "postgresql", "pgsql")


def bench_database(source_url: str | None, *, sqlite_path: Path = SQLITE_PATH) -> BenchDatabase:
    """Where the run goes, derived from the URL the user gave (or None)."""
    if not is_postgres(source_url):
        return BenchDatabase(url=f"sqlite:///{sqlite_path}", engine="sqlite", name=str(sqlite_path))
    parts = urlsplit(source_url)
    source_name = parts.path.lstrip("/") or "postgres"
    name = source_name if source_name.endswith(SUFFIX) else source_name + SUFFIX
    url = urlunsplit(parts._replace(path="/" + name))
    # Connect to the user's database to drop/create ours; to `postgres` if that is ours.
    admin_name = "postgres" if source_name == name else source_name
    admin_url = urlunsplit(parts._replace(path="/" + admin_name))
    return BenchDatabase(url=url, engine="postgresql", name=name, admin_url=admin_url)


def redact(url: str) -> str:
    """The URL without its password, for printing."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@", 1)
    return urlunsplit(parts._replace(netloc=netloc))


def recreate(db: BenchDatabase) -> None:
    """Start from an empty database."""
    if db.engine == "sqlite":
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(db.name + suffix).unlink(missing_ok=True)
        return
    from psycopg import sql

    with _admin_connection(db) as conn:
        conn.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(db.name))
        )
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db.name)))


def maintenance_url(url: str) -> str:
    """The same server's `postgres` database."""
    return urlunsplit(urlsplit(url)._replace(path="/postgres"))


def _admin_connection(db: BenchDatabase):
    """A connection to drop and create the bench database from: the database the URL names, or
    the server's `postgres` database when that one does not exist (`…/mfg` only names where
    the bench database goes, `mfg_bench`; `mfg` itself need not exist)."""
    import psycopg

    try:
        return psycopg.connect(db.admin_url, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as exc:
        if "does not exist" not in str(exc) or db.admin_url == maintenance_url(db.admin_url):
            raise
        return psycopg.connect(maintenance_url(db.admin_url), autocommit=True, connect_timeout=10)


def production_env(db: BenchDatabase, *, secret_key: str | None = None) -> dict[str, str]:
    """The settings both the in-process run and gunicorn run with (on top of os.environ)."""
    return {
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": db.url,
        "DEBUG": "0",
        "SECRET_KEY": secret_key or "bench-" + secrets.token_urlsafe(48),
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        # Action endpoints are throttled per user; the bench's one user repeats them on purpose.
        "API_ACTION_RATE": "1000000/min",
        "LOG_LEVEL": "WARNING",
        "TEST_DB_SUFFIX": "",
    }


def setup_django(env: dict[str, str]) -> None:
    """Configure this process with `env` and migrate the (empty) bench database.

    Must run before anything imports config.settings: settings read the environment once."""
    os.environ.update(env)
    # The test client's host; gunicorn gets the plain list.
    os.environ["ALLOWED_HOSTS"] = env["ALLOWED_HOSTS"] + ",testserver"
    import django
    from django.core.management import call_command

    # DEBUG off makes whitenoise look for collected static files; the API needs none.
    warnings.filterwarnings("ignore", message="No directory at", category=UserWarning)
    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
