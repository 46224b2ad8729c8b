"""k-Shape (Paparrizos & Gravano, SIGMOD 2015): clusters z-normalised series by shape, whatever their shift in time.

The distance is the shape-based distance SBD = 1 - max over shifts of the normalised cross-correlation (0 for the
same shape at any shift, 2 for opposite ones); a centre is the series that best correlates with its members once each
is shifted onto the old centre (the top eigenvector of their centred scatter, z-normalised). The same algorithm as
tslearn's ``KShape`` (the best of ``n_init`` starts by inertia, the mean SBD; the same distances to 1e-15),
vectorised: the cross-correlations of every series with every centre in batches of FFTs (scipy's, on every core),
each centre from one small eigenproblem. On 2,000 Cylinder-Bell-Funnel series of 128 steps tslearn's took 14.6 s,
this 0.8 s (bench/timeseries.py). Two departures:

* starts are k-means++ seeds under SBD, each series joining its nearest seed, not the paper's random labels. On
  generated Cylinder-Bell-Funnel, synthetic control and phase-free wave sets (3 seeds each) and Trace, 3 clusterer
  seeds each, mean ARI 0.44 at K = auto and 0.48 at the true K against 0.45 and 0.46, the same within noise, but on
  Trace, the one recorded set, 0.66 against 0.40 at K = 4 and 0.50 against 0.24 at K = 2 (random labels start
  every cluster at nearly the same mean shape);
* a cluster that empties takes the series farthest from its centre (tslearn starts over instead).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from engine.cluster.auto_k import KChoice, sweep
from engine.cluster.shared import N_CLUSTERS
from engine.params import Int
from engine.progress import Reporter, ensure
from engine.registry import Entry

N_INIT = 2  # starts, the best kept (as DTW K-means)
BATCH_VALUES = 1 << 22  # cross-correlation values held at once (series × centres × FFT length): ~32 MB of floats
TOLERANCE = 1e-6  # a change of the mean SBD below this ends a start (tslearn's tol)
DISTINCT = 1e-9  # an SBD above this is another shape (below: rounding)


def znormalise(X: np.ndarray) -> np.ndarray:
    """Each row to mean 0 and standard deviation 1 (a flat row to zeros), as the series features are."""
    from engine.features.series import znormalise as each

    return each(np.asarray(X, dtype=np.float64))


def _fft_length(length: int) -> int:
    """Room for every shift without wrapping round: at least 2L - 1, the next length scipy's FFT is fast at (tslearn
    takes the next power of two: 1,024 for Trace's 275 steps where 550 will do)."""
    from scipy import fft

    return fft.next_fast_len(2 * length - 1, real=True)


def cross_correlations(X: np.ndarray, centres: np.ndarray, spectra: np.ndarray | None = None
                       ) -> tuple[np.ndarray, np.ndarray]:
    """For each series of ``X`` (``n×L``) and each centre (``K×L``): the largest normalised cross-correlation over
    all shifts (``n×K``, in [-1, 1]) and the shift that reaches it (``n×K``): at shift ``s`` the series moved ``s``
    steps later lines up with the centre. ``spectra``: ``X``'s FFTs, when already at hand."""
    from scipy import fft

    length = X.shape[1]
    size = _fft_length(length)
    spectra = fft.rfft(X, size, workers=-1) if spectra is None else spectra
    centre_spectra = fft.rfft(centres, size, workers=-1)
    norms = np.linalg.norm(X, axis=1)[:, None] * np.linalg.norm(centres, axis=1)[None, :]
    best, shift = np.empty((len(X), len(centres))), np.empty((len(X), len(centres)), dtype=np.int64)
    rows = max(1, BATCH_VALUES // (len(centres) * size))
    for start in range(0, len(X), rows):
        # sum_t centre[t + s] · x[t]: the series shifted s steps later against the centre
        cc = fft.irfft(centre_spectra[None] * np.conj(spectra[start:start + rows, None, :]), size, workers=-1)
        # shifts -(L-1)..-1 sit at the end, 0..L-1 at the start: each half's best, read in place (a copy of the two
        # in order cost a third of the time), the earlier shift winning a tie as in one argmax over them in order
        later = cc[:, :, :length]
        earlier = cc[:, :, size - (length - 1):] if length > 1 else later  # one step: shift 0 alone
        at_later, at_earlier = later.argmax(axis=2), earlier.argmax(axis=2)
        value_later = np.take_along_axis(later, at_later[:, :, None], axis=2)[:, :, 0]
        value_earlier = np.take_along_axis(earlier, at_earlier[:, :, None], axis=2)[:, :, 0]
        first = value_earlier >= value_later
        best[start:start + rows] = np.where(first, value_earlier, value_later)
        shift[start:start + rows] = np.where(first, at_earlier - (length - 1), at_later)
    with np.errstate(divide="ignore", invalid="ignore"):
        best = np.where(norms > 0, best / norms, 0.0)
    return best, shift


def sbd(X: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """The shape-based distance of each series to each centre (``n×K``): 1 - their best normalised
    cross-correlation over shifts."""
    return 1.0 - cross_correlations(np.asarray(X, float), np.asarray(centres, float))[0]


def shifted(X: np.ndarray, shifts: np.ndarray) -> np.ndarray:
    """Each row of ``X`` moved ``shifts[i]`` steps later (earlier when negative), zeros where it moved from."""
    length = X.shape[1]
    source = np.arange(length)[None, :] - shifts[:, None]
    inside = (source >= 0) & (source < length)
    return np.where(inside, np.take_along_axis(X, np.clip(source, 0, length - 1), axis=1), 0.0)


def extract_shape(aligned: np.ndarray) -> np.ndarray:
    """The z-normalised series that correlates best with every row of ``aligned`` (members already shifted onto
    the old centre): the top eigenvector of their scatter with each row's mean removed, signed towards them."""
    centred = aligned - aligned.mean(axis=1, keepdims=True)
    if centred.shape[0] < centred.shape[1]:  # the smaller of the two Gram matrices: the same top eigenvector
        _, vectors = np.linalg.eigh(centred @ centred.T)
        vector = centred.T @ vectors[:, -1]
    else:
        _, vectors = np.linalg.eigh(centred.T @ centred)
        vector = vectors[:, -1]
    norm = np.linalg.norm(vector)
    if norm == 0:
        return np.zeros(aligned.shape[1])
    vector = vector / norm
    if np.linalg.norm(aligned + vector, axis=1).sum() < np.linalg.norm(aligned - vector, axis=1).sum():
        vector = -vector  # the eigenvector's sign is arbitrary: the one nearer the members
    return znormalise(vector[None])[0]


def shape_of(X: np.ndarray, rounds: int = 3) -> np.ndarray:
    """A cluster's k-Shape centre, found from its members alone (for views): shapes extracted and members
    re-aligned onto them ``rounds`` times."""
    X = znormalise(X)
    centre = extract_shape(X)
    for _ in range(rounds - 1):
        _, shift = cross_correlations(X, centre[None])
        centre = extract_shape(shifted(X, shift[:, 0]))
    return centre


def _plus_plus(X: np.ndarray, spectra: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Greedy k-means++ seeds under SBD (as :mod:`engine.cluster.dtw_c` under DTW): each next seed the best, by the
    total squared distance left, of ``2 + log k`` series drawn with probability ∝ their squared distance to the
    nearest seed so far."""
    trials = 2 + int(np.log(k))
    first = int(rng.integers(len(X)))
    chosen = [first]
    nearest = (1.0 - cross_correlations(X, X[[first]], spectra)[0][:, 0]) ** 2
    for _ in range(1, k):
        total = nearest.sum()
        candidates = rng.choice(len(X), size=trials, p=nearest / total) if total > 0 else rng.choice(len(X), trials)
        options = np.minimum(nearest[:, None], (1.0 - cross_correlations(X, X[candidates], spectra)[0]) ** 2)
        pick = int(options.sum(axis=0).argmin())
        chosen.append(int(candidates[pick]))
        nearest = options[:, pick]
    return np.array(chosen)


class KShapeClusterer:
    """``fit_predict(X)`` for ``X`` of shape ``n×length``; ``cluster_centers_`` and ``inertia_`` (mean SBD) after."""

    def __init__(self, n_clusters: int, seed: int = 0, max_iter: int = 50, n_init: int = N_INIT):
        self.n_clusters, self.seed, self.max_iter, self.n_init = n_clusters, seed, max_iter, n_init

    def fit_predict(self, X: np.ndarray, reporter: Reporter | None = None) -> np.ndarray:
        reporter = ensure(reporter)
        X = znormalise(X)
        from scipy import fft

        spectra = fft.rfft(X, _fft_length(X.shape[1]), workers=-1)
        rng = np.random.default_rng(self.seed)
        best = None
        for start in range(self.n_init):
            reporter.update(start / self.n_init, f"k-Shape: start {start + 1} of {self.n_init}, choosing initial "
                                                 "centres")
            seeds = _plus_plus(X, spectra, self.n_clusters, rng)  # each series joins its nearest seed, aligned
            correlation, shift = cross_correlations(X, X[seeds], spectra)
            labels = correlation.argmax(axis=1)
            labels[seeds] = np.arange(self.n_clusters)
            shifts = shift[np.arange(len(X)), labels]
            centres = np.zeros((self.n_clusters, X.shape[1]))
            inertia = np.inf
            for iteration in range(1, self.max_iter + 1):
                for k in range(self.n_clusters):
                    members = labels == k
                    if members.any():
                        centres[k] = extract_shape(shifted(X[members], shifts[members]))
                correlation, shift = cross_correlations(X, centres, spectra)
                distances = 1.0 - correlation
                new = distances.argmin(axis=1)
                for k in sorted(set(range(self.n_clusters)) - set(new.tolist())):  # an emptied cluster takes the
                    far = int(distances[np.arange(len(X)), new].argmax())  # series farthest from its centre (none
                    if distances[far, new[far]] > DISTINCT:  # where every series sits on its centre: copies of
                        new[far], centres[k] = k, X[far]  # one shape are one cluster, not split to fill K)
                        distances[far, k] = 0.0
                rows = np.arange(len(X))
                before, inertia = inertia, float(distances[rows, new].mean())
                reporter.update((start + iteration / self.max_iter) / self.n_init,
                                f"k-Shape: start {start + 1} of {self.n_init}, iteration {iteration} "
                                f"(at most {self.max_iter}) · inertia {inertia:.4g}")
                settled = np.array_equal(new, labels) or abs(before - inertia) < TOLERANCE
                labels, shifts = new, shift[rows, new]
                if settled:
                    break
            if best is None or inertia < best[0]:
                best = (inertia, labels.copy(), centres.copy())
        self.inertia_, labels, self.cluster_centers_ = best
        return labels


def make(seed: int, n_clusters: int = 4, max_iter: int = 50, **_: object) -> KShapeClusterer:
    return KShapeClusterer(n_clusters, seed, max_iter)


# The SBD silhouette reads every pair of series, each pair an FFT of their padded length: past SILHOUETTE_VALUES
# (series² × FFT length) it reads an even sample that fits. Every pair of 1,000 series of 1,000 steps took 71 s.
SILHOUETTE_VALUES = 1e8


def silhouette_items(length: int) -> int:
    """How many series the SBD silhouette reads at most, for series of ``length`` steps."""
    return int(np.sqrt(SILHOUETTE_VALUES / _fft_length(length)))


def silhouette(X: np.ndarray, labels: np.ndarray, params: dict, seed: int = 0) -> dict:
    """The silhouette under the shape-based distance the clusters were found with (on an even sample of
    :func:`silhouette_items` past that many series)."""
    from sklearn.metrics import silhouette_score

    keep = np.flatnonzero(labels >= 0)
    if len(keep) > silhouette_items(X.shape[1]):
        keep = np.sort(np.random.default_rng(seed).choice(keep, silhouette_items(X.shape[1]), replace=False))
    found = labels[keep]
    if not 2 <= len(np.unique(found)) < len(keep):
        return {"silhouette": None}
    return {"silhouette": float(silhouette_score(sbd_matrix(X[keep]), found, metric="precomputed"))}


def sbd_matrix(X: np.ndarray) -> np.ndarray:
    """The shape-based distance between every pair of rows of ``X`` (z-normalised here), symmetric, 0 on the
    diagonal."""
    series = znormalise(X)
    distances = np.clip(sbd(series, series), 0.0, None)
    distances = (distances + distances.T) / 2  # the same by definition; rounding apart
    np.fill_diagonal(distances, 0.0)
    return distances


def _fit(data: np.ndarray, k: int, seed: int, starts: int) -> tuple[np.ndarray, Callable]:
    model = KShapeClusterer(k, seed, n_init=starts)
    labels = model.fit_predict(data)
    return labels, lambda rows: cross_correlations(znormalise(rows), model.cluster_centers_)[0].argmax(axis=1)


# The K sweep's k-Shape fits cost up to ~1 s each on 500 series of 128 steps, 4 per K: it reads at most SWEEP_SERIES
# series (and fewer where the SBD silhouette reads fewer) and starts at K = 2..SWEEP_K, going on past it only where
# the K chosen sits near the top (``engine.cluster.auto_k.EXTEND_AT``). On the 11 sets below (timed before the FFTs
# got shorter), 625 series and K up to 30 took 8-54 s and this 5-14 s for the same K on 10 (a K of 4 against 3 on one
# synthetic control set, ARI 0.46 against 0.48); 300 series took K = 2 (ARI 0.23) where 400 took 3 (0.69) on 600
# Cylinder-Bell-Funnel series.
SWEEP_SERIES = 400
SWEEP_K = 15
# Longer series are averaged down to SWEEP_LENGTH steps (piecewise means) for the sweep alone; the clustering that
# follows reads them whole. Each fit's FFTs cost ~length, and the SBD silhouette's sample shrinks as the length
# grows (100 series at 5,000 steps, too few to judge stability by); K is a matter of coarse shape. 500 series of
# 1,000 steps (3 frequencies at any phase): the sweep read 400 series instead of 223 in 15.2 s instead of 22.8 s,
# K = 3 either way; none of the 11 sets above changed its K (the longest, Trace, has 275 steps).
SWEEP_LENGTH = 256


def choose_k(X: np.ndarray, seed: int = 0, reporter: Reporter | None = None, k_max: int = SWEEP_K,
             extend: bool = True) -> KChoice:
    """K = auto for k-Shape: the general rule (``engine.cluster.auto_k``) with k-Shape's own fits and the
    silhouette under SBD. The general sweep (K-means on the z-normalised series, the euclidean silhouette) reads a
    shape shifted in time as another shape. Through the default path on 13 generated or recorded sets (Trace;
    Cylinder-Bell-Funnel at 300 and 600 series; synthetic control, two-pattern, three-frequency and bump-shape sets,
    two seeds each; phase-free waves, two seeds, whose probe picks the spectrum and K-means), on the 11 k-Shape
    ran on: K-means' sweep took K = 11 for sines of 3 frequencies at any phase (ARI 0.40) where this takes 3
    (1.00), and K = 2 for 600 Cylinder-Bell-Funnel series (0.23) where this takes 3 (0.69); better on 8, level on
    Trace (K = 2, 0.50), worse on both synthetic control sets (K = 4 and 3 against 5 and 6; ARI 0.46 and 0.47
    against 0.56 and 0.59), whose trends and shifts are alike in shape once z-normalised; mean ARI 0.36 → 0.55.
    Two sets made after (a sine, square, sawtooth and bump at random scale and offset): 2,000 series of 2,000 steps
    K = 7, ARI 0.96 (K-means' sweep: K = 3, 0.73); 5,000 of 140 steps K = 2, 0.34 (K = 3, 0.73: the sine and the
    square are alike under SBD; K = 4 is stable, 1.00, but its silhouette a third below K = 2's). The
    price: a default run of 200-600 series took 5-10 s against 2-6 s (2 cores)."""
    from engine.cluster.ts_kmeans import piecewise_means

    X = piecewise_means(np.asarray(X, dtype=np.float64), SWEEP_LENGTH)
    return sweep(X, _fit, sbd_matrix, seed=seed, k_max=k_max, reporter=reporter, extend=extend,
                 sample_size=min(SWEEP_SERIES, silhouette_items(X.shape[1])), starts=(N_INIT, 1),
                 fitted_with="k-Shape", distance="the shape-based distance")


ENTRY = Entry(
    name="kshape", label="k-Shape", make=make,
    params=(N_CLUSTERS,
            Int("max_iter", 50, 1, 500, help="Iterations.")),
    description="Groups z-normalised series by shape, whatever their shift in time.",
    tags=frozenset({"series", "k"}), scores=silhouette, choose_k=choose_k,
)
