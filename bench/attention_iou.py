"""DINO's attention as zero-shot segmentation on the generated shapes demo, against a centre-blob baseline.

Trains a ViT-Tiny with DINO on ``shapes`` for a CPU budget, then for every image thresholds the
last block's CLS attention (mean over heads, ``mean + std``) and scores it against the true mask
by IoU. Baselines in the same run: a centred disc as large as the average object, and the same
ViT at random initialisation. Goal (issue 4): mean IoU >= 0.5 and above the baseline.

    .venv/bin/python bench/attention_iou.py [--minutes 5] [--depth 4] [--n 1000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("CLUSTERSCOPE_HOME", tempfile.mkdtemp(prefix="bench-attention-"))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from engine import attention  # noqa: E402
from engine.data.shapes import shapes  # noqa: E402
from engine.encoders import build as build_encoder  # noqa: E402
from engine.train import TrainConfig  # noqa: E402
from engine.train.loop import Trainer  # noqa: E402


def blob_iou(masks: np.ndarray, share: float) -> float:
    size = masks.shape[1]
    blob = attention.upsample_mask(attention.centre_blob(size, share), size)
    return float(np.mean([attention.iou(blob, m) for m in masks]))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--depth", type=int, default=4, help="transformer blocks (ViT-Tiny has 12)")
    parser.add_argument("--n", type=int, default=1000, help="images in the shapes demo")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch", type=int, default=64)
    parser.add_argument("--n-local", type=int, default=2)
    parser.add_argument("--momentum", type=float, default=0.9, help="teacher EMA (0.996 in the paper's long runs; "
                                                                    "a few hundred CPU steps need a faster teacher)")
    parser.add_argument("--out-dim", type=int, default=256)
    parser.add_argument("--lr", type=float, default=5e-4)
    parser.add_argument("--train-size", type=int, default=0, help="train (and read attention) at this size "
                                                                   "(0: the images' 64 px)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)

    data = shapes(n=args.n)
    share = float(data.masks.mean())
    print(f"shapes: {len(data)} images of {data.images.shape[1]} px, objects cover {share:.1%} on average; "
          f"ViT-Tiny depth {args.depth}, DINO for {args.minutes} min on {torch.get_num_threads()} CPU threads",
          flush=True)

    torch.manual_seed(args.seed)
    size = args.train_size or data.images.shape[1]
    random_vit = build_encoder("vit_tiny", size, depth=args.depth).eval()
    random_maps = attention.attention_maps(attention.AttentionModel(random_vit, size, "random"), data.images)

    config = TrainConfig(encoder="vit_tiny", method="dino", epochs=0, minutes=args.minutes, device="cpu",
                         image_size=args.train_size or data.images.shape[1], batch_size=args.batch, lr=args.lr, weight_decay=0.04,
                         encoder_options={"depth": args.depth}, seed=args.seed,
                         method_params={"n_local": args.n_local, "momentum": args.momentum,
                                        "output_dim": args.out_dim})
    start = time.perf_counter()
    trainer = Trainer(data, config, tempfile.mkdtemp(prefix="bench-dino-"))
    outcome = trainer.run()
    seconds = time.perf_counter() - start
    model = attention.from_method(trainer.method.to("cpu").eval(), "DINO")
    maps = attention.attention_maps(model, data.images)

    rows = [("centre blob (object-sized disc)", blob_iou(data.masks, share)),
            ("ViT at random init, mean + std", float(attention.mask_iou(random_maps, data.masks).mean())),
            (f"DINO ViT ({outcome.epochs_done} epochs), mean + std",
             float(attention.mask_iou(maps, data.masks).mean()))]
    print(f"\ntrained {outcome.epochs_done} epochs in {seconds:.0f} s "
          f"({outcome.epochs_done * len(data) / max(outcome.seconds, 1e-9):.0f} img/s)")
    print(f"\n{'mask':<44}{'mean IoU':>9}")
    for label, value in rows:
        print(f"{label:<44}{value:>9.3f}")
    print(f"\nDINO mean IoU {rows[2][1]:.3f} vs centre blob {rows[0][1]:.3f} (goal: >= 0.5 and above the baseline)")


if __name__ == "__main__":
    main()
