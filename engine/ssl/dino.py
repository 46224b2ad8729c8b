"""DINO (Caron et al., 2021): self-distillation with multi-crop, a centred EMA teacher, two temperatures."""

from __future__ import annotations

from lightly.loss import DINOLoss
from lightly.models.modules.heads import DINOProjectionHead
from torch import Tensor, nn

from engine.params import Float, Int
from engine.registry import Entry
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


ENTRY = Entry(
    name="dino", label="DINO", make=DINO,
    params=(Int("output_dim", 2048, 64, 65536, help="Prototypes in the head (65,536 in the paper)."),
            Int("n_local", 4, 0, 10, help="Small local crops per image besides the two global ones."),
            Float("momentum", 0.996, 0.9, 0.9999, step=0.001, help="Teacher EMA momentum (rises to 1)."),
            Float("teacher_temp", 0.04, 0.01, 0.1, step=0.01, help="Teacher softmax temperature (sharpening)."),
            Float("student_temp", 0.1, 0.05, 0.5, step=0.01, help="Student softmax temperature.")),
    description="A student matches a centred, sharpened EMA teacher across global and local crops; "
                "its ViT attention segments objects.",
    tags=frozenset({"attention"}),
    # Many small steps. In 10 CPU-minutes on the shapes demo (bench/attention_iou.py), batch 16 at this rate made
    # 2,400 updates and a mask IoU of 0.69; batch 64 with a fast teacher (momentum 0.9, 256 prototypes) peaked at
    # 0.38 and then collapsed.
    defaults=(("batch_size", 16), ("lr", 4e-4), ("weight_decay", 0.04)),
)
