"""Embeddings learned by a self-supervised training run (``python -m engine train``)."""

from __future__ import annotations

import numpy as np

from engine.data import Dataset, DataError
from engine.params import Choice, Param
from engine.registry import Entry
from engine.runs import RunStore


def learned_features(dataset: Dataset, run_id: str = "", checkpoint: str = "last", **_: object) -> np.ndarray:
    if not run_id:
        raise DataError("choose a training run whose embeddings to use")
    store = RunStore()
    record = store.get(run_id)
    if record.kind != "train":
        raise DataError(f"run {run_id} is a {record.kind} run, not a training run")
    if record.dataset.get("fingerprint") != dataset.fingerprint():
        raise DataError(f"run {run_id} was trained on {record.dataset.get('name')!r}, not on this dataset")
    arrays = store.arrays(run_id)
    if checkpoint == "best" and "best_embeddings" in arrays:
        return arrays["best_embeddings"]
    return arrays["embeddings"]  # the best checkpoint was the last one (or the run predates checkpoint scores)


ENTRY = Entry(
    name="learned", label="Learned encoder (training run)", make=learned_features,
    params=(Param("run_id", "text", "", help="The training run whose embeddings to cluster."),
            Choice("checkpoint", "last", ("last", "best"),
                   help="last: the end of training; best: the checkpoint whose clusters were clearest (silhouette "
                        "of the watched sample, no labels used)")),
    description="Features from an encoder trained on this dataset with a self-supervised method.",
    tags=frozenset({"images"}),
)
