"""Training speed on this machine: images per second per encoder × image size × method as training runs here
(bf16 autocast and channels-last memory on a CPU where ``engine.train.speed.cpu_fast`` measured them faster) and
in plain fp32, against a plain supervised fp32 step of the same encoder (forward, cross-entropy, backward, AdamW:
the floor every SSL method adds its views, heads and losses to); then, for the CPU default (small CNN + SimCLR
at 16 and 32 px), what channels-last, bf16 autocast, ``torch.compile``, the thread count and the views'
augmentation cost or buy, against the plain step, in the same run.

Each figure is a real training step (``engine.train.speed.measure``: views, forward, loss, backward, optimiser)
on random images, after a warm-up step; the figures are kept in ``$CLUSTERSCOPE_HOME/train_speed.json``, where
the Train page quotes them.

    .venv/bin/python bench/train_speed.py          # about 8 minutes on 2 CPU cores
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


def views_share(encoder: str, method: str, size: int, batch: int, device: str, steps: int = 3) -> float:
    """The share of a training step spent making the views (crops, flips, jitter, grayscale, blur)."""
    from engine.ssl import build as build_method

    torch.manual_seed(0)
    model = build_method(method, build_encoder(encoder, size), size, 1024, {}).to(device)
    images = torch.rand(batch, 3, size, size, device=device)
    model.make_views(images)
    start = time.perf_counter()
    for _ in range(steps):
        model.make_views(images)
    views_s = (time.perf_counter() - start) / steps
    return views_s / speed.measure(encoder, method, size, batch, steps=steps, device=device, save=False).step_s


def options(device: str) -> None:
    """What each speed option buys for the CPU default, as a ratio to the plain step measured just before it."""
    print("\n| small CNN + SimCLR | px | plain fp32 images/s | channels-last | bf16 autocast | both | torch.compile "
          "(first step s) | 1 thread | views' share of a step |")
    print("|---|---|---|---|---|---|---|---|---|")
    threads = torch.get_num_threads()
    for size in (16, 32):
        def rate(**options) -> float:
            return speed.measure("small_cnn", "simclr", size, BATCH, steps=5, device=device, save=False,
                                 **options).images_per_s

        plain = rate()
        channels_last, bf16, both = rate(channels_last=True), rate(bf16=True), rate(channels_last=True, bf16=True)
        start = time.perf_counter()
        compiled = speed.measure("small_cnn", "simclr", size, BATCH, steps=5, device=device, save=False,
                                 compile=True)
        first_s = time.perf_counter() - start - 5 * compiled.step_s
        torch.set_num_threads(1)
        try:
            single = rate()
        finally:
            torch.set_num_threads(threads)
        share = views_share("small_cnn", "simclr", size, BATCH, device)
        print(f"| | {size} | {plain:,.0f} | ×{channels_last / plain:.2f} | ×{bf16 / plain:.2f} | "
              f"×{both / plain:.2f} | "
              f"×{compiled.images_per_s / plain:.2f} ({first_s:.0f} s) | ×{single / plain:.2f} | {share:.0%} |",
              flush=True)


def main() -> None:
    device = pick_device("auto")
    print(f"device {device}, {torch.get_num_threads()} threads, torch {torch.__version__}, batch {BATCH} "
          f"(DINO: its own batch)\n")
    print("| encoder | px | method | images/s as training runs here | plain supervised step, images/s | "
          "SSL / plain | fp32 SSL step images/s |")
    print("|---|---|---|---|---|---|---|")
    for encoder, size, methods in GRID:
        plain = plain_step(encoder, size, BATCH, device)
        for method in methods:
            batch = 0 if method == "dino" else BATCH
            measured = speed.measure_training(encoder, method, size, batch, device=device)
            fp32 = speed.measure(encoder, method, size, batch, device=device, save=False) if measured.fast else None
            print(f"| {encoder} | {size} | {method} | {measured.images_per_s:,.0f}"
                  f"{' (bf16 + channels-last)' if measured.fast else ''} | {plain:,.0f} | "
                  f"{measured.images_per_s / plain:.2f} | {f'{fp32.images_per_s:,.0f}' if fp32 else '—'} |",
                  flush=True)
    if device == "cpu":
        options(device)
    print(f"\nkept in {speed.path()}")


if __name__ == "__main__":
    main()
