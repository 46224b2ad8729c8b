"""Feature extractors: dataset → ``n×d`` float32 matrix (each may take a ``reporter`` for progress)."""

from __future__ import annotations

from engine.features import adjacency, colours, columns, combined, learned, pixels, pretrained, series, spectrum
from engine.registry import Entry

FEATURES: dict[str, Entry] = {
    "pixels": pixels.ENTRY,
    "columns": columns.ENTRY,
    "learned": learned.ENTRY,
    "efficientnet_lite0": pretrained.ENTRY,
    "colours": colours.ENTRY,
    "combined": combined.ENTRY,
    "znorm": series.ENTRY,
    "spectrum": spectrum.ENTRY,
    "adjacency": adjacency.ENTRY,
}


def available_for(kind: str) -> list[str]:
    """Names of the extractors that apply to a dataset kind (``images`` or ``table``)."""
    return [name for name, entry in FEATURES.items() if kind in entry.tags]
