"""PNG figures for exports (matplotlib, no browser needed): the map, the K sweep and the dendrogram."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # never a window: exports run in workers and on headless machines
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from engine.cluster.tree import Layout  # noqa: E402
from engine.viz.figures import colour, group_name, tree_colour  # noqa: E402


def _png(fig) -> bytes:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=130, bbox_inches="tight")
    plt.close(fig)
    return buffer.getvalue()


def map_png(embedding: np.ndarray, labels: np.ndarray, title: str = "") -> bytes:
    fig, ax = plt.subplots(figsize=(7, 6))
    for g in sorted(np.unique(labels).tolist(), key=lambda g: (g < 0, g)):
        idx = labels == g
        ax.scatter(embedding[idx, 0], embedding[idx, 1], s=5, c=colour(g), alpha=0.5 if g < 0 else 0.85,
                   label=group_name(g), linewidths=0)
    ax.set_xticks([]), ax.set_yticks([])
    ax.set_title(title)
    if len(np.unique(labels)) <= 30:
        ax.legend(markerscale=3, fontsize=7, loc="center left", bbox_to_anchor=(1, 0.5), frameon=False)
    return _png(fig)


def sweep_png(sweep: dict) -> bytes:
    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.6))
    for ax, key, best, name in ((left, "inertia", sweep["elbow_k"], "Elbow (inertia)"),
                                (right, "silhouette", sweep["best_silhouette_k"], "Silhouette")):
        ax.plot(sweep["ks"], sweep[key], marker="o", color="#4e79a7")
        ax.axvline(best, color="#e15759", linestyle="--")
        ax.set_title(f"{name}: K={best}")
        ax.set_xlabel("K")
    return _png(fig)


def dendrogram_png(lay: Layout, title: str = "") -> bytes:
    fig, ax = plt.subplots(figsize=(10, 4))
    for xs, ys, group in lay.segments:
        ax.plot(xs, ys, color=tree_colour(group), linewidth=1.2)
    ax.axhline(lay.cut_height, color="#e15759", linestyle="--", linewidth=1)
    ax.set_xticks(lay.leaf_x, [f"{len(items)}" for items in lay.leaf_items], fontsize=6, rotation=90)
    ax.set_xlabel("items under each leaf")
    ax.set_ylabel("merge height")
    ax.set_title(title)
    return _png(fig)
