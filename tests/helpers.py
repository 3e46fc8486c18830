"""Small helpers shared by the test modules."""

from __future__ import annotations

from typing import Any


def as_json(value: Any) -> Any:
    """A result object (or a list of them, or None) as the JSON the API and ``--json`` give."""
    if value is None:
        return None
    if isinstance(value, list | tuple):
        return [as_json(item) for item in value]
    return value.to_json()
