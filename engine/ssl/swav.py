"""SwAV (Caron et al., 2020): swapped prediction of Sinkhorn-Knopp codes over learnable prototypes."""

from __future__ import annotations

from lightly.loss import SwaVLoss
from lightly.models.modules.heads import SwaVProjectionHead, SwaVPrototypes
from torch import Tensor, nn
from torch.nn import functional as F

from engine.ssl.augment import multi_crop
from engine.ssl.base import SSLMethod, local_size


class SwAV(SSLMethod):
    def __init__(self, backbone: nn.Module, image_size: int, n_items: int, n_prototypes: int = 300,
                 n_local: int = 4, temperature: float = 0.1, sinkhorn_epsilon: float = 0.05,
                 projection_dim: int = 128, frozen_steps: int = 100):
        super().__init__(backbone, image_size, n_items)
        self.projection = SwaVProjectionHead(backbone.out_dim, 512, projection_dim)
        self.prototypes = SwaVPrototypes(projection_dim, n_prototypes, n_steps_frozen_prototypes=frozen_steps)
        self.criterion = SwaVLoss(temperature=temperature, sinkhorn_epsilon=sinkhorn_epsilon)
        self.global_views, self.local_views = multi_crop(local_size(backbone, image_size), n_local)
        self.steps = 0

    def make_views(self, images: Tensor) -> list[Tensor]:
        return [self.augment(images, spec) for spec in (*self.global_views, *self.local_views)]

    def _scores(self, x: Tensor) -> Tensor:
        return self.prototypes(F.normalize(self.projection(self.backbone(x)), dim=1), self.steps)

    def loss(self, views: list[Tensor], indices: Tensor) -> Tensor:
        self.prototypes.normalize()  # prototypes live on the unit sphere, as in the paper
        scores = [self._scores(v) for v in views]
        return self.criterion(scores[:2], scores[2:])

    def on_step_end(self, progress: float) -> None:
        self.steps += 1
