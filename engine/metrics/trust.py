"""How far to trust the map: which neighbourhoods of the data the 2-D (or 3-D) map keeps, and where it lies.

A map is drawn from a reference space (the clustering space the clusterer read, or the features when the
clusterer read the map itself). Three measures, each 0..1 and higher is better:

* **kNN recall** (per item and its mean): the share of an item's ``k`` nearest neighbours in the reference space
  that are among its ``k`` nearest on the map. The per-item value colours the map ("map trust").
* **Trustworthiness** (Venna & Kaski, 2001; scikit-learn's ``trustworthiness``): penalises points drawn as
  neighbours that are not neighbours in the data, by how far down the data's ranking they are.
* **Continuity**: the reverse, data neighbours drawn apart (trustworthiness with the roles swapped).

Trustworthiness and continuity need every pairwise distance, so above :data:`SAMPLE` items they are computed on an
even sample (said in the result); kNN recall uses nearest-neighbour search over all items.

Cluster pairs are flagged where the map and the data disagree about their contact: ``drawn_close`` (the map puts
their members next to each other far more than the data does) and ``drawn_apart`` (neighbours in the data that the
map separates).

A graph's map is measured against the graph itself (:func:`graph_map_trust`): a node's neighbours in the data are
the nodes it links to (the strongest links first), then, where it has fewer than ``k``, those two links away (the
most shared neighbours first); trustworthiness and continuity read hop counts. (Against principal components of
the adjacency matrix, two nodes with no link and no neighbour in common were as near as any: on planted blocks with
no edge between two of them the map was said to draw "neighbours in the data" apart.)
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

import numpy as np

K = 15  # neighbours per item: umap-learn's default n_neighbors, the scale a UMAP map is built to keep
SAMPLE = 3000  # trustworthiness / continuity hold n × n distances: 3,000 items take ~70 MB and a second
FLAG_SHARE = 0.02  # a cluster pair is flagged when their contact differs by this share of the smaller one's links
FLAG_RATIO = 3.0  # ... and by at least this factor


@dataclass
class MapTrust:
    k: int
    reference: str
    knn_recall: float
    trustworthiness: float
    continuity: float
    sampled: int  # items trustworthiness and continuity were computed on (all of them when ≤ SAMPLE)
    torn: int  # items that keep fewer than half of their data neighbours on the map
    per_item: np.ndarray = field(repr=False)
    flags: list[dict] = field(default_factory=list)

    def summary(self) -> dict:
        """Everything but the per-item array (JSON-ready)."""
        out = asdict(self)
        out.pop("per_item")
        return out


def trust_sentence(summary: dict, n_items: int) -> str:
    """One line for over the map, from a :meth:`MapTrust.summary`."""
    return (f"On average {summary['knn_recall']:.0%} of a point's {summary['k']} nearest neighbours in "
            f"{summary['reference']} are among its {summary['k']} nearest on this map (trustworthiness "
            f"{summary['trustworthiness']:.2f}, continuity {summary['continuity']:.2f}"
            + (f", on a {summary['sampled']:,}-item sample" if summary["sampled"] < n_items else "")
            + f"); {summary['torn']:,} of {n_items:,} points keep fewer than half of theirs.")


def neighbours(X: np.ndarray, k: int) -> np.ndarray:
    """Each row's ``k`` nearest other rows: exact through a k-d tree in 2-3 dimensions (1M map points in 3 s on 2
    cores), else FAISS (exact up to ~63k items, HNSW beyond: 200k × 8 in 11 s, where exact search took 55 s and the
    k-d tree 19 s; 1M × 10 in 88 s, where the k-d tree took 407 s)."""
    from engine.scale import nearest

    X = np.asarray(X, dtype=np.float32)
    if X.shape[1] <= 3:
        from scipy.spatial import cKDTree

        return _drop_self(cKDTree(X).query(X, k + 1, workers=-1)[1], k)
    return _drop_self(nearest(X, X, k + 1)[1], k)


def _drop_self(found: np.ndarray, k: int) -> np.ndarray:
    """Each row without the item itself (or, where duplicates put it elsewhere, without the last neighbour)."""
    rows = np.arange(len(found))[:, None]
    own = found == rows
    keep = ~own
    keep[~own.any(axis=1), -1] = False
    return found[keep].reshape(len(found), k)


def recall(space_nn: np.ndarray, map_nn: np.ndarray) -> np.ndarray:
    """Per item: the share of its neighbours in the data (``space_nn``, one row of indices per item; -1 where it
    has fewer) that are among its neighbours on the map (``map_nn``); 1 for an item with none in the data."""
    n, k = space_nn.shape
    rows = np.repeat(np.arange(n), k)
    drawn = np.zeros(n, dtype=np.int64)
    present = space_nn.ravel() >= 0
    # an item's data neighbour is kept when (item, neighbour) is also a map edge: match edges as sorted int64 keys
    data_keys = (rows * n + space_nn.ravel())[present]
    map_keys = np.sort(rows * n + map_nn.ravel())
    found = np.searchsorted(map_keys, data_keys)
    hit = map_keys[np.minimum(found, len(map_keys) - 1)] == data_keys
    np.add.at(drawn, rows[present][hit], 1)
    counts = (space_nn >= 0).sum(axis=1)
    return np.where(counts > 0, drawn / np.maximum(counts, 1), 1.0)


def pair_flags(labels: np.ndarray, space_nn: np.ndarray, map_nn: np.ndarray) -> list[dict]:
    """Cluster pairs whose contact on the map differs from their contact in the data (see the module doc)."""
    groups = [g for g in np.unique(labels) if g >= 0]
    if len(groups) < 2:
        return []
    position = np.zeros(int(labels.max()) + 1, dtype=np.int64)
    position[groups] = np.arange(len(groups))

    def contact(nn: np.ndarray) -> np.ndarray:
        counts = np.zeros((len(groups), len(groups)))
        src = np.repeat(labels, nn.shape[1])
        dst = np.where(nn.ravel() >= 0, labels[nn.ravel()], -1)  # -1: an item with fewer neighbours (a graph's)
        keep = (src >= 0) & (dst >= 0) & (src != dst)
        np.add.at(counts, (position[src[keep]], position[dst[keep]]), 1)
        return counts + counts.T  # edges either way

    data, drawn = contact(space_nn), contact(map_nn)
    sizes = np.array([(space_nn[labels == g] >= 0).sum() for g in groups])  # each one's links in the data
    flags = []
    for i in range(len(groups)):
        for j in range(i + 1, len(groups)):
            scale = min(sizes[i], sizes[j])
            d, m = data[i, j], drawn[i, j]
            if m - d >= FLAG_SHARE * scale and m >= FLAG_RATIO * max(d, 1):
                kind = "drawn_close"
            elif d - m >= FLAG_SHARE * scale and d >= FLAG_RATIO * max(m, 1):
                kind = "drawn_apart"
            else:
                continue
            flags.append({"clusters": [int(groups[i]), int(groups[j])], "kind": kind,
                          "data_edges": int(d), "map_edges": int(m)})
    return sorted(flags, key=lambda f: -abs(f["map_edges"] - f["data_edges"]))


def flag_sentence(flag: dict, name=str) -> str:
    a, b = (name(c) for c in flag["clusters"])
    if flag["kind"] == "drawn_close":
        return (f"{a} and {b} are drawn touching, but are far less in contact in the data "
                f"({flag['map_edges']:,} neighbour links on the map, {flag['data_edges']:,} in the data)")
    return (f"{a} and {b} are neighbours in the data but drawn apart "
            f"({flag['data_edges']:,} neighbour links in the data, {flag['map_edges']:,} on the map)")


def map_trust(space: np.ndarray, embedding: np.ndarray, labels: np.ndarray | None = None, k: int = K,
              reference: str = "the clustering space", seed: int = 0) -> MapTrust:
    """How well ``embedding`` (the map) keeps the neighbourhoods of ``space`` (see the module doc)."""
    from sklearn.manifold import trustworthiness

    space = np.asarray(space, dtype=np.float32)
    embedding = np.asarray(embedding, dtype=np.float32)
    n = len(space)
    if n != len(embedding):
        raise ValueError(f"the map has {len(embedding)} points but the space {n}")
    k = max(1, min(k, (n - 1) // 2))
    space_nn, map_nn = neighbours(space, k), neighbours(embedding, k)
    sample = np.sort(np.random.default_rng(seed).choice(n, SAMPLE, replace=False)) if n > SAMPLE else np.arange(n)
    ks = max(1, min(k, (len(sample) - 1) // 2 - 1))
    trust = float(trustworthiness(space[sample], embedding[sample], n_neighbors=ks))
    cont = float(trustworthiness(embedding[sample], space[sample], n_neighbors=ks))
    return _measured(space_nn, map_nn, labels, k, reference, trust, cont, len(sample))


def _measured(space_nn: np.ndarray, map_nn: np.ndarray, labels: np.ndarray | None, k: int, reference: str,
              trust: float, cont: float, sampled: int) -> MapTrust:
    per_item = recall(space_nn, map_nn)
    flags = pair_flags(np.asarray(labels), space_nn, map_nn) if labels is not None else []
    return MapTrust(k=k, reference=reference, knn_recall=float(per_item.mean()), trustworthiness=trust,
                    continuity=cont, sampled=sampled, torn=int((per_item < 0.5).sum()), per_item=per_item,
                    flags=flags)


GRAPH_REFERENCE = "the graph (its nodes nearest by links: those it links to, then those two links away)"
# Hop counts for trustworthiness and continuity come from a breadth-first search from each sampled node over the
# whole graph: at most this many edge visits in all (a 100,000-node, 1M-edge graph: 37 ms a node on 2 cores, so
# ~100 nodes; 10,000 nodes and 100,000 edges: 2 ms, the full SAMPLE), and at least GRAPH_MIN_SAMPLE nodes.
GRAPH_VISITS = 2e8
GRAPH_MIN_SAMPLE = 100
GRAPH_CELLS = 5e7  # hop counts held at once (sources × nodes, 8 bytes each: 400 MB), the searches run in chunks


def graph_neighbours(adjacency, k: int) -> np.ndarray:
    """Each node's ``k`` nearest nodes by links (``adjacency``: a scipy sparse matrix in item order, weights as
    values): those it links to, the strongest first, then those two links away, the most shared neighbours first
    (ties in index order); -1 where fewer are within two links (a node of a small component)."""
    from scipy import sparse

    A = sparse.csr_matrix(adjacency, dtype=np.float64)
    A.eliminate_zeros()
    n = A.shape[0]
    found = np.full((n, k), -1, dtype=np.int64)
    indptr, indices, weights = A.indptr, A.indices, A.data
    for v in range(n):
        linked, strength = indices[indptr[v]:indptr[v + 1]], weights[indptr[v]:indptr[v + 1]]
        other = linked != v  # a loop is no neighbour
        linked, strength = linked[other], strength[other]
        order = linked[np.lexsort((linked, -strength))][:k]
        found[v, :len(order)] = order
        if len(order) < k and len(linked):
            around = np.concatenate([indices[indptr[u]:indptr[u + 1]] for u in linked])
            around, shared = np.unique(around, return_counts=True)
            outside = ~np.isin(around, linked) & (around != v)
            around, shared = around[outside], shared[outside]
            more = around[np.lexsort((around, -shared))][:k - len(order)]
            found[v, len(order):len(order) + len(more)] = more
    return found


def rank_trustworthiness(d_data: np.ndarray, d_map: np.ndarray, k: int) -> float:
    """Venna & Kaski's trustworthiness from two square distance matrices of the same items (scikit-learn's
    ``trustworthiness`` reads the map as coordinates; continuity needs the roles swapped, so both are distances
    here): 1 - 2 / (n k (2n - 3k - 1)) × the sum, over each item's k nearest on the map that are not among its k
    nearest in the data, of their rank in the data past k."""
    n = len(d_data)
    d_data, d_map = d_data.astype(np.float64, copy=True), d_map.astype(np.float64, copy=True)
    np.fill_diagonal(d_data, np.inf)
    np.fill_diagonal(d_map, np.inf)
    ranks = np.empty((n, n), dtype=np.int64)
    ranks[np.arange(n)[:, None], np.argsort(d_data, axis=1, kind="stable")] = np.arange(1, n + 1)
    nearest_on_map = np.argsort(d_map, axis=1, kind="stable")[:, :k]
    past = ranks[np.arange(n)[:, None], nearest_on_map] - k
    return float(1.0 - past[past > 0].sum() * 2.0 / (n * k * (2.0 * n - 3.0 * k - 1.0)))


def graph_map_trust(adjacency, embedding: np.ndarray, labels: np.ndarray | None = None, k: int = K,
                    seed: int = 0) -> MapTrust:
    """How well ``embedding`` (the map of a graph's nodes) keeps the graph's neighbourhoods: each node's data
    neighbours are :func:`graph_neighbours`; trustworthiness and continuity compare hop counts with distances on
    the map among a sample of nodes (ties in hops broken at random, by ``seed``)."""
    from scipy import sparse
    from scipy.sparse.csgraph import shortest_path
    from scipy.spatial.distance import cdist

    embedding = np.asarray(embedding, dtype=np.float64)
    A = sparse.csr_matrix(adjacency)
    n = A.shape[0]
    if n != len(embedding):
        raise ValueError(f"the map has {len(embedding)} points but the graph {n} nodes")
    k = max(1, min(k, (n - 1) // 2))
    space_nn = graph_neighbours(A, k)
    map_nn = neighbours(embedding, k)
    rng = np.random.default_rng(seed)
    size = int(min(n, SAMPLE, max(GRAPH_MIN_SAMPLE, GRAPH_VISITS // max(A.nnz, 1))))
    sample = np.sort(rng.choice(n, size, replace=False)) if size < n else np.arange(n)
    chunk = max(1, int(GRAPH_CELLS // n))
    hops = np.concatenate([shortest_path(A, method="D", unweighted=True, directed=False,
                                         indices=sample[i:i + chunk])[:, sample] for i in range(0, size, chunk)])
    hops[np.isinf(hops)] = np.nanmax(np.where(np.isinf(hops), np.nan, hops)) + 1  # another component: farther
    hops += rng.uniform(0, 0.5, hops.shape)  # equal hop counts in a random order, not the nodes' order
    hops = (hops + hops.T) / 2
    on_map = cdist(embedding[sample], embedding[sample])
    ks = max(1, min(k, (len(sample) - 1) // 2 - 1))
    trust, cont = rank_trustworthiness(hops, on_map, ks), rank_trustworthiness(on_map, hops, ks)
    return _measured(space_nn, map_nn, labels, k, GRAPH_REFERENCE, trust, cont, len(sample))
