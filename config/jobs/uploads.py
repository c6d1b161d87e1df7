"""The upload boundary of a job that starts from a file (multipart, form field `file`)."""

from django.conf import settings
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.exceptions import DomainError

# Room for the multipart framing around the file (boundaries, part headers, other fields).
MULTIPART_OVERHEAD = 64 * 1024


class UploadTooLarge(DomainError):
    code = "payload_too_large"
    status = 413
    title = "Payload too large"


def _too_large(limit: int) -> UploadTooLarge:
    return UploadTooLarge(
        f"The file is larger than the {limit // (1024 * 1024)} MB an upload may hold "
        f"({limit} bytes, JOBS_UPLOAD_MAX_BYTES).",
        limit=limit,
    )


def upload_refuse_oversized_body(meta, limit: int | None = None) -> None:
    """Before the body is read: a declared Content-Length past the limit is refused at once."""
    limit = limit or settings.JOBS_UPLOAD_MAX_BYTES
    try:
        length = int(meta.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > limit + MULTIPART_OVERHEAD:
        raise _too_large(limit)


def upload_refuse_oversized_file(file, limit: int | None = None) -> None:
    limit = limit or settings.JOBS_UPLOAD_MAX_BYTES
    if file.size > limit:
        raise _too_large(limit)


@extend_schema_field({"type": "string", "format": "binary"})
class UploadField(serializers.FileField):
    pass


class FileUploadSerializer(serializers.Serializer):
    """`file`: the uploaded file (required, not empty)."""

    file = UploadField(allow_empty_file=False)
