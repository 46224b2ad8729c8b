"""Session state and cached engine calls. Pages read and write state only through here."""

from __future__ import annotations

import threading

import numpy as np
import streamlit as st

from engine import api

DATASET, SOURCE, RESULT, JOB, COMPARE = "dataset", "dataset_source", "result", "job", "compare"
LAST_OUTCOME = "last_job_outcome"
FEATURES_PICK, LEARNED_PICK, CHECKPOINT_PICK = "features", "learned_run_pick", "learned_checkpoint"  # Data page keys


@st.cache_resource(show_spinner=False)
def demo(name: str) -> api.Dataset:
    return api.DEMOS[name]()


@st.cache_resource(show_spinner=False)
def store() -> api.RunStore:
    return api.RunStore()


@st.cache_resource(show_spinner=False)
def warm_up() -> threading.Thread:
    """Compile UMAP's numba kernels once per server in the background, so the first Run is quick."""
    def fit_tiny() -> None:
        rng = np.random.default_rng(0)
        api.REDUCERS["umap"].make(n_components=2, seed=0, **api.REDUCERS["umap"].resolve()).fit_transform(
            rng.normal(size=(64, 8)).astype(np.float32))

    thread = threading.Thread(target=fit_tiny, daemon=True, name="umap-warm-up")
    thread.start()
    return thread


def init() -> None:
    """First visit: the digits demo is loaded and ready to run."""
    if DATASET not in st.session_state:
        set_dataset(demo("digits"), "built-in demo")


def dataset() -> api.Dataset:
    return st.session_state[DATASET]


PIPELINE_WIDGETS = (FEATURES_PICK, "reducer", "clusterer", "cluster_on")


def set_dataset(data: api.Dataset, source: str) -> None:
    """A new dataset replaces the old one and drops results that belonged to it; the pipeline menus go back to
    the defaults for its kind of data (a graph gets Louvain, photos the pretrained encoder)."""
    previous = st.session_state.get(DATASET)
    if previous is not None and previous.fingerprint() != data.fingerprint():
        # Set, not just cleared: a cleared key leaves the browser showing the old choice.
        defaults = api.default_config(data)
        for key, value in zip(PIPELINE_WIDGETS, (defaults.features, defaults.reducer, defaults.clusterer,
                                                 defaults.cluster_on)):
            st.session_state[key] = value
        if defaults.features in api.FEATURES:  # its settings too (a table of two-valued columns: not standardised)
            for name, value in api.FEATURES[defaults.features].resolve(defaults.feature_params).items():
                st.session_state[f"fp.{defaults.features}.{name}"] = value
    st.session_state[DATASET] = data
    st.session_state[SOURCE] = source
    api.warm_features(data)  # the feature probe starts now, in the background: Run finds it done or under way
    current = st.session_state.get(RESULT)
    if current is not None and current.dataset["fingerprint"] != data.fingerprint():
        st.session_state.pop(RESULT, None)
        st.session_state.pop(COMPARE, None)


def defaults(data: api.Dataset) -> api.Defaults:
    """The dataset's default pipeline and the reason for each choice (cheap: the feature probe runs with the job)."""
    return api.decide(data)


def training_runs(data: api.Dataset) -> list[api.RunRecord]:
    """Stored training runs on this dataset, newest first."""
    return [r for r in store().list(kind="train") if r.dataset.get("fingerprint") == data.fingerprint()]


def use_learned_features(run_id: str, checkpoint: str = "best") -> None:
    """Preselect a training run's embeddings (at its best checkpoint, where that was not the last) as the features
    on the Data page."""
    st.session_state[FEATURES_PICK] = "learned"
    st.session_state[LEARNED_PICK] = run_id
    st.session_state[CHECKPOINT_PICK] = checkpoint


def result() -> api.Result | None:
    return st.session_state.get(RESULT)


def job() -> api.Job | None:
    return st.session_state.get(JOB)


def start_run(config: api.Config) -> None:
    st.session_state[JOB] = api.Job("clustering", api.run, dataset(), config, store=store())


def collect_finished_job() -> None:
    """Move a finished job's result into the session and remember how it ended (see :func:`last_outcome`).

    Called at the top of every rerun, before anything is drawn, so no widget shows a stale "running".
    """
    current = job()
    if current is None or not current.done:
        return
    del st.session_state[JOB]
    if current.result is not None:
        st.session_state[RESULT] = current.result
        st.session_state.pop(COMPARE, None)
    st.session_state[LAST_OUTCOME] = {"cancelled": current.cancelled, "error": current.error,
                                      "detail": current.error_detail}


def last_outcome() -> dict | None:
    return st.session_state.get(LAST_OUTCOME)


def open_run(run_id: str) -> None:
    """Make a stored run current, with its dataset: every page then shows it."""
    data, res = api.reopen(store(), run_id)
    set_dataset(data, "stored run")
    st.session_state[RESULT] = res
    st.session_state.pop(COMPARE, None)
    st.session_state.pop(LAST_OUTCOME, None)


def run_title(res: api.Result) -> str:
    """The title the user gave the run ("" for none, or for a run that is not stored)."""
    try:
        return store().get(res.run_id).title if res.run_id else ""
    except KeyError:
        return ""


def delete_run(run_id: str) -> None:
    """Delete a stored run and its files; the open run is closed when it was that one."""
    store().delete(run_id)
    current = result()
    if current is not None and current.run_id == run_id:
        st.session_state.pop(RESULT, None)
        st.session_state.pop(COMPARE, None)


@st.cache_data(show_spinner=False, max_entries=16)
def run_arrays(run_id: str) -> dict[str, np.ndarray]:
    """A stored run's map and labels (run files do not change once written)."""
    found = store().arrays(run_id)
    return {"embedding": found["embedding"], "labels": found["labels"]}


def run_key(res: api.Result) -> str:
    return res.run_id or f"unsaved-{id(res)}"


@st.cache_resource(show_spinner=False)
def _sweeps() -> dict:
    return {}


def sweep(key: str, space: np.ndarray, k_max: int, seed: int, progress=None) -> dict:
    """The K sweep of a run's space, kept for the server's life (the 32 newest); ``progress(fraction, message)``
    while it runs. (Not ``st.cache_data``: it would replay the progress bar drawn into the page.)"""
    memo = _sweeps()
    if (key, k_max, seed) not in memo:
        if len(memo) >= 32:
            memo.pop(next(iter(memo)))
        memo[key, k_max, seed] = api.k_sweep(space, k_max=k_max, seed=seed, reporter=api.Reporter(progress)).as_dict()
    return memo[key, k_max, seed]


@st.cache_data(show_spinner=False, max_entries=256)
def sheet(key: str, _data: api.Dataset, indices: tuple[int, ...], columns: int, cell: int) -> np.ndarray:
    """A contact sheet of the items: whole originals where the dataset has its files, else its pixels."""
    return api.gallery(_data, indices, columns=columns, cell=cell)


@st.cache_data(show_spinner=False, max_entries=16)
def profiles(key: str, _space: np.ndarray, _labels: np.ndarray) -> list[api.ClusterProfile]:
    return api.cluster_profiles(_space, _labels)


@st.cache_data(show_spinner=False, max_entries=8)
def community_profiles(key: str, _data: api.Dataset, _labels: np.ndarray) -> dict[int, dict]:
    """A graph run's communities: their links inside and out, and their hubs."""
    return api.community_profiles(_data.graph, _data.item_names, _labels)


@st.cache_resource(show_spinner=False, max_entries=8)
def tree(key: str, _space: np.ndarray, method: str, seed: int) -> "api.Tree":
    return api.build_tree(_space, method, seed=seed)


@st.cache_data(show_spinner=False, max_entries=64)
def leaf_thumbnails(key: str, _data: api.Dataset, representatives: tuple[int, ...]) -> list[str]:
    """One tile per dendrogram leaf: its most typical item's whole original where the dataset has files, a line
    drawing of it where it is a series."""
    if _data.images is None:
        return [api.series_uri(_data.series[i]) for i in representatives]
    return [api.data_uri(tile, 48) for tile in api.thumbnails(_data, list(representatives), size=48)]


def rerun_with_k(res: api.Result, k: int) -> api.Result:
    """The current run again with K fixed (features, map and clustering space come from the cache), stored and
    made current."""
    from dataclasses import replace

    config = replace(res.config, clusterer_params={**res.config.clusterer_params, "n_clusters": k})
    again = api.run(dataset(), config, store=store())
    st.session_state[RESULT] = again
    st.session_state.pop(COMPARE, None)
    return again


def adopt(res: api.Result, labels: np.ndarray, clusterer: str, params: dict) -> api.Result:
    """Make ``labels`` (a dendrogram cut) the current clustering, stored as a run."""
    adopted = api.adopt(dataset(), res, labels, clusterer, params, store=store())
    st.session_state[RESULT] = adopted
    st.session_state.pop(COMPARE, None)
    return adopted


@st.cache_resource(show_spinner=False, max_entries=4)
def attention_model(source: str):
    """``pretrained`` or a training run id → an :class:`api.AttentionModel`."""
    if source == "pretrained":
        return api.pretrained_dino()
    return api.attention_from_run(store(), source)


@st.cache_data(show_spinner=False, max_entries=64)
def attention_maps(key: str, source: str, _images: np.ndarray, indices: tuple[int, ...], size: int) -> np.ndarray:
    return api.attention_maps(attention_model(source).at(size), _images[list(indices)])


@st.cache_resource(show_spinner=False, max_entries=4)
def report_context(run_id: str, selections_key: str):
    """A stored run, loaded for reports and exports (``selections_key`` changes when its named selections do)."""
    return api.RunContext.load(store(), run_id)


def selections_key(run_id: str) -> str:
    return ";".join(f"{name}:{len(indices)}" for name, indices in store().selections(run_id).items())


@st.cache_data(show_spinner=False, max_entries=8)
def graph_layout(key: str, _data: api.Dataset) -> np.ndarray:
    """A spring layout of a graph dataset, for its preview."""
    return api.REDUCERS["spring"].make(n_components=2, seed=0).fit_transform(api.adjacency_features(_data))


@st.cache_data(show_spinner=False, max_entries=64)
def barycentre(key: str, _members: np.ndarray, metric: str) -> np.ndarray:
    return api.barycentre(_members, metric)


@st.cache_data(show_spinner=False, max_entries=64)
def nearest_to_centre(key: str, _members: np.ndarray, _centre: np.ndarray, metric: str, count: int,
                      band: float) -> np.ndarray:
    """Which of a cluster's members (positions in ``_members``) lie nearest its centre; ``key`` names the cluster."""
    return api.nearest_to_centre(_members, _centre, metric, count, band)


@st.cache_data(show_spinner="Making hover thumbnails…", max_entries=4)
def hover_uris(key: str, _data: api.Dataset) -> dict[int, str]:
    """Hover thumbnails of the dataset's items: whole originals where it has files."""
    return api.hover_uris(_data)


FOCUS, GO_SIMILAR = "similar_pick", "go_similar"  # the Similar page's item menu, and a request to go there


def open_item(index: int) -> None:
    """Show item ``index`` on the Similar page (its original at full size and more like it); for widget callbacks,
    which run before the page, so the page's item menu starts at it."""
    st.session_state[FOCUS] = int(index)
    st.session_state[GO_SIMILAR] = True


def follow_open_item() -> None:
    """Go to the Similar page when a widget on this page asked to open an item (call after the widgets)."""
    if st.session_state.pop(GO_SIMILAR, False):
        st.switch_page("views/similar.py")


@st.cache_resource(show_spinner="Indexing the features for similarity search…", max_entries=4)
def similarity_index(key: str, _data: api.Dataset, _res: api.Result) -> (api.SimilarityIndex | api.DTWIndex
                                                                         | api.ShapeIndex):
    """Exact search over the run's features (what its clustering space was made from), under its own distance."""
    return api.similarity_for(_data, _res.config)


@st.cache_resource(show_spinner=False, max_entries=2)
def duplicate_index(fingerprint: str, _images: np.ndarray) -> api.SimilarityIndex:
    return api.SimilarityIndex.of_images(_images)


@st.cache_data(show_spinner=False, max_entries=64)
def original(key: str, _data: api.Dataset, index: int, max_side: int) -> api.Original:
    return api.read_original(_data, index, max_side)
