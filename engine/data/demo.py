"""Built-in demo data that ships inside installed packages (nothing is downloaded)."""

from __future__ import annotations

import numpy as np
from sklearn.datasets import load_digits

from engine.data.dataset import Dataset, ValidationReport


def digits() -> Dataset:
    """scikit-learn's 1,797 handwritten digits, 8×8 grayscale, labelled 0–9."""
    bunch = load_digits()
    gray = np.round(bunch.images * (255.0 / 16.0)).astype(np.uint8)
    images = np.repeat(gray[..., None], 3, axis=-1)
    n = len(images)
    report = ValidationReport(n_found=n, n_loaded=n, notes=["scikit-learn digits: 8×8 scans of handwritten digits"])
    return Dataset(name="digits", item_names=[f"digit {i}" for i in range(n)], images=images,
                   labels=bunch.target.astype(np.int64), class_names=[str(k) for k in range(10)],
                   report=report, grayscale=True, mirror_safe=False)


def shapes() -> Dataset:
    """Generated shapes on textured backgrounds, 64×64, with true object masks (see :mod:`engine.data.shapes`)."""
    from engine.data.shapes import shapes as generate

    return generate()


DEMOS = {"digits": digits, "shapes": shapes}
