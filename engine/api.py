"""The narrow surface the app and the CLI call. Nothing else in ``engine`` needs importing from outside: the app's
modules import only this one (``tests/app/test_one_door.py`` fails otherwise). The report and the attention
maps load on first use (matplotlib and the ViT code are not needed to start the app)."""

from __future__ import annotations

from engine.cluster import CLUSTERERS, clusterers_for
from engine.cluster.auto_k import k_alternatives, k_cap, k_range, k_sentence
from engine.cluster.profiles import (ClusterProfile, cluster_profiles, columns_sentence, distinguishing_columns,
                                     selection_apart)
from engine.cluster.tree import (LINKAGES, MAX_TREE_ITEMS, Tree, build_tree, cut, height_for_k, layout,
                                 leaf_representatives)
from engine.data import (DEMOS, Dataset, DataError, Limits, load, load_csv, load_edge_list, load_files, load_graphml,
                         load_npz, load_series_csv, load_zip)
from engine.data.demo import KINDS as DEMO_KINDS
from engine.data import COMPRESSED, CONVERTED, TABLE_LOADERS, load_archive, load_bytes, load_converted
from engine.data.images import IMAGE_SUFFIXES, TAR_SUFFIXES, load_tar
from engine.data.tables import attribute_groups, series_rows, table_frame
from engine.data.graphs import DENSE_NODES as GRAPH_DENSE_NODES
from engine.data.graphs import GRAPH_READERS, NEIGHBOURS_SHOWN, load_graph_file, neighbourhood
from engine.data.thumbs import SPARK_HEIGHT, data_uri, montage, png_bytes, series_uri
from engine.encoders import ENCODERS
from engine.features import FEATURES, available_for
from engine.metrics import Sweep, k_sweep
from engine.params import Param
from engine.defaults import AUTO, Defaults, choose_features, decide, run_reasons, warm_features
from engine.pipeline import (Config, Result, adopt, compare, default_config, drawn_series, features_for,
                             reads_features, reopen, run, similarity_for, stability_of as stability, suggest_names,
                             rename_clusters, cluster_names)
from engine.cluster.names import heading as cluster_heading, label_of as cluster_label, nameable
from engine.cluster.stability import AMBIGUOUS, Stability, contested, stability_sentence
from engine.metrics.null import null_sentence
from engine.progress import Cancelled, Reporter
from engine.reduce import REDUCERS, reducers_for
from engine.registry import Entry
from engine.runs import RunRecord, RunStore
from engine.ssl import METHODS
from engine.train import TrainConfig, default_encoder, pick_device, recommended
from engine.train import jobs as _training
# what the pages draw (the report draws the same)
from engine.metrics.describe import SCORES, format_score, score_frame, score_table
from engine.viz.figures import (colour, colour_map, dendrogram, edge_index, ego_network, group_name, k_choice_chart,
                                map_grid, scatter, series_lines, sweep_chart, trust_colouring, ambiguity_colouring,
                                checkpoint_chart, checkpoint_map, LEAN_POINTS, RASTER_POINTS, SAMPLE_POINTS, DRAWINGS,
                                drawn_as)
from engine.viz.raster import in_ranges, items_in, view_ranges, zoom_ranges
from engine.metrics.trust import flag_sentence as trust_flag_sentence, map_trust, trust_sentence
from engine.data.thumbs import enlarge
from engine.jobs import Job
from engine.cluster.ts_kmeans import dtw_cells
from engine.features.series import target_length
from engine.features.adjacency import adjacency_features
from engine.timeseries import CENTRE_NAMES, barycentre, centre_metric, nearest_to_centre, silhouette_note
from engine.data.originals import (THUMB_SIZE, Original, common_folder, gallery, hover_uris, read_original, source_of,
                                   thumbnails)
from engine.metrics.graph import community_profiles
from engine.similarity import (DUPLICATE_LIMIT, DUPLICATE_THRESHOLD, DTWIndex, ShapeIndex, SimilarityIndex,
                               duplicate_groups)
from engine.encoders import weights_table

# training jobs run in worker processes; the app starts, polls, cancels and resumes them
start_training, resume_training, cancel_training = _training.start, _training.launch, _training.cancel
training_status, training_state, training_events = _training.status, _training.state, _training.events
training_curve = _training.curve
training_watch = _training.watched
from engine.train.watch import ITEMS as WATCH_ITEMS, best_checkpoint  # noqa: E402

_LAZY = {  # name here → (module, name there), imported on first use (they need torch, or the report's libraries)
    "training_speed": ("engine.train.speed", "lookup"),
    "measure_training_speed": ("engine.train.speed", "measure_training"),
    "speed_sentence": ("engine.train.speed", "sentence"), "training_plan": ("engine.train.budget", "plan"),
    "RunContext": ("engine.report", "RunContext"), "build_report": ("engine.report", "build"),
    "labels_csv": ("engine.report", "labels_csv"), "labels_frame": ("engine.report", "labels_frame"),
    "embedding_npy": ("engine.report", "embedding_npy"), "embedding_parquet": ("engine.report", "embedding_parquet"),
    "report_figures": ("engine.report", "figures"),
    "use_dask": ("engine.distributed", "use"), "dask_status": ("engine.distributed", "status"),
    "DASK_ENVIRONMENT": ("engine.distributed", "ENVIRONMENT"),
    "AttentionModel": ("engine.attention", "AttentionModel"), "attention_maps": ("engine.attention", "attention_maps"),
    "pretrained_dino": ("engine.attention", "pretrained_dino"),
    "attention_from_run": ("engine.attention", "from_training_run"),
    "vit_training_runs": ("engine.attention", "vit_training_runs"),
    "attention_weights_status": ("engine.attention", "weights_status"),
    "attention_available": ("engine.attention", "pretrained_available"),
    "attention_threshold": ("engine.attention", "default_threshold"), "attention_mask": ("engine.attention", "pixel_mask"),
    "attention_iou": ("engine.attention", "iou"), "attention_overlay": ("engine.attention", "overlay"),
    "export_run": ("engine.report.folders", "export"), "clusters_frame": ("engine.report.folders", "clusters_frame"),
}


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"engine.api has no {name!r}")
    import importlib

    module, attribute = _LAZY[name]
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value

__all__ = [
    "CLUSTERERS", "REDUCERS", "FEATURES", "DEMOS", "Entry", "Param", "available_for",
    "Dataset", "DataError", "Limits", "IMAGE_SUFFIXES", "TAR_SUFFIXES", "load_tar", "TABLE_LOADERS", "load_archive", "load_bytes",
    "CONVERTED", "load_converted", "series_rows",
    "load", "load_csv", "load_npz", "load_zip", "load_files",
    "Config", "Result", "run", "reopen", "compare", "features_for", "default_config", "k_sweep", "Sweep",
    "ClusterProfile", "cluster_profiles", "distinguishing_columns", "columns_sentence", "table_frame", "attribute_groups",
    "selection_apart",
    "montage", "png_bytes", "data_uri", "hover_uris", "SPARK_HEIGHT", "series_uri",
    "Reporter", "Cancelled", "RunStore", "RunRecord", "ENCODERS", "METHODS", "TrainConfig", "pick_device",
    "adopt", "k_sentence", "k_range", "k_cap", "k_alternatives", "run_reasons", "AUTO", "Defaults", "choose_features", "warm_features", "decide", "Tree", "LINKAGES", "MAX_TREE_ITEMS", "build_tree", "cut", "height_for_k", "layout",
    "leaf_representatives", "DEMO_KINDS", "clusterers_for", "reducers_for", "reads_features", "drawn_series", "load_series_csv",
    "load_edge_list", "load_graphml", "load_graph_file", "GRAPH_READERS", "COMPRESSED", "neighbourhood",
    "NEIGHBOURS_SHOWN", "ego_network",
    "default_encoder", "recommended", "SCORES", "format_score", "score_frame",
    "score_table", "colour", "colour_map", "dendrogram", "edge_index", "group_name", "k_choice_chart", "map_grid",
    "stability", "Stability", "stability_sentence", "AMBIGUOUS", "contested", "checkpoint_chart", "checkpoint_map",
    "ambiguity_colouring", "suggest_names", "rename_clusters", "cluster_names", "cluster_label", "cluster_heading", "nameable",
    "scatter", "LEAN_POINTS", "RASTER_POINTS", "SAMPLE_POINTS", "DRAWINGS", "drawn_as", "items_in", "zoom_ranges", "view_ranges", "in_ranges", "series_lines", "sweep_chart", "trust_colouring", "trust_flag_sentence", "map_trust", "trust_sentence",
    "enlarge", "Job", "dtw_cells", "target_length", "adjacency_features",
    "barycentre", "centre_metric", "nearest_to_centre", "silhouette_note", "CENTRE_NAMES", "weights_table", "THUMB_SIZE", "Original", "common_folder", "gallery", "read_original", "source_of",
    "thumbnails", "DUPLICATE_THRESHOLD", "DUPLICATE_LIMIT", "GRAPH_DENSE_NODES",
    "SimilarityIndex", "DTWIndex", "ShapeIndex", "similarity_for", "community_profiles", "duplicate_groups", "start_training", "resume_training", "cancel_training", "training_status",
    "training_state", "training_events", "training_curve", "training_watch", "WATCH_ITEMS", "best_checkpoint",
    "training_speed", "measure_training_speed", "speed_sentence", "training_plan", "null_sentence", *_LAZY,
]
