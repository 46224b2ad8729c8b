"""Cold start: what a fresh process pays before it answers (issue 14, item 7), against the bare imports of the
libraries the same command needs.

Each command runs in a new interpreter, timed from its start to its exit, with its peak RSS:

* ``python -m engine methods`` (every registry listed): goal ≤ 3 s, against ``import numpy, scipy.sparse``;
* ``python -m engine cluster --data digits --reduce pca --method kmeans`` (the default clustering space, a 10-D
  UMAP, and K = auto): goal ≤ 6 s, against importing scikit-learn and umap and one UMAP fit of the digits
  (umap-learn's own cold start). It runs twice: numba's on-disk cache is filled by the first run on a machine,
  and the second reads back what the first kept (features, their choice, the space, K). The first run on new data
  probes its features (the pretrained encoder on up to 1,000 images); a third row names the features
  (``--features pixels``) on new data, so no probe runs.

    .venv/bin/python bench/cold_start.py
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WRAP = ("import atexit, json, resource, runpy, sys\n"
        "atexit.register(lambda: print('RSS ' + str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),"
        " file=sys.stderr))\n"
        "sys.argv = {argv!r}\n"
        "runpy.run_module('engine', run_name='__main__')\n")
DIRECT_UMAP = ("import atexit, resource, sys\n"
               "atexit.register(lambda: print('RSS ' + str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),"
               " file=sys.stderr))\n"
               "import numpy as np, umap\nfrom sklearn.cluster import KMeans\n"
               "from sklearn.datasets import load_digits\n"
               "X = load_digits().data.astype(np.float32)\n"
               "Y = umap.UMAP(n_components=10, n_neighbors=30, min_dist=0.0, random_state=0).fit_transform(X)\n"
               "KMeans(10, n_init=4, random_state=0).fit(Y)\n")
DIRECT_IMPORTS = ("import atexit, resource, sys\n"
                  "atexit.register(lambda: print('RSS ' + str(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),"
                  " file=sys.stderr))\nimport numpy, scipy.sparse\n")


def timed(code: str, env: dict) -> tuple[float, float]:
    """Seconds from start to exit and peak RSS (MB) of ``python -c code``."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if done.returncode != 0:
        raise SystemExit(done.stderr[-2000:])
    rss = [line for line in done.stderr.splitlines() if line.startswith("RSS ")][-1]
    return seconds, int(rss.split()[1]) / 1024


def main() -> None:
    env = {**os.environ, "CLUSTERSCOPE_HOME": tempfile.mkdtemp(prefix="clusterscope-cold-"),
           "PYTHONWARNINGS": "ignore"}
    rows = []
    methods = timed(WRAP.format(argv=["engine", "methods"]), env)
    rows.append(("python -m engine methods", methods, timed(DIRECT_IMPORTS, env), "import numpy, scipy.sparse", 3))
    argv = ["engine", "cluster", "--data", "digits", "--reduce", "pca", "--method", "kmeans"]
    direct = timed(DIRECT_UMAP, env)
    for attempt in ("first", "again"):
        ours = timed(WRAP.format(argv=argv), env)
        rows.append((f"cluster --data digits --reduce pca --method kmeans ({attempt})", ours, direct,
                     "umap-learn 10-D fit + K-means, cold", 6))
    # the same with the features named: no feature probe (new data for this process's home: nothing kept yet)
    env = {**env, "CLUSTERSCOPE_HOME": tempfile.mkdtemp(prefix="clusterscope-cold-")}
    named = timed(WRAP.format(argv=argv[:4] + ["--features", "pixels"] + argv[4:]), env)
    rows.append(("the same with --features pixels (first: no probe)", named, direct,
                 "umap-learn 10-D fit + K-means, cold", 6))
    print("| command | seconds | peak RSS | reference | its seconds | its RSS | ratio | goal |")
    print("|---|---|---|---|---|---|---|---|")
    for name, (s, rss), (ref_s, ref_rss), ref, goal in rows:
        print(f"| {name} | {s:.1f} | {rss:,.0f} MB | {ref} | {ref_s:.1f} | {ref_rss:,.0f} MB | {s / ref_s:.2f} | "
              f"≤ {goal} s: {'yes' if s <= goal else 'NO'} |")
    print(json.dumps({"rows": [[r[0], *r[1], *r[2]] for r in rows]}), file=sys.stderr)


if __name__ == "__main__":
    main()
