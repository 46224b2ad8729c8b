"""K = auto: how many clusters, chosen from the data, with the evidence kept for the Metrics page.

Every K-based clusterer takes ``n_clusters=0`` to mean "choose". Two choosers, declared per registry entry:

* :func:`by_silhouette_and_stability` (the general one): K-means for each K on a sample; a K is *stable* when
  K-means fits on different 80 % subsamples agree (mean ARI, each pair predicted on the whole sample, at least
  0.85, Hennig's reading of a stable clustering). K is the *largest* stable K whose silhouette is within 10 % of
  the best stable silhouette and not below that of K - 1 (beyond sampling noise). A K whose clusters do not come back when the data is resampled is not a structure
  of the data, however well separated it looks. Among the stable ones the finest that is nearly as well
  separated wins, because the silhouette favours the coarsest split of nested structure: on MNIST the loopy /
  straight split scores 0.66 against 0.63 for the ten digits, and the best-silhouette rule took K = 2 (ARI 0.04)
  where this one takes K = 12 (0.65). A too-fine K is cheap to undo (merge on the dendrogram), a K = 2 hides
  everything; a K one past a clean structure splits a whole cluster and its silhouette drops, which keeps eight
  blobs at 8, not 9. Measured on 18 labelled feature spaces (bench/defaults.py's sets, pixels and the pretrained
  encoder, each through the clustering space): K within [1/2, 2] × the true count and ARI at least 0.9 × that of
  the true K on 10 of 18, against 5 of 18 for the best stable silhouette. (Taking the best silhouette × stability left ties between K = 8 and 13 on the
  digits to chance.)
  :func:`sweep` is the same rule for a clusterer with its own distance: k-Shape sweeps with its own fits and the
  silhouette under its shape-based distance (``engine.cluster.kshape.choose_k``).
* :func:`by_eigengap` (graphs): the largest gap between consecutive eigenvalues of the normalised Laplacian,
  the textbook rule for spectral clustering (von Luxburg, 2007, §8.3).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field

import numpy as np

from engine.progress import Reporter, ensure

PROBE_SCORE = "silhouette × stability"
SAMPLE = 2000  # items the sweep runs on: enough for a stable silhouette, a few seconds on 2 cores
K_MAX = 30
STABILITY_FITS = 3  # K-means fits on different subsamples whose pairwise agreement is the stability
STABLE = 0.85  # Hennig's (2007) reading of cluster stability: above 0.85, a clustering that comes back
NEAR_BEST = 0.9  # a silhouette within 10 % of the best stable one counts as nearly as well separated
NO_WORSE = 0.01  # a silhouette this much below K - 1's: one more cluster split a whole one (sampling noise ~0.01)
RULE = "the finest stable K near the best silhouette"
ALIKE = "every item alike"  # one distinct row: K = 1, nothing to split
# When the K chosen over K = 2..K_MAX sits in the range's top fifth (K ≥ EXTEND_AT × its top), the data may hold
# more clusters than the range allows: the sweep goes on, doubling the range each time, up to √n and K_CAP (and at
# least MIN_MEMBERS sampled items a cluster). Fifty well-separated 10-D blobs (5,000 rows) got K = 28 (ARI 0.61)
# from the K = 2..30 sweep, where only one K was stable. Where the choice is lower the sweep stops at K_MAX as
# before: no set of bench/defaults.py chose above 17, so none of them changes.
EXTEND_AT = 0.8
MIN_DISTINCT = 20  # the sweep reads distinct rows when there are at least this many (K = 2..4 on 16-row subsamples)
K_CAP = 100  # the largest K every K-based method takes (engine.cluster.shared.n_clusters)
MIN_MEMBERS = 10


@dataclass
class KChoice:
    """The K chosen, how, and each candidate's evidence (for a chart)."""

    k: int
    rule: str
    ks: list[int]
    score: list[float]
    evidence: dict[str, list[float]] = field(default_factory=dict)
    fitted_with: str = "K-means"  # the clusterer each K was fitted with
    distance: str = ""  # the distance its silhouette is under, where not the euclidean one

    def as_dict(self) -> dict:
        return asdict(self)


def k_range(n_items: int, k_max: int = K_MAX) -> list[int]:
    """K = 2 up to √n (at most ``k_max``): more clusters than that leave fewer members than clusters."""
    return list(range(2, max(3, min(k_max, int(np.sqrt(n_items)), n_items - 1)) + 1))


def _sample(X: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    return X[np.sort(rng.choice(len(X), size, replace=False))] if len(X) > size else X


def k_cap(n_items: int, sample_size: int = SAMPLE) -> int:
    """The most clusters an extended sweep may try on ``n_items``: √n, at most :data:`K_CAP` and at most the sweep's
    sample over :data:`MIN_MEMBERS`."""
    return max(2, min(K_CAP, int(np.sqrt(n_items)), min(n_items, sample_size) // MIN_MEMBERS))


def by_silhouette_and_stability(X: np.ndarray, seed: int = 0, k_max: int = K_MAX,
                                reporter: Reporter | None = None, extend: bool = True) -> KChoice:
    from sklearn.metrics import pairwise_distances
    from threadpoolctl import threadpool_limits

    # ~120 K-means fits of at most SAMPLE × 10 values: OpenMP's start-up and waits cost more than the threads
    # save. One thread, the same K and scores: the digits' 1,000-item sweep in 1.5-1.9 s against 6.3-10.3 s with
    # another process busy on the second core (a training worker, a test run), 2 cores. (Two Python threads, a K
    # each, gained nothing measurable: the fits are short and hold the GIL for much of their time.)
    with threadpool_limits(1):
        return sweep(X, _kmeans, pairwise_distances, seed=seed, k_max=k_max, reporter=reporter, extend=extend)


def _kmeans(data: np.ndarray, k: int, seed: int, starts: int) -> tuple[np.ndarray, Callable]:
    """``KMeans(k, n_init=starts, random_state=seed).fit(data)``'s labels and ``predict`` for float64 ``data``, with
    scikit-learn's own steps and none of the estimator's per-call checks: its k-means++ starts drawn from the same
    seed in the same order (:func:`_kmeans_plusplus`), its compiled Lloyd loop on the centred rows at its tolerance,
    the best start kept by its rule, its assignment for ``predict``. The same labels as the estimator's on every
    one of 378 fits tried (9 data sets, K = 2..30, 3 seeds, 2 and 4 starts; ``tests/engine/test_defaults.py``
    keeps some, and fails if a scikit-learn other than the pinned one changes these private functions); a K sweep's
    ~120 fits take about half the time (the digits' 1,000-item sweep, K-means alone: 1.0-1.6 s → 0.5-0.9 s, 2
    cores): the estimator's checks, its thread-pool switch a call and scikit-learn's distance function for each of
    k-means++'s ~15 steps cost more than the arithmetic on so few rows. The sweep already runs in one thread (the
    caller's ``threadpool_limits(1)``)."""
    from sklearn.cluster._kmeans import _is_same_clustering, _kmeans_single_lloyd, _labels_inertia

    rows = np.array(data, dtype=np.float64, order="C", copy=True)
    tolerance = float(np.mean(np.var(rows, axis=0))) * 1e-4  # scikit-learn's tol=1e-4, of the rows before centring
    mean = rows.mean(axis=0)
    rows -= mean
    squared = np.einsum("ij,ij->i", rows, rows)
    weights = np.ones(len(rows))
    state = np.random.RandomState(seed)
    lloyd = getattr(_kmeans_single_lloyd, "__wrapped__", _kmeans_single_lloyd)  # without its thread-pool switch
    best = None
    for _ in range(starts):
        start = _kmeans_plusplus(rows, squared, weights, k, state)
        labels, inertia, centres, _ = lloyd(rows, weights, start, max_iter=300, tol=tolerance, n_threads=1)
        if best is None or (inertia < best[1] and not _is_same_clustering(labels, best[0], k)):
            best = (labels, inertia, centres)
    centres = best[2] + mean

    def predict(other: np.ndarray) -> np.ndarray:
        other = np.ascontiguousarray(other, dtype=np.float64)
        return _labels_inertia(other, np.ones(len(other)), centres, n_threads=1, return_inertia=False)

    return best[0], predict


def _kmeans_plusplus(rows: np.ndarray, squared: np.ndarray, weights: np.ndarray, k: int,
                     state: np.random.RandomState) -> np.ndarray:
    """scikit-learn's greedy k-means++ (``sklearn.cluster._kmeans._kmeans_plusplus``, 2 + log K trials a centre),
    the same draws from ``state`` and the same arithmetic in the same order, on the rows' ``squared`` norms."""
    n = len(rows)
    trials = 2 + int(np.log(k))
    chosen = [state.choice(n, p=weights / weights.sum())]
    closest = -2.0 * (rows[chosen[0]][None, :] @ rows.T)
    closest += squared[chosen[0]]
    closest += squared[None, :]
    np.maximum(closest, 0, out=closest)
    potential = closest @ weights
    for _ in range(1, k):
        candidates = np.searchsorted(np.cumsum(weights * closest), state.uniform(size=trials) * potential)
        np.clip(candidates, None, n - 1, out=candidates)
        distances = -2.0 * (rows[candidates] @ rows.T)
        distances += squared[candidates][:, None]
        distances += squared[None, :]
        np.maximum(distances, 0, out=distances)
        np.minimum(closest, distances, out=distances)
        potentials = distances @ weights.reshape(-1, 1)
        best = int(np.argmin(potentials))
        potential, closest = potentials[best], distances[best]
        chosen.append(candidates[best])
    return rows[np.array(chosen)]


#: ``fit(data, k, seed, starts)`` → (the labels of ``data``, a function that assigns other rows to those clusters)
Fit = Callable[[np.ndarray, int, int, int], tuple[np.ndarray, Callable[[np.ndarray], np.ndarray]]]


def sweep(X: np.ndarray, fit: Fit, distances_of: Callable[[np.ndarray], np.ndarray], seed: int = 0,
          k_max: int = K_MAX, reporter: Reporter | None = None, extend: bool = True, sample_size: int = SAMPLE,
          fitted_with: str = "K-means", distance: str = "", starts: tuple[int, int] = (4, 2)) -> KChoice:
    """The K sweep with any clusterer ``fit`` and the distance its silhouette reads (``distances_of(rows)``, the
    square matrix of their distances), on a sample of at most ``sample_size`` distinct rows: each K's silhouette
    (one fit of ``starts[0]`` starts on the sample) and stability (fits of ``starts[1]`` starts on 80 % subsamples,
    each assigning the whole sample), then :data:`RULE`. ``fitted_with`` names the clusterer and ``distance`` the
    distance where it is not the euclidean one (said in :func:`k_sentence` and on the Metrics page)."""
    from sklearn import config_context
    from sklearn.metrics import silhouette_score

    from engine.scale import distinct_rows

    reporter = ensure(reporter)
    rng = np.random.default_rng(seed)
    X = np.asarray(X, dtype=np.float64)
    first, _ = distinct_rows(X)  # copies of one row are one point, not a cluster of their own (but a handful of
    if MIN_DISTINCT <= len(first) < len(X):  # distinct rows is swept as it is: too few points to subsample)
        X = X[first]
    if len(first) == 1:  # ten copies of one image: K-means at any K found one cluster, and the sweep said K = 3
        reporter.update(1.0, "K chosen: every item is alike")
        return KChoice(k=1, rule=ALIKE, ks=[1], score=[0.0], evidence={"silhouette": [0.0], "stability": [0.0]},
                       fitted_with=fitted_with, distance=distance)
    sample = _sample(X, sample_size, rng)
    subsamples = [np.sort(rng.choice(len(sample), int(0.8 * len(sample)), replace=False))
                  for _ in range(STABILITY_FITS)]
    ks = [k for k in k_range(len(X), k_max) if k <= len(first)]  # no more clusters than distinct rows (at least 2
    # here: 2 sines 15 times each went to K = 5, as the silhouette of 5 K-means labels on 2 points is 1.0)
    # the sample's distances once, not once per K: the same silhouettes to the last bit, each 2.6× faster
    # (scikit-learn's pairwise_distances also checks the sample holds no NaN or infinity, so the fits need not)
    distances = distances_of(sample)
    silhouettes, stabilities = [], []
    cap = min(k_cap(len(X), sample_size), len(first)) if extend else ks[-1]

    def run(more: list[int], done: float, share: float, why: str = "") -> None:
        for i, k in enumerate(more):
            reporter.update(done + share * i / len(more), f"choosing K: trying K = {k} of {more[-1]}{why}")
            labels, _ = fit(sample, k, seed, starts[0])
            silhouettes.append(float(silhouette_score(distances, labels, metric="precomputed"))
                               if len(set(labels)) > 1 else -1.0)
            fits = [fit(sample[part], k, seed + 1 + j, starts[1])[1](sample) for j, part in enumerate(subsamples)]
            stabilities.append(float(np.mean([agreement(fits[a], fits[b])
                                              for a in range(len(fits)) for b in range(a + 1, len(fits))])))

    def judged() -> tuple[list[float], list[int], int]:
        # each K's score, the stable Ks' positions, and the position of the K the rule chooses
        score = [max(s, 0.0) * max(t, 0.0) for s, t in zip(silhouettes, stabilities)]
        stable = [i for i, t in enumerate(stabilities) if t >= STABLE]
        return score, stable, finest_near_best(stable, silhouettes) if stable else int(np.argmax(score))

    # scikit-learn's input checks skipped in each of the ~150 fits and scores (they cost a quarter of the sweep:
    # 2.4 s → 1.8 s on a 2,000-item sample)
    with config_context(assume_finite=True, skip_parameter_validation=True):
        run(ks, 0.0, 0.5 if cap > ks[-1] else 1.0)
        score, stable, best = judged()
        while ks[-1] < cap and ks[best] >= EXTEND_AT * ks[-1]:  # near the top: there may be more clusters
            more = list(range(ks[-1] + 1, min(2 * ks[-1], cap) + 1))
            run(more, 0.5, 0.5, f" (K = {ks[best]} sat near the top of 2..{ks[-1]})")
            ks = ks + more
            score, stable, best = judged()
    reporter.update(1.0, "K chosen")
    return KChoice(k=ks[best], rule=RULE if stable else PROBE_SCORE, ks=ks, score=score,
                   evidence={"silhouette": silhouettes, "stability": stabilities},
                   fitted_with=fitted_with, distance=distance)


def agreement(a: np.ndarray, b: np.ndarray) -> float:
    """The adjusted Rand index of two labellings of the same items (labels 0..K-1), by scikit-learn's pair counts
    in whole numbers, so the same value as ``adjusted_rand_score`` to the last bit (tested), without its checks of
    each labelling's kind, which took most of its time on a sweep's ~90 pairs (1,000 items, 20 clusters each: 1.25 ms
    → 0.02 ms a pair)."""
    a, b = (np.asarray(labels, dtype=np.int64) for labels in (a, b))
    if a.min(initial=0) < 0 or b.min(initial=0) < 0:  # noise (-1): numbered from 0 like the rest
        a, b = (np.unique(labels, return_inverse=True)[1] for labels in (a, b))
    n = len(a)
    columns = int(b.max(initial=0)) + 1
    contingency = np.bincount(a * columns + b, minlength=(int(a.max(initial=0)) + 1) * columns).reshape(-1, columns)
    rows_sum, columns_sum = contingency.sum(axis=1), contingency.sum(axis=0)
    squares = int((contingency ** 2).sum())
    both = squares - n  # pairs together in both labellings, counted both ways, as scikit-learn counts them
    only_b = int(contingency.dot(columns_sum).sum()) - squares
    only_a = int(contingency.T.dot(rows_sum).sum()) - squares
    neither = n * n - only_b - only_a - squares
    if only_a == 0 and only_b == 0:
        return 1.0
    return 2.0 * (both * neither - only_a * only_b) / ((both + only_a) * (only_a + neither)
                                                     + (both + only_b) * (only_b + neither))


def finest_near_best(stable: list[int], silhouettes: list[float]) -> int:
    """Of the ``stable`` K positions (indices into ``silhouettes``, one per K in order), the largest whose
    silhouette is within :data:`NEAR_BEST` of the best and no worse than the K before it's (one more cluster
    that lowers the silhouette cut a whole cluster in two)."""
    top = max(silhouettes[i] for i in stable)
    near = [i for i in stable if silhouettes[i] >= top - (1 - NEAR_BEST) * abs(top)
            and (i == 0 or silhouettes[i] >= silhouettes[i - 1] - NO_WORSE)]
    return max(near) if near else max(stable, key=lambda i: silhouettes[i])


def by_eigengap(A: np.ndarray, seed: int = 0, k_max: int = K_MAX, reporter: Reporter | None = None) -> KChoice:
    """``A``: a graph's weighted adjacency. K is where the normalised Laplacian's sorted eigenvalues jump most."""
    from scipy import sparse
    from scipy.sparse.csgraph import laplacian

    ks = k_range(A.shape[0], k_max)
    if sparse.issparse(A):  # a large graph: only the smallest eigenvalues, by Lanczos on 2I - L (largest first)
        from scipy.sparse.linalg import eigsh

        A = sparse.csr_matrix(A, dtype=np.float64)
        A.setdiag(0.0)
        shifted = 2.0 * sparse.identity(A.shape[0], format="csr") - laplacian(A, normed=True)
        start = np.random.default_rng(seed).uniform(size=A.shape[0])  # a fixed start: the same K every time
        values = np.sort(2.0 - eigsh(shifted, k=ks[-1] + 1, which="LA", return_eigenvectors=False, v0=start))
    else:
        A = np.asarray(A, dtype=np.float64)
        np.fill_diagonal(A, 0.0)
        values = np.linalg.eigvalsh(laplacian(A, normed=True))
    gaps = [float(values[k] - values[k - 1]) for k in ks]  # the jump after the k smallest eigenvalues
    return KChoice(k=ks[int(np.argmax(gaps))], rule="eigengap of the normalised Laplacian", ks=ks, score=gaps,
                   evidence={"eigenvalue": [float(values[k - 1]) for k in ks]})


def k_sentence(choice: dict) -> str:
    """How an auto K was chosen (a :meth:`KChoice.as_dict`), in one line."""
    sentence = _k_sentence(choice)
    if choice["rule"] == ALIKE or not choice.get("distance"):
        return sentence
    return f"{sentence} ({choice.get('fitted_with', 'K-means')} fits, the silhouette under {choice['distance']})"


def _k_sentence(choice: dict) -> str:
    at = choice["ks"].index(choice["k"])
    if choice["rule"] == ALIKE:
        return "K = 1: every item has the same features (one distinct row), so there is nothing to split"
    if choice["rule"] == RULE:
        evidence = choice["evidence"]
        stable = [s for s in evidence["stability"] if s >= STABLE]
        top = max(s for s, t in zip(evidence["silhouette"], evidence["stability"]) if t >= STABLE)
        return (f"K = {choice['k']}: the largest K whose clusters come back on resampling (stability ≥ {STABLE}; "
                f"here {evidence['stability'][at]:.2f}) with a silhouette within {1 - NEAR_BEST:.0%} of the best "
                f"such K's ({evidence['silhouette'][at]:.2f} against {top:.2f}) and no lower than K - 1's; "
                f"{len(stable)} of K = {choice['ks'][0]}..{choice['ks'][-1]} were stable")
    stability = choice.get("evidence", {}).get("stability")
    if choice["rule"] == PROBE_SCORE and stability:  # the sweep's fallback: no K was stable
        return (f"K = {choice['k']}, with a warning: no K of {choice['ks'][0]}..{choice['ks'][-1]} gave clusters that "
                f"come back on resampling (the most stable reached {max(stability):.2f}, under {STABLE}), so the data "
                f"may hold no clear clusters; K = {choice['k']} had the best {PROBE_SCORE} "
                f"({choice['score'][at]:.2f}): read its clusters as a partition of the data, not groups found in it")
    return (f"K = {choice['k']}: the best {choice['rule']} ({choice['score'][at]:.2f}) over K = "
            f"{choice['ks'][0]}..{choice['ks'][-1]}")


def k_alternatives(choice: dict, count: int = 3) -> list[tuple[int, str]]:
    """The next-best Ks by the same rule that chose K (stable Ks by silhouette first), each with a short label."""
    evidence = choice.get("evidence", {})
    at = {k: i for i, k in enumerate(choice["ks"])}
    if choice["rule"] == RULE:
        order = sorted(at, key=lambda k: (evidence["stability"][at[k]] < STABLE, -evidence["silhouette"][at[k]]))
        label = lambda k: f"silhouette {evidence['silhouette'][at[k]]:.2f}, stability {evidence['stability'][at[k]]:.2f}"  # noqa: E731
    else:
        order = sorted(at, key=lambda k: -choice["score"][at[k]])
        label = lambda k: f"score {choice['score'][at[k]]:.2f}"  # noqa: E731
    return [(k, label(k)) for k in order if k != choice["k"]][:count]
