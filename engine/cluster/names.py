"""What a cluster is, in a few words: suggested names, which the user can overwrite.

* Images clustered on the pretrained EfficientNet-Lite0 (alone or beside pixels): its own ImageNet classifier
  (whose class names ship with its weights) over up to :data:`SAMPLE` of the cluster's most typical members; the
  name is the most frequent top classes ("mostly: tabby, Egyptian cat"), the reason gives their shares.
* Graphs: the cluster's best-connected nodes ("around: Mr. Hi, Officer").
* Anything else keeps "cluster k" (series show their barycentre on the Clusters page instead).

Names a user gave are kept with the run (``metrics["cluster_names"]``) and win over suggestions.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from engine.data import Dataset

SAMPLE = 16  # members classified per cluster, the most typical ones: 30 clusters in ~6 s on 2 CPU cores at 128 px
MIN_SHARE = 0.2  # a class is named when it is the top class of at least this share of the sample
NAMED_BY_ENCODER = ("efficientnet_lite0", "combined")  # features the encoder's classifier can speak for


def nameable(dataset: Dataset, features: str) -> bool:
    """Whether :func:`suggest` has names to offer for a run of ``features`` on ``dataset``."""
    return dataset.graph is not None or (dataset.images is not None and features in NAMED_BY_ENCODER)


def suggest(dataset: Dataset, labels: np.ndarray, space: np.ndarray, features: str) -> dict[int, dict]:
    """``{cluster: {"name", "why"}}`` for the clusters this data and features can name (others are left out)."""
    from engine.cluster.profiles import cluster_profiles

    if dataset.graph is not None:
        return _graph_names(dataset, labels)
    if not nameable(dataset, features):
        return {}
    profiles = [p for p in cluster_profiles(space, labels, n_representatives=SAMPLE) if p.label >= 0]
    return _imagenet_names(dataset, profiles)


def _imagenet_names(dataset: Dataset, profiles) -> dict[int, dict]:
    import torch

    from engine.encoders import ENCODERS, build, image_batch
    from engine.encoders.efficientnet_lite import top_classes

    if ENCODERS["efficientnet_lite0"].weights.cached_path() is None:
        return {}
    from engine.features.pretrained import auto_size

    side = auto_size(dataset)  # the size its features were extracted at
    model = build("efficientnet_lite0", side).eval()
    names = {}
    with torch.no_grad():
        for p in profiles:
            members = np.asarray(p.representatives)[:SAMPLE]
            top = [row[0][0] for row in top_classes(model, image_batch(dataset.images[members], side), k=1)]
            counts = Counter(top).most_common()
            kept = [(c, n) for c, n in counts if n >= MIN_SHARE * len(top)][:2] or counts[:1]
            names[p.label] = {
                "name": "mostly: " + ", ".join(c for c, _ in kept),
                "why": f"the ImageNet classifier's top class over {len(top)} typical members: "
                       + ", ".join(f"{c} {n / len(top):.0%}" for c, n in counts[:4])}
    return names


def _graph_names(dataset: Dataset, labels: np.ndarray) -> dict[int, dict]:
    degree = dict(dataset.graph.degree())
    names = {}
    for label in np.unique(labels[labels >= 0]).tolist():
        members = [dataset.item_names[i] for i in np.flatnonzero(labels == label)]
        hubs = sorted(members, key=lambda node: -degree.get(_node(dataset, node), 0))[:2]
        links = ", ".join(f"{h}: {degree.get(_node(dataset, h), 0)} links" for h in hubs)
        names[label] = {"name": "around: " + ", ".join(hubs), "why": f"its best-connected nodes ({links})"}
    return names


def _node(dataset: Dataset, name: str):
    """The graph's node behind an item name (nodes may be ints; item names are strings)."""
    graph = dataset.graph
    if name in graph:
        return name
    try:
        return int(name) if int(name) in graph else name
    except ValueError:
        return name


def resolve(suggested: dict, given: dict | None) -> dict[int, str]:
    """Each cluster's shown name: the user's, else the suggestion (``given`` keys may be strings, as JSON keeps
    them)."""
    out = {int(k): v["name"] for k, v in suggested.items()}
    out.update({int(k): v for k, v in (given or {}).items() if str(v).strip()})
    return out


def heading(cluster: int, names: dict[int, str] | None = None) -> str:
    """"Cluster 3 · mostly: Egyptian cat": :func:`label_of` starting a line (the name's own case kept)."""
    text = label_of(cluster, names)
    return text[:1].upper() + text[1:]


def label_of(cluster: int, names: dict[int, str] | None = None) -> str:
    """"cluster 3 · mostly: tabby" / "noise": a cluster's label for legends and headings."""
    if cluster < 0:
        return "noise"
    name = (names or {}).get(cluster)
    return f"cluster {cluster} · {name}" if name else f"cluster {cluster}"
