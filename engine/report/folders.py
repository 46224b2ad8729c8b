"""Clusters out: a clustering (and its named selections) as folders of the images themselves, a CSV of each item's
file → cluster / selection, and a JSON manifest.

The tree::

    DIR/cluster_00/…        one folder per cluster (its name after the number, where the clusters were named)
    DIR/noise/…             items the clusterer left out (HDBSCAN, DBSCAN)
    DIR/selections/NAME/…   each named selection
    DIR/clusters.csv        one row per item: its original file, its cluster, selections, where it went in the tree
    DIR/manifest.json       the run, its settings, the counts, and how the files were placed

Files are hard links to the originals where the file system allows (no space used; the user's files are never
moved or changed), else copies; items with no file of their own (the digits, MNIST) are written as PNGs of their
pixels. The tree is written into a staging folder beside ``DIR`` and renamed into place when whole, so a failed or
cancelled export leaves nothing behind.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from engine.data.originals import source_of
from engine.data.thumbs import png_bytes
from engine.pipeline import cluster_names
from engine.progress import Reporter, ensure
from engine.report.context import RunContext

KINDS = ("folders", "csv", "json")


@dataclass
class Exported:
    """What an export wrote: the folder, the files placed, and how (``linked`` / ``copied`` / ``written``)."""

    folder: Path
    files: list[Path] = field(default_factory=list)
    placed: dict[str, int] = field(default_factory=dict)

    def sentence(self) -> str:
        how = ", ".join(f"{n:,} {way}" for way, n in self.placed.items() if n) or "no image files"
        return f"{len(self.files):,} files into {self.folder} ({how})"


def folder_name(cluster: int, width: int, names: dict[int, str]) -> str:
    """``cluster_03`` (``cluster_03-espresso`` when named), ``noise`` for ``-1``."""
    if cluster < 0:
        return "noise"
    slug = _slug(names.get(cluster, ""))
    return f"cluster_{cluster:0{width}d}" + (f"-{slug}" if slug else "")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-._")[:40]


def export(ctx: RunContext, out: str | os.PathLike, kind: str = "folders",
           reporter: Reporter | None = None) -> Exported:
    """Write ``ctx``'s clustering into the new (or empty) folder ``out``: the whole tree (``folders``), or only
    ``clusters.csv`` (``csv``) or ``manifest.json`` (``json``)."""
    if kind not in KINDS:
        raise ValueError(f"export as one of {', '.join(KINDS)}, not {kind!r}")
    data = ctx.dataset
    if kind == "folders" and data.images is None:
        raise ValueError(f"folders of files are for images; this run's data is {data.kind_label}: "
                         "export it as csv or json")
    out = Path(out).expanduser()
    if out.exists() and (not out.is_dir() or any(out.iterdir())):
        raise ValueError(f"{out} is not an empty folder: export into a new one, so nothing of yours is mixed in "
                         "or overwritten")
    reporter = ensure(reporter)
    staging = out.with_name(f".{out.name}.partial-{uuid.uuid4().hex[:6]}")
    staging.mkdir(parents=True)
    try:
        done = _write(ctx, staging, kind, reporter)
        if out.exists():
            out.rmdir()
        os.replace(staging, out)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    done.folder = out
    done.files = [out / f.relative_to(staging) for f in done.files]
    return done


def _write(ctx: RunContext, root: Path, kind: str, reporter: Reporter) -> Exported:
    data, labels = ctx.dataset, np.asarray(ctx.labels)
    names = cluster_names(ctx.record.metrics)
    width = max(2, len(str(max(int(labels.max()), 0))))
    done = Exported(root, placed={"linked": 0, "copied": 0, "written": 0})
    placed_at = [""] * len(data)
    if kind == "folders":
        jobs = [(i, folder_name(int(labels[i]), width, names)) for i in range(len(data))]
        jobs += [(int(i), f"selections/{_slug(name) or 'selection'}") for name, indices in ctx.selections.items()
                 for i in indices]
        taken: dict[str, set[str]] = {}
        for step, (index, folder) in enumerate(jobs):
            if step % 200 == 0:
                reporter.update(step / len(jobs), f"placing files {step:,}/{len(jobs):,}")
            target = root / folder / _file_name(data, index, taken.setdefault(folder, set()))
            target.parent.mkdir(parents=True, exist_ok=True)
            done.placed[_place(data, index, target)] += 1
            done.files.append(target)
            if not placed_at[index]:
                placed_at[index] = target.relative_to(root).as_posix()
    frame = clusters_frame(ctx, placed_at if kind == "folders" else None)
    if kind in ("folders", "csv"):
        (root / "clusters.csv").write_text(frame.to_csv(index=False))
        done.files.append(root / "clusters.csv")
    if kind in ("folders", "json"):
        (root / "manifest.json").write_text(json.dumps(_manifest(ctx, labels, names, frame, done, kind), indent=1))
        done.files.append(root / "manifest.json")
    reporter.update(1.0, f"placed {sum(done.placed.values()):,} files")
    return done


def _file_name(data, index: int, taken: set[str]) -> str:
    """The original's own file name (a PNG name for an item with no file); ``name-INDEX.ext`` where two items in one
    folder share a name (``cat/001.jpg`` and ``dog/001.jpg``)."""
    source = source_of(data, index)  # a file that has gone is written from its pixels, so named .png too
    name = Path(source).name if source else f"{_slug(Path(data.item_names[index]).stem) or 'item'}.png"
    if name in taken:
        stem, suffix = os.path.splitext(name)
        name = f"{stem}-{index}{suffix}"
    taken.add(name)
    return name


def _place(data, index: int, target: Path) -> str:
    source = source_of(data, index)
    if source is None:
        target.write_bytes(png_bytes(data.images[index]))
        return "written"
    try:
        os.link(source, target)
        return "linked"
    except OSError:  # another file system, or links not allowed
        shutil.copy2(source, target)
        return "copied"


def clusters_frame(ctx: RunContext, placed_at: list[str] | None = None) -> pd.DataFrame:
    """One row per item: its index, name, original file (where it has one), cluster (and its name), true label,
    named selections, and where an export placed it."""
    data, labels, names = ctx.dataset, np.asarray(ctx.labels), cluster_names(ctx.record.metrics)
    frame = pd.DataFrame({"index": np.arange(len(data)), "item": data.item_names})
    if data.sources is not None:
        frame["path"] = data.sources
    frame["cluster"] = labels
    if names:
        frame["cluster_name"] = [names.get(int(g), "") for g in labels]
    if data.labels is not None and data.class_names is not None:
        frame["true_label"] = [data.class_names[k] for k in data.labels]
    chosen = [[] for _ in range(len(data))]
    for name, indices in ctx.selections.items():
        for i in indices:
            chosen[int(i)].append(name)
    frame["selection"] = [";".join(s) for s in chosen]
    if placed_at is not None:
        frame["exported_as"] = placed_at
    return frame


def _manifest(ctx: RunContext, labels: np.ndarray, names: dict[int, str], frame: pd.DataFrame, done: Exported,
              kind: str) -> dict:
    values, counts = np.unique(labels, return_counts=True)
    width = max(2, len(str(max(int(labels.max()), 0))))
    return {"run_id": ctx.run_id, "created": ctx.record.created, "dataset": ctx.record.dataset,
            "config": ctx.config, "exported_as": kind,
            "clusters": [{"cluster": int(v), "items": int(c), "name": names.get(int(v), ""),
                          "folder": folder_name(int(v), width, names) if kind == "folders" else None}
                         for v, c in zip(values, counts)],
            "selections": {name: [int(i) for i in indices] for name, indices in ctx.selections.items()},
            "files": done.placed if kind == "folders" else {},
            "items": json.loads(frame.to_json(orient="records"))}
