"""The method protocol: backbone + head + loss + views, composed in a few lines per method.

The training loop calls, per epoch, :meth:`SSLMethod.on_epoch_start` (DeepCluster and
DEC re-read the whole dataset there), then per batch :meth:`make_views`, :meth:`loss`
and, after the optimiser step, :meth:`on_step_end` (EMA teachers). ``progress`` is the
fraction of the training budget spent, so schedules work for epoch and time budgets alike.
"""

from __future__ import annotations

import copy
import math
from dataclasses import replace
from typing import Callable

import torch
from lightly.models.utils import update_momentum
from torch import Tensor, nn

from engine.ssl.augment import ViewSpec, make_view

EmbedAll = Callable[[], Tensor]


class SSLMethod(nn.Module):
    #: (online, teacher) attribute pairs moved by an exponential moving average after each step
    #: (MoCo's key encoder, BYOL's target, DINO's teacher), with ``momentum`` rising to 1 on a cosine.
    ema_pairs: tuple[tuple[str, str], ...] = ()
    momentum: float = 0.0
    #: Random horizontal flips in the views. The trainer turns them off for data whose mirror image means
    #: something else (digits, text): on digits, flips cost SimCLR 15 points of K-means accuracy.
    flip: bool = True
    #: Largest gradient norm before each step (``None``: no clipping). DINO clips at 3 to stay stable.
    clip_grad: float | None = None

    def __init__(self, backbone: nn.Module, image_size: int, n_items: int):
        super().__init__()
        self.backbone = backbone
        self.image_size = image_size
        self.n_items = n_items

    def make_views(self, images: Tensor) -> list[Tensor]:
        raise NotImplementedError

    def augment(self, images: Tensor, spec: ViewSpec) -> Tensor:
        """One random view of each image, as ``spec`` says (without flips where :attr:`flip` is off)."""
        return make_view(images, spec if self.flip else replace(spec, flip=False))

    def loss(self, views: list[Tensor], indices: Tensor) -> Tensor:
        raise NotImplementedError

    def on_after_backward(self, progress: float) -> None:
        """Between ``backward`` and the optimiser step: clip gradients where :attr:`clip_grad` says (DINO)."""
        if self.clip_grad:
            torch.nn.utils.clip_grad_norm_([p for p in self.parameters() if p.grad is not None], self.clip_grad)

    def on_step_end(self, progress: float) -> None:
        """After each optimiser step; ``progress`` in [0, 1]."""
        if self.ema_pairs:
            m = cosine_schedule(progress, self.momentum, 1.0)
            for online, teacher in self.ema_pairs:
                update_momentum(getattr(self, online), getattr(self, teacher), m)

    def on_epoch_start(self, epoch: int, progress: float, embed_all: EmbedAll) -> None:
        """Before each epoch; ``embed_all()`` returns backbone features of every item, in order."""

    @torch.no_grad()
    def embed(self, images: Tensor) -> Tensor:
        """The features used for clustering: the backbone's output (the teacher's, where there is one)."""
        return self.backbone(images)


def momentum_copy(module: nn.Module, rebuild: Callable[[], nn.Module] | None = None) -> nn.Module:
    """A frozen copy for an EMA teacher / key encoder (lightly's ``deactivate_requires_grad``).

    ``rebuild`` makes a fresh module of the same shape, for modules that cannot be deep-copied
    (weight-normalised layers such as DINO's last layer); its weights are then loaded from ``module``.
    """
    twin = rebuild() if rebuild is not None else copy.deepcopy(module)
    twin.load_state_dict(module.state_dict())
    for parameter in twin.parameters():
        parameter.requires_grad = False
    return twin


def cosine_schedule(progress: float, start: float, end: float) -> float:
    """From ``start`` at progress 0 to ``end`` at 1 along half a cosine (BYOL / DINO momentum)."""
    return end - (end - start) * (math.cos(math.pi * min(max(progress, 0.0), 1.0)) + 1) / 2


def local_size(backbone: nn.Module, image_size: int) -> int:
    """Size of small multi-crop views; backbones with a fixed input (the MLP) get full-size views."""
    return image_size if getattr(backbone, "fixed_input", False) else max(4, round(image_size * 96 / 224))
