"""How large the training images are: chosen from this machine's measured throughput, so that a CPU's time budget
buys enough passes over the data.

On a CPU a minute of training at 32 px buys a few epochs of a couple of thousand images; the same minute at 16 px
buys four to five times as many. Measured on 2 cores (SimCLR, small CNN, 1 minute, 64-px PNG uploads):
digits at 32 px 9 epochs, kNN 0.93; at 16 px 35 epochs, kNN 0.95; 2,000 MNIST digits at 32 px kNN 0.81, at 16 px
0.86 (all fp32). So with a minutes budget on a CPU the size is the largest of the data's own size (at most
:data:`~engine.train.config.CPU_MAX_IMAGE`) and 16 px at which the budget buys :data:`MIN_EPOCHS` epochs; where
even 16 px buys fewer, an encoder that declares a ``narrower`` width (the small CNN: 16 instead of 32 channels)
trains at that: 2,000 MNIST digits at 16 px for 15 s (bf16), width 32 16 epochs kNN 0.847, width 16 38 epochs
0.854; for 30 s, 33 epochs 0.854 against 69 epochs 0.872 (width 8 was worse: 0.834). Given an
epoch count, or on a GPU, or with a size set by hand, nothing is traded: the size is
:meth:`TrainConfig.training_size`'s.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.encoders import ENCODERS
from engine.registry import lookup
from engine.train import speed
from engine.train.config import CPU_MAX_IMAGE, TrainConfig, pick_device

MIN_EPOCHS = 20  # contrastive methods on a few thousand images go on improving well past 10 epochs
SMALLEST = 16  # never below: a 64-px photo at 8 px loses what tells it apart; data smaller than this keeps its size


@dataclass(frozen=True)
class SizePlan:
    size: int
    reason: str
    epochs: float | None = None  # what the budget buys at this size, where its speed is known
    decided: bool = True  # False: the speeds are not measured yet, training measures them when it starts
    width: int | None = None  # the encoder's width option, where a narrower one was chosen (else its own)


def candidates(native: int) -> list[int]:
    """Sizes to try, largest first."""
    top = min(native, CPU_MAX_IMAGE)
    return [top] + [s for s in (16,) if SMALLEST <= s < top]


def plan(config: TrainConfig, native: int, n_items: int, device: str = "auto",
         measure_missing: bool = False) -> SizePlan:
    """The training size for ``config`` on images of ``native`` px, with the reason in one sentence.

    ``measure_missing``: time a few training steps at a size whose speed this machine has not measured (seconds,
    once per machine: the figures are kept); otherwise an unmeasured size leaves the plan undecided."""
    device = pick_device(device)
    fixed = config.training_size(native, device)
    if config.image_size:
        return SizePlan(fixed, f"{fixed} px, as set")
    if device == "cuda":
        return SizePlan(fixed, f"{fixed} px, the data's own size (a GPU)")
    if not config.minutes:
        return SizePlan(fixed, f"{fixed} px: the data's size, at most {CPU_MAX_IMAGE} px on a CPU "
                               f"({config.epochs} epochs, whatever they take)")
    batch = min(config.batch_size, n_items)
    sizes = candidates(native)
    trials = [(size, None) for size in sizes]
    narrower = lookup(ENCODERS, config.encoder, "encoder").narrower
    if narrower and "width" not in config.encoder_options:  # the last resort: a narrower network at the smallest size
        trials.append((sizes[-1], narrower))
    bought: list[tuple[int, int | None, float]] = []
    for size, width in trials:
        known = speed.lookup(config.encoder, config.method, size, batch, device, width=width)
        if known is None and measure_missing:
            known = speed.measure_training(config.encoder, config.method, size, batch, device=device, width=width)
        if known is None:
            return SizePlan(sizes[0], f"decided when training starts, from a few timed steps at {size} px "
                                      f"(not measured on this machine yet)", decided=False)
        epochs = config.minutes * 60 * known.images_per_s / n_items
        bought.append((size, width, epochs))
        if epochs >= MIN_EPOCHS:
            break
    size, width, epochs = bought[-1]
    if len(bought) == 1 and epochs >= MIN_EPOCHS:
        return SizePlan(size, f"{size} px: {config.minutes:g} min buy ≈ {epochs:,.0f} epochs of {n_items:,} images "
                              f"at the data's size on this CPU", epochs)
    tried = "; ".join(f"{s} px{f' at width {w}' if w else ''} ≈ {e:,.0f}" for s, w, e in bought)
    what = f"{size} px" + (f" and a narrower {config.encoder} (width {width})" if width else "")
    verdict = (f"the cheapest tried; more minutes would buy the {MIN_EPOCHS} epochs training wants"
               if epochs < MIN_EPOCHS else f"where {config.minutes:g} min buy ≥ {MIN_EPOCHS} epochs" if width
               else f"the largest at which {config.minutes:g} min buy ≥ {MIN_EPOCHS} epochs")
    return SizePlan(size, f"{what}, {verdict} (epochs of {n_items:,} images on this CPU: {tried})", epochs,
                    width=width)


__all__ = ["plan", "SizePlan", "MIN_EPOCHS", "SMALLEST", "candidates"]
