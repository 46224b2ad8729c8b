"""Community detection on Zachary's karate club: modularity, and ARI / NMI against the club's real split.

    .venv/bin/python bench/graphs.py
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ["CLUSTERSCOPE_KEEP"] = "0"  # nothing read back from an earlier run: every stage is timed doing its work
os.environ.setdefault("CLUSTERSCOPE_HOME", tempfile.mkdtemp(prefix="bench-graphs-"))

from engine import api  # noqa: E402
from engine.metrics.graph import graph_scores  # noqa: E402


def main() -> None:
    for demo in ("karate", "lesmis"):
        data = api.DEMOS[demo]()
        print(f"\n{demo}: {len(data)} nodes, {data.graph.number_of_edges()} edges"
              + (f"; truth: {' / '.join(data.class_names)}" if data.labels is not None else ""))
        if data.labels is not None:
            truth = graph_scores(data.graph, data.item_names, data.labels)
            print(f"  the true split itself: modularity {truth['modularity']:.3f}")
        print(f"  {'method':<36}{'groups':>7}{'modularity':>11}{'conduct.':>9}{'ARI':>7}{'NMI':>7}{'ms':>7}")
        for name in api.clusterers_for("graph"):
            params = {"n_clusters": 2} if "k" in api.CLUSTERERS[name].tags else {}
            start = time.perf_counter()
            m = api.run(data, api.default_config(data, clusterer=name, clusterer_params=params)).metrics
            ms = 1000 * (time.perf_counter() - start)
            ari = f"{m['ari']:.3f}" if m.get("ari") is not None else "–"
            nmi = f"{m['nmi']:.3f}" if m.get("nmi") is not None else "–"
            print(f"  {api.CLUSTERERS[name].label + (' K=2' if params else ''):<36}{m['n_clusters']:>7}"
                  f"{m['modularity']:>11.3f}{m['conductance']:>9.3f}{ari:>7}{nmi:>7}{ms:>7.0f}")


if __name__ == "__main__":
    main()
