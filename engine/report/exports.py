"""Exports of a stored run: cluster labels (CSV), embeddings (NumPy / Parquet) and figures (PNG)."""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pandas as pd

from engine.pipeline import cluster_names
from engine.report.context import RunContext
from engine.viz import static


def labels_frame(ctx: RunContext) -> pd.DataFrame:
    """One row per item: its index, name, cluster (``-1`` = noise), true label, named selections, map trust and,
    once stability was measured, its ambiguity and consensus cluster."""
    data = ctx.dataset
    frame = pd.DataFrame({"index": np.arange(len(data)), "item": data.item_names, "cluster": ctx.labels})
    if data.labels is not None and data.class_names is not None:
        frame["true_label"] = [data.class_names[k] for k in data.labels]
    named = [[] for _ in range(len(data))]
    for name, indices in ctx.selections.items():
        for i in indices:
            named[i].append(name)
    frame["selection"] = [";".join(names) for names in named]
    given = cluster_names(ctx.record.metrics)
    if given:  # the clusters' names, suggested or typed
        frame.insert(3, "cluster_name", [given.get(int(g), "") for g in ctx.labels])
    if "map_trust" in ctx.arrays:  # the share of its data neighbours the item keeps on the map
        frame["map_trust"] = np.round(ctx.arrays["map_trust"].astype(np.float64), 4)
    if "ambiguity" in ctx.arrays:  # measured stability: how often the item left its cluster, and the consensus
        frame["ambiguity"] = np.round(ctx.arrays["ambiguity"].astype(np.float64), 4)
        frame["consensus_cluster"] = ctx.arrays["consensus"]
    return frame


def labels_csv(ctx: RunContext) -> str:
    return labels_frame(ctx).to_csv(index=False)


def embedding_npy(ctx: RunContext) -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, ctx.embedding.astype(np.float32), allow_pickle=False)
    return buffer.getvalue()


def embedding_parquet(ctx: RunContext) -> bytes:
    """The map coordinates with each item's name and cluster, one row per item."""
    frame = pd.DataFrame(ctx.embedding.astype(np.float32), columns=[f"dim{i}" for i in range(ctx.embedding.shape[1])])
    frame.insert(0, "item", ctx.dataset.item_names)
    frame["cluster"] = ctx.labels
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def checkpoints_csv(ctx: RunContext) -> str | None:
    """For a run on learned features: its training run's checkpoint scores, one row each (``None`` otherwise)."""
    params = ctx.config.get("feature_params", {})
    if ctx.config.get("features") != "learned" or not params.get("run_id"):
        return None
    try:
        record = ctx.store.get(params["run_id"])
    except KeyError:
        return None
    rows = record.metrics.get("checkpoints")
    if not rows:
        return None
    frame = pd.DataFrame(rows)
    frame.insert(0, "checkpoint", range(len(frame)))
    frame["best"] = frame["checkpoint"] == record.metrics.get("best_checkpoint")
    return frame.to_csv(index=False)


def figures(ctx: RunContext) -> dict[str, bytes]:
    """``name.png`` → PNG bytes: the map, the K sweep and the dendrogram."""
    out = {"map.png": static.map_png(ctx.embedding, ctx.labels, ctx.title)}
    out["k-sweep.png"] = static.sweep_png(ctx.sweep)
    out["dendrogram.png"] = static.dendrogram_png(ctx.dendrogram[1], f"{ctx.tree.method} linkage")
    return out


def write_all(ctx: RunContext, folder: str | os.PathLike, html: str | None = None, exports: bool = True) -> list[Path]:
    """Every export (unless ``exports`` is off) and the report (when given) into ``folder``; returns the files
    written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    files = {}
    if exports:
        files = {f"labels-{ctx.run_id}.csv": labels_csv(ctx).encode(),
                 f"embedding-{ctx.run_id}.npy": embedding_npy(ctx),
                 f"embedding-{ctx.run_id}.parquet": embedding_parquet(ctx)}
        files.update({f"{Path(name).stem}-{ctx.run_id}.png": png for name, png in figures(ctx).items()})
        forming = checkpoints_csv(ctx)
        if forming is not None:
            files[f"checkpoints-{ctx.run_id}.csv"] = forming.encode()
    if html is not None:
        files[f"report-{ctx.run_id}.html"] = html.encode()
    written = []
    for name, payload in files.items():
        (folder / name).write_bytes(payload)
        written.append(folder / name)
    return written
