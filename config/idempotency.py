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
from decimal import Decimal

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, OperationalError, connection, transaction
from django.http import HttpResponse
from django.utils import timezone

from config.api.renderers import JSONEncoder, json_number
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


_INT_DIGITS = 18  # integral values below 10^18 are compared as Python ints


def _number(value: Decimal) -> int | float | Decimal:
    """One value, one JSON text: `1`, `1.0` and `1E0` give 1; `2.5` and `2.50` give 2.5; a
    value no float holds (`100000000000.000001`) gives the Decimal, written digit for digit.
    Integers and floats are written as the fingerprint always wrote them, so a stored key of a
    body without fractions still matches its retry. Exact: no rounding context, and a huge
    exponent (`1E+1000000`) is never expanded."""
    sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int):  # NaN, Infinity: the parser refuses them already
        return str(value)
    digits = list(digits)
    while len(digits) > 1 and digits[-1] == 0:
        digits.pop()
        exponent += 1
    if digits == [0]:
        return 0
    if exponent >= 0 and len(digits) + exponent <= _INT_DIGITS:
        return int(Decimal((sign, digits, exponent)))
    return json_number(Decimal((sign, digits, exponent)))


def _file(value: File) -> dict:
    """An uploaded file by its content (a multipart POST's `file`), so the same key with another
    file of the same name is a different body."""
    digest = hashlib.sha256()
    for chunk in value.chunks():
        digest.update(chunk)
    value.seek(0)
    return {"name": value.name, "size": value.size, "sha256": digest.hexdigest()}


def canonical(data):
    """The parsed body as a request and its retry are compared: the same values give the same
    JSON (`1` and `1.0` are one number; the string `"1"` stays a string)."""
    if isinstance(data, dict):
        return {key: canonical(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [canonical(value) for value in data]
    if isinstance(data, bool) or data is None or isinstance(data, str):
        return data
    if isinstance(data, int):
        return data if abs(data) < 10**_INT_DIGITS else _number(Decimal(data))
    if isinstance(data, float):
        return _number(Decimal(repr(data)))
    if isinstance(data, Decimal):
        return _number(data)
    if isinstance(data, File):
        return _file(data)
    return str(data)


def fingerprint(*, method: str, path: str, data) -> str:
    text = json.dumps(
        {"method": method, "path": path.rstrip("/"), "body": canonical(data)},
        sort_keys=True,
        cls=JSONEncoder,
    )
    return hashlib.sha256(text.encode()).hexdigest()


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
