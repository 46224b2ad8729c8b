"""Everything a report or an export needs about one stored run, loaded once and computed lazily."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

import numpy as np

from engine.cluster.tree import Layout, Tree, build_tree, cut, height_for_k, layout
from engine.data import Dataset
from engine.metrics import k_sweep
from engine.runs import RunRecord, RunStore

REPORT_TREE_ITEMS = 2000  # the report's dendrogram is built on at most this many items (a sample beyond)


@dataclass
class RunContext:
    store: RunStore
    record: RunRecord
    dataset: Dataset
    arrays: dict[str, np.ndarray]
    selections: dict[str, np.ndarray] = field(default_factory=dict)

    @classmethod
    def load(cls, store: RunStore, run_id: str) -> "RunContext":
        record = store.get(run_id)
        if record.kind != "cluster":
            raise ValueError(f"run {run_id} is a {record.kind} run; reports are made of clustering runs "
                             f"(cluster its embeddings first: python -m engine cluster --run {run_id})")
        return cls(store, record, store.dataset_of(record), store.arrays(run_id), store.selections(run_id))

    @property
    def run_id(self) -> str:
        return self.record.run_id

    @property
    def config(self) -> dict:
        return self.record.config

    @property
    def embedding(self) -> np.ndarray:
        return self.arrays["embedding"]

    @property
    def labels(self) -> np.ndarray:
        return self.arrays["labels"]

    @property
    def title(self) -> str:
        c = self.config
        what = f"{self.dataset.name} · {c['clusterer']} on {c['reducer']} of {c['features']}"
        return f"{self.record.title} ({what})" if self.record.title else what

    @cached_property
    def space(self) -> np.ndarray:
        """The matrix the clusterer saw: the embedding, the features or the clustering space (recomputed, from the
        cache when warm)."""
        from engine.pipeline import Config, features_for, reads_features, space_of

        if "space" in self.arrays:  # stored with the run
            return self.arrays["space"]
        config = Config(**self.config)
        if config.cluster_on == "embedding" and not reads_features(config.clusterer):
            return self.embedding
        return space_of(self.dataset, config, features_for(self.dataset, config), self.embedding)

    @cached_property
    def sweep(self) -> dict:
        return k_sweep(self.space, k_max=min(15, len(self.space) - 1), seed=self.config.get("seed", 0)).as_dict()

    @property
    def tree_k(self) -> int:
        """Where the report cuts the tree: the run's number of clusters, or the elbow's K when it found under 2."""
        found = int(self.record.metrics.get("n_clusters") or 0)
        return found if found >= 2 else int(self.sweep["elbow_k"])

    @cached_property
    def tree(self) -> Tree:
        linkage = self.config.get("clusterer_params", {}).get("linkage", "ward")
        return build_tree(self.space, linkage, max_items=REPORT_TREE_ITEMS, seed=self.config.get("seed", 0))

    @cached_property
    def dendrogram(self) -> tuple[np.ndarray, Layout]:
        """The tree's labels at ``tree_k`` and its layout."""
        labels = cut(self.tree, self.space, k=self.tree_k)
        return labels, layout(self.tree, labels, height_for_k(self.tree, self.tree_k))

    def related_runs(self, limit: int = 5) -> list[RunRecord]:
        """Other clustering runs on the same data, newest first."""
        fingerprint = self.record.dataset.get("fingerprint")
        return [r for r in self.store.list(kind="cluster")
                if r.dataset.get("fingerprint") == fingerprint and r.run_id != self.run_id
                and "clusterer" in r.config][:limit]
