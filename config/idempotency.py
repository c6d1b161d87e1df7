"""`Idempotency-Key` for POSTs (API.md, Conventions).

The key row is inserted at the start of the request's transaction and the response is stored in
the same transaction as the work, so they commit or roll back together. A concurrent duplicate's
INSERT waits on the unique index until the first commits, then replays the stored response
(or executes, if the first rolled back). Waiting longer than `IDEMPOTENCY_WAIT_SECONDS` gives 409
`idempotency_in_progress`. 5xx responses are never stored, so a retry after a crash runs again.
"""

import hashlib
import json
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, OperationalError, connection, transaction
from django.http import HttpResponse
from django.utils import timezone

from config.exceptions import DomainError, ValidationFailed
from config.models import IdempotencyKey

HEADER = "HTTP_IDEMPOTENCY_KEY"
RETENTION = timedelta(hours=24)


class IdempotencyKeyReused(DomainError):
    code = "idempotency_key_reused"
    status = 422
    title = "Idempotency key reused"


class IdempotencyInProgress(DomainError):
    code = "idempotency_in_progress"
    status = 409
    title = "Idempotent request in progress"


class Replay(Exception):
    def __init__(self, record: IdempotencyKey):
        self.record = record


def validate_key(raw: str) -> str:
    if not (1 <= len(raw) <= 255) or not all(" " <= ch <= "~" for ch in raw):
        message = "Must be 1 to 255 printable ASCII characters."
        raise ValidationFailed(f"Idempotency-Key: {message}", errors={"Idempotency-Key": [message]})
    return raw


def _canonical(value):
    """JSON for what json cannot encode: an uploaded file by its content (a multipart POST's
    `file`), so the same key with another file of the same name is a different body."""
    if isinstance(value, File):
        digest = hashlib.sha256()
        for chunk in value.chunks():
            digest.update(chunk)
        value.seek(0)
        return {"name": value.name, "size": value.size, "sha256": digest.hexdigest()}
    return str(value)


def fingerprint(*, method: str, path: str, data) -> str:
    canonical = json.dumps(
        {"method": method, "path": path.rstrip("/"), "body": data},
        sort_keys=True,
        default=_canonical,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def _wait_seconds() -> float:
    return float(getattr(settings, "IDEMPOTENCY_WAIT_SECONDS", 10))


def idempotency_claim(*, user, key: str, method: str, path: str, data) -> IdempotencyKey:
    """Claim `key` for this request inside the caller's transaction, or raise Replay /
    IdempotencyKeyReused / IdempotencyInProgress."""
    digest = fingerprint(method=method, path=path, data=data)
    cutoff = timezone.now() - RETENTION
    IdempotencyKey.objects.filter(user=user, key=key, created_at__lt=cutoff).delete()
    record = IdempotencyKey(
        user=user, key=key, fingerprint=digest, method=method, path=path, response_status=0
    )
    postgres = connection.vendor == "postgresql"
    try:
        with transaction.atomic():
            if postgres:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SET LOCAL lock_timeout = %s", [f"{int(_wait_seconds() * 1000)}ms"]
                    )
            record.save(force_insert=True)
    except IntegrityError:
        existing = IdempotencyKey.objects.get(user=user, key=key)
        if existing.fingerprint != digest:
            raise IdempotencyKeyReused(
                "This Idempotency-Key was used with a different request body."
            ) from None
        raise Replay(existing) from None
    except OperationalError as exc:
        raise IdempotencyInProgress(
            "A request with this Idempotency-Key is still being processed; retry later."
        ) from exc
    finally:
        if postgres and not connection.needs_rollback:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = 0")
    return record


def idempotency_store(*, record: IdempotencyKey, response) -> None:
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    record.response_status = response.status_code
    record.response_body = response.content.decode()
    record.response_content_type = response.get("Content-Type", "application/json")
    record.save(update_fields=["response_status", "response_body", "response_content_type"])


def replay_response(record: IdempotencyKey) -> HttpResponse:
    response = HttpResponse(
        record.response_body,
        status=record.response_status,
        content_type=record.response_content_type,
    )
    response["Idempotent-Replayed"] = "true"
    return response


def idempotency_purge(*, older_than: timedelta = RETENTION, dry_run: bool = False) -> int:
    stale = IdempotencyKey.objects.filter(created_at__lt=timezone.now() - older_than)
    if dry_run:
        return stale.count()
    deleted, _ = stale.delete()
    return deleted
