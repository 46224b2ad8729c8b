"""Dataset → features → embedding → clusters → scores, with progress, cancellation and caching."""

from __future__ import annotations

import json
import sys
import time
from dataclasses import asdict, dataclass, field, replace
from typing import Literal

import numpy as np

from engine.cache import ARRAYS, digest, kept_array, source_digest, versions
from engine.cluster import CLUSTERERS, ONLY_FOR, cluster, clusterers_for, own_scores
from engine.data import Dataset, DataError
from engine.features import FEATURES, available_for
from engine.metrics import score
from engine.metrics.graph import graph_scores
from engine.progress import Reporter, ensure
from engine.reduce import REDUCERS, reduce, reducers_for
from engine.registry import in_sentence, lookup
from engine.runs import RunStore

ClusterOn = Literal["embedding", "features", "space"]
CLUSTER_ON = ("embedding", "features", "space")
SPACE_UMAP = {"n_neighbors": 30, "min_dist": 0.0}  # umap-learn's settings for clustering (its clustering guide)
SPACE_PCA = 50  # wide features are first cut to this many principal components
# The clustering space's UMAP optimises for SPACE_EPOCHS epochs, the count umap-learn itself uses past 10,000 rows,
# not the 500 it gives fewer: K-means reads clumps and gaps, which 200 epochs already settle. bench/defaults.py's
# default path on its 23 labelled sets, 500 → 200 epochs: ARI the same within 0.005 on 19, up on 16-px digits
# (0.866 → 0.918) and MNIST on textures (0.550 → 0.570), down on MNIST in colour (0.643 → 0.597) and the
# phase-free waves (0.697 → 0.588), mean change -0.004. The digits' space spends 1.5 s in UMAP's optimiser
# instead of 3.1 s (on one thread: a fixed seed rules out umap-learn's parallel, unrepeatable one).
SPACE_EPOCHS = 200

MIN_ITEMS = 4  # fewer cannot be drawn on a 2-D map (a UMAP needs neighbours) nor split into clusters and scored


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
    space_dims: int = 10  # for cluster_on="space": the clustering space's dimensions

    def resolved(self) -> "Config":
        """The same config with every parameter filled in and validated (raises ``ValueError``)."""
        if self.cluster_on not in CLUSTER_ON:
            raise ValueError(f"cluster_on must be one of {', '.join(CLUSTER_ON)}")
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


def default_config(dataset: Dataset, **overrides) -> Config:
    """The default config for ``dataset`` (see :mod:`engine.defaults`, which decides it and says why)."""
    from engine.defaults import decide

    return decide(dataset, **overrides).config


def with_features_chosen(dataset: Dataset, config: Config, reporter: Reporter | None = None):
    """``config`` with ``features="auto"`` replaced by what :func:`engine.defaults.choose_features` picks for
    ``dataset`` (the probe's evidence is returned too); any other config as it is, with ``None``."""
    from engine.defaults import AUTO, choose_features

    if config.features != AUTO:
        return config, None
    choice = choose_features(dataset, config.seed, reporter)
    return replace(config, features=choice.features, feature_params={**choice.params, **config.feature_params}), \
        choice


def features_for(dataset: Dataset, config: Config, reporter: Reporter | None = None) -> np.ndarray:
    config = config.resolved()
    entry = FEATURES[config.features]
    if dataset.kind not in entry.tags:
        raise DataError(f"{entry.label} features do not apply to a {dataset.kind} dataset; "
                        f"use one of {', '.join(available_for(dataset.kind))}")
    key = ("features", dataset.fingerprint(), config._key("features", "feature_params"))

    def compute() -> np.ndarray:
        from engine import distributed

        ensure(reporter).update(0.0, f"extracting {in_sentence(entry.label)} features")
        if "per_item" in entry.tags and (client := distributed.active()) is not None:  # per partition, on Dask
            return distributed.features(client, dataset, config.features, config.feature_params, reporter)
        return entry.make(dataset, reporter=reporter, **config.feature_params)

    return ARRAYS.get_or_compute(key, compute)


# What a kept map or clustering space also depends on: the libraries that fit them.
REDUCER_PACKAGES = ("umap-learn", "pynndescent", "openTSNE", "scikit-learn", "numpy", "faiss-cpu")


def embedding_for(dataset: Dataset, config: Config, reporter: Reporter | None = None) -> np.ndarray:
    config = config.resolved()
    reporter = ensure(reporter)
    features = features_for(dataset, config, reporter.stage(0.0, 0.2))
    key = ("embedding", dataset.fingerprint(),
           config._key("features", "feature_params", "reducer", "reducer_params", "n_components", "seed"))

    def fit() -> np.ndarray:
        reporter.update(0.25, f"{REDUCERS[config.reducer].label}: {features.shape[0]:,} × {features.shape[1]:,} "
                              f"→ {config.n_components}-D")
        return reduce(features, config.reducer, config.reducer_params, config.n_components, config.seed,
                      reporter.stage(0.25, 1.0))

    def compute() -> np.ndarray:  # kept on disk too, as the clustering space
        settings = (config.reducer, REDUCERS[config.reducer].resolve(config.reducer_params), config.n_components,
                    config.seed)
        return kept_array("map", reduced_key(features, *settings), fit)

    return ARRAYS.get_or_compute(key, compute)


def scale_notes(config: Config, n_items: int, n_features: int) -> list[str]:
    """How a run's map and clustering space scale at this size (fitted on a sample, see :mod:`engine.scale`), one
    sentence each; none below the size."""
    from engine import scale
    from engine.reduce import spring

    notes = []
    if "sampled" in REDUCERS[config.reducer].tags and n_items > scale.FIT_SAMPLE:
        notes.append(scale.sample_note(f"the {REDUCERS[config.reducer].label} map", n_items))
    from engine.data import graphs

    if config.reducer == "spring" and n_items > graphs.DENSE_NODES:  # (see engine.reduce.spring.embedding_layout)
        notes.append(f"the map is a UMAP of a {spring.EMBEDDING_DIMS}-D spectral node embedding, not a spring layout "
                     f"(past {graphs.DENSE_NODES:,} nodes its simulation costs O(n²) a step)")
    if config.cluster_on == "space" and not reads_features(config.clusterer) and n_items > scale.FIT_SAMPLE \
            and space_plan(n_items, n_features, config.space_dims)[1] is not None:
        notes.append(scale.sample_note("the clustering space", n_items))
    return notes


def similarity_for(dataset: Dataset, config: Config):
    """The search behind a run's *more like this*: its features under the run's own distance where that is DTW,
    else by cosine (:func:`engine.similarity.index_for`)."""
    from engine.similarity import index_for

    config = config.resolved()
    return index_for(features_for(dataset, config), config.clusterer, config.clusterer_params)


def space_plan(n_items: int, n_features: int, dims: int = 10) -> tuple[bool, int | None]:
    """How the clustering space of ``n_items × n_features`` is made: whether PCA to :data:`SPACE_PCA` comes first,
    and the UMAP's dimensions (at most the features'), or ``None`` when there are too few items for a UMAP."""
    pca = n_features > SPACE_PCA and n_items > SPACE_PCA
    dims = min(dims, SPACE_PCA if pca else n_features)
    return pca, dims if n_items > SPACE_UMAP["n_neighbors"] + dims else None


def space_label(config: Config, n_items: int, n_features: int) -> str:
    """Which space a run clustered, in words."""
    if reads_features(config.clusterer):
        return "the graph's edges themselves" if "graph" in CLUSTERERS[config.clusterer].tags \
            else "the series themselves"
    if config.cluster_on == "embedding":
        return f"the {config.n_components}-D {REDUCERS[config.reducer].label} map"
    pca, dims = space_plan(n_items, n_features, config.space_dims)
    if config.cluster_on == "features" or (dims is None and not pca):
        return f"the full features ({n_features:,} dimensions)"
    if dims is None:
        return f"the features' first {SPACE_PCA} principal components (too few items for a UMAP)"
    return (f"a {dims}-D clustering space (UMAP with n_neighbors {SPACE_UMAP['n_neighbors']}, "
            f"min_dist {SPACE_UMAP['min_dist']:g}" + (f", after PCA to {SPACE_PCA}" if pca else "") + ")")


def clustering_space(features: np.ndarray, dims: int = 10, seed: int = 0,
                     reporter: Reporter | None = None, epochs: int | None = SPACE_EPOCHS) -> np.ndarray:
    """The space a clusterer reads by default: PCA to 50 dimensions when wider, then a ``dims``-D UMAP with
    clustering settings (many neighbours, points packed tight: dense clumps with gaps between them); see
    :func:`space_plan`. Past :data:`engine.scale.FIT_SAMPLE` items both are fitted on a sample (the PCA projects
    every item; the UMAP places the others among their nearest sampled items), said by :func:`scale_notes`.
    ``epochs``: the UMAP's optimisation epochs (:data:`SPACE_EPOCHS`; None: umap-learn's own)."""
    from engine import scale

    X = np.asarray(features)
    pca, dims = space_plan(*X.shape, dims)
    if pca:
        X = scale.search_space(X, scale.sample_indices(len(X), scale.FIT_SAMPLE, seed), seed) \
            if len(X) > scale.FIT_SAMPLE else scale.components(X, SPACE_PCA, seed).astype(np.float32)
    X = np.asarray(X, dtype=np.float32)
    if dims is None:  # too few items for a UMAP: the (reduced) features themselves
        return X

    def fit(rows: np.ndarray) -> np.ndarray:
        model = REDUCERS["umap"].make(n_components=dims, seed=seed, n_epochs=epochs,
                                      **{**REDUCERS["umap"].resolve(), **SPACE_UMAP})
        return np.asarray(model.fit_transform(rows), dtype=np.float32)

    if len(X) <= scale.FIT_SAMPLE:
        return fit(X)
    return scale.fit_on_sample(X, fit, seed, what="the clustering space", reporter=reporter)[0]


def space_of(dataset: Dataset, config: Config, features: np.ndarray, embedding: np.ndarray,
             reporter: Reporter | None = None) -> np.ndarray:
    """The matrix the clusterer reads: the map, the features, or the clustering space (cached)."""
    if reads_features(config.clusterer) or config.cluster_on == "features":
        return features
    if config.cluster_on == "embedding":
        return embedding
    key = ("space", dataset.fingerprint(), config._key("features", "feature_params", "space_dims", "seed"))

    def fit() -> np.ndarray:
        ensure(reporter).update(0.0, f"clustering space: {features.shape[0]:,} × {features.shape[1]:,} → "
                                     f"{config.space_dims}-D UMAP")
        return clustering_space(features, config.space_dims, config.seed, ensure(reporter))

    def compute() -> np.ndarray:  # kept on disk too: a new process (the CLI, a restarted app) reads it back
        settings = (config.space_dims, config.seed, SPACE_UMAP, SPACE_PCA, SPACE_EPOCHS)
        return kept_array("space", reduced_key(features, *settings), fit)

    return ARRAYS.get_or_compute(key, compute)


def reduced_key(features: np.ndarray, *settings: object) -> str:
    """What a map or clustering space depends on: the features' content, its ``settings``, the libraries that fit
    it (:data:`REDUCER_PACKAGES`) and the code that builds it (this module, the reducers, ``engine.scale``)."""
    import engine.reduce
    from engine import scale

    return digest(features, *settings, versions(*REDUCER_PACKAGES),
                  source_digest(sys.modules[__name__], scale, engine.reduce))


def drawn_series(dataset: Dataset, config: Config) -> np.ndarray:
    """The series as a run's cluster views draw them and take centres of: z-normalised and resampled to one length,
    the run's own features where it clustered those, else the default ones. Members and centre share that one scale
    whatever the run clustered (the frequency spectrum, a UMAP of the series): a centre of the spectrum's 50 bins
    was drawn over 100-step series, and a z-normalised centre over series as loaded looked flat beside them."""
    return features_for(dataset, config if config.features == "znorm" else
                        replace(config, features="znorm", feature_params={}))


def reads_features(clusterer: str) -> bool:
    """Time-series and graph methods read the series / the adjacency, never the 2-D map."""
    return any(tag in CLUSTERERS[clusterer].tags for tag in ONLY_FOR)


def scores_for(dataset: Dataset, space: np.ndarray, labels: np.ndarray, config: Config) -> dict:
    """Every score that applies: internal ones (under the clusterer's own distance where it has one),
    external ones with labels, modularity and conductance on graphs."""
    from engine.metrics.embedding import run_knn_accuracy

    metrics = score(space, labels, dataset.labels, config.seed)
    metrics.update(own_scores(space, labels, config.clusterer, config.clusterer_params))
    # a graph's nodes have no space to vote in, and a clusterer with its own distance (DTW) is not read euclidean
    if dataset.labels is not None and dataset.graph is None and CLUSTERERS[config.clusterer].scores is None:
        metrics["knn_acc"] = run_knn_accuracy(space, dataset.labels, config.seed)
    if dataset.graph is not None:
        metrics.update(graph_scores(dataset.graph, dataset.item_names, labels))
    return metrics


def trust_of(config: Config, features: np.ndarray, embedding: np.ndarray, space: np.ndarray,
             labels: np.ndarray, dataset: Dataset | None = None):
    """How far to trust the map (``engine.metrics.trust``): against the space the clusterer read, or the features
    when it read the map itself; features wider than :data:`SPACE_PCA` are measured on their first principal
    components (nearest neighbours in thousands of raw dimensions are slow and mostly noise). A graph's map is
    measured against the graph itself (its nodes nearest by links, and hop counts)."""
    from engine.metrics.trust import graph_map_trust, map_trust

    if dataset is not None and dataset.graph is not None:  # the run's features are its adjacency matrix already
        from engine.features.adjacency import adjacency_features

        adjacency = features if config.features == "adjacency" else adjacency_features(dataset)
        return graph_map_trust(adjacency, embedding, labels, seed=config.seed)
    named = f"the features ({FEATURES[config.features].label.split(' (')[0].lower()})"  # e.g. (graph adjacency)
    reference, what = (space, "the clustering space") if space is not embedding else (features, named)
    if space is not embedding and (config.cluster_on != "space" or reads_features(config.clusterer)):
        what = named
    if reference.shape[1] > SPACE_PCA and reference.shape[0] > SPACE_PCA:
        from engine.scale import components

        reference = components(reference, SPACE_PCA, config.seed)
        what = f"{what.replace('the ', 'the first ' + str(SPACE_PCA) + ' principal components of the ', 1)}"
    return map_trust(reference, embedding, labels, reference=what, seed=config.seed)


def keep_trust(result: "Result", trust) -> None:
    result.metrics["map_trust"] = trust.summary()
    result.extras["map_trust"] = trust.per_item.astype(np.float32)


def stability_of(dataset: Dataset, result: Result, reporter: Reporter | None = None, store: RunStore | None = None,
                 runs: int | None = None):
    """How stable ``result``'s clusters are: its clusterer rerun on subsamples of the space it read (graphs:
    every node, a share of the edges dropped), see :mod:`engine.cluster.stability`. Kept on the result
    (``metrics["stability"]``, per-item ``ambiguity`` and ``consensus`` arrays) and, for a stored run, in the
    store. ``runs``: by default 10, or as many as fit a minute when the first rerun was slow (at least 4)."""
    from engine.cluster.stability import stability

    config = result.config
    reporter = ensure(reporter)
    found = stability(result.space, result.labels, config.clusterer, config.clusterer_params, seed=config.seed,
                      runs=runs, graph=dataset.kind == "graph" and reads_features(config.clusterer),
                      k_choice=result.metrics.get("k_choice"), reporter=reporter.stage(0.0, 0.8))
    summary = found.summary()
    if not reads_features(config.clusterer):  # the series' and graphs' own methods have no such reference here
        summary["null"] = null_reference(dataset, result, reporter.stage(0.8, 1.0))
    _measured(result, store, {"stability": summary}, {"ambiguity": found.ambiguity, "consensus": found.consensus})
    return found


def null_reference(dataset: Dataset, result: Result, reporter: Reporter | None = None) -> dict:
    """``result``'s clusters against those its own space and clusterer (K fixed) find in Gaussian data of its
    features' spread, with no clusters in it: see :mod:`engine.metrics.null`."""
    from engine.cluster.shared import AUTO as AUTO_K
    from engine.metrics.null import against_structureless

    config = result.config
    params = dict(config.clusterer_params)
    if params.get("n_clusters") == AUTO_K:  # K as the run chose it
        params["n_clusters"] = max(2, int(result.metrics["n_clusters"]))

    def clustered(X: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
        if config.cluster_on == "space":
            X = clustering_space(X, config.space_dims, seed)
        elif config.cluster_on == "embedding":
            X = reduce(X, config.reducer, config.reducer_params, config.n_components, seed)
        return X, cluster(X, config.clusterer, params, seed).labels

    return against_structureless(features_for(dataset, config), result.space, result.labels, clustered, config.seed,
                                 reporter)


def _measured(result: Result, store: RunStore | None, metrics: dict, arrays: dict | None = None) -> None:
    """Keep what was measured on a finished run: on the result, and with the stored run when there is one."""
    result.metrics.update(metrics)
    result.extras.update(arrays or {})
    if store is not None and result.run_id is not None:
        store.attach(result.run_id, metrics, arrays or {})


def suggest_names(dataset: Dataset, result: Result, store: RunStore | None = None) -> dict[int, dict]:
    """Suggested cluster names (see :mod:`engine.cluster.names`), kept on the result and, when stored, the run."""
    from engine.cluster.names import suggest

    found = suggest(dataset, result.labels, result.space, result.config.features)
    _measured(result, store, {"cluster_names_suggested": {str(k): v for k, v in found.items()}})
    return found


def rename_clusters(result: Result, names: dict[int, str], store: RunStore | None = None) -> dict[int, str]:
    """Keep the user's names for clusters (an empty name goes back to the suggestion); returns every shown name."""
    given = {**result.metrics.get("cluster_names", {}), **{str(k): v.strip() for k, v in names.items()}}
    _measured(result, store, {"cluster_names": {k: v for k, v in given.items() if v}})
    return cluster_names(result.metrics)


def cluster_names(metrics: dict) -> dict[int, str]:
    """Each named cluster's shown name (the user's, else the suggestion), from a run's metrics."""
    from engine.cluster.names import resolve

    return resolve(metrics.get("cluster_names_suggested", {}), metrics.get("cluster_names"))


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
    start = time.perf_counter()
    from engine import distributed

    distributed.forget_stages()
    if len(dataset) < MIN_ITEMS:
        raise DataError(f"{dataset.name} has {len(dataset)} item{'s' if len(dataset) != 1 else ''}: clustering needs "
                        f"at least {MIN_ITEMS}")
    config, feature_choice = with_features_chosen(dataset, config or default_config(dataset),
                                                  reporter.stage(0.0, 0.05))
    from engine.defaults import AUTO, choose_clusterer as density_check, series_clusterer

    if dataset.kind == "series" and config.clusterer == AUTO:  # as the features: k-Shape on the series, else K-means
        config = series_clusterer(config)

    # auto (tables): K-means, unless the density check says otherwise; with settings given, K-means with them
    choose_clusterer = config.clusterer == AUTO and not config.clusterer_params
    if config.clusterer == AUTO:  # on the space the config names (the default's clustering space, or one picked)
        config = replace(config, clusterer="kmeans")
    config = config.resolved()
    check_applies(dataset, config)
    timings: dict[str, float] = {"choose_features": time.perf_counter() - start}

    mark = time.perf_counter()
    features = features_for(dataset, config, reporter.stage(0.05, 0.1))
    timings["features"] = time.perf_counter() - mark

    mark = time.perf_counter()
    embedding = embedding_for(dataset, config, reporter.stage(0.1, 0.55))
    timings["reduce"] = time.perf_counter() - mark

    mark = time.perf_counter()
    space = space_of(dataset, config, features, embedding, reporter.stage(0.55, 0.7))
    timings["space"] = time.perf_counter() - mark
    reporter.update(0.7, f"{CLUSTERERS[config.clusterer].label} on {space.shape[0]:,} × {space.shape[1]:,}")
    mark = time.perf_counter()
    clustering = cluster(space, config.clusterer, config.clusterer_params, config.seed,
                         reporter.stage(0.7, 0.85 if choose_clusterer else 0.9))
    clusterer_choice = None
    if choose_clusterer:
        clusterer_choice, density = density_check(features, clustering.labels, reporter.stage(0.85, 0.9))
        if density is not None:  # the run is then what the user would get by picking HDBSCAN on the features
            config = replace(config, clusterer="hdbscan", clusterer_params={}, cluster_on="features").resolved()
            space, clustering = features, density
    timings["cluster"] = time.perf_counter() - mark

    reporter.update(0.9, "scoring")
    mark = time.perf_counter()
    metrics = scores_for(dataset, space, clustering.labels, config)
    timings["metrics"] = time.perf_counter() - mark
    reporter.update(0.95, "how far to trust the map")
    mark = time.perf_counter()
    trust = trust_of(config, features, embedding, space, clustering.labels, dataset)
    timings["map_trust"] = time.perf_counter() - mark
    timings["seconds"] = time.perf_counter() - start
    metrics["seconds"] = timings["seconds"]
    metrics["clustered"] = space_label(config, *features.shape)
    if clustering.k_choice is not None:
        metrics["k_choice"] = clustering.k_choice.as_dict()
    if feature_choice is not None:
        metrics["feature_choice"] = feature_choice.as_dict()
    if clusterer_choice is not None:
        metrics["clusterer_choice"] = clusterer_choice.as_dict()
    scaled = scale_notes(config, *features.shape) + ([clustering.note] if clustering.note else [])
    went = distributed.stages_note()  # what went to a Dask cluster
    ran_on = [went] if went else []
    if distributed.unreachable():
        ran_on.append(f"{distributed.unreachable()}: this run ran here instead")
    if ran_on:
        metrics["ran_on"] = ran_on
    if scaled:  # how each stage scaled, where it did (fitted on a sample): said with the run
        metrics["scaled"] = scaled

    summary = {"name": dataset.name, "fingerprint": dataset.fingerprint(), "n_items": len(dataset)}
    result = Result(config=config, dataset=summary, embedding=embedding, labels=clustering.labels,
                    space=space, metrics=metrics, timings=timings, extras=clustering.extras)
    keep_trust(result, trust)
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
    if base.metrics.get("clustered"):
        metrics["clustered"] = base.metrics["clustered"]
    result = Result(config=config, dataset=base.dataset, embedding=base.embedding, labels=np.asarray(labels),
                    space=base.space, metrics=metrics, timings=timings)
    if "map_trust" in base.metrics:  # the same map and space: the same trust, with the new clusters' flags
        from engine.metrics.trust import pair_flags, neighbours

        trust = dict(base.metrics["map_trust"])
        k = trust["k"]  # (a map clustered on itself was measured against the features, not kept: no flags)
        trust["flags"] = [] if base.space is base.embedding else \
            pair_flags(np.asarray(labels), neighbours(base.space, k), neighbours(base.embedding, k))
        result.metrics["map_trust"] = trust
        if "map_trust" in base.extras:
            result.extras["map_trust"] = base.extras["map_trust"]
    if store is not None:
        keep(store, dataset, result)
    return result


def keep(store: RunStore, dataset: Dataset, result: Result) -> None:
    """Store ``result`` as a clustering run, with its dataset (once per fingerprint), and give it its run id."""
    store.datasets.put(dataset)
    arrays = {"embedding": result.embedding, "labels": result.labels, **result.extras}
    if result.space is not result.embedding and result.space.shape[1] <= SPACE_PCA:  # a UMAP / PCA space: small,
        arrays["space"] = result.space  # and costly to remake when the run is reopened; features are remade
    record = store.save("cluster", result.dataset, result.config.as_dict(), result.metrics, result.timings, arrays)
    result.run_id = record.run_id


def reopen(store: RunStore, run_id: str, reporter: Reporter | None = None) -> tuple[Dataset, Result]:
    """A stored clustering run and its dataset, as they were: the stored map and labels, and the space the
    clusterer read (stored with the run, or remade from the features, which come from the cache when warm)."""
    record = store.get(run_id)
    if record.kind != "cluster":
        raise ValueError(f"run {run_id} is a {record.kind} run, not a clustering; cluster its embeddings first")
    dataset = store.dataset_of(record)
    arrays = store.arrays(run_id)
    config = Config(**record.config)
    embedding, labels = arrays.pop("embedding"), arrays.pop("labels")
    space = arrays.pop("space", None)
    if space is None:
        space = embedding if config.cluster_on == "embedding" and not reads_features(config.clusterer) else \
            space_of(dataset, config, features_for(dataset, config, reporter), embedding, reporter)
    result = Result(config=config, dataset=record.dataset, embedding=embedding, labels=labels, space=space,
                    metrics=record.metrics, timings=record.timings, extras=arrays, run_id=run_id)
    return dataset, result


def compare(dataset: Dataset, base: Config, methods: list[tuple[str, dict]],
            reporter: Reporter | None = None, store: RunStore | None = None) -> list[Result]:
    """Several clusterers on the same features and embedding (computed once, then cached); stored when given a store."""
    reporter = ensure(reporter)
    results = []
    for i, (name, params) in enumerate(methods):
        step = reporter.stage(i / len(methods), (i + 1) / len(methods))
        results.append(run(dataset, replace(base, clusterer=name, clusterer_params=params), step, store))
    return results
