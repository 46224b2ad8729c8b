"""DINO (Caron et al., 2021): self-distillation with multi-crop, a centred EMA teacher, two temperatures."""

from __future__ import annotations

from lightly.loss import DINOLoss
from lightly.models.modules.heads import DINOProjectionHead
from torch import Tensor, nn

from engine.ssl.augment import multi_crop
from engine.ssl.base import SSLMethod, local_size, momentum_copy


class DINO(SSLMethod):
    ema_pairs = (("backbone", "teacher_backbone"), ("head", "teacher_head"))
    clip_grad = 3.0  # as in the paper's training script

    def __init__(self, backbone: nn.Module, image_size: int, n_items: int, output_dim: int = 2048,
                 n_local: int = 4, momentum: float = 0.996, teacher_temp: float = 0.04, student_temp: float = 0.1,
                 center_momentum: float = 0.9):
        super().__init__(backbone, image_size, n_items)
        def make_head() -> DINOProjectionHead:
            return DINOProjectionHead(backbone.out_dim, 512, 64, output_dim, freeze_last_layer=1)

        self.head = make_head()
        self.teacher_backbone = momentum_copy(backbone)
        self.teacher_head = momentum_copy(self.head, rebuild=make_head)
        self.criterion = DINOLoss(output_dim=output_dim, warmup_teacher_temp=teacher_temp, teacher_temp=teacher_temp,
                                  student_temp=student_temp, center_momentum=center_momentum)
        self.momentum = momentum
        self.global_views, self.local_views = multi_crop(local_size(backbone, image_size), n_local)

    def make_views(self, images: Tensor) -> list[Tensor]:
        return [self.augment(images, spec) for spec in (*self.global_views, *self.local_views)]

    def loss(self, views: list[Tensor], indices: Tensor) -> Tensor:
        teacher = [self.teacher_head(self.teacher_backbone(v)).detach() for v in views[:2]]
        student = [self.head(self.backbone(v)) for v in views]
        return self.criterion(teacher, student)  # also moves the centre toward the teacher's batch mean

    def embed(self, images: Tensor) -> Tensor:
        return self.teacher_backbone(images)  # DINO's teacher is the better encoder

    @property
    def center(self) -> Tensor:
        return self.criterion.center
