"""Images streamed to an encoder at its own input size, read from the original files by worker processes.

A dataset's pixel array holds small centre-cropped copies (at most 128 px); a pretrained encoder wants more: EfficientNet
-Lite0 was trained at 224 px and evaluated on the short side resized to 224 / 0.875 = 256 px and centre-cropped to 224
(:data:`CROP`). Where the dataset has its files (``Dataset.sources``), each batch is decoded from them by a
``torch.utils.data.DataLoader`` with worker processes (JPEGs decoded at a reduced scale when they are far larger
than needed); where it has none (the digits, MNIST) or a file has gone, the pixel array is read instead.
"""

from __future__ import annotations

import os
from typing import Iterator

import numpy as np
from PIL import Image

from engine.data import Dataset
from engine.data.originals import open_upright

CROP = 0.875  # the share of the short side the encoder sees, as in its own evaluation
BATCH = 64


def workers() -> int:
    """Decoding processes beside the one running the model: one fewer than the cores, at most 4."""
    return max(1, min(4, (os.cpu_count() or 2) - 1))


def read_for_encoder(path: str, side: int, crop: float = CROP) -> np.ndarray:
    """One image file as the encoder reads it: EXIF orientation applied, the short side resized to ``side / crop``,
    the centre ``side``×``side`` kept; uint8 ``side×side×3``. An image smaller than that (a 32-px scan enlarged for
    the encoder) keeps its whole centre square: the evaluation crop is for photos, and would cut a small image's
    strokes at its edges."""
    with Image.open(path) as header:  # the short side is the same upright or not
        smaller = min(header.size)
    short = max(side, round(side / crop)) if smaller >= side / crop else side
    image = open_upright(path, short)  # a JPEG decoded at 1/2, 1/4 or 1/8 scale when that still leaves ``short``
    scale = short / min(image.size)
    width, height = max(side, round(image.width * scale)), max(side, round(image.height * scale))
    image = image.resize((width, height), Image.Resampling.BILINEAR, reducing_gap=3.0 if scale < 0.5 else None)
    left, top = (width - side) // 2, (height - side) // 2
    return np.asarray(image.crop((left, top, left + side, top + side)), dtype=np.uint8)


class _Files:
    """``torch.utils.data.Dataset`` protocol over a dataset's files: item ``i`` → ``(i, side×side×3 uint8)``; an
    unreadable or vanished file gives the pixel array's copy, resized."""

    def __init__(self, dataset: Dataset, side: int, crop: float = CROP):
        self.sources, self.images, self.side, self.crop = dataset.sources, dataset.images, side, crop

    def __len__(self) -> int:
        return len(self.sources)

    def __getitem__(self, i: int) -> tuple[int, np.ndarray]:
        try:
            return i, read_for_encoder(self.sources[i], self.side, self.crop)
        except OSError:
            pixels = Image.fromarray(self.images[i]).resize((self.side, self.side), Image.Resampling.BILINEAR)
            return i, np.asarray(pixels, dtype=np.uint8)


def _stack(items: list[tuple[int, np.ndarray]]) -> tuple[np.ndarray, np.ndarray]:
    """Batches as NumPy arrays: no torch in the worker processes (a forked child must not touch the parent's
    thread pools)."""
    return np.array([i for i, _ in items], dtype=np.int64), np.stack([a for _, a in items])


def batches(dataset: Dataset, side: int, batch: int = BATCH, processes: int | None = None, crop: float = CROP
            ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """``(indices, images)`` in item order, ``batch`` at a time: ``side``-px crops of the originals (the centre
    ``crop`` of the short side) where the dataset has files (decoded by ``processes`` workers), else slices of its
    pixel array at their own size (the encoder's batch function resizes those)."""
    n = len(dataset)
    if dataset.sources is None:
        for start in range(0, n, batch):
            yield np.arange(start, min(start + batch, n)), dataset.images[start:start + batch]
        return
    from torch.utils.data import DataLoader

    processes = workers() if processes is None else processes
    loader = DataLoader(_Files(dataset, side, crop), batch_size=batch, shuffle=False, num_workers=processes,
                        collate_fn=_stack, prefetch_factor=4 if processes else None,
                        multiprocessing_context="fork" if processes else None)
    yield from loader


def originals_larger(dataset: Dataset, side: int) -> bool:
    """Whether ``side``-px images are better read from the files than scaled up from the loaded copies: the dataset
    has its files, the copies are smaller than ``side`` and most originals are larger than the copies."""
    if dataset.sources is None or dataset.images is None or dataset.original_sizes is None:
        return False
    loaded = dataset.images.shape[1]
    return side > loaded and float(np.median(dataset.original_sizes.min(axis=1))) > loaded


def squares(dataset: Dataset, side: int, on_batch=None) -> np.ndarray:
    """uint8 ``n×side×side×3``: each image's whole centre square (as the loaded copies are cut) at ``side`` px,
    read from the original files by the loader's workers where the copies are smaller than that
    (:func:`originals_larger`), else the loaded copies resized. ``on_batch(done, total)`` after each batch (it may
    raise to cancel)."""
    n = len(dataset)
    out = np.empty((n, side, side, 3), dtype=np.uint8)
    if originals_larger(dataset, side):
        for indices, images in batches(dataset, side, crop=1.0):
            out[indices] = images
            if on_batch is not None:
                on_batch(int(indices[-1]) + 1, n)
        return out
    for i, image in enumerate(dataset.images):  # into one buffer: a list of arrays then a stack holds them twice
        out[i] = image if image.shape[0] == side else \
            np.asarray(Image.fromarray(image).resize((side, side), Image.Resampling.BILINEAR))
    return out
