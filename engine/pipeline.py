"""Dataset → features → embedding → clusters → scores, with progress, cancellation and caching."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field, replace
from typing import Literal

import numpy as np

from engine.cache import ARRAYS
from engine.cluster import CLUSTERERS, ONLY_FOR, cluster, clusterers_for, own_scores
from engine.data import Dataset, DataError
from engine.features import FEATURES, available_for
from engine.metrics import score
from engine.metrics.graph import graph_scores
from engine.progress import Reporter, ensure
from engine.reduce import REDUCERS, reduce, reducers_for
from engine.registry import lookup
from engine.runs import RunStore

ClusterOn = Literal["embedding", "features"]


@dataclass(frozen=True)
class Config:
    """Everything that decides a clustering run; stored with the run."""

    features: str = "pixels"
    feature_params: dict = field(default_factory=dict)
    reducer: str = "umap"
    reducer_params: dict = field(default_factory=dict)
    n_components: int = 2
    clusterer: str = "hdbscan"
    clusterer_params: dict = field(default_factory=dict)
    cluster_on: ClusterOn = "embedding"
    seed: int = 0

    def resolved(self) -> "Config":
        """The same config with every parameter filled in and validated (raises ``ValueError``)."""
        if self.cluster_on not in ("embedding", "features"):
            raise ValueError("cluster_on must be 'embedding' or 'features'")
        return replace(
            self,
            feature_params=lookup(FEATURES, self.features, "feature extractor").resolve(self.feature_params),
            reducer_params=lookup(REDUCERS, self.reducer, "reducer").resolve(self.reducer_params),
            clusterer_params=lookup(CLUSTERERS, self.clusterer, "clusterer").resolve(self.clusterer_params),
        )

    def as_dict(self) -> dict:
        return asdict(self)

    def _key(self, *names: str) -> str:
        return json.dumps({n: getattr(self, n) for n in names}, sort_keys=True)


@dataclass
class Result:
    """One clustering of one dataset. ``space`` is the matrix the clusterer saw."""

    config: Config
    dataset: dict
    embedding: np.ndarray
    labels: np.ndarray
    space: np.ndarray
    metrics: dict
    timings: dict
    extras: dict = field(default_factory=dict)
    run_id: str | None = None


def default_features(dataset: Dataset) -> str:
    """Pretrained EfficientNet-Lite0 for colour photos (when its weights are installed), raw pixels for other
    images (digits, scans), the columns of a table."""
    if dataset.images is not None and not dataset.grayscale and dataset.images.shape[1] >= 32:
        from engine.encoders import ENCODERS

        if ENCODERS["efficientnet_lite0"].weights.cached_path() is not None:
            return "efficientnet_lite0"
    return available_for(dataset.kind)[0]


KIND_DEFAULTS = {  # what a first run on each kind of data uses
    "graph": {"reducer": "spring", "clusterer": "louvain_graph", "cluster_on": "features"},
    "series": {"clusterer": "ts_kmeans", "clusterer_params": {"n_clusters": 4}, "cluster_on": "features"},
}


def default_config(dataset: Dataset, **overrides) -> Config:
    """A config that works on this dataset (see :func:`default_features` and ``KIND_DEFAULTS``)."""
    return Config(**{"features": default_features(dataset), **KIND_DEFAULTS.get(dataset.kind, {}), **overrides})


def features_for(dataset: Dataset, config: Config, reporter: Reporter | None = None) -> np.ndarray:
    config = config.resolved()
    entry = FEATURES[config.features]
    if dataset.kind not in entry.tags:
        raise DataError(f"{entry.label} features do not apply to a {dataset.kind} dataset; "
                        f"use one of {', '.join(available_for(dataset.kind))}")
    key = ("features", dataset.fingerprint(), config._key("features", "feature_params"))

    def compute() -> np.ndarray:
        ensure(reporter).update(0.0, f"extracting {entry.label.lower()} features")
        return entry.make(dataset, reporter=reporter, **config.feature_params)

    return ARRAYS.get_or_compute(key, compute)


def embedding_for(dataset: Dataset, config: Config, reporter: Reporter | None = None) -> np.ndarray:
    config = config.resolved()
    reporter = ensure(reporter)
    features = features_for(dataset, config, reporter.stage(0.0, 0.2))
    key = ("embedding", dataset.fingerprint(),
           config._key("features", "feature_params", "reducer", "reducer_params", "n_components", "seed"))

    def compute() -> np.ndarray:
        reporter.update(0.25, f"{REDUCERS[config.reducer].label}: {features.shape[0]:,} × {features.shape[1]:,} "
                              f"→ {config.n_components}-D")
        return reduce(features, config.reducer, config.reducer_params, config.n_components, config.seed)

    return ARRAYS.get_or_compute(key, compute)


def reads_features(clusterer: str) -> bool:
    """Time-series and graph methods read the series / the adjacency, never the 2-D map."""
    return any(tag in CLUSTERERS[clusterer].tags for tag in ONLY_FOR)


def scores_for(dataset: Dataset, space: np.ndarray, labels: np.ndarray, config: Config) -> dict:
    """Every score that applies: internal ones (under the clusterer's own distance where it has one),
    external ones with labels, modularity and conductance on graphs."""
    metrics = score(space, labels, dataset.labels, config.seed)
    metrics.update(own_scores(space, labels, config.clusterer, config.clusterer_params))
    if dataset.graph is not None:
        metrics.update(graph_scores(dataset.graph, dataset.item_names, labels))
    return metrics


def check_applies(dataset: Dataset, config: Config) -> None:
    if config.clusterer not in clusterers_for(dataset.kind):
        raise DataError(f"{CLUSTERERS[config.clusterer].label} does not apply to {dataset.kind} data; use one of "
                        f"{', '.join(clusterers_for(dataset.kind))}")
    if config.reducer not in reducers_for(dataset.kind):
        raise DataError(f"{REDUCERS[config.reducer].label} does not apply to {dataset.kind} data; use one of "
                        f"{', '.join(reducers_for(dataset.kind))}")


def run(dataset: Dataset, config: Config | None = None, reporter: Reporter | None = None,
        store: RunStore | None = None) -> Result:
    """Run the whole pipeline; save it to ``store`` when given. Raises ``Cancelled`` if cancelled."""
    reporter = ensure(reporter)
    config = (config or default_config(dataset)).resolved()
    check_applies(dataset, config)
    timings: dict[str, float] = {}
    start = time.perf_counter()

    mark = time.perf_counter()
    features = features_for(dataset, config, reporter.stage(0.0, 0.1))
    timings["features"] = time.perf_counter() - mark

    mark = time.perf_counter()
    embedding = embedding_for(dataset, config, reporter.stage(0.1, 0.75))
    timings["reduce"] = time.perf_counter() - mark

    space = embedding if config.cluster_on == "embedding" and not reads_features(config.clusterer) else features
    reporter.update(0.75, f"{CLUSTERERS[config.clusterer].label} on {space.shape[0]:,} × {space.shape[1]:,}")
    mark = time.perf_counter()
    clustering = cluster(space, config.clusterer, config.clusterer_params, config.seed)
    timings["cluster"] = time.perf_counter() - mark

    reporter.update(0.9, "scoring")
    mark = time.perf_counter()
    metrics = scores_for(dataset, space, clustering.labels, config)
    timings["metrics"] = time.perf_counter() - mark
    timings["seconds"] = time.perf_counter() - start
    metrics["seconds"] = timings["seconds"]

    summary = {"name": dataset.name, "fingerprint": dataset.fingerprint(), "n_items": len(dataset)}
    result = Result(config=config, dataset=summary, embedding=embedding, labels=clustering.labels,
                    space=space, metrics=metrics, timings=timings, extras=clustering.extras)
    if store is not None:
        keep(store, dataset, result)
    reporter.update(1.0, "done")
    return result


def adopt(dataset: Dataset, base: Result, labels: np.ndarray, clusterer: str, clusterer_params: dict,
          store: RunStore | None = None) -> Result:
    """A new result with ``labels`` found outside :func:`run` (a dendrogram cut) on ``base``'s features and
    embedding: scored, and stored when given a store. ``clusterer`` and its params say how to reproduce it."""
    if len(labels) != len(base.labels):
        raise ValueError(f"{len(labels)} labels for {len(base.labels)} items")
    config = replace(base.config, clusterer=clusterer, clusterer_params=clusterer_params).resolved()
    start = time.perf_counter()
    metrics = scores_for(dataset, base.space, labels, config)
    timings = {**base.timings, "cluster": 0.0, "metrics": time.perf_counter() - start}
    metrics["seconds"] = timings["seconds"] = base.timings.get("seconds", 0.0)
    result = Result(config=config, dataset=base.dataset, embedding=base.embedding, labels=np.asarray(labels),
                    space=base.space, metrics=metrics, timings=timings)
    if store is not None:
        keep(store, dataset, result)
    return result


def keep(store: RunStore, dataset: Dataset, result: Result) -> None:
    """Store ``result`` as a clustering run, with its dataset (once per fingerprint), and give it its run id."""
    store.datasets.put(dataset)
    record = store.save("cluster", result.dataset, result.config.as_dict(), result.metrics, result.timings,
                        {"embedding": result.embedding, "labels": result.labels, **result.extras})
    result.run_id = record.run_id


def compare(dataset: Dataset, base: Config, methods: list[tuple[str, dict]],
            reporter: Reporter | None = None, store: RunStore | None = None) -> list[Result]:
    """Several clusterers on the same features and embedding (computed once, then cached); stored when given a store."""
    reporter = ensure(reporter)
    results = []
    for i, (name, params) in enumerate(methods):
        step = reporter.stage(i / len(methods), (i + 1) / len(methods))
        results.append(run(dataset, replace(base, clusterer=name, clusterer_params=params), step, store))
    return results
