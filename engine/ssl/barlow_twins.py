"""Barlow Twins (Zbontar et al., 2021): the cross-correlation of two views' projections → identity."""

from __future__ import annotations

from lightly.loss import BarlowTwinsLoss
from lightly.models.modules.heads import BarlowTwinsProjectionHead
from torch import Tensor, nn

from engine.params import Float, Int
from engine.registry import Entry
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


ENTRY = Entry(
    name="barlow_twins", label="Barlow Twins", make=BarlowTwins,
    params=(Int("projection_dim", 1024, 64, 8192, help="Projector width (the paper uses 8192)."),
            Float("lambda_param", 5e-3, 1e-4, 0.1, step=1e-3, help="Weight of the redundancy (off-diagonal) term.")),
    description="Makes the two views' feature correlation matrix the identity: invariance without collapse.",
)
