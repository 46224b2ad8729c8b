"""Time-series clustering on tslearn's Trace (200 series, 4 classes): DTW K-means against euclidean K-means.

Every method gets K = 4 on the z-normalised series; plus UMAP → HDBSCAN (the image default).
Prints ARI / NMI against the classes and seconds.

    .venv/bin/python bench/timeseries.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("CLUSTERSCOPE_HOME", tempfile.mkdtemp(prefix="bench-ts-"))

from engine import api  # noqa: E402

METHODS = [
    ("K-means, euclidean (tslearn)", "ts_kmeans", {"metric": "euclidean"}),
    ("K-means, DTW, no band", "ts_kmeans", {"metric": "dtw", "band": 0.0}),
    ("K-means, DTW, 10 % band (default)", "ts_kmeans", {"metric": "dtw", "band": 0.1}),
    ("K-means, soft-DTW", "ts_kmeans", {"metric": "softdtw"}),
    ("k-Shape", "kshape", {}),
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


if __name__ == "__main__":
    main()
