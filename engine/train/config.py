"""What decides a training run, and the defaults picked from the data and the device."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

CPU_MAX_IMAGE = 32  # ResNet-18 trains at 47 img/s at 32 px on 2 cores: larger is impractical without a GPU


def pick_device(requested: str = "auto") -> str:
    import torch

    if requested == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if requested == "cuda" and not torch.cuda.is_available():
        raise ValueError("CUDA was requested but no GPU is visible to torch")
    return requested


@dataclass(frozen=True)
class TrainConfig:
    encoder: str = "small_cnn"
    method: str = "simclr"
    method_params: dict = field(default_factory=dict)
    encoder_options: dict = field(default_factory=dict)
    image_size: int = 0  # 0: the data's size, capped at 32 px on a CPU (a minutes budget: engine.train.budget)
    batch_size: int = 256
    lr: float = 1e-3
    weight_decay: float = 1e-5
    epochs: int = 20
    minutes: float = 0.0  # > 0: a time budget instead of an epoch count
    seed: int = 0
    device: str = "auto"
    flip: bool | None = None  # horizontal flips in the views; None: as the data says (off for digits)
    stop_when_settled: bool = False  # end early once the watched clusters stop changing (engine.train.watch.settled)

    def as_dict(self) -> dict:
        return asdict(self)

    def training_size(self, native: int, device: str) -> int:
        if self.image_size:
            return self.image_size
        return native if device == "cuda" else min(native, CPU_MAX_IMAGE)


def recommended(method: str) -> dict:
    """Batch size, learning rate and weight decay for ``method``: :class:`TrainConfig`'s defaults, updated by those
    its registry entry declares."""
    from engine.registry import lookup
    from engine.ssl import METHODS

    general = {"batch_size": TrainConfig.batch_size, "lr": TrainConfig.lr, "weight_decay": TrainConfig.weight_decay}
    return {**general, **dict(lookup(METHODS, method, "method").defaults)}


def default_encoder(n_items: int, image_size: int, device: str) -> str:
    """A small CNN for tiny images or any CPU; a ResNet-18 where a GPU is present."""
    return "resnet18" if device == "cuda" and image_size >= 32 else "small_cnn"
