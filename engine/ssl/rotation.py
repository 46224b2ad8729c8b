"""Rotation prediction (Gidaris et al., 2018): tell which of 0/90/180/270° an image was turned by."""

from __future__ import annotations

import torch
from torch import Tensor, nn
from torch.nn import functional as F

from engine.ssl.augment import ViewSpec
from engine.ssl.base import SSLMethod


class RotationPrediction(SSLMethod):
    def __init__(self, backbone: nn.Module, image_size: int, n_items: int):
        super().__init__(backbone, image_size, n_items)
        self.classifier = nn.Linear(backbone.out_dim, 4)
        self.view = ViewSpec(scale=(0.6, 1.0), flip=True, jitter=0.2, jitter_p=0.5, gray_p=0.0, blur_p=0.0)

    def make_views(self, images: Tensor) -> list[Tensor]:
        x = self.augment(images, self.view)
        return [torch.cat([torch.rot90(x, k, dims=(2, 3)) for k in range(4)])]

    def loss(self, views: list[Tensor], indices: Tensor) -> Tensor:
        rotated = views[0]
        targets = torch.arange(4, device=rotated.device).repeat_interleave(rotated.shape[0] // 4)
        return F.cross_entropy(self.classifier(self.backbone(rotated)), targets)
