"""SimCLR (Chen et al., 2020): two views, a projection head, NT-Xent over the batch."""

from __future__ import annotations

from lightly.loss import NTXentLoss
from lightly.models.modules.heads import SimCLRProjectionHead
from torch import Tensor, nn

from engine.ssl.augment import ViewSpec
from engine.ssl.base import SSLMethod


class SimCLR(SSLMethod):
    def __init__(self, backbone: nn.Module, image_size: int, n_items: int, temperature: float = 0.5,
                 projection_dim: int = 128):
        super().__init__(backbone, image_size, n_items)
        self.projection = SimCLRProjectionHead(backbone.out_dim, backbone.out_dim, projection_dim)
        self.criterion = NTXentLoss(temperature=temperature)
        self.view = ViewSpec(scale=(0.2, 1.0), jitter=0.4, jitter_p=0.8, gray_p=0.2, blur_p=0.5)

    def make_views(self, images: Tensor) -> list[Tensor]:
        return [self.augment(images, self.view), self.augment(images, self.view)]

    def loss(self, views: list[Tensor], indices: Tensor) -> Tensor:
        z0, z1 = (self.projection(self.backbone(v)) for v in views)
        return self.criterion(z0, z1)
