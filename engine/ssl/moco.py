"""MoCo v2 (Chen et al., 2020): a momentum key encoder and a queue of negatives."""

from __future__ import annotations

from lightly.loss import NTXentLoss
from lightly.models.modules.heads import MoCoProjectionHead
from torch import Tensor, nn

from engine.ssl.augment import ViewSpec
from engine.ssl.base import SSLMethod, momentum_copy


class MoCo(SSLMethod):
    ema_pairs = (("backbone", "backbone_momentum"), ("projection", "projection_momentum"))

    def __init__(self, backbone: nn.Module, image_size: int, n_items: int, temperature: float = 0.2,
                 momentum: float = 0.99, queue_size: int = 4096, projection_dim: int = 128):
        super().__init__(backbone, image_size, n_items)
        self.projection = MoCoProjectionHead(backbone.out_dim, backbone.out_dim, projection_dim)
        self.backbone_momentum = momentum_copy(backbone)
        self.projection_momentum = momentum_copy(self.projection)
        # A queue longer than half the data would mostly hold stale copies of the batch's own images.
        queue = max(64, min(queue_size, n_items // 2))
        self.criterion = NTXentLoss(temperature=temperature, memory_bank_size=(queue, projection_dim))
        self.momentum = momentum
        self.view = ViewSpec(scale=(0.2, 1.0), jitter=0.4, jitter_p=0.8, gray_p=0.2, blur_p=0.5)

    def make_views(self, images: Tensor) -> list[Tensor]:
        return [self.augment(images, self.view), self.augment(images, self.view)]

    def loss(self, views: list[Tensor], indices: Tensor) -> Tensor:
        query = self.projection(self.backbone(views[0]))
        key = self.projection_momentum(self.backbone_momentum(views[1])).detach()
        return self.criterion(query, key)
