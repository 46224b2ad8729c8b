"""Past one machine: feature extraction, K-means and the kNN graph on a Dask cluster (``dask.distributed``).

Nothing here is a scheduler of our own: the rows (or items) are cut into partitions, Dask sends each partition and
the same engine function that runs locally (:func:`engine.scale.nearest`, a feature extractor, one step of Lloyd's
K-means) to a worker, and the answers come back in order. Arrays in, arrays out.

Which cluster: ``python -m engine cluster ... --cluster ADDRESS``, or ``$CLUSTERSCOPE_DASK`` for the app (and any
process); ``ADDRESS`` is a scheduler such as ``tcp://10.0.0.5:8786`` (see the README), or ``local:N`` for a cluster
of ``N`` worker processes on this machine (what the tests start). :func:`use` makes one active for this process;
while one is, :func:`active` returns its client and the pipeline's K-means, kNN-Louvain/Leiden graphs and image
features run on it.
"""

from __future__ import annotations

import os
from contextlib import contextmanager

import numpy as np

from engine.progress import Reporter, ensure

ENVIRONMENT = "CLUSTERSCOPE_DASK"
ROWS_PER_PARTITION = 50_000  # rows of a feature matrix sent to one worker at a time (64-D float32: 12.8 MB)
ITEMS_PER_PARTITION = 2_000  # images per feature-extraction task
CONNECT_TIMEOUT = "10s"  # a scheduler that has not answered by then is not there

_active: dict[str, object] = {}


def connect(address: str):
    """A ``dask.distributed.Client`` for ``address`` (``local:N`` starts ``N`` worker processes here); a scheduler
    that cannot be reached is a ``ValueError`` that says so."""
    from dask.distributed import Client, LocalCluster

    local = address.startswith("local")
    count = address.partition(":")[2] or "2"
    if local and (not count.isdigit() or int(count) < 1):
        raise ValueError(f"{address!r}: local:N wants a number of worker processes, e.g. local:2")
    try:
        if local:
            cluster = LocalCluster(n_workers=int(count), threads_per_worker=1, processes=True, dashboard_address=":0")
            client = Client(cluster)
            client._clusterscope_local = cluster
            return client
        return Client(address, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as error:
        raise ValueError(f"could not reach the Dask scheduler at {address} ({error}); check the address and that "
                         "its scheduler is running") from None


def _close(client) -> None:
    local = getattr(client, "_clusterscope_local", None)
    client.close()
    if local is not None:
        local.close()


def use(address: str | None) -> object | None:
    """Make the cluster at ``address`` the active one for this process (None or "": none; the local path). One
    that cannot be reached raises, and the one active before stays active."""
    client = connect(address) if address else None
    close()
    if client is not None:
        _active["client"], _active["address"] = client, address
    return client


def close() -> None:
    client = _active.pop("client", None)
    _active.pop("address", None)
    if client is not None:
        _close(client)


def active():
    """The active cluster's client, connecting to ``$CLUSTERSCOPE_DASK`` on first use; None when there is none,
    or when that address cannot be reached (then :func:`unreachable` says why, and the work runs here)."""
    address = os.environ.get(ENVIRONMENT)
    if "client" not in _active and address and _active.get("tried") != address:
        _active["tried"] = address
        try:
            use(address)
        except ValueError as error:
            _active["unreachable"] = str(error)
    return _active.get("client")


def unreachable() -> str:
    """Why ``$CLUSTERSCOPE_DASK``'s cluster is not in use, when it could not be reached ("" otherwise)."""
    return _active.get("unreachable", "")


@contextmanager
def using(address: str | None):
    """``with using("local:2"): ...``: that cluster active for the block, closed after it; whatever was active
    before is active again after."""
    before = dict(_active)
    _active.clear()
    try:
        if address:
            _active["client"], _active["address"] = connect(address), address
        yield _active.get("client")
    finally:
        if "client" in _active:
            _close(_active["client"])
        _active.clear()
        _active.update(before)


def status() -> str:
    """Where the heavy stages run now, in a sentence."""
    if active() is None:
        return "here, in this process" + (f" ({unreachable()})" if unreachable() else "")
    return f"on {_cluster_name()}"


def _cluster_name() -> str:
    """The active cluster as a run's note names it: its address and its workers now."""
    workers = len(_active["client"].scheduler_info().get("workers", {}))
    return f"the Dask cluster {_active['address']} ({workers} workers)"


_ran: list[str] = []  # the stages of the current run that went to the cluster, for its note


def forget_stages() -> None:
    """Start a new run's account of what ran on the cluster."""
    _ran.clear()


def _ran_here(stage: str) -> None:
    if stage not in _ran:
        _ran.append(stage)


def stages_note() -> str:
    """One sentence on which of this run's stages ran on the cluster ("" when none did), for its notes."""
    if "client" not in _active or not _ran:
        return ""
    return f"{', '.join(_ran)} ran on {_cluster_name()}"


def _bounds(n: int, per: int) -> list[tuple[int, int]]:
    return [(start, min(start + per, n)) for start in range(0, n, per)] or [(0, 0)]


def map_rows(client, function, X: np.ndarray, per: int = ROWS_PER_PARTITION, **shared) -> list:
    """``function(partition, **shared)`` for each partition of ``X``'s rows, on the cluster, answers in order.
    ``shared`` values go to every worker once (broadcast), not once per task."""
    parts = [X[a:b] for a, b in _bounds(len(X), per)]
    futures = client.scatter(parts)
    common = {name: client.scatter(value, broadcast=True) for name, value in shared.items()}
    return client.gather(client.map(function, futures, **common, pure=False))


# -- the kNN graph's neighbour search ------------------------------------------------------------------------------
def nearest(client, reference: np.ndarray, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """:func:`engine.scale.nearest` with the queries cut into partitions, each searched on a worker against the
    whole reference (sent to each worker once)."""
    _ran_here("the kNN graph's neighbour search")
    answers = map_rows(client, _nearest_part, queries, reference=reference, k=k)
    return np.concatenate([d for d, _ in answers]), np.concatenate([i for _, i in answers])


def _nearest_part(queries: np.ndarray, reference: np.ndarray, k: int):
    from engine.scale import nearest as local

    return local(reference, queries, k)


# -- K-means -------------------------------------------------------------------------------------------------------
def _lloyd_part(X: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """One partition's share of a Lloyd step: per-centre sums and counts of its rows, and its inertia."""
    labels, squared = _assign(X, centres)
    sums = np.zeros_like(centres, dtype=np.float64)
    np.add.at(sums, labels, X)
    return sums, np.bincount(labels, minlength=len(centres)), float(squared.sum())


def _assign(X: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from engine.scale import nearest as local

    distances, found = local(centres, X, 1)
    return found[:, 0].astype(np.int64), distances[:, 0].astype(np.float64) ** 2


def _labels_part(X: np.ndarray, centres: np.ndarray) -> np.ndarray:
    return _assign(X, centres)[0]


class DaskKMeans:
    """Lloyd's K-means with each step's assignment and partial sums computed per partition on the cluster; the
    start is k-means++ (scikit-learn's) on an even sample, the best of ``n_init`` starts kept."""

    def __init__(self, client, n_clusters: int, n_init: int = 1, max_iter: int = 100, tol: float = 1e-4,
                 random_state: int = 0):
        self.client, self.n_clusters, self.n_init = client, n_clusters, n_init
        self.max_iter, self.tol, self.random_state = max_iter, tol, random_state

    def fit_predict(self, X: np.ndarray, reporter: Reporter | None = None) -> np.ndarray:
        from sklearn.cluster import kmeans_plusplus

        reporter = ensure(reporter)
        _ran_here("K-means")
        X = np.ascontiguousarray(X, dtype=np.float32)
        client = self.client
        parts = client.scatter([X[a:b] for a, b in _bounds(len(X), ROWS_PER_PARTITION)])
        rng = np.random.default_rng(self.random_state)
        sample = X[np.sort(rng.choice(len(X), min(len(X), max(10_000, 50 * self.n_clusters)), replace=False))]
        scale = float(np.mean(np.var(X, axis=0))) or 1.0
        best = None
        for start in range(self.n_init):
            centres, _ = kmeans_plusplus(sample, self.n_clusters, random_state=int(rng.integers(2**31)))
            inertia = np.inf
            for iteration in range(1, self.max_iter + 1):
                shared = client.scatter(centres, broadcast=True)
                answers = client.gather(client.map(_lloyd_part, parts, centres=shared, pure=False))
                sums = sum(a[0] for a in answers)
                counts = sum(a[1] for a in answers)
                inertia = sum(a[2] for a in answers)
                moved = np.where(counts[:, None] > 0, sums / np.maximum(counts, 1)[:, None], centres)
                shift = float(((moved - centres) ** 2).sum(axis=1).max()) / scale
                centres = moved.astype(np.float32)
                reporter.update((start + iteration / self.max_iter) / self.n_init,
                                f"K-means on the Dask cluster: start {start + 1} of {self.n_init}, iteration "
                                f"{iteration} · inertia {inertia:.4g}")
                if shift < self.tol:
                    break
            if best is None or inertia < best[0]:
                best = (inertia, centres)
        self.inertia_, self.cluster_centers_ = best
        shared = client.scatter(self.cluster_centers_, broadcast=True)
        self.labels_ = np.concatenate(client.gather(client.map(_labels_part, parts, centres=shared, pure=False)))
        return self.labels_


# -- image features ------------------------------------------------------------------------------------------------
def _features_part(indices: np.ndarray, dataset, name: str, params: dict) -> np.ndarray:
    from engine.features import FEATURES

    return np.asarray(FEATURES[name].make(dataset.subset(indices), **params))


def features(client, dataset, name: str, params: dict, reporter: Reporter | None = None) -> np.ndarray:
    """Feature extractor ``name`` run per partition of the dataset's items on the cluster (the dataset sent to
    each worker once: its paths and small copies, or its pixels), rows in item order."""
    reporter = ensure(reporter)
    _ran_here(f"the {name} features")
    shared = client.scatter(dataset, broadcast=True)
    bounds = _bounds(len(dataset), ITEMS_PER_PARTITION)
    futures = client.map(_features_part, [np.arange(a, b) for a, b in bounds], dataset=shared, name=name,
                         params=params, pure=False)
    from dask.distributed import as_completed

    done = 0
    for future in as_completed(futures):
        done += 1
        reporter.update(done / len(futures), f"{name} features on the Dask cluster: {done} of {len(futures)} "
                                             "partitions")
    return np.concatenate(client.gather(futures))
