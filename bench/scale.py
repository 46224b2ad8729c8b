"""Scale: blob tables of 10k / 100k / 1M rows and planted-partition graphs, each stage's seconds and peak RSS, against
the direct library calls doing the same work in the same run.

Each measurement runs in its own process (a clean peak RSS). Both sides warm UMAP's JIT on 5,000 rows first, untimed:
the app is a long-lived worker (the cold import + first fit is printed once, on its own).

* **ours**: the table written as a CSV, loaded through ``api.load_csv``, then ``api.run`` with the defaults (the 2-D
  UMAP map, a 10-D UMAP clustering space, K-means with K = auto, every score, map trust), then the map drawn: the
  report's static PNG and the app's figure (WebGL points; past ``figures.RASTER_POINTS`` a datashader picture with a
  sample of points on it).
* **direct**: the same work by hand: pandas ``read_csv``; umap-learn's 2-D and 10-D UMAP (fitted on the same
  20,000-row sample past 20,000 rows, the rest through umap-learn's own ``transform``); scikit-learn's ``KMeans``
  with the K ours chose; a silhouette on 5,000 rows.
* graphs: a planted partition (10 blocks) as an edge list through ``api.load_edge_list`` and ``api.run`` with the
  defaults, against networkx's Louvain on the same edges.

    .venv/bin/python bench/scale.py [--sizes 10000 100000 1000000] [--dims 16]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

# A fresh home per run: a kept map, clustering space or K from an earlier run would make ours look free.
os.environ.setdefault("CLUSTERSCOPE_HOME", tempfile.mkdtemp(prefix="clusterscope-bench-scale-"))

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ["CLUSTERSCOPE_KEEP"] = "0"  # nothing read back from an earlier run: every stage is timed doing its work
CACHE = Path(os.environ.get("CLUSTERSCOPE_BENCH_CACHE", Path.home() / ".cache" / "clusterscope-bench")) / "scale"
CENTRES = 10


def peak_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


def table(n: int, dims: int) -> Path:
    """``n × dims`` blobs (10 centres, std 2) with their label column, written once."""
    path = CACHE / f"blobs_{n}x{dims}.csv"
    if not path.exists():
        import numpy as np
        import pandas as pd
        from sklearn.datasets import make_blobs

        X, y = make_blobs(n, dims, centers=CENTRES, cluster_std=2.0, random_state=0)
        frame = pd.DataFrame(X.astype(np.float32), columns=[f"x{i}" for i in range(dims)])
        frame["label"] = y
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.to_csv(path.with_suffix(".tmp"), index=False, float_format="%.5f")
        path.with_suffix(".tmp").rename(path)
    return path


def warm() -> None:
    import numpy as np
    import umap

    warnings.filterwarnings("ignore")
    # 5,000 rows: past 4,096 umap-learn switches to NN-descent, whose JIT compile a smaller warm-up leaves for later
    umap.UMAP(random_state=0).fit_transform(np.random.default_rng(0).normal(size=(5000, 8)).astype(np.float32))


def ours(path: Path) -> dict:
    from engine import api
    from engine.viz.figures import scatter
    from engine.viz.static import map_png

    warm()
    out, start = {}, time.perf_counter()
    data = api.load_csv(path)
    out["load"] = time.perf_counter() - start
    result = api.run(data)
    t = result.timings
    out.update(map=t["reduce"], space=t["space"], cluster=t["cluster"], scores=t["metrics"] + t["map_trust"],
               run=t["seconds"], ari=result.metrics.get("ari"), k=result.metrics["n_clusters"],
               scaled=len(result.metrics.get("scaled", [])), rss_run=peak_gb())
    mark = time.perf_counter()
    png = map_png(result.embedding, result.labels)
    out["png"] = time.perf_counter() - mark
    mark = time.perf_counter()
    figure = scatter(result.embedding, result.labels, {}, [""] * len(result.labels))
    out["webgl_figure"] = time.perf_counter() - mark
    out["png_kb"], out["traces"] = len(png) // 1024, len(figure.data)
    out["total"] = time.perf_counter() - start
    out["rss"] = peak_gb()
    return out


def direct(path: Path, k: int) -> dict:
    import numpy as np
    import pandas as pd
    import umap
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score, silhouette_score

    from engine.scale import FIT_SAMPLE, sample_indices

    warm()
    out, start = {}, time.perf_counter()
    frame = pd.read_csv(path)
    y = frame.pop("label").to_numpy()
    X = frame.to_numpy(np.float32)
    X = (X - X.mean(axis=0)) / X.std(axis=0)
    out["load"] = time.perf_counter() - start
    rows = sample_indices(len(X), FIT_SAMPLE, 0)

    def fit(model):
        fitted = model.fit(X[rows])
        return fitted.embedding_ if len(rows) == len(X) else fitted.transform(X)

    mark = time.perf_counter()
    fit(umap.UMAP(n_components=2, random_state=0))
    out["map"] = time.perf_counter() - mark
    mark = time.perf_counter()
    space = fit(umap.UMAP(n_components=10, n_neighbors=30, min_dist=0.0, random_state=0))
    out["space"] = time.perf_counter() - mark
    mark = time.perf_counter()
    labels = KMeans(k, n_init=4, random_state=0).fit_predict(space)
    out["cluster"] = time.perf_counter() - mark
    mark = time.perf_counter()
    silhouette_score(space, labels, sample_size=min(5000, len(X)), random_state=0)
    out["scores"] = time.perf_counter() - mark
    out["total"] = time.perf_counter() - start
    out["ari"] = float(adjusted_rand_score(y, labels))
    out["rss"] = peak_gb()
    return out


def planted(n: int, blocks: int = 10, inside: int = 10, outside: int = 1):
    """A planted partition as an edge list: ``n`` nodes in ``blocks`` equal blocks, each node linked to ``inside``
    random members of its block and ``outside`` random nodes anywhere (about 2 × 11 links a node)."""
    import numpy as np

    size, rng = n // blocks, np.random.default_rng(0)
    block = np.arange(n) // size
    sources = np.concatenate([np.repeat(np.arange(n), inside), np.arange(n).repeat(outside)])
    targets = np.concatenate([block[np.repeat(np.arange(n), inside)] * size + rng.integers(0, size, n * inside),
                              rng.integers(0, n, n * outside)])
    keep = sources != targets
    return sources[keep], targets[keep], block


def graph(n: int) -> dict:
    import networkx as nx
    import numpy as np
    from sklearn.metrics import adjusted_rand_score

    from engine import api

    sources, targets, block = planted(n)
    text = "\n".join(f"{u},{v}" for u, v in zip(sources, targets)).encode()
    warm()
    out, start = {}, time.perf_counter()
    data = api.load_edge_list(text, "planted")
    out["load"] = time.perf_counter() - start
    out["edges"] = data.graph.number_of_edges()
    result = api.run(data)
    t = result.timings
    truth = block[[int(name) for name in data.item_names]]
    out.update(map=t["reduce"], cluster=t["cluster"], scores=t["metrics"] + t["map_trust"], run=t["seconds"],
               ari=float(adjusted_rand_score(truth, result.labels)), k=result.metrics["n_clusters"],
               method=result.config.clusterer, total=time.perf_counter() - start, rss=peak_gb())
    mark = time.perf_counter()
    g = nx.Graph()
    g.add_edges_from(zip(sources.tolist(), targets.tolist()))
    found = nx.community.louvain_communities(g, seed=0)
    out["networkx_louvain"] = time.perf_counter() - mark
    labels = np.empty(n, dtype=np.int64)
    for i, members in enumerate(found):
        labels[list(members)] = i
    out["networkx_ari"] = float(adjusted_rand_score(block, labels))
    return out


def cold() -> dict:
    start = time.perf_counter()
    import numpy as np
    import umap

    warnings.filterwarnings("ignore")
    umap.UMAP(random_state=0).fit_transform(np.random.default_rng(0).normal(size=(5000, 8)).astype(np.float32))
    return {"import_and_first_fit": time.perf_counter() - start}


def child(args: list[str]) -> dict:
    found = subprocess.run([sys.executable, __file__, "--child", *args], capture_output=True, text=True)
    if found.returncode:
        return {"error": (found.stderr.strip().splitlines() or ["?"])[-1]}
    return json.loads(found.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--graphs", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument("--dims", type=int, default=16)
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        found = {"ours": lambda: ours(Path(rest[0])), "direct": lambda: direct(Path(rest[0]), int(rest[1])),
                 "graph": lambda: graph(int(rest[0])), "cold": cold}[kind]()
        print(json.dumps(found))
        return

    print(f"cold: import umap + a first 5,000-row fit {child(['cold'])['import_and_first_fit']:.1f} s (once per worker)\n")
    print("| rows | side | load s | map s | space s | cluster s | scores s | run s | static PNG s | app figure s "
          "| total s | peak RSS GB | ARI | K | ours / direct |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for n in args.sizes:
        path = table(n, args.dims)
        mine = child(["ours", str(path)])
        if "error" in mine:
            print(f"| {n:,} | ours | {mine['error']} |")
            continue
        theirs = child(["direct", str(path), str(mine["k"])])
        print(f"| {n:,} | ours | {mine['load']:.1f} | {mine['map']:.1f} | {mine['space']:.1f} | {mine['cluster']:.1f} "
              f"| {mine['scores']:.1f} | {mine['run']:.1f} | {mine['png']:.1f} | {mine['webgl_figure']:.1f} "
              f"| {mine['total']:.1f} | {mine['rss']:.2f} | {mine['ari']:.3f} | {mine['k']} | "
              + (f"{mine['total'] / theirs['total']:.2f} |" if "total" in theirs else "|"))
        if "error" in theirs:
            print(f"| {n:,} | direct | {theirs['error']} |")
        else:
            print(f"| {n:,} | direct | {theirs['load']:.1f} | {theirs['map']:.1f} | {theirs['space']:.1f} "
                  f"| {theirs['cluster']:.1f} | {theirs['scores']:.1f} | – | – | – | {theirs['total']:.1f} "
                  f"| {theirs['rss']:.2f} | {theirs['ari']:.3f} | {mine['k']} | |")
        sys.stdout.flush()
    print("\n| graph nodes | edges | ours: load s | map s | cluster s | scores s | total s | peak RSS GB | method | "
          "ARI | K | networkx Louvain (graph built + clustered) s | its ARI |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for n in args.graphs:
        found = child(["graph", str(n)])
        if "error" in found:
            print(f"| {n:,} | {found['error']} |")
            continue
        print(f"| {n:,} | {found['edges']:,} | {found['load']:.1f} | {found['map']:.1f} | {found['cluster']:.1f} "
              f"| {found['scores']:.1f} | {found['total']:.1f} | {found['rss']:.2f} | {found['method']} "
              f"| {found['ari']:.3f} | {found['k']} | {found['networkx_louvain']:.1f} | {found['networkx_ari']:.3f} |")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
