"""Pretrained EfficientNet-Lite0 features vs raw pixels vs the best 2-CPU-minute self-supervised run, on mnist5k.

Each feature set goes through the same two pipelines, UMAP (15, 0.1) → HDBSCAN (the app's
default) and K-means with K = 10 on the features, and gets kNN accuracy (k=20, cosine,
5-fold). Seconds: producing the features (extraction or training) plus the pipeline.

    .venv/bin/python bench/pretrained.py [--minutes 2] [--method simclr]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("CLUSTERSCOPE_HOME", tempfile.mkdtemp(prefix="bench-pretrained-"))

import numpy as np  # noqa: E402
import torch  # noqa: E402
from sklearn.cluster import KMeans  # noqa: E402

from engine import api  # noqa: E402
from engine.cluster import cluster  # noqa: E402
from engine.metrics import external_scores, knn_accuracy  # noqa: E402
from engine.reduce import reduce  # noqa: E402
from engine.train import TrainConfig, train  # noqa: E402


def evaluate(X: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    start = time.perf_counter()
    embedding = reduce(X, "umap", api.REDUCERS["umap"].resolve(), 2, 0)
    found = cluster(embedding, "hdbscan", {}, 0).labels
    hdbscan = external_scores(labels, found)
    kmeans = external_scores(labels, KMeans(10, n_init=4, random_state=0).fit_predict(X))
    return {"knn": knn_accuracy(X, labels), "hdb_ari": hdbscan["ari"], "hdb_nmi": hdbscan["nmi"],
            "noise": float((found < 0).mean()), "km_ari": kmeans["ari"], "km_nmi": kmeans["nmi"],
            "pipeline_s": time.perf_counter() - start}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=2.0)
    parser.add_argument("--method", default="simclr", help="the self-supervised method (SimCLR is the best on digits)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    data = api.DEMOS["mnist5k"]()
    print(f"mnist5k: {len(data):,} images of 28 px; {torch.get_num_threads()} CPU threads", flush=True)
    reduce(np.random.default_rng(0).normal(size=(64, 8)).astype(np.float32), "umap",
           api.REDUCERS["umap"].resolve(), 2, 0)  # compile UMAP's kernels first, outside every timing

    rows = []
    start = time.perf_counter()
    pixels = api.FEATURES["pixels"].make(data)
    rows.append(("raw pixels (784-d)", time.perf_counter() - start, evaluate(pixels, data.labels)))
    print("  pixels done", flush=True)

    start = time.perf_counter()
    effnet = api.FEATURES["efficientnet_lite0"].make(data)
    rows.append((f"EfficientNet-Lite0 ImageNet ({effnet.shape[1]}-d)", time.perf_counter() - start,
                 evaluate(effnet, data.labels)))
    print("  EfficientNet done", flush=True)

    start = time.perf_counter()
    config = TrainConfig(encoder="small_cnn", method=args.method, epochs=0, minutes=args.minutes, device="cpu")
    outcome = train(data, config, tempfile.mkdtemp(prefix="bench-ssl-"))
    rows.append((f"{args.method} small CNN, {args.minutes:g} min ({outcome.embeddings.shape[1]}-d)",
                 time.perf_counter() - start, evaluate(outcome.embeddings, data.labels)))

    print(f"\n{'features':<40}{'feat s':>7}{'pipe s':>7}{'kNN':>7}{'HDB ARI':>8}{'HDB NMI':>8}{'noise':>7}"
          f"{'KM ARI':>8}{'KM NMI':>8}")
    for label, seconds, s in rows:
        print(f"{label:<40}{seconds:>7.0f}{s['pipeline_s']:>7.0f}{s['knn']:>7.3f}{s['hdb_ari']:>8.3f}"
              f"{s['hdb_nmi']:>8.3f}{s['noise']:>7.1%}{s['km_ari']:>8.3f}{s['km_nmi']:>8.3f}")


if __name__ == "__main__":
    main()
