"""Feature extractors: dataset → ``n×d`` float32 matrix. Learned encoders join this registry later."""

from __future__ import annotations

from engine.features import columns, learned, pixels
from engine.registry import Entry

FEATURES: dict[str, Entry] = {
    "pixels": pixels.ENTRY,
    "columns": columns.ENTRY,
    "learned": learned.ENTRY,
}


def available_for(kind: str) -> list[str]:
    """Names of the extractors that apply to a dataset kind (``images`` or ``table``)."""
    return [name for name, entry in FEATURES.items() if kind in entry.tags]
