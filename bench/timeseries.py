"""Time-series clustering on tslearn's Trace (200 series, 4 classes): DTW K-means against euclidean K-means, and
our DTW / soft-DTW paths against tslearn's own calls on the same series.

Every method gets K = 4 on the z-normalised series; plus UMAP → HDBSCAN (the image default).
Prints ARI / NMI against the classes and seconds; then DTW K-means in C (dtaidistance) against tslearn's
``TimeSeriesKMeans(metric="dtw")`` over 6 seeds, and soft-DTW on series averaged to 64 steps against tslearn's
soft-DTW at full length (``--slow``: that reference takes about 10 minutes; without it, on the first 40 series).

    .venv/bin/python bench/timeseries.py [--slow]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ["CLUSTERSCOPE_KEEP"] = "0"  # nothing read back from an earlier run: every stage is timed doing its work
os.environ.setdefault("CLUSTERSCOPE_HOME", tempfile.mkdtemp(prefix="bench-ts-"))

from engine import api  # noqa: E402

METHODS = [
    ("K-means, euclidean (tslearn)", "ts_kmeans", {"metric": "euclidean"}),
    ("K-means, DTW, no band", "ts_kmeans", {"metric": "dtw", "band": 0.0}),
    ("K-means, DTW, 10 % band", "ts_kmeans", {"metric": "dtw", "band": 0.1}),
    ("K-means, soft-DTW", "ts_kmeans", {"metric": "softdtw"}),
    ("k-Shape (default)", "kshape", {}),
    ("UMAP → HDBSCAN", "hdbscan", {}),
]


def main() -> None:
    data = api.DEMOS["trace"]()
    print(f"Trace: {len(data)} series of length {data.series.shape[1]}, {len(data.class_names)} classes", flush=True)
    api.run(data, api.Config(features="znorm", reducer="umap", clusterer="kmeans"))  # UMAP's JIT, outside timings
    rows = []
    for label, name, params in METHODS:
        k = {} if name == "hdbscan" else {"n_clusters": 4}
        config = api.Config(features="znorm", reducer="umap", clusterer=name, clusterer_params={**k, **params},
                            cluster_on="embedding" if name == "hdbscan" else "features")
        start = time.perf_counter()
        result = api.run(data, config)
        rows.append((label, result.metrics, time.perf_counter() - start))
        print(f"  {label}: ARI {result.metrics['ari']:.3f}", flush=True)
    print(f"\n{'method':<36}{'ARI':>7}{'NMI':>7}{'silhouette':>11}{'seconds':>9}")
    for label, m, seconds in rows:
        silhouette = f"{m['silhouette']:.3f}" if m.get("silhouette") is not None else "n/a"
        print(f"{label:<36}{m['ari']:>7.3f}{m['nmi']:>7.3f}{silhouette:>11}{seconds:>9.1f}")
    dtw = next(m for label, m, _ in rows if "10 %" in label)
    euclid = rows[0][1]
    print(f"\nDTW K-means (K=4) ARI {dtw['ari']:.3f} vs euclidean K-means {euclid['ari']:.3f}")
    against_tslearn(api.FEATURES["znorm"].make(data), data.labels, slow="--slow" in sys.argv)
    kshape_against_tslearn()


def against_tslearn(X, truth, slow: bool) -> None:
    """Our DTW and soft-DTW K-means against tslearn's direct calls, same series, K = 4."""
    import numpy as np
    from sklearn.metrics import adjusted_rand_score
    from tslearn.clustering import TimeSeriesKMeans

    from engine.cluster import dtw_c
    from engine.cluster.ts_kmeans import SOFT_DTW_LENGTH, radius

    band = radius(0.1, X.shape[1])
    TimeSeriesKMeans(n_clusters=2, metric="dtw", max_iter=1, n_init=1).fit(X[:6, :, None])  # numba's JIT, untimed
    ours, theirs = [], []
    for seed in range(6):
        start = time.perf_counter()
        model = dtw_c.DTWKMeans(4, band, seed=seed)
        labels = model.fit_predict(X)
        ours.append((time.perf_counter() - start, adjusted_rand_score(truth, labels), model.inertia_))
        start = time.perf_counter()
        model = TimeSeriesKMeans(n_clusters=4, metric="dtw", max_iter=30, n_init=2, random_state=seed,
                                 metric_params={"global_constraint": "sakoe_chiba", "sakoe_chiba_radius": band})
        labels = model.fit_predict(X[:, :, None])
        theirs.append((time.perf_counter() - start, adjusted_rand_score(truth, labels), model.inertia_ * len(X)))
    (ours_s, ours_ari, ours_in), (theirs_s, theirs_ari, theirs_in) = np.mean(ours, axis=0), np.mean(theirs, axis=0)
    print(f"\nDTW K-means, 10 % band, K = 4, mean of 6 seeds (inertia: the sum of squared DTW distances to the "
          f"centres, what both minimise):\n"
          f"  ours (dtaidistance C)    {ours_s:6.2f} s  ARI {ours_ari:.3f} (min {min(r[1] for r in ours):.3f})"
          f"  inertia {ours_in:.0f}\n"
          f"  tslearn TimeSeriesKMeans {theirs_s:6.2f} s  ARI {theirs_ari:.3f} (min {min(r[1] for r in theirs):.3f})"
          f"  inertia {theirs_in:.0f}\n"
          f"  speed-up {theirs_s / ours_s:.1f}×")

    rows = slice(None) if slow else slice(0, 40)
    series, labels_true = X[rows], truth[rows]
    config = api.Config(features="znorm", reducer="pca", clusterer="ts_kmeans", cluster_on="features",
                        clusterer_params={"n_clusters": 4, "metric": "softdtw"})
    start = time.perf_counter()
    from engine.cluster import cluster

    ours = cluster(series, "ts_kmeans", config.clusterer_params)
    ours_s = time.perf_counter() - start
    start = time.perf_counter()
    theirs = TimeSeriesKMeans(n_clusters=4, metric="softdtw", metric_params={"gamma": 0.1}, max_iter=30, n_init=2,
                              random_state=0).fit_predict(series[:, :, None])
    theirs_s = time.perf_counter() - start
    print(f"\nsoft-DTW K-means, K = 4, {len(series)} series of {X.shape[1]} steps:\n"
          f"  ours (averaged to {SOFT_DTW_LENGTH} steps) {ours_s:7.1f} s  ARI "
          f"{adjusted_rand_score(labels_true, ours.labels):.3f}\n"
          f"  tslearn at full length    {theirs_s:7.1f} s  ARI {adjusted_rand_score(labels_true, theirs):.3f}\n"
          f"  speed-up {theirs_s / ours_s:.1f}×")


def kshape_against_tslearn() -> None:
    """Our numpy k-Shape against tslearn's ``KShape`` (the same SBD, K and number of starts) on generated
    Cylinder-Bell-Funnel sets of 300 and 2,000 series and on Trace: seconds, ARI, and the ratio."""
    import numpy as np
    from sklearn.metrics import adjusted_rand_score
    from tslearn.clustering import KShape

    from engine.cluster.kshape import N_INIT, KShapeClusterer, znormalise
    from engine.data import variants as V

    trace = api.DEMOS["trace"]()
    sets = [(f"Cylinder-Bell-Funnel, {n:,}", *V.cylinder_bell_funnel(n=n, seed=0)) for n in (300, 2000)]
    sets.append((f"Trace, {len(trace)}", trace.series, [trace.class_names[i] for i in trace.labels]))
    KShape(n_clusters=2, max_iter=1, n_init=1).fit(znormalise(sets[0][1][:6])[:, :, None])  # numba's JIT, untimed
    print(f"\nk-Shape, K = the class count, {N_INIT} starts, seed 0:")
    for name, X, kinds in sets:
        X, truth = znormalise(X), np.unique(kinds, return_inverse=True)[1]
        k = int(truth.max()) + 1
        start = time.perf_counter()
        ours = adjusted_rand_score(truth, KShapeClusterer(k, seed=0).fit_predict(X))
        ours_s = time.perf_counter() - start
        start = time.perf_counter()
        theirs = adjusted_rand_score(truth, KShape(n_clusters=k, max_iter=50, n_init=N_INIT, random_state=0)
                                     .fit_predict(X[:, :, None]))
        theirs_s = time.perf_counter() - start
        print(f"  {name} series of {X.shape[1]} steps: ours {ours_s:6.2f} s ARI {ours:.3f} · tslearn "
              f"{theirs_s:6.2f} s ARI {theirs:.3f} · speed-up {theirs_s / ours_s:.0f}×", flush=True)


if __name__ == "__main__":
    main()
