"""DeepCluster (Caron et al., 2018): K-means pseudo-labels each epoch, then classify them."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from torch import Tensor, nn
from torch.nn import functional as F

from engine.ssl.augment import ViewSpec
from engine.ssl.base import EmbedAll, SSLMethod

PCA_DIMS = 64


def reassign_empty(labels: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Give every empty cluster half of a random large cluster, as DeepCluster does with its centroids,
    so the classifier never has an unused output."""
    labels = labels.copy()
    for empty in [c for c in range(k) if not np.any(labels == c)]:
        sizes = np.bincount(labels, minlength=k)
        donor = rng.choice(np.flatnonzero(sizes == sizes.max()))
        members = np.flatnonzero(labels == donor)
        labels[rng.choice(members, size=len(members) // 2, replace=False)] = empty
    return labels


class DeepCluster(SSLMethod):
    def __init__(self, backbone: nn.Module, image_size: int, n_items: int, n_clusters: int = 100, seed: int = 0):
        super().__init__(backbone, image_size, n_items)
        self.n_clusters = min(n_clusters, max(2, n_items // 4))
        self.classifier = nn.Linear(backbone.out_dim, self.n_clusters)
        self.register_buffer("pseudo_labels", torch.zeros(n_items, dtype=torch.long))
        self.register_buffer("class_weights", torch.ones(self.n_clusters))
        self.rng = np.random.default_rng(seed)
        self.view = ViewSpec(scale=(0.3, 1.0), jitter=0.4, jitter_p=0.8, gray_p=0.2, blur_p=0.0)

    def on_epoch_start(self, epoch: int, progress: float, embed_all: EmbedAll) -> None:
        features = embed_all().cpu().numpy().astype(np.float64)
        dims = min(PCA_DIMS, len(features) - 1)  # fewer items than PCA_DIMS (a set of 5 images) cap the components
        if features.shape[1] > dims >= 2:  # the paper: PCA, whitening and l2 normalisation before K-means
            with np.errstate(divide="ignore", invalid="ignore"):
                features = PCA(dims, whiten=True, random_state=epoch).fit_transform(features)
            # a component without variance (copies of one image) is whitened by zero: it carries nothing
            features = np.nan_to_num(features, nan=0.0, posinf=0.0, neginf=0.0)
        features /= np.linalg.norm(features, axis=1, keepdims=True) + 1e-8
        labels = KMeans(self.n_clusters, n_init=1, random_state=epoch).fit_predict(features)
        labels = reassign_empty(labels, self.n_clusters, self.rng)
        self.pseudo_labels.copy_(torch.from_numpy(labels))
        counts = torch.bincount(self.pseudo_labels, minlength=self.n_clusters).float()
        self.class_weights.copy_(counts.sum() / (self.n_clusters * counts.clamp(min=1)))  # uniform over clusters
        self.classifier.reset_parameters()  # labels are renumbered every epoch

    def make_views(self, images: Tensor) -> list[Tensor]:
        return [self.augment(images, self.view)]

    def loss(self, views: list[Tensor], indices: Tensor) -> Tensor:
        logits = self.classifier(self.backbone(views[0]))
        return F.cross_entropy(logits, self.pseudo_labels[indices], weight=self.class_weights)
