"""The narrow surface the app and the CLI call. Nothing else in ``engine`` needs importing from outside."""

from __future__ import annotations

from engine.cluster import CLUSTERERS, clusterers_for
from engine.cluster.auto_k import k_alternatives, k_range, k_sentence
from engine.cluster.profiles import ClusterProfile, cluster_profiles
from engine.cluster.tree import (LINKAGES, MAX_TREE_ITEMS, Tree, build_tree, cut, height_for_k, layout,
                                 leaf_representatives)
from engine.data import (DEMOS, Dataset, DataError, Limits, load, load_csv, load_edge_list, load_files, load_graphml,
                         load_npz, load_series_csv, load_zip)
from engine.data.demo import KINDS as DEMO_KINDS
from engine.data.thumbs import data_uri, montage, png_bytes
from engine.encoders import ENCODERS
from engine.features import FEATURES, available_for
from engine.metrics import Sweep, k_sweep
from engine.params import Param
from engine.defaults import AUTO, Defaults, choose_features, decide, run_reasons
from engine.pipeline import Config, Result, adopt, compare, default_config, reads_features, reopen, run
from engine.progress import Cancelled, Reporter
from engine.reduce import REDUCERS, reducers_for
from engine.registry import Entry
from engine.runs import RunRecord, RunStore
from engine.ssl import METHODS
from engine.train import TrainConfig, pick_device

__all__ = [
    "CLUSTERERS", "REDUCERS", "FEATURES", "DEMOS", "Entry", "Param", "available_for",
    "Dataset", "DataError", "Limits", "load", "load_csv", "load_npz", "load_zip", "load_files",
    "Config", "Result", "run", "reopen", "compare", "default_config", "k_sweep", "Sweep",
    "ClusterProfile", "cluster_profiles", "montage", "png_bytes", "data_uri",
    "Reporter", "Cancelled", "RunStore", "RunRecord", "ENCODERS", "METHODS", "TrainConfig", "pick_device",
    "adopt", "k_sentence", "k_range", "k_alternatives", "run_reasons", "AUTO", "Defaults", "choose_features", "decide", "Tree", "LINKAGES", "MAX_TREE_ITEMS", "build_tree", "cut", "height_for_k", "layout",
    "leaf_representatives", "DEMO_KINDS", "clusterers_for", "reducers_for", "reads_features", "load_series_csv",
    "load_edge_list", "load_graphml",
]
