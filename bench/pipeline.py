"""Our pipeline vs calling umap-learn + hdbscan directly, on digits, in the same process.

Both sides use the same inputs, seed and parameters. Our side is timed end to end
(features, UMAP, HDBSCAN, all scores) with its array cache cleared before every
repeat, so nothing is reused. UMAP's JIT is warmed once before any timing.
Prints both sides' seconds and scores and the ratio ours / direct (goal <= 1.2).

    .venv/bin/python bench/pipeline.py [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import os
import sys
import time
import warnings
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ["CLUSTERSCOPE_KEEP"] = "0"  # nothing read back from an earlier run: every stage is timed doing its work
warnings.filterwarnings("ignore", message="n_jobs value")

import hdbscan  # noqa: E402
import numpy as np  # noqa: E402
import umap  # noqa: E402
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score  # noqa: E402

from engine import api  # noqa: E402
from engine.cache import ARRAYS  # noqa: E402
from engine.cluster.hdbscan_ import auto_min_cluster_size  # noqa: E402


def direct(X: np.ndarray, seed: int, min_cluster_size: int, min_samples: int) -> np.ndarray:
    embedding = umap.UMAP(n_neighbors=15, min_dist=0.1, n_components=2, random_state=seed).fit_transform(X)
    return hdbscan.HDBSCAN(min_cluster_size=min_cluster_size, min_samples=min_samples).fit_predict(embedding)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    data = api.DEMOS["digits"]()
    # the pipeline the direct side reproduces (the app's defaults have moved on: a feature probe, a clustering space)
    config = api.Config(features="pixels", reducer="umap", clusterer="hdbscan", cluster_on="embedding",
                        seed=args.seed).resolved()
    X = api.FEATURES["pixels"].make(data, **config.feature_params)
    mcs = auto_min_cluster_size(len(data))
    ms = config.clusterer_params["min_samples"]

    umap.UMAP(random_state=0).fit_transform(X[:200])  # JIT warm-up, not timed

    ours_s, direct_s = [], []
    for _ in range(args.repeats):
        ARRAYS.clear()
        start = time.perf_counter()
        result = api.run(data, config)
        ours_s.append(time.perf_counter() - start)

        start = time.perf_counter()
        labels = direct(X, args.seed, mcs, ms)
        direct_s.append(time.perf_counter() - start)

    ours_t, direct_t = statistics.median(ours_s), statistics.median(direct_s)
    y = data.labels
    print(f"digits: {len(data)} items, {X.shape[1]} features; UMAP(15, 0.1, 2-D) + HDBSCAN("
          f"min_cluster_size={mcs}, min_samples={ms}), seed {args.seed}, median of {args.repeats}")
    print(f"{'':<26}{'seconds':>9}{'ARI':>8}{'NMI':>8}{'clusters':>10}{'noise':>8}")
    print(f"{'clusterscope pipeline':<26}{ours_t:>9.2f}{result.metrics['ari']:>8.3f}{result.metrics['nmi']:>8.3f}"
          f"{result.metrics['n_clusters']:>10}{result.metrics['noise_fraction']:>8.1%}")
    print(f"{'umap-learn + hdbscan':<26}{direct_t:>9.2f}{adjusted_rand_score(y, labels):>8.3f}"
          f"{normalized_mutual_info_score(y, labels):>8.3f}{len(set(labels) - {-1}):>10}{np.mean(labels < 0):>8.1%}")
    print(f"ratio ours / direct: {ours_t / direct_t:.3f} (goal <= 1.2)")
    print("our stage timings (last repeat): " + ", ".join(f"{k} {v:.2f}s" for k, v in result.timings.items()))


if __name__ == "__main__":
    main()
