"""One stored copy of each dataset, keyed by its fingerprint.

Training jobs, clustering runs and reports refer to their data by fingerprint, so an
upload is written once (``$CLUSTERSCOPE_HOME/datasets/<fingerprint>.npz``) however many
runs use it, and a report or a worker process can reload exactly the data a run saw.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from engine.data.dataset import Dataset, DataError, ValidationReport, graph_edges
from engine.files import atomic_open

ARRAYS = ("images", "table", "labels", "masks", "series", "original_sizes")


def save(dataset: Dataset, path: str | os.PathLike) -> None:
    """Write ``dataset`` to ``path`` atomically (a kill mid-write leaves no half file)."""
    arrays = {name: getattr(dataset, name) for name in ARRAYS if getattr(dataset, name) is not None}
    if dataset.class_names is not None:
        arrays["class_names"] = np.array(dataset.class_names)
    if dataset.sources is not None:
        arrays["sources"] = np.array(dataset.sources)
    if dataset.columns is not None:
        arrays["columns"] = np.array(dataset.columns)
    if dataset.label_column is not None:
        arrays["label_column"] = np.array(dataset.label_column)
    for i, (attribute, values) in enumerate((dataset.attributes or {}).items()):
        arrays[f"attribute_{i}"] = np.array([attribute, *values])
    if dataset.graph is not None:  # as edges between item indices, with weights
        arrays["graph_edges"], arrays["graph_weights"] = graph_edges(dataset.graph, list(dataset.graph.nodes()))
    with atomic_open(path) as handle:
        np.savez(handle, name=np.array(dataset.name), grayscale=np.array(dataset.grayscale),
                 mirror_safe=np.array(dataset.mirror_safe), report=np.array(json.dumps(dataset.report.as_dict())),
                 item_names=np.array(dataset.item_names), **arrays)


def load(path: str | os.PathLike) -> Dataset:
    with np.load(path, allow_pickle=False) as data:
        arrays = {name: data[name] for name in ARRAYS if name in data}
        names = data["item_names"].tolist()
        n = len(names)
        if "graph_edges" in data:
            import networkx as nx

            graph = nx.Graph()
            graph.add_nodes_from(names)
            graph.add_weighted_edges_from((names[u], names[v], float(w))
                                          for (u, v), w in zip(data["graph_edges"], data["graph_weights"]))
            arrays["graph"] = graph
        return Dataset(name=str(data["name"]), item_names=names,
                       class_names=data["class_names"].tolist() if "class_names" in data else None,
                       grayscale=bool(data["grayscale"]),
                       mirror_safe=bool(data["mirror_safe"]) if "mirror_safe" in data else True,
                       report=_report(data, n),
                       sources=data["sources"].tolist() if "sources" in data else None,
                       columns=data["columns"].tolist() if "columns" in data else None,
                       attributes=_attributes(data),
                       label_column=str(data["label_column"]) if "label_column" in data else None,
                       **arrays)


def _attributes(data) -> dict[str, list[str]] | None:
    found = [data[key].tolist() for key in sorted((k for k in data.files if k.startswith("attribute_")),
                                                  key=lambda k: int(k.split("_")[1]))]
    return {values[0]: values[1:] for values in found} or None


def _report(data, n: int) -> ValidationReport:
    """What the loader found and skipped when the data was first read (snapshots from before this was kept: all
    items, nothing skipped)."""
    if "report" not in data:
        return ValidationReport(n_found=n, n_loaded=n)
    found = json.loads(str(data["report"]))
    return ValidationReport(n_found=found["n_found"], n_loaded=found["n_loaded"],
                            skipped=[tuple(s) for s in found["skipped"]], notes=found["notes"])


class DatasetStore:
    """``put`` a dataset once, ``get`` it back by fingerprint."""

    def __init__(self, root: str | os.PathLike):
        self.folder = Path(root) / "datasets"

    def path(self, fingerprint: str) -> Path:
        return self.folder / f"{fingerprint}.npz"

    def put(self, dataset: Dataset) -> str:
        fingerprint = dataset.fingerprint()
        if not self.path(fingerprint).exists():
            self.folder.mkdir(parents=True, exist_ok=True)
            save(dataset, self.path(fingerprint))
        return fingerprint

    def get(self, fingerprint: str) -> Dataset:
        if not self.path(fingerprint).exists():
            raise DataError(f"the data of this run (fingerprint {fingerprint}) is no longer stored in {self.folder}")
        return load(self.path(fingerprint))
