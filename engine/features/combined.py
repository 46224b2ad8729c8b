"""Raw pixels and the pretrained encoder side by side (and, for colour images, the colour histogram): one space
in which an item's neighbours must look alike *and* hold alike things.

Each part is centred, cut to its first :data:`PART_DIMS` principal components when wider, and scaled so that its
rows' mean squared length is 1, then the parts are put side by side: every part weighs the same, whatever its width
or units (1,280 encoder dimensions do not drown 64 pixels).

Why: the two answer different questions. Pixels group images drawn alike (a digit's strokes, a face's layout); the
encoder, trained on photos, groups images that hold alike things, but also splits off whatever ImageNet's classes
care about (ink colour, background texture). Measured by ``bench/feature_probe.py`` on the feature probe's
1,000-item samples of ``bench/defaults.py``'s image sets (K-means with K = auto on the 10-D clustering space), ARI
of pixels / encoder / both: LFW faces 0.67 / 0.94 / 0.96, mnist5k 0.49 / 0.59 / 0.79, MNIST inverted 0.48 / 0.66 /
0.81, digits 0.80 / 0.05 / 0.83, photo crops 0.18 / 1.00 / 0.97. Where one part's structure is not the classes' it
can pull the result down (MNIST on textures: 0.49 / 0.00 / 0.00): the feature probe (``engine.defaults``) weighs
this candidate against each part alone.
"""

from __future__ import annotations

import numpy as np

from engine import scale
from engine.data import Dataset, DataError
from engine.params import Choice
from engine.progress import Reporter, ensure
from engine.registry import Entry

PART_DIMS = scale.SEARCH_DIMS  # each part's principal components (50, the clustering space's own PCA width)
PARTS = {"pixels+encoder": ("pixels", "efficientnet_lite0"),
         "pixels+encoder+colours": ("pixels", "efficientnet_lite0", "colours")}


def part(X: np.ndarray, seed: int = 0) -> np.ndarray:
    """One part of the combination: centred, cut to :data:`PART_DIMS` principal components when wider (fitted on
    an even sample past ``scale.FIT_SAMPLE`` items, as the clustering space's are), and scaled to a mean squared row
    length of 1."""
    X = np.asarray(X, dtype=np.float32)
    X = X - X.mean(axis=0, dtype=np.float64).astype(np.float32)
    if not X.any():  # every row alike: nothing to tell apart, and a PCA would divide by zero
        return X[:, :PART_DIMS]
    if X.shape[1] > PART_DIMS and len(X) > PART_DIMS:
        X = scale.search_space(X, scale.sample_indices(len(X), scale.FIT_SAMPLE, seed), seed)
    size = float(np.sqrt(np.mean(np.einsum("ij,ij->i", X, X, dtype=np.float64))))
    return X / size if size > 0 else X


def combine(blocks: list[np.ndarray]) -> np.ndarray:
    """The parts' features (rows aligned) → one float32 matrix in which each part weighs the same."""
    return np.hstack([part(block) for block in blocks]).astype(np.float32)


def combined_features(dataset: Dataset, parts: str = "pixels+encoder", reporter: Reporter | None = None,
                      **_: object) -> np.ndarray:
    from engine.features import FEATURES

    if dataset.images is None:
        raise DataError("combined features need images; this dataset is a feature table")
    reporter = ensure(reporter)
    names = PARTS[parts]
    # the encoder is the slow part: most of the progress bar; each part with its own defaults (cached on disk)
    shares = np.cumsum([0.0] + [0.9 if n == "efficientnet_lite0" else 0.1 / (len(names) - 1) for n in names])
    blocks = [FEATURES[n].make(dataset, reporter=reporter.stage(shares[i], shares[i + 1]), **FEATURES[n].resolve())
              for i, n in enumerate(names)]
    reporter.update(1.0, f"{' + '.join(FEATURES[n].label.split(' (')[0].lower() for n in names)}: combined")
    return combine(blocks)


ENTRY = Entry(
    name="combined", label="Pixels + EfficientNet-Lite0", make=combined_features,
    params=(Choice("parts", "pixels+encoder", tuple(PARTS),
                   help="Which features go side by side, each weighing the same: raw pixels (against the "
                        "background) and the pretrained encoder, and for colour collections also the colour "
                        "histogram."),),
    description="Raw pixels and the pretrained encoder's features side by side, each weighing the same: "
                "neighbours must look alike and hold alike things.",
    tags=frozenset({"images"}),
)
