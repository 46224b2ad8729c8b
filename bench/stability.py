"""Cluster stability at 10,000 items (issue 15's target: ≤ 2 minutes on this 2-core machine).

For each case it times ``engine.cluster.stability`` (reruns on 80 % subsamples, Jaccard matching, ambiguity,
co-association on 2,000 items, consensus, K by stability) against the bare reruns alone: the same clusterer fitted
on the same number of 80 % subsamples with nothing else (the least any such measurement can cost). The ratio is
what the bookkeeping adds. It also prints what was found, against the known structure.

    .venv/bin/python bench/stability.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sklearn.datasets import make_blobs  # noqa: E402
from sklearn.metrics import adjusted_rand_score  # noqa: E402

from engine.cluster import cluster  # noqa: E402
from engine.cluster import stability as S  # noqa: E402


def bare(X: np.ndarray, name: str, params: dict, runs: int) -> float:
    rng = np.random.default_rng(1)
    start = time.perf_counter()
    for r in range(runs):
        idx = np.sort(rng.choice(len(X), int(S.SUBSAMPLE * len(X)), replace=False))
        cluster(X[idx], name, params, seed=1 + r)
    return time.perf_counter() - start


def main() -> None:
    X, y = make_blobs(10_000, n_features=10, centers=12, cluster_std=2.0, random_state=4)
    X = X.astype(np.float32)
    noise = np.random.default_rng(0).uniform(X.min(), X.max(), size=(10_000, 10)).astype(np.float32)
    cases = [("12 blobs, 10-D", X, y, "kmeans", {"n_clusters": 12}),
             ("12 blobs, 10-D", X, y, "hdbscan", {}),
             ("uniform noise, 10-D", noise, None, "kmeans", {"n_clusters": 12})]
    print(f"{'data (10,000 items)':<22}{'method':<10}{'runs':>5}{'stability s':>12}{'bare reruns s':>14}{'ratio':>7}"
          f"{'mean stab.':>11}{'stable':>8}{'contested':>10}{'consensus ARI':>14}{'K by stab.':>11}")
    for title, data, truth, name, params in cases:
        fitted = cluster(data, name, params)
        start = time.perf_counter()
        found = S.stability(data, fitted.labels, name, fitted.params, k_choice=None)
        seconds = time.perf_counter() - start
        reference = bare(data, name, fitted.params, found.runs)
        values = [c["stability"] for c in found.clusters]
        agreement = adjusted_rand_score(truth, found.consensus) if truth is not None else found.agreement
        print(f"{title:<22}{name:<10}{found.runs:>5}{seconds:>12.1f}{reference:>14.1f}{seconds / reference:>7.2f}"
              f"{np.mean(values):>11.2f}{sum(v > S.STABLE for v in values):>5}/{len(values):<2}"
              f"{found.ambiguous_share:>10.1%}{agreement:>14.2f}{found.k.get('by_stability', '–'):>11}", flush=True)
    print(f"\nconsensus ARI: against the true blobs (noise: against the judged clustering). Target: ≤ 120 s each.")


if __name__ == "__main__":
    main()
