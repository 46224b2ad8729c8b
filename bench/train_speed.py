"""Training speed on this machine: images per second per encoder × image size × method, against a plain
supervised step of the same encoder (forward, cross-entropy, backward, AdamW: the reference every SSL method
adds its views, heads and losses to), and what channels-last memory buys.

Each figure is a real training step (``engine.train.speed.measure``: views, forward, loss, backward, optimiser)
on random images, after a warm-up step; the figures are kept in ``$CLUSTERSCOPE_HOME/train_speed.json``, where
the Train page quotes them.

    .venv/bin/python bench/train_speed.py          # about 5 minutes on 2 CPU cores
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from engine.encoders import build as build_encoder  # noqa: E402
from engine.train import speed  # noqa: E402
from engine.train.config import pick_device  # noqa: E402

GRID = [  # encoder, size, methods
    ("small_cnn", 8, ("simclr", "byol", "rotation")),
    ("small_cnn", 16, ("simclr", "byol", "rotation")),
    ("small_cnn", 32, ("simclr", "byol", "rotation")),
    ("small_cnn", 64, ("simclr",)),
    ("resnet18", 16, ("simclr",)),
    ("resnet18", 32, ("simclr",)),
    ("vit_micro", 32, ("dino",)),
]
BATCH = 256


def plain_step(encoder: str, size: int, batch: int, device: str, steps: int = 3) -> float:
    """Images/s of a supervised step on one view: the floor every SSL method builds on."""
    torch.manual_seed(0)
    model = build_encoder(encoder, size).to(device)
    with torch.no_grad():
        width = model(torch.rand(2, 3, size, size, device=device)).shape[1]
    head = torch.nn.Linear(width, 10).to(device)
    optimiser = torch.optim.AdamW([*model.parameters(), *head.parameters()], lr=1e-4)
    images, targets = torch.rand(batch, 3, size, size, device=device), torch.randint(0, 10, (batch,), device=device)

    def step() -> None:
        loss = torch.nn.functional.cross_entropy(head(model(images)), targets)
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        optimiser.step()

    step()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    if device == "cuda":
        torch.cuda.synchronize()
    return batch * steps / (time.perf_counter() - start)


def main() -> None:
    device = pick_device("auto")
    print(f"device {device}, {torch.get_num_threads()} threads, torch {torch.__version__}, batch {BATCH} "
          f"(DINO: its own batch)\n")
    print("| encoder | px | method | images/s | plain supervised step, images/s | SSL / plain | "
          "channels-last images/s |")
    print("|---|---|---|---|---|---|---|")
    for encoder, size, methods in GRID:
        plain = plain_step(encoder, size, BATCH, device)
        for method in methods:
            batch = 0 if method == "dino" else BATCH
            measured = speed.measure(encoder, method, size, batch, device=device)
            cl = speed.measure(encoder, method, size, batch, device=device, channels_last=True) \
                if encoder != "vit_micro" and method == "simclr" else None
            print(f"| {encoder} | {size} | {method} | {measured.images_per_s:,.0f} | {plain:,.0f} | "
                  f"{measured.images_per_s / plain:.2f} | {f'{cl.images_per_s:,.0f}' if cl else '—'} |", flush=True)
    print(f"\nkept in {speed.path()}")


if __name__ == "__main__":
    main()
