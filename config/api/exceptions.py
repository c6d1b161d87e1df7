"""One exception handler: every error leaves the API as RFC 9457 problem+json with a `code`."""

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response

from config.api.renderers import camel_key
from config.exceptions import DomainError

PROBLEM_CONTENT_TYPE = "application/problem+json"


class CsrfFailed(exceptions.PermissionDenied):
    """A session-authenticated write without a valid CSRF token (config.api.authentication)."""

    default_detail = "CSRF check failed."
    default_code = "csrf_failed"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


def payload_too_large() -> PayloadTooLarge:
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return PayloadTooLarge(
        f"The request body is larger than {limit} bytes, the most this API reads."
    )


_DRF_CODES: list[tuple[type[exceptions.APIException], str, str]] = [
    (exceptions.NotAuthenticated, "not_authenticated", "Not authenticated"),
    (exceptions.AuthenticationFailed, "not_authenticated", "Not authenticated"),
    (CsrfFailed, "csrf_failed", "CSRF check failed"),
    (exceptions.PermissionDenied, "not_privileged", "Not privileged"),
    (exceptions.NotFound, "not_found", "Not found"),
    (exceptions.MethodNotAllowed, "method_not_allowed", "Method not allowed"),
    (exceptions.NotAcceptable, "not_acceptable", "Not acceptable"),
    (exceptions.UnsupportedMediaType, "unsupported_media_type", "Unsupported media type"),
    (exceptions.Throttled, "throttled", "Too many requests"),
    (PayloadTooLarge, "payload_too_large", "Payload too large"),
    (exceptions.ParseError, "parse_error", "Malformed request body"),
    (exceptions.ValidationError, "validation_error", "Validation error"),
]


def flatten_errors(detail, prefix: str = "") -> dict[str, list[str]]:
    """`{"components": [{"quantity": ["…"]}]}` → `{"components[0].quantity": ["…"]}`."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            if isinstance(key, int):  # ListField / DictField children: `tags[2]`
                out.update(flatten_errors(value, f"{prefix}[{key}]"))
                continue
            name = camel_key(str(key))
            if name in ("nonFieldErrors", "__all__"):
                name = ""
            path = f"{prefix}.{name}" if prefix and name else (prefix or name)
            out.update(flatten_errors(value, path))
    elif isinstance(detail, list):
        if all(not isinstance(v, (dict, list)) for v in detail):
            if detail:
                out.setdefault(prefix or "nonFieldErrors", []).extend(str(v) for v in detail)
        else:
            for index, value in enumerate(detail):
                if value:
                    out.update(flatten_errors(value, f"{prefix}[{index}]"))
    else:
        out.setdefault(prefix or "nonFieldErrors", []).append(str(detail))
    return out


def problem(status_code: int, code: str, title: str, detail: str, **extra) -> Response:
    body = {
        "type": f"urn:problem:{code}",
        "title": title,
        "status": status_code,
        "detail": detail,
        "code": code,
        **extra,
    }
    return Response(body, status=status_code, content_type=PROBLEM_CONTENT_TYPE)


def domain_problem(exc: DomainError) -> Response:
    """A service's refusal: its snake_case field paths camelized, here and only here, in
    `errors` and where `detail` starts with one (`components[1].product_id: …`)."""
    extra, detail = exc.extra, exc.detail
    errors = extra.get("errors")
    if errors:
        extra = {
            **extra,
            "errors": {camel_key(path): messages for path, messages in errors.items()},
        }
        for path in errors:
            if detail.startswith(f"{path}: "):
                detail = camel_key(path) + detail[len(path) :]
                break
    return problem(exc.status, exc.code, exc.title, detail, **extra)


def problem_exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return domain_problem(exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, RequestDataTooBig):  # Django's 400 HTML page otherwise
        exc = payload_too_large()
    if not isinstance(exc, exceptions.APIException):
        return None

    code, title = "error", "Error"
    for cls, known_code, known_title in _DRF_CODES:
        if isinstance(exc, cls):
            code, title = known_code, known_title
            break

    extra = {}
    if isinstance(exc, exceptions.ValidationError):
        errors = flatten_errors(exc.detail)
        extra["errors"] = errors
        first_field, messages = next(iter(errors.items()), ("", ["Invalid input."]))
        detail = f"{first_field}: {messages[0]}" if first_field else messages[0]
    elif isinstance(exc.detail, (list, dict)):
        detail = "; ".join(m for msgs in flatten_errors(exc.detail).values() for m in msgs)
    else:
        detail = str(exc.detail)
    if (
        isinstance(exc, exceptions.PermissionDenied)
        and detail == exceptions.PermissionDenied.default_detail
    ):
        detail = "You do not have permission to perform this action."

    response = problem(exc.status_code, code, title, detail, **extra)
    if getattr(exc, "auth_header", None):
        response["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        response["Retry-After"] = str(int(exc.wait))
    if exc.status_code == status.HTTP_401_UNAUTHORIZED and "WWW-Authenticate" not in response:
        response["WWW-Authenticate"] = "Bearer"
    return response
