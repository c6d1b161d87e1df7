"""OpenAPI helpers for this app: `NamedChoiceField` now lives in config.api.schema (inventory
uses it too); imported here for this app's serializers."""

from config.api.schema import NamedChoiceField

__all__ = ["NamedChoiceField"]
