"""Raw pixels, flattened and scaled to [0, 1]: the baseline every learned encoder must beat."""

from __future__ import annotations

import numpy as np
from PIL import Image

from engine.data import Dataset, DataError
from engine.params import Int
from engine.registry import Entry


def pixel_features(dataset: Dataset, size: int = 32, **_: object) -> np.ndarray:
    if dataset.images is None:
        raise DataError("pixel features need images; this dataset is a feature table")
    images = dataset.images
    if images.shape[1] > size:
        images = np.stack([np.asarray(Image.fromarray(im).resize((size, size), Image.Resampling.BILINEAR))
                           for im in images])
    if dataset.grayscale:
        images = images[..., :1]
    return images.reshape(len(images), -1).astype(np.float32) / 255.0


ENTRY = Entry(
    name="pixels", label="Raw pixels", make=pixel_features,
    params=(Int("size", 32, 4, 128, help="Images larger than this are shrunk to size×size before flattening."),),
    description="Each image flattened to one vector (grayscale kept as one channel).",
    tags=frozenset({"images"}),
)
