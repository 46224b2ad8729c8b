"""Shared fixtures. UMAP is fitted on digits once per session (its first fit JIT-compiles for ~15 s)."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from sklearn.datasets import make_blobs

from engine import api


@pytest.fixture(scope="session", autouse=True)
def run_home(tmp_path_factory) -> Path:
    """Every test stores runs in a throw-away folder, never in the user's."""
    home = tmp_path_factory.mktemp("clusterscope-home")
    os.environ["CLUSTERSCOPE_HOME"] = str(home)
    return home


@pytest.fixture(scope="session")
def digits() -> api.Dataset:
    return api.DEMOS["digits"]()


@pytest.fixture(scope="session")
def digits_result(digits) -> api.Result:
    """The default pipeline on digits (features chosen by the probe → 10-D clustering space → K-means, K = auto),
    fitted once per session."""
    return api.run(digits, api.default_config(digits))


@pytest.fixture(scope="session")
def blobs() -> tuple[np.ndarray, np.ndarray]:
    """400 points in 4 well-separated Gaussian blobs in 6-D."""
    X, y = make_blobs(n_samples=400, centers=4, n_features=6, cluster_std=0.6, center_box=(-12, 12), random_state=3)
    return X.astype(np.float32), y


def png(colour: tuple[int, int, int] = (200, 30, 30), size: tuple[int, int] = (20, 14), mode: str = "RGB") -> bytes:
    image = Image.new(mode, size, colour if mode == "RGB" else colour[0])
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def make_zip(entries: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression) as archive:
        for name, data in entries.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def shapes_folder(root: Path, per_class: int = 6) -> Path:
    """Two classes of small images in sub-folders: red squares and blue-ish ones of varied sizes."""
    for label, colour in (("red", (220, 20, 20)), ("blue", (20, 20, 220))):
        (root / label).mkdir(parents=True)
        for i in range(per_class):
            (root / label / f"{i}.png").write_bytes(png(colour, size=(16 + 3 * i, 12 + 2 * i)))
    return root
