"""DINO's attention as zero-shot segmentation on the generated shapes demo, against a centre-blob baseline.

Trains a ViT with DINO on ``shapes`` for a CPU budget (the recipe the Train page starts from: batch 16,
lr 4e-4, weight decay 0.04, 4 local crops, teacher momentum 0.996, gradient clipping at 3), then for every
image thresholds the last block's CLS attention (mean over heads, ``mean + std``) and scores it against the
true mask by IoU. The attention is read as the Attention page reads it (the images at 64 px, a 16×16 patch
grid, the threshold applied to the map interpolated to pixels) and, for comparison, at the training size
with whole patches. Baselines in the same run: a centred disc as large as the average object, and the same
ViT at random initialisation. Goal (issue 4): mean IoU >= 0.5 and above the baseline.

    .venv/bin/python bench/attention_iou.py [--minutes 10] [--encoder vit_micro] [--n 1000]
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
from engine.cli import parse_pairs  # noqa: E402
from engine.data.shapes import shapes  # noqa: E402
from engine.encoders import build as build_encoder  # noqa: E402
from engine.train import TrainConfig, recommended  # noqa: E402
from engine.train.loop import Trainer  # noqa: E402


def blob_iou(masks: np.ndarray, share: float) -> float:
    size = masks.shape[1]
    blob = attention.upsample_mask(attention.centre_blob(size, share), size)
    return float(np.mean([attention.iou(blob, m) for m in masks]))


def readouts(model: attention.AttentionModel, images: np.ndarray, masks: np.ndarray) -> dict[str, float]:
    """Mean IoU for each way of reading the mask, keyed by a description."""
    out = {}
    for size in model.read_sizes(images.shape[1]):
        maps = attention.attention_maps(model.at(size), images)
        grid = f"{size} px ({size // model.model.patch_size}×{size // model.model.patch_size})"
        out[f"{grid}, whole patches"] = float(attention.mask_iou(maps, masks, smooth=False).mean())
        out[f"{grid}, smooth"] = float(attention.mask_iou(maps, masks).mean())
    return out


def main() -> None:
    settings = recommended("dino")
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--encoder", default="vit_micro", help="a ViT from the encoder registry")
    parser.add_argument("--depth", type=int, default=0, help="transformer blocks (0: the encoder's own)")
    parser.add_argument("--n", type=int, default=1000, help="images in the shapes demo")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--batch", type=int, default=settings["batch_size"])
    parser.add_argument("--lr", type=float, default=settings["lr"])
    parser.add_argument("--train-size", type=int, default=32, help="training size (the CPU default for 64 px images)")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="a DINO parameter (output_dim, n_local, momentum, …)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    method_params = parse_pairs(args.param)  # resolved and checked by DINO's registry entry, as on the CLI
    options = {"depth": args.depth} if args.depth else {}

    data = shapes(n=args.n)
    share = float(data.masks.mean())
    print(f"shapes: {len(data)} images of {data.images.shape[1]} px, objects cover {share:.1%} on average; "
          f"{args.encoder} DINO at {args.train_size} px, batch {args.batch}, lr {args.lr:g}, for {args.minutes} min "
          f"on {torch.get_num_threads()} CPU threads", flush=True)

    torch.manual_seed(args.seed)
    random_vit = build_encoder(args.encoder, args.train_size, **options).eval()
    random = readouts(attention.AttentionModel(random_vit, args.train_size, "random"), data.images, data.masks)

    config = TrainConfig(encoder=args.encoder, method="dino", epochs=0, minutes=args.minutes, device="cpu",
                         image_size=args.train_size, batch_size=args.batch, lr=args.lr,
                         weight_decay=settings["weight_decay"], encoder_options=options, seed=args.seed,
                         method_params=method_params)
    start = time.perf_counter()
    trainer = Trainer(data, config, tempfile.mkdtemp(prefix="bench-dino-"))
    outcome = trainer.run()
    seconds = time.perf_counter() - start
    trained = readouts(attention.from_method(trainer.method.to("cpu").eval(), "DINO"), data.images, data.masks)

    blob = blob_iou(data.masks, share)
    print(f"\ntrained {outcome.epochs_done} epochs in {seconds:.0f} s "
          f"({outcome.epochs_done * len(data) / max(outcome.seconds, 1e-9):.0f} img/s)")
    print(f"\n{'mean IoU with the true masks (mean + std)':<44}{'random ViT':>11}{'DINO':>8}")
    print(f"{'centre blob (object-sized disc)':<44}{blob:>11.3f}{blob:>8.3f}")
    for label in trained:
        print(f"{'attention at ' + label:<44}{random[label]:>11.3f}{trained[label]:>8.3f}")
    headline = list(trained)[-1]
    print(f"\nDINO mean IoU {trained[headline]:.3f} ({headline}, as the Attention page reads it) vs centre blob "
          f"{blob:.3f} (goal: >= 0.5 and above the baseline)")


if __name__ == "__main__":
    main()
