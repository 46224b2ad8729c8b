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
from pathlib import Path

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
    fast: bool = False  # trained with bf16 autocast and channels-last memory on a CPU (see cpu_fast)

    def key(self) -> str:
        return key_of(self.encoder, self.method, self.size, self.batch, self.device, self.threads)


def variant(encoder: str, width: int | None = None) -> str:
    """The name speeds are kept under: the encoder, with its ``width`` option where one is set."""
    return f"{encoder}@w{width}" if width else encoder


def key_of(encoder: str, method: str, size: int, batch: int, device: str, threads: int) -> str:
    return f"{device}/{threads}t/{encoder}/{method}/{size}px/b{batch}"


def path() -> Path:
    return default_root() / "train_speed.json"


def _read(file: Path) -> dict:
    """A kept JSON table of measurements; empty where there is none yet (or it is unreadable)."""
    try:
        return json.loads(file.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def _write(file: Path, found: dict) -> None:
    file.parent.mkdir(parents=True, exist_ok=True)
    with atomic_open(file, "w") as handle:
        json.dump(found, handle, indent=1)


def known() -> dict[str, dict]:
    """Every measurement kept on this machine (key → :class:`Speed` as a dict)."""
    return _read(path())


def keep(speed: Speed) -> None:
    found = known()
    found[speed.key()] = asdict(speed)
    _write(path(), found)


def lookup(encoder: str, method: str, size: int, batch: int, device: str = "auto",
           width: int | None = None) -> Speed | None:
    """A kept measurement of this setting (``width``: the encoder's width option, where one is set) on this device
    and thread count, if there is one."""
    device = pick_device(device)
    found = known().get(key_of(variant(encoder, width), method, size, batch, device, torch.get_num_threads()))
    return Speed(**found) if found else None


def cpu_bf16_supported() -> bool:
    """Whether oneDNN runs bf16 natively on this CPU (AVX-512 BF16 or AMX); elsewhere bf16 is emulated, slowly."""
    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


FAST_GAIN = 1.1  # the fast path must beat the plain step by this much to be used
PROBE_SIZE, PROBE_BATCH = 16, 64  # the one small setting that decides it per encoder (seconds, once per machine)


def fast_path() -> Path:
    return default_root() / "train_fast.json"


def cpu_fast(encoder: str, device: str = "auto") -> bool:
    """Whether ``encoder`` trains faster on this CPU with bf16 autocast and channels-last memory.

    Measured once per machine, thread count and encoder (SimCLR, 16 px, batch 64: the same matrix products as at
    any size) and kept; on a 2-core AVX-512 BF16 EPYC the small CNN trains ×1.6 (16 px) to ×2.4 (32 px) faster,
    and a minute of SimCLR on digits reaches a higher kNN accuracy (0.96 against 0.95: twice the epochs). A CPU
    without native bf16 never takes this path."""
    if pick_device(device) != "cpu" or not cpu_bf16_supported():
        return False
    key = f"cpu/{torch.get_num_threads()}t/{encoder}"
    found = _read(fast_path())
    if key not in found:
        options = dict(steps=2, device="cpu", save=False)
        try:
            plain = measure(encoder, "simclr", PROBE_SIZE, PROBE_BATCH, **options).images_per_s
            fast = measure(encoder, "simclr", PROBE_SIZE, PROBE_BATCH, bf16=True, channels_last=True,
                           **options).images_per_s
        except Exception:  # an encoder that cannot take the probe's setting trains the plain way
            return False
        found[key] = {"plain": plain, "fast": fast}
        _write(fast_path(), found)
    return found[key]["fast"] > FAST_GAIN * found[key]["plain"]


def measure_training(encoder: str, method: str, size: int, batch: int = 0, device: str = "auto",
                     width: int | None = None) -> Speed:
    """Images per second as training will run here (the CPU fast path where :func:`cpu_fast` says so), kept."""
    fast = cpu_fast(encoder, device)
    found = measure(encoder, method, size, batch, device=device, bf16=True if fast else None,
                    channels_last=fast, save=False, width=width)
    found.fast = fast
    keep(found)
    return found


def measure(encoder: str, method: str, size: int, batch: int = 0, steps: int = 3, device: str = "auto",
            channels_last: bool = False, bf16: bool | None = None, compile: bool = False, save: bool = True,
            width: int | None = None) -> Speed:
    """Images per second of ``steps`` training steps (after one warm-up step) on random ``size``-px images.

    The variants ``bench/train_speed.py`` weighs (only the plain setting is kept): ``channels_last`` memory,
    ``bf16`` autocast (default: on a GPU only, as training does), ``compile``: the backbone through
    ``torch.compile`` (its compilation falls in the warm-up step). ``width``: the encoder's width option."""
    device = pick_device(device)
    batch = batch or recommended(method)["batch_size"]
    torch.manual_seed(0)
    backbone = build_encoder(encoder, size, **({"width": width} if width else {}))
    model = build_method(method, backbone, size, max(batch * 4, 512), {}).to(device)
    if channels_last:
        model = model.to(memory_format=torch.channels_last)
    if compile:
        model.backbone = torch.compile(model.backbone)
    autocast = device == "cuda" if bf16 is None else bf16
    optimiser = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)
    images = torch.rand(batch, 3, size, size, device=device)
    indices = torch.arange(batch, device=device)
    model.train()

    def step() -> None:
        views = model.make_views(images)
        if channels_last:
            views = [v.contiguous(memory_format=torch.channels_last) for v in views]
        with torch.autocast(device, dtype=torch.bfloat16, enabled=autocast):
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
    speed = Speed(variant(encoder, width), method, size, batch, device, torch.get_num_threads(), batch / seconds,
                  seconds)
    if save and not (channels_last or compile or bf16 is not None):
        keep(speed)
    return speed


def sentence(speed: Speed | None) -> str:
    if speed is None:
        return "not measured on this machine yet"
    return (f"{speed.images_per_s:,.0f} images/s measured on this machine ({speed.device}, {speed.threads} threads, "
            f"{speed.size} px, batch {speed.batch}{', bf16 + channels-last' if speed.fast else ''})")


__all__ = ["Speed", "variant", "measure", "measure_training", "cpu_fast", "lookup", "known", "sentence", "path"]
