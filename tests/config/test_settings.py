"""Settings read from the environment, exercised as production imports them: in a fresh process
(settings are read once, at import)."""

import json
import os
import secrets
import sqlite3
import subprocess
import sys

from django.conf import settings

# A plain-HTTP request whose client claims, in X-Forwarded-Proto, that it came over HTTPS: is it
# taken as secure, and does the SSL redirect still send it to https?
FORGED_PROTO = """
import json
import django
django.setup()
from django.conf import settings
from django.middleware.security import SecurityMiddleware
from django.test import RequestFactory

request = RequestFactory().get(
    "/admin/", HTTP_HOST="mfg.example.com", HTTP_X_FORWARDED_PROTO="https"
)
redirect = SecurityMiddleware(lambda request: None).process_request(request)
print(json.dumps({
    "header": getattr(settings, "SECURE_PROXY_SSL_HEADER", None),
    "secure": request.is_secure(),
    "redirect": redirect["Location"] if redirect is not None else None,
}))
"""


def production_settings(script: str, **env: str) -> dict:
    environ = {
        key: value
        for key, value in os.environ.items()
        if key not in {"BEHIND_PROXY", "SECURE_SSL_REDIRECT", "CSP_REPORT_ONLY", "REDIS_URL"}
    }
    environ.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "mfg.example.com",
            "DJANGO_SETTINGS_MODULE": "config.settings",
            **env,
        }
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=settings.BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_a_forged_forwarded_proto_is_not_trusted_by_default():
    seen = production_settings(FORGED_PROTO)

    assert seen == {
        "header": None,
        "secure": False,
        "redirect": "https://mfg.example.com/admin/",
    }


def test_behind_a_proxy_the_forwarded_proto_is_trusted():
    seen = production_settings(FORGED_PROTO, BEHIND_PROXY="1")

    assert seen == {
        "header": ["HTTP_X_FORWARDED_PROTO", "https"],
        "secure": True,
        "redirect": None,
    }


def test_behind_proxy_off_is_the_same_as_unset():
    assert production_settings(FORGED_PROTO, BEHIND_PROXY="0")["header"] is None


CACHE_IN_USE = """
import json
import django
django.setup()
from django.conf import settings
print(json.dumps({
    "backend": settings.CACHES["default"]["BACKEND"],
    "location": settings.CACHES["default"]["LOCATION"],
    "prefix": settings.CACHES["default"]["KEY_PREFIX"],
}))
"""


def test_the_cache_is_the_database_by_default_and_redis_with_redis_url():
    assert production_settings(CACHE_IN_USE) == {
        "backend": "django.core.cache.backends.db.DatabaseCache",
        "location": "django_cache",
        "prefix": "",
    }
    assert production_settings(
        CACHE_IN_USE, REDIS_URL="redis://cache.internal:6379/2", CACHE_KEY_PREFIX="mfg"
    ) == {
        "backend": "django.core.cache.backends.redis.RedisCache",
        "location": "redis://cache.internal:6379/2",
        "prefix": "mfg",
    }


CACHE_ROUND_TRIP = """
import json
import django
django.setup()
from django.core.cache import cache
cache.set("probe", {"n": 1}, 60)
cache.add("counter", 0, 60)
print(json.dumps({"probe": cache.get("probe"), "counter": cache.incr("counter")}))
"""


def test_migrate_alone_creates_the_cache_table(tmp_path):
    """A new database needs `migrate` and nothing else (no `createcachetable` step): the
    cache works right after it, in another process."""
    database = f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
    environ = {**os.environ, "DATABASE_URL": database, "DJANGO_SETTINGS_MODULE": "config.settings"}
    environ.pop("REDIS_URL", None)
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        cwd=settings.BASE_DIR,
        env=environ,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert migrate.returncode == 0, migrate.stderr
    with sqlite3.connect(tmp_path / "fresh.sqlite3") as db:
        tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master")}
    assert {"django_cache", "django_cache_expires"} <= tables

    assert production_settings(CACHE_ROUND_TRIP, DATABASE_URL=database) == {
        "probe": {"n": 1},
        "counter": 1,
    }


CSP_HEADERS = """
import json
import django
django.setup()
from csp.middleware import CSPMiddleware
from django.http import HttpResponse
from django.test import RequestFactory

response = CSPMiddleware(lambda request: HttpResponse())(RequestFactory().get("/admin/"))
print(json.dumps(sorted(h for h in response.headers if h.startswith("Content-Security"))))
"""


def test_the_policy_is_enforced_unless_csp_report_only_is_set():
    assert production_settings(CSP_HEADERS) == ["Content-Security-Policy"]
    assert production_settings(CSP_HEADERS, CSP_REPORT_ONLY="1") == [
        "Content-Security-Policy-Report-Only"
    ]
