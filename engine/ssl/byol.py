"""BYOL (Grill et al., 2020): an online network predicts an EMA target's projection; no negatives."""

from __future__ import annotations

from lightly.loss import NegativeCosineSimilarity
from lightly.models.modules.heads import BYOLPredictionHead, BYOLProjectionHead
from torch import Tensor, nn

from engine.ssl.augment import ViewSpec
from engine.ssl.base import SSLMethod, momentum_copy


class BYOL(SSLMethod):
    ema_pairs = (("backbone", "backbone_momentum"), ("projection", "projection_momentum"))

    def __init__(self, backbone: nn.Module, image_size: int, n_items: int, momentum: float = 0.99,
                 hidden_dim: int = 1024, projection_dim: int = 256):
        super().__init__(backbone, image_size, n_items)
        self.projection = BYOLProjectionHead(backbone.out_dim, hidden_dim, projection_dim)
        self.prediction = BYOLPredictionHead(projection_dim, hidden_dim, projection_dim)
        self.backbone_momentum = momentum_copy(backbone)
        self.projection_momentum = momentum_copy(self.projection)
        self.criterion = NegativeCosineSimilarity()
        self.momentum = momentum
        # The paper's asymmetric pair: always blurred vs. rarely blurred and sometimes solarised.
        self.views = (ViewSpec(blur_p=1.0), ViewSpec(blur_p=0.1, solarize_p=0.2))

    def make_views(self, images: Tensor) -> list[Tensor]:
        return [self.augment(images, spec) for spec in self.views]

    def _online(self, x: Tensor) -> Tensor:
        return self.prediction(self.projection(self.backbone(x)))

    def _target(self, x: Tensor) -> Tensor:
        return self.projection_momentum(self.backbone_momentum(x)).detach()

    def loss(self, views: list[Tensor], indices: Tensor) -> Tensor:
        v0, v1 = views
        return 0.5 * (self.criterion(self._online(v0), self._target(v1)) +
                      self.criterion(self._online(v1), self._target(v0)))
