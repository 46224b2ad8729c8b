"""Autoencoder + DEC (Xie et al., 2016): reconstruct first, then sharpen soft cluster assignments."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.cluster import KMeans
from torch import Tensor, nn
from torch.nn import functional as F

from engine.ssl.base import EmbedAll, SSLMethod


def soft_assign(z: Tensor, centres: Tensor, alpha: float = 1.0) -> Tensor:
    """Student's t similarity of each code to each centre, rows normalised: DEC's ``q``."""
    q = (1 + torch.cdist(z, centres) ** 2 / alpha) ** (-(alpha + 1) / 2)
    return q / q.sum(dim=1, keepdim=True)


def target_distribution(q: Tensor) -> Tensor:
    """DEC's auxiliary target ``p ∝ q² / cluster frequency``: confident assignments get sharper."""
    weight = q**2 / q.sum(dim=0)
    return weight / weight.sum(dim=1, keepdim=True)


class AutoencoderDEC(SSLMethod):
    """Phase 1 (the first ``pretrain_fraction`` of training): reconstruction. Phase 2: KL(P‖Q)."""

    def __init__(self, backbone: nn.Module, image_size: int, n_items: int, n_clusters: int = 10,
                 pretrain_fraction: float = 0.5):
        super().__init__(backbone, image_size, n_items)
        if not hasattr(backbone, "decode"):  # any backbone works: give it a linear decoder
            self.decoder = nn.Sequential(nn.Linear(backbone.out_dim, 3 * image_size * image_size), nn.Sigmoid())
        self.n_clusters = n_clusters
        self.pretrain_fraction = pretrain_fraction
        self.centres = nn.Parameter(torch.zeros(n_clusters, backbone.out_dim))
        self.register_buffer("targets", torch.full((n_items, n_clusters), 1.0 / n_clusters))
        self.register_buffer("clustering", torch.zeros((), dtype=torch.bool))

    def decode(self, z: Tensor) -> Tensor:
        if hasattr(self.backbone, "decode"):
            return self.backbone.decode(z)
        return self.decoder(z).view(-1, 3, self.image_size, self.image_size)

    def on_epoch_start(self, epoch: int, progress: float, embed_all: EmbedAll) -> None:
        if progress < self.pretrain_fraction:
            return
        codes = embed_all()
        if not self.clustering:  # phase switch: centres from K-means on the pretrained codes
            km = KMeans(self.n_clusters, n_init=4, random_state=0).fit(codes.cpu().numpy().astype(np.float64))
            self.centres.data.copy_(torch.as_tensor(km.cluster_centers_, dtype=self.centres.dtype))
            self.clustering.fill_(True)
        with torch.no_grad():
            self.targets.copy_(target_distribution(soft_assign(codes.to(self.centres), self.centres)))

    def make_views(self, images: Tensor) -> list[Tensor]:
        return [images]  # DEC trains on the images themselves

    def loss(self, views: list[Tensor], indices: Tensor) -> Tensor:
        z = self.backbone(views[0])
        reconstruction = F.mse_loss(self.decode(z), views[0])
        if not self.clustering:
            return reconstruction
        q = soft_assign(z, self.centres)
        return F.kl_div(q.log(), self.targets[indices], reduction="batchmean") + 0.1 * reconstruction
