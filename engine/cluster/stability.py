"""How stable each cluster is, and which items are contested: the clusterer rerun on subsamples with new seeds.

Each rerun clusters a fresh :data:`SUBSAMPLE` share of the items with the same method, settings and K, and a new
seed. A graph keeps every node and loses a random ``1 - SUBSAMPLE`` share of its edges instead (never those of a
random spanning forest, so it stays in one piece): the subgraph that a node sample induces falls apart on sparse
graphs (80 % of an LFR graph's 250 nodes left 1 to 11 components), and the reruns then cut fragments, not
communities. Against the clustering being judged:

* **cluster stability**: the mean over reruns of the best-match Jaccard of the cluster's sampled members with any
  rerun cluster (Hennig, 2007, *Cluster-wise assessment of cluster stability*; his reading: below 0.6 the
  cluster dissolved, above 0.85 it is stable, in between it is doubtful);
* **item ambiguity**: the share of the reruns an item took part in where it left its cluster's majority (the
  rerun cluster it fell in is mostly made of another cluster's members, or is noise);
* **co-association**: how often two items land in the same cluster when both are sampled (on a sample of up to
  :data:`COASSOCIATION_ITEMS` items), and the **consensus clustering** that cuts it (average linkage, as many
  clusters as the judged clustering has); items outside that sample take their nearest sampled neighbour's;
* **K by stability** next to K by silhouette, from the K sweep's evidence (``engine.cluster.auto_k``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
from scipy import sparse

from engine.progress import Reporter, ensure

RUNS = 10  # reruns (fewer for a slow clusterer, see runs_for)
BUDGET_S = 60.0  # a clusterer whose one fit takes longer than BUDGET_S / RUNS gets fewer reruns ...
MIN_RUNS = 4  # ... but at least these (DTW K-means on the 200 Trace series: ~15 s a fit, so 4 reruns)
SUBSAMPLE = 0.8  # each rerun's share of the items (clusterboot's subsetting default is half; 80 % keeps small
# clusters present in every rerun)
DISSOLVED, STABLE = 0.6, 0.85  # Hennig's readings of a cluster's mean best-match Jaccard
AMBIGUOUS = 0.25  # an item that leaves its cluster's majority in at least a quarter of its reruns is contested
COASSOCIATION_ITEMS = 2000  # the co-association matrix (and the consensus) is built on a sample this size


@dataclass
class Stability:
    """What the reruns found. ``clusters``: one dict per cluster of the judged clustering (``cluster``, ``size``,
    ``stability``, ``reading``); ``ambiguity``: one value per item in 0..1; ``consensus``: labels per item."""

    clusters: list[dict]
    ambiguity: np.ndarray
    consensus: np.ndarray
    runs: int
    subsample: float
    method: str
    perturbation: str = "items"  # "items": reruns on item subsamples; "edges": a graph's nodes all kept, edges dropped
    k: dict = field(default_factory=dict)
    agreement: float = 0.0  # ARI of the consensus with the judged clustering
    seconds: float = 0.0

    @property
    def ambiguous_share(self) -> float:
        return float(np.mean(self.ambiguity >= AMBIGUOUS)) if len(self.ambiguity) else 0.0

    def contested(self, labels: np.ndarray, cluster: int, count: int = 12) -> np.ndarray:
        return contested(self.ambiguity, labels, cluster, count)

    def summary(self) -> dict:
        """Everything but the per-item arrays, for the run's record, the report and ``stability --json``."""
        return {"clusters": self.clusters, "ambiguous_share": self.ambiguous_share, "ambiguous_at": AMBIGUOUS,
                "runs": self.runs, "subsample": self.subsample, "perturbation": self.perturbation,
                "method": self.method, "k": self.k, "seconds": self.seconds, "stable_at": STABLE,
                "dissolved_below": DISSOLVED, "consensus_agreement": self.agreement}


def contested(ambiguity: np.ndarray, labels: np.ndarray, cluster: int, count: int = 12) -> np.ndarray:
    """The most contested members of ``cluster``: most ambiguous first, only those that ever left it."""
    if cluster < 0:
        return np.zeros(0, dtype=np.int64)
    members = np.flatnonzero((labels == cluster) & (ambiguity > 0))
    return members[np.argsort(-ambiguity[members], kind="stable")][:count]


def drop_edges(A: np.ndarray, share: float, rng: np.random.Generator) -> np.ndarray:
    """``A`` (a symmetric adjacency) with a random ``share`` of its edges removed (fewer where more than the rest
    would be), never one of a random spanning forest's: the graph stays in as many pieces as it had. (Dropped
    freely, 20 % of an LFR graph's edges left 4.4 pieces on average and spectral reruns agreed with the full
    graph's clustering at ARI 0.71; keeping a spanning forest, one piece and 0.90.)"""
    from scipy.sparse.csgraph import minimum_spanning_tree

    given = A
    A = sparse.csr_matrix(A)  # sparse throughout: a large graph's n² would not fit; a dense one comes back dense
    n = A.shape[0]
    upper = sparse.triu(A, k=1).tocoo()
    rows, cols, values = upper.row, upper.col, upper.data
    # the MST of random weights: a uniform-ish random forest, whose edges are never dropped
    forest = minimum_spanning_tree(sparse.csr_matrix((rng.random(len(rows)) + 1e-9, (rows, cols)),
                                                     shape=A.shape)).tocoo()
    in_forest = np.isin(rows.astype(np.int64) * n + cols,
                        np.minimum(forest.row, forest.col).astype(np.int64) * n + np.maximum(forest.row, forest.col))
    free = np.flatnonzero(~in_forest)  # the share is of all edges, taken from those outside the forest
    keep = np.ones(len(rows), dtype=bool)
    keep[rng.choice(free, min(len(free), int(round(share * len(rows)))), replace=False)] = False
    kept = sparse.csr_matrix((values[keep], (rows[keep], cols[keep])), shape=A.shape)
    out = (kept + kept.T + sparse.diags(A.diagonal())).tocsr()
    return out if sparse.issparse(given) else out.toarray().astype(np.asarray(given).dtype, copy=False)


def runs_for(seconds_per_fit: float) -> int:
    """How many reruns fit the budget, given how long the first one took."""
    if seconds_per_fit * RUNS <= BUDGET_S:
        return RUNS
    return max(MIN_RUNS, int(BUDGET_S // max(seconds_per_fit, 1e-9)))


def reading(value: float) -> str:
    return "stable" if value > STABLE else "dissolved" if value < DISSOLVED else "doubtful"


def stability(X: np.ndarray, labels: np.ndarray, clusterer: str, params: dict, seed: int = 0, runs: int | None = None,
              subsample: float = SUBSAMPLE, graph: bool = False, k_choice: dict | None = None,
              reporter: Reporter | None = None) -> Stability:
    """Rerun ``clusterer`` (with ``params``, K fixed) on subsamples of ``X`` and judge ``labels`` against them.
    ``runs``: how many; by default :data:`RUNS`, or fewer (:func:`runs_for`) when the first rerun was slow.

    ``graph``: ``X`` is an adjacency; each rerun drops edges (:func:`drop_edges`), not nodes. ``k_choice``: the K
    sweep's evidence of the judged run, when it chose K (otherwise a sweep is run here for images and tables)."""
    from engine.cluster import CLUSTERERS, cluster

    reporter = ensure(reporter)
    start = time.perf_counter()
    labels = np.asarray(labels)
    n = len(labels)
    found = np.unique(labels[labels >= 0])
    if len(found) < 1:
        raise ValueError("every item is noise: there is no cluster to judge")
    params = dict(params)
    if params.get("n_clusters") == 0:  # K was chosen by the run: the reruns keep it
        if len(found) < 2:
            raise ValueError(f"the run found one cluster (its {n:,} items are alike): the reruns keep its K, and "
                             f"{CLUSTERERS[clusterer].label} needs at least 2; there is no split to test")
        params["n_clusters"] = len(found)
    coassoc = np.sort(np.random.default_rng(seed).choice(n, COASSOCIATION_ITEMS, replace=False)) \
        if n > COASSOCIATION_ITEMS else np.arange(n)
    where = np.full(n, -1)
    where[coassoc] = np.arange(len(coassoc))
    together = np.zeros((len(coassoc), len(coassoc)), dtype=np.float32)
    both = np.zeros_like(together)
    left, sampled = np.zeros(n), np.zeros(n)
    ref = np.searchsorted(found, labels)  # cluster positions 0..C-1 (noise: made -1 below)
    ref[labels < 0] = -1
    planned = runs or RUNS
    jaccard = np.zeros((planned, len(found)))
    seen = np.zeros((planned, len(found)), dtype=bool)
    draw = np.random.default_rng(seed + 1)
    r = 0
    while r < planned:
        if graph:
            idx, part = np.arange(n), drop_edges(X, 1.0 - subsample, draw)
            reporter.update(r / planned, f"stability: rerun {r + 1} of {planned} with {1 - subsample:.0%} of the "
                                         "edges dropped")
        else:
            idx = np.sort(draw.choice(n, max(2, int(round(subsample * n))), replace=False))
            reporter.update(r / planned, f"stability: rerun {r + 1} of {planned} on {len(idx):,} items")
            part = X[idx]
        mark = time.perf_counter()
        got = cluster(part, clusterer, params, seed=seed + 1 + r).labels
        if runs is None and r == 0:  # as many reruns as fit the budget, judged by the first
            planned = runs_for(time.perf_counter() - mark)
            jaccard, seen = jaccard[:planned], seen[:planned]
        mine = ref[idx]
        # contingency of judged clusters (rows, noise last) × rerun clusters (columns, noise last)
        rows = np.where(mine < 0, len(found), mine)
        cols = np.where(got < 0, got.max(initial=-1) + 1, got)
        table = np.zeros((len(found) + 1, cols.max() + 1))
        np.add.at(table, (rows, cols), 1)
        a, b = table[:-1].sum(axis=1, keepdims=True), table.sum(axis=0, keepdims=True)
        real = table[:-1, :got.max(initial=-1) + 1]  # rerun noise matches no cluster
        if real.shape[1]:
            jaccard[r] = (real / np.maximum(a + b[:, :real.shape[1]] - real, 1)).max(axis=1)
        seen[r] = a[:, 0] > 0
        majority = table.argmax(axis=0)  # the judged cluster (or noise, = len(found)) each rerun cluster is mostly
        if (got < 0).any():
            majority[-1] = len(found)  # rerun noise counts as noise
        left[idx] += majority[cols] != rows
        sampled[idx] += 1
        inside = where[idx] >= 0
        pos, lab = where[idx][inside], got[inside]
        both[np.ix_(pos, pos)] += 1
        together[np.ix_(pos, pos)] += (lab[:, None] == lab[None, :]) & (lab[:, None] >= 0)
        r += 1
    reporter.update(0.9, "stability: consensus clustering")
    mean = np.where(seen.any(axis=0), (jaccard * seen).sum(axis=0) / np.maximum(seen.sum(axis=0), 1), 0.0)
    sizes = np.bincount(ref[ref >= 0], minlength=len(found))
    clusters = [{"cluster": int(c), "size": int(s), "stability": float(v), "reading": reading(float(v))}
                for c, s, v in zip(found, sizes, mean)]
    ambiguity = np.where(sampled > 0, left / np.maximum(sampled, 1), 0.0).astype(np.float32)
    consensus = _consensus(X, together / np.maximum(both, 1), coassoc, len(found), graph)
    k = k_by_stability(X, k_choice, graph, seed, chosen=len(found))
    reporter.update(1.0, "stability measured")
    return Stability(clusters=clusters, ambiguity=ambiguity, consensus=consensus, runs=planned, subsample=subsample,
                     method=CLUSTERERS[clusterer].label, perturbation="edges" if graph else "items", k=k,
                     agreement=_agreement(labels, consensus),
                     seconds=time.perf_counter() - start)


def _agreement(labels: np.ndarray, consensus: np.ndarray) -> float:
    from sklearn.metrics import adjusted_rand_score

    return float(adjusted_rand_score(labels, consensus))


def _consensus(X: np.ndarray, coassociation: np.ndarray, sample: np.ndarray, k: int, graph: bool) -> np.ndarray:
    """Average-linkage cut of 1 - co-association into ``k`` clusters; items outside ``sample`` take their nearest
    sampled neighbour's cluster (graphs: the sampled node they share most weight with)."""
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    n = X.shape[0]
    distance = 1.0 - coassociation.astype(np.float64)
    np.fill_diagonal(distance, 0.0)
    if len(sample) < 2:
        return np.zeros(n, dtype=np.int64)
    tree = linkage(squareform(distance, checks=False), method="average")
    cut = fcluster(tree, t=min(k, len(sample)), criterion="maxclust") - 1
    if len(sample) == n:
        return _by_size(cut)
    out = np.empty(n, dtype=np.int64)
    out[sample] = cut
    rest = np.setdiff1d(np.arange(n), sample)
    if graph:
        shared = X[rest][:, sample] if sparse.issparse(X) else X[np.ix_(rest, sample)]
        out[rest] = cut[np.asarray(shared.argmax(axis=1)).ravel()]
    else:
        from sklearn.neighbors import NearestNeighbors

        nearest = NearestNeighbors(n_neighbors=1).fit(X[sample]).kneighbors(X[rest], return_distance=False)[:, 0]
        out[rest] = cut[nearest]
    return _by_size(out)


def _by_size(labels: np.ndarray) -> np.ndarray:
    from engine.cluster import relabel_by_size

    return relabel_by_size(labels)


def k_by_stability(X: np.ndarray, k_choice: dict | None, graph: bool, seed: int, chosen: int) -> dict:
    """K by stability (the finest K whose clusters come back on resampling) beside K by silhouette (the best
    separated), from the run's K sweep, or from a sweep run here; empty for graphs whose K came another way."""
    from engine.cluster.auto_k import STABLE as K_STABLE, by_silhouette_and_stability

    if not (k_choice and "stability" in k_choice.get("evidence", {})):
        if graph:
            return {}
        k_choice = by_silhouette_and_stability(np.asarray(X), seed=seed).as_dict()
    ks, evidence = k_choice["ks"], k_choice["evidence"]
    stable = [k for k, s in zip(ks, evidence["stability"]) if s >= K_STABLE]
    return {"by_stability": max(stable) if stable else int(ks[int(np.argmax(evidence["stability"]))]),
            "by_silhouette": int(ks[int(np.argmax(evidence["silhouette"]))]),
            "chosen": int(chosen), "stable_at": K_STABLE, "ks": [int(k) for k in ks],
            "stability": [float(s) for s in evidence["stability"]],
            "silhouette": [float(s) for s in evidence["silhouette"]]}


def stability_sentence(summary: dict, with_null: bool = True) -> str:
    """What the reruns found, in one or two sentences (from :meth:`Stability.summary`); ``with_null``: and the
    comparison with structureless data (:mod:`engine.metrics.null`), when it was made."""
    clusters = summary["clusters"]
    counts = {r: sum(c["reading"] == r for c in clusters) for r in ("stable", "doubtful", "dissolved")}
    parts = [f"{counts['stable']} of {len(clusters)} clusters stable (Jaccard above {summary['stable_at']})"]
    if counts["doubtful"]:
        parts.append(f"{counts['doubtful']} doubtful")
    if counts["dissolved"]:
        parts.append(f"{counts['dissolved']} dissolved (below {summary['dissolved_below']})")
    how = (f"with {1 - summary['subsample']:.0%} of the edges dropped" if summary.get("perturbation") == "edges"
           else f"on {summary['subsample']:.0%} subsamples")
    text = (f"{summary['method']} rerun {summary['runs']} times {how}: "
            + ", ".join(parts) + f"; {summary['ambiguous_share']:.0%} of items contested (they leave their "
            f"cluster in at least {summary['ambiguous_at']:.0%} of the reruns).")
    k = summary.get("k") or {}
    if k:
        text += (f" K by stability {k['by_stability']} (the finest K that comes back), by silhouette "
                 f"{k['by_silhouette']}; this run has {k['chosen']}.")
    if with_null and summary.get("null"):  # stable is not enough: noise cut into pieces comes back too
        from engine.metrics.null import null_sentence

        text += " " + null_sentence(summary["null"])
    return text
