"""Barlow Twins (Zbontar et al., 2021): the cross-correlation of two views' projections → identity."""

from __future__ import annotations

from lightly.loss import BarlowTwinsLoss
from lightly.models.modules.heads import BarlowTwinsProjectionHead
from torch import Tensor, nn

from engine.ssl.augment import ViewSpec
from engine.ssl.base import SSLMethod


class BarlowTwins(SSLMethod):
    def __init__(self, backbone: nn.Module, image_size: int, n_items: int, projection_dim: int = 1024,
                 lambda_param: float = 5e-3):
        super().__init__(backbone, image_size, n_items)
        self.projection = BarlowTwinsProjectionHead(backbone.out_dim, projection_dim, projection_dim)
        self.criterion = BarlowTwinsLoss(lambda_param=lambda_param)
        self.views = (ViewSpec(blur_p=1.0), ViewSpec(blur_p=0.1, solarize_p=0.2))

    def make_views(self, images: Tensor) -> list[Tensor]:
        return [self.augment(images, spec) for spec in self.views]

    def loss(self, views: list[Tensor], indices: Tensor) -> Tensor:
        z0, z1 = (self.projection(self.backbone(v)) for v in views)
        return self.criterion(z0, z1)
