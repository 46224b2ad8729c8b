"""What watching clusters form costs a training run (issue 15's target: ≤ 10 % of training time), and what it sees.

Trains the CPU default (the small CNN, SimCLR) for a time budget on a labelled demo through the real job path,
then prints each checkpoint's scores (engine.train.watch), the seconds spent scoring against the seconds spent
training (the ratio is the cost), and whether the best checkpoint by the label-free silhouette is also the best
by kNN accuracy (which it never sees).

    .venv/bin/python bench/watch.py                  # digits, 1 minute
    .venv/bin/python bench/watch.py --data mnist5k --minutes 3
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("CLUSTERSCOPE_HOME", tempfile.mkdtemp(prefix="bench-watch-"))

from engine import api  # noqa: E402
from engine.train import TrainConfig, default_encoder, pick_device, recommended  # noqa: E402
from engine.train import jobs  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", default="digits", choices=("digits", "mnist5k"))
    parser.add_argument("--minutes", type=float, default=1.0)
    args = parser.parse_args()
    data = api.DEMOS[args.data]()
    device = pick_device()
    config = TrainConfig(encoder=default_encoder(len(data), data.images.shape[1], device), method="simclr",
                         minutes=args.minutes, epochs=0, **recommended("simclr"))
    final = jobs.resume(jobs.new_job(data, config))
    metrics = final["metrics"]
    checkpoints = metrics["checkpoints"]
    print(f"{args.data}: {len(data):,} images, {config.encoder} + SimCLR, {args.minutes:g} min on {device}, "
          f"{metrics['epochs']} epochs\n")
    print(f"{'#':>3}{'% budget':>9}{'train s':>9}{'silhouette':>11}{'agreement':>10}{'kNN acc':>9}{'K-means ARI':>12}"
          f"{'scoring s':>10}")
    for i, c in enumerate(checkpoints):
        agreement = "–" if c["agreement"] is None else f"{c['agreement']:.3f}"
        print(f"{i:>3}{c['progress']:>9.0%}{c['time']:>9.1f}{c['silhouette']:>11.3f}{agreement:>10}"
              f"{c.get('knn_acc', float('nan')):>9.3f}{c.get('kmeans_ari', float('nan')):>12.3f}{c['seconds']:>10.2f}")
    scoring, training = metrics["watch_seconds"], checkpoints[-1]["time"]
    best = metrics["best_checkpoint"]
    by_knn = max(range(1, len(checkpoints)), key=lambda i: checkpoints[i].get("knn_acc", 0.0))
    print(f"\nscoring {scoring:.1f} s against training {training:.1f} s: {scoring / training:.1%} (target ≤ 10 %)")
    print(f"best checkpoint by silhouette (no labels): {best} (kNN acc {checkpoints[best].get('knn_acc', 0):.3f}); "
          f"by kNN accuracy: {by_knn} ({checkpoints[by_knn].get('knn_acc', 0):.3f}); "
          f"last: kNN acc {checkpoints[-1].get('knn_acc', 0):.3f}")


if __name__ == "__main__":
    main()
