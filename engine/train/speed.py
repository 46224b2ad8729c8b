"""How fast training runs on this machine: images per second, measured, not quoted.

:func:`measure` times a few real training steps (views, forward, loss, backward, optimiser step) of one
encoder × method × image size on random images, after a warm-up step. Measurements are kept in
``$CLUSTERSCOPE_HOME/train_speed.json`` per device and thread count, so the Train page and
``bench/train_speed.py`` quote this machine's figures.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass

import torch

from engine.encoders import build as build_encoder
from engine.files import atomic_open
from engine.runs.store import default_root
from engine.ssl import build as build_method
from engine.train.config import pick_device, recommended


@dataclass
class Speed:
    encoder: str
    method: str
    size: int
    batch: int
    device: str
    threads: int
    images_per_s: float
    step_s: float

    def key(self) -> str:
        return key_of(self.encoder, self.method, self.size, self.batch, self.device, self.threads)


def key_of(encoder: str, method: str, size: int, batch: int, device: str, threads: int) -> str:
    return f"{device}/{threads}t/{encoder}/{method}/{size}px/b{batch}"


def path():
    return default_root() / "train_speed.json"


def known() -> dict[str, dict]:
    """Every measurement kept on this machine (key → :class:`Speed` as a dict)."""
    try:
        return json.loads(path().read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def keep(speed: Speed) -> None:
    found = known()
    found[speed.key()] = asdict(speed)
    path().parent.mkdir(parents=True, exist_ok=True)
    with atomic_open(path(), "w") as handle:
        json.dump(found, handle, indent=1)


def lookup(encoder: str, method: str, size: int, batch: int, device: str = "auto") -> Speed | None:
    """A kept measurement of this setting on this device and thread count, if there is one."""
    device = pick_device(device)
    found = known().get(key_of(encoder, method, size, batch, device, torch.get_num_threads()))
    return Speed(**found) if found else None


def measure(encoder: str, method: str, size: int, batch: int = 0, steps: int = 3, device: str = "auto",
            channels_last: bool = False, save: bool = True) -> Speed:
    """Images per second of ``steps`` training steps (after one warm-up step) on random ``size``-px images."""
    device = pick_device(device)
    batch = batch or recommended(method)["batch_size"]
    torch.manual_seed(0)
    backbone = build_encoder(encoder, size)
    model = build_method(method, backbone, size, max(batch * 4, 512), {}).to(device)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    optimiser = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)
    images = torch.rand(batch, 3, size, size, device=device)
    indices = torch.arange(batch, device=device)
    model.train()

    def step() -> None:
        views = model.make_views(images)
        if channels_last:
            views = [v.contiguous(memory_format=torch.channels_last) for v in views]
        with torch.autocast(device, dtype=torch.bfloat16, enabled=device == "cuda"):
            loss = model.loss(views, indices)
        optimiser.zero_grad(set_to_none=True)
        loss.backward()
        model.on_after_backward(0.5)
        optimiser.step()
        model.on_step_end(0.5)

    step()  # warm-up: allocations, cuDNN choices
    if device == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    for _ in range(steps):
        step()
    if device == "cuda":
        torch.cuda.synchronize()
    seconds = (time.perf_counter() - start) / steps
    speed = Speed(encoder, method, size, batch, device, torch.get_num_threads(), batch / seconds, seconds)
    if save and not channels_last:
        keep(speed)
    return speed


def sentence(speed: Speed | None) -> str:
    if speed is None:
        return "not measured on this machine yet"
    return (f"{speed.images_per_s:,.0f} images/s measured on this machine ({speed.device}, {speed.threads} threads, "
            f"{speed.size} px, batch {speed.batch})")


__all__ = ["Speed", "measure", "lookup", "known", "sentence", "path"]
