"""The colours of what stands out from each image's background, as a histogram: for collections whose classes
differ in colour more than in shape (products in their colour variants, flowers, stained samples, paints).

Raw pixels with ``contrast="background"`` keep each pixel's distance from the background and drop its hue, and
plain pixels or a pretrained encoder are dominated by where and how big the object is: on
``engine.data.variants.colour_items`` (five colours, any shape, size and place) each of them stays below ARI 0.05
whatever the clusterer. Here every pixel votes for its hue (12 bins, each vote shared between the two nearest) at
two saturation levels, or for one of four grey levels when it has little colour, weighted by how far it is from the
image's background colour (the median of its border), so the background itself hardly counts and the object's
position and shape not at all. Rows are square roots of the normalised histogram (Hellinger: euclidean distances
then compare distributions).
"""

from __future__ import annotations

import numpy as np

from engine.data import Dataset, DataError
from engine.registry import Entry

HUES, GREYS = 12, 4
CHUNK = 2048
GREY_SATURATION = 0.2  # below this a pixel counts as grey (white, black, the greys between)
BRIGHT_SATURATION = 0.6  # the two colour levels: muted below, vivid above


def border_colour(images: np.ndarray) -> np.ndarray:
    """``n×H×W×3`` → ``n×3``: the median colour of each image's outer eighth (its background, most often)."""
    h, w = images.shape[1:3]
    band = max(1, min(h, w) // 8)
    ring = np.concatenate([images[:, :band].reshape(len(images), -1, 3), images[:, -band:].reshape(len(images), -1, 3),
                           images[:, band:-band, :band].reshape(len(images), -1, 3),
                           images[:, band:-band, -band:].reshape(len(images), -1, 3)], axis=1)
    return np.median(ring, axis=1)


def histograms(images: np.ndarray) -> np.ndarray:
    """uint8 ``n×H×W×3`` → float32 ``n×(2·HUES + GREYS)`` weighted colour histograms (see the module)."""
    n = len(images)
    out = np.zeros((n, 2 * HUES + GREYS), dtype=np.float32)
    for start in range(0, n, CHUNK):
        rgb = images[start:start + CHUNK].astype(np.float32) / 255.0
        m = len(rgb)
        weight = np.sqrt(((rgb - border_colour(rgb)[:, None, None, :]) ** 2).sum(-1) / 3.0).reshape(m, -1)
        rgb = rgb.reshape(m, -1, 3)
        high, low = rgb.max(-1), rgb.min(-1)
        chroma = high - low
        saturation = np.where(high > 0, chroma / np.maximum(high, 1e-6), 0.0)
        r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
        safe = np.maximum(chroma, 1e-6)
        hue = np.where(high == r, ((g - b) / safe) % 6, np.where(high == g, (b - r) / safe + 2, (r - g) / safe + 4))
        position = hue / 6.0 * HUES  # in [0, HUES): each vote split between the two nearest hue bins
        lower = np.floor(position).astype(np.int64) % HUES
        share = (position - np.floor(position)).astype(np.float32)
        level = np.where(saturation >= BRIGHT_SATURATION, HUES, 0)
        grey = saturation < GREY_SATURATION
        bins = 2 * HUES + GREYS
        offset = np.arange(m)[:, None] * bins  # one bincount over the whole chunk: row r's bins at r·bins
        first = np.where(grey, 2 * HUES + np.minimum((high * GREYS).astype(np.int64), GREYS - 1), level + lower)
        second = np.where(grey, first, level + (lower + 1) % HUES)
        share = np.where(grey, 0.0, share)
        block = (np.bincount((offset + first).ravel(), (weight * (1 - share)).ravel(), minlength=m * bins) +
                 np.bincount((offset + second).ravel(), (weight * share).ravel(), minlength=m * bins))
        block = block.reshape(m, bins)
        total = block.sum(axis=1, keepdims=True)
        out[start:start + m] = np.sqrt(block / np.where(total > 0, total, 1.0))
    return out


def colour_features(dataset: Dataset, **_: object) -> np.ndarray:
    if dataset.images is None:
        raise DataError("colour features need images; this dataset is a feature table")
    return histograms(dataset.images)


ENTRY = Entry(
    name="colours", label="Colour histogram", make=colour_features,
    description="The hues (and greys) of what differs from each image's background, wherever it is and whatever "
                "its shape: for classes that differ in colour.",
    tags=frozenset({"images", "per_item"}),
)
