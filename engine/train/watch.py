"""Clusters forming during training: a fixed sample of the data embedded at checkpoints and scored.

At every :data:`EVERY` of the run's progress (and before the first step, the untrained encoder, and at the end) the
trainer embeds the same :data:`ITEMS` items and records, without labels: the silhouette of a K-means (K =
:data:`K`, fixed so that checkpoints compare) on the L2-normalised embedding's first principal components, and the
agreement (ARI) of that clustering with the previous checkpoint's; with labels, kNN accuracy and K-means (K = the
classes) ACC / NMI / ARI. Each checkpoint also keeps a 2-D PCA map of the sample, rotated onto the previous
checkpoint's (orthogonal Procrustes), so that a slider can step through them without the points jumping.

An evaluation is skipped while evaluations have cost more than :data:`SHARE` of the training time so far, so the
watch stays a few per cent of the run. The best checkpoint is chosen by the label-free silhouette alone, and its
weights are kept beside the job's checkpoint (``best.pt``) so its features can be used instead of the last ones.
"""

from __future__ import annotations

import time
from typing import Callable

import numpy as np

from engine.data import Dataset

ITEMS = 1000
EVERY = 0.1  # of the run's progress
SHARE = 0.05  # at most this share of training time spent on evaluations (one may overshoot, the next waits)
K = 10
PCA_DIMS = 32
SETTLED = 0.95  # agreement (ARI) with the previous checkpoint's clusters at which they count as unchanged ...
SETTLED_FOR = 3  # ... at this many checkpoints in a row: the optional early stop


class Watch:
    def __init__(self, dataset: Dataset, seed: int = 0):
        n = len(dataset)
        self.sample = np.sort(np.random.default_rng(seed).choice(n, min(ITEMS, n), replace=False))
        self.truth = dataset.labels[self.sample] if dataset.labels is not None else None
        self.seed = seed
        self.records: list[dict] = []
        self.maps: list[np.ndarray] = []
        self.clusters: list[np.ndarray] = []  # each checkpoint's K-means clusters of the sample
        self._clusters: np.ndarray | None = None
        self.seconds = 0.0

    # -- when ---------------------------------------------------------------------------------------
    def due(self, progress: float, elapsed: float) -> bool:
        """Whether a checkpoint evaluation is due at ``progress`` (0..1) after ``elapsed`` training seconds."""
        if not self.records:
            return True
        if progress < self.records[-1]["progress"] + EVERY - 1e-9:
            return False
        return self.seconds <= SHARE * elapsed

    # -- what ---------------------------------------------------------------------------------------
    def evaluate(self, embed: Callable[[np.ndarray], np.ndarray], epoch: int, step: int, progress: float,
                 elapsed: float) -> dict:
        """Embed the sample (``embed(indices)`` → features), score it and keep its map; returns the record."""
        from scipy.linalg import orthogonal_procrustes
        from sklearn.cluster import KMeans
        from sklearn.decomposition import PCA
        from sklearn.metrics import adjusted_rand_score, silhouette_score

        start = time.perf_counter()
        Z = np.asarray(embed(self.sample), dtype=np.float64)
        Z /= np.maximum(np.linalg.norm(Z, axis=1, keepdims=True), 1e-12)
        dims = min(PCA_DIMS, Z.shape[1], len(Z) - 1)
        P = PCA(dims, random_state=self.seed).fit_transform(Z) if dims >= 2 else Z
        k = min(K, len(Z) - 1)
        clusters = KMeans(k, n_init=2, random_state=self.seed).fit_predict(P)
        record = {"epoch": epoch, "step": step, "progress": float(progress), "time": float(elapsed),
                  "silhouette": float(silhouette_score(P, clusters)) if len(set(clusters)) > 1 else 0.0,
                  "agreement": None if self._clusters is None else float(adjusted_rand_score(self._clusters,
                                                                                              clusters))}
        if self.truth is not None and len(np.unique(self.truth)) > 1:
            from engine.metrics import embedding_scores

            try:
                record.update(embedding_scores(Z.astype(np.float32), self.truth, seed=self.seed))
            except ValueError:  # a class with a single sampled member: kNN accuracy is undefined
                pass
        flat = P[:, :2] - P[:, :2].mean(axis=0)
        flat /= max(float(np.sqrt((flat ** 2).sum(axis=1).mean())), 1e-12)
        if self.maps:  # turn (and mirror) onto the previous map, so a point moves only as much as it really does
            rotation, _ = orthogonal_procrustes(flat, self.maps[-1])
            flat = flat @ rotation
        self._clusters = clusters
        self.clusters.append(clusters.astype(np.int16))
        self.maps.append(flat.astype(np.float32))
        record["seconds"] = time.perf_counter() - start
        self.seconds += record["seconds"]
        self.records.append(record)
        return record

    def settled(self) -> bool:
        """Whether the sample's clusters came back unchanged (agreement ≥ :data:`SETTLED`) at the last
        :data:`SETTLED_FOR` checkpoints: training on will not move them, whatever the loss still does."""
        recent = [r["agreement"] for r in self.records[-SETTLED_FOR:]]
        return len(recent) == SETTLED_FOR and all(a is not None and a >= SETTLED for a in recent)

    def best(self) -> int | None:
        return best_checkpoint(self.records)

    def write(self, path) -> None:
        """The sample, its maps and clusters so far (see :func:`read`), written atomically."""
        from engine.files import atomic_open

        with atomic_open(path) as handle:
            np.savez(handle, sample=self.sample, maps=np.stack(self.maps), clusters=np.stack(self.clusters))

    # -- kept with the job's checkpoint ---------------------------------------------------------------
    def state(self) -> dict:
        import torch

        return {"records": self.records, "seconds": self.seconds,
                "maps": torch.from_numpy(np.stack(self.maps)) if self.maps else None,
                "all_clusters": torch.from_numpy(np.stack(self.clusters).astype(np.int64)) if self.clusters else None,
                "clusters": None if self._clusters is None else torch.from_numpy(self._clusters.astype(np.int64))}

    def load(self, state: dict | None) -> None:
        if not state:
            return
        self.records = list(state["records"])
        self.maps = [] if state["maps"] is None else list(state["maps"].numpy())
        found = state.get("all_clusters")
        self.clusters = [] if found is None else list(found.numpy().astype(np.int16))
        self.seconds = float(state["seconds"])
        self._clusters = None if state["clusters"] is None else state["clusters"].numpy()


def best_checkpoint(records: list[dict]) -> int | None:
    """The index of the best checkpoint by the label-free score (silhouette), the untrained encoder left out."""
    trained = [i for i, r in enumerate(records) if r["progress"] > 0]
    return max(trained, key=lambda i: records[i]["silhouette"]) if trained else None


def read(path) -> dict[str, np.ndarray] | None:
    """What :meth:`Watch.write` kept (``sample``, ``maps``, ``clusters``), or ``None`` before the first evaluation
    or while it is being replaced."""
    try:
        with np.load(path, allow_pickle=False) as found:
            return {key: found[key] for key in found.files}
    except (OSError, ValueError, KeyError):
        return None
