"""Every self-supervised method for a CPU budget on digits, scored against raw pixels in the same run.

For each method: train a small CNN for ``--minutes`` of training time (default 2), extract
embeddings, then kNN accuracy (k=20, cosine, 5-fold) and K-means (K=10) ACC / NMI / ARI.
Goal (issue 3): the best method reaches kNN >= 0.97 and K-means ACC >= 0.90.

    .venv/bin/python bench/ssl_digits.py [--minutes 2] [--methods simclr,byol] [--encoder small_cnn]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("CLUSTERSCOPE_HOME", tempfile.mkdtemp(prefix="bench-ssl-"))

import torch  # noqa: E402

from engine import api  # noqa: E402
from engine.metrics import embedding_scores  # noqa: E402
from engine.train import TrainConfig, train  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=2.0)
    parser.add_argument("--methods", default=",".join(api.METHODS))
    parser.add_argument("--encoder", default="small_cnn")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads (the issue's budget is 2 cores)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    data = api.DEMOS["digits"]()
    pixels = api.FEATURES["pixels"].make(data)
    rows = [("raw pixels", 0, 0.0, embedding_scores(pixels, data.labels))]
    print(f"digits: {len(data)} images; {args.encoder}; {args.minutes} min of training per method on "
          f"{torch.get_num_threads()} CPU threads", flush=True)
    for name in args.methods.split(","):
        encoder = "mlp_ae" if name == "ae_dec" and args.encoder == "small_cnn" else args.encoder
        config = TrainConfig(encoder=encoder, method=name, epochs=0, minutes=args.minutes, device="cpu")
        start = time.perf_counter()
        outcome = train(data, config, tempfile.mkdtemp(prefix=f"bench-{name}-"))
        rows.append((f"{name} ({encoder})", outcome.epochs_done, time.perf_counter() - start,
                     embedding_scores(outcome.embeddings, data.labels)))
        print(f"  {name}: {outcome.epochs_done} epochs, kNN {rows[-1][3]['knn_acc']:.3f}", flush=True)

    print(f"\n{'features':<28}{'epochs':>7}{'wall s':>8}{'kNN acc':>9}{'KM ACC':>8}{'KM NMI':>8}{'KM ARI':>8}")
    for label, epochs, seconds, s in rows:
        print(f"{label:<28}{epochs:>7}{seconds:>8.0f}{s['knn_acc']:>9.3f}{s['kmeans_acc']:>8.3f}"
              f"{s['kmeans_nmi']:>8.3f}{s['kmeans_ari']:>8.3f}")
    best_knn = max(rows[1:], key=lambda r: r[3]["knn_acc"])
    best_km = max(rows[1:], key=lambda r: r[3]["kmeans_acc"])
    print(f"\nbest kNN: {best_knn[0]} {best_knn[3]['knn_acc']:.3f} (goal >= 0.97); "
          f"best K-means ACC: {best_km[0]} {best_km[3]['kmeans_acc']:.3f} (goal >= 0.90)")


if __name__ == "__main__":
    main()
