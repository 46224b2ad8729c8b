"""Self-supervised methods, one file each: backbone + head + loss + views (see :mod:`engine.ssl.base`).

The menus are declared here and the implementations load on first use (:class:`engine.registry.Lazy`): reading this
registry (the Train page's menu, ``python -m engine methods``) imports neither torch nor lightly. Adding a method =
its file plus its declaration below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from engine.params import Float, Int
from engine.registry import Entry, Lazy, lookup

if TYPE_CHECKING:
    from torch import nn

    from engine.ssl.base import SSLMethod

METHODS: dict[str, Entry] = {
    "simclr": Entry(
        name="simclr", label="SimCLR", make=Lazy("engine.ssl.simclr", "SimCLR"),
        params=(Float("temperature", 0.5, 0.05, 2.0, step=0.05, help="NT-Xent temperature."),
                Int("projection_dim", 128, 16, 1024, help="Output size of the projection head.")),
        description="Contrastive: two views of an image attract, other images in the batch repel.",
    ),
    "moco": Entry(
        name="moco", label="MoCo v2", make=Lazy("engine.ssl.moco", "MoCo"),
        params=(Float("temperature", 0.2, 0.05, 1.0, step=0.05, help="InfoNCE temperature."),
                Float("momentum", 0.99, 0.9, 0.9999, step=0.001, help="Key-encoder EMA momentum (rises to 1)."),
                Int("queue_size", 4096, 64, 65536, help="Negatives kept from past batches (at most half the data).")),
        description="Contrastive against a queue of past keys from a slowly moving encoder; small batches suffice.",
    ),
    "byol": Entry(
        name="byol", label="BYOL", make=Lazy("engine.ssl.byol", "BYOL"),
        params=(Float("momentum", 0.99, 0.9, 0.9999, step=0.001, help="Target EMA momentum (rises to 1)."),
                Int("hidden_dim", 1024, 64, 4096, help="Hidden size of the projection and prediction heads.")),
        description="Predicts a slowly moving target network's view of the same image; no negative pairs.",
    ),
    "dino": Entry(
        name="dino", label="DINO", make=Lazy("engine.ssl.dino", "DINO"),
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
    ),
    "swav": Entry(
        name="swav", label="SwAV", make=Lazy("engine.ssl.swav", "SwAV"),
        params=(Int("n_prototypes", 300, 10, 3000, help="Learnable prototypes (3,000 for ImageNet)."),
                Int("n_local", 4, 0, 10, help="Small low-resolution crops besides the two global ones."),
                Float("temperature", 0.1, 0.01, 1.0, step=0.01, help="Softmax temperature of the swapped prediction."),
                Float("sinkhorn_epsilon", 0.05, 0.01, 0.5, step=0.01, help="Entropy regularisation of the codes.")),
        description="Assigns views to prototypes with equal-size Sinkhorn-Knopp codes; each view predicts the "
                    "other's code.",
    ),
    "barlow_twins": Entry(
        name="barlow_twins", label="Barlow Twins", make=Lazy("engine.ssl.barlow_twins", "BarlowTwins"),
        params=(Int("projection_dim", 1024, 64, 8192, help="Projector width (the paper uses 8192)."),
                Float("lambda_param", 5e-3, 1e-4, 0.1, step=1e-3,
                      help="Weight of the redundancy (off-diagonal) term.")),
        description="Makes the two views' feature correlation matrix the identity: invariance without collapse.",
    ),
    "deepcluster": Entry(
        name="deepcluster", label="DeepCluster", make=Lazy("engine.ssl.deepcluster", "DeepCluster"),
        params=(Int("n_clusters", 100, 2, 10000, help="K of the pseudo-label K-means (over-clustering helps)."),),
        description="Alternates K-means on the features with training a classifier on those clusters.",
        tags=frozenset({"needs_epochs"}),
    ),
    "rotation": Entry(
        name="rotation", label="Rotation prediction", make=Lazy("engine.ssl.rotation", "RotationPrediction"),
        description="Predicts each image's rotation: learning to do so needs a sense of object shape and orientation.",
    ),
    "ae_dec": Entry(
        name="ae_dec", label="Autoencoder + DEC", make=Lazy("engine.ssl.ae_dec", "AutoencoderDEC"),
        params=(Int("n_clusters", 10, 2, 100, help="Clusters DEC sharpens toward."),
                Float("pretrain_fraction", 0.5, 0.1, 0.9, step=0.05,
                      help="Share of training spent on reconstruction.")),
        description="An autoencoder learns a code; DEC then pulls codes toward K centres. Best with the MLP "
                    "autoencoder.",
        tags=frozenset({"needs_epochs"}),
    ),
}


def build(name: str, backbone: "nn.Module", image_size: int, n_items: int, params: dict | None = None) -> "SSLMethod":
    entry = lookup(METHODS, name, "self-supervised method")
    return entry.make(backbone, image_size, n_items, **entry.resolve(params))
