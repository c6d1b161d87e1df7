"""Time-ordered UUIDv7 primary keys: index-friendly like a sequence, opaque like a UUID."""

import uuid

from uuid6 import uuid7 as _uuid7


def uuid7() -> uuid.UUID:
    return uuid.UUID(int=_uuid7().int)
