"""SwAV (Caron et al., 2020): swapped prediction of Sinkhorn-Knopp codes over learnable prototypes."""

from __future__ import annotations

from lightly.loss import SwaVLoss
from lightly.models.modules.heads import SwaVProjectionHead, SwaVPrototypes
from torch import Tensor, nn
from torch.nn import functional as F

from engine.params import Float, Int
from engine.registry import Entry
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


ENTRY = Entry(
    name="swav", label="SwAV", make=SwAV,
    params=(Int("n_prototypes", 300, 10, 3000, help="Learnable prototypes (3,000 for ImageNet)."),
            Int("n_local", 4, 0, 10, help="Small low-resolution crops besides the two global ones."),
            Float("temperature", 0.1, 0.01, 1.0, step=0.01, help="Softmax temperature of the swapped prediction."),
            Float("sinkhorn_epsilon", 0.05, 0.01, 0.5, step=0.01, help="Entropy regularisation of the codes.")),
    description="Assigns views to prototypes with equal-size Sinkhorn-Knopp codes; each view predicts the other's code.",
)
