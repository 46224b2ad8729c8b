"""Does the feature probe's label-free score pick the features that find the classes?

For every labelled image set of ``bench/defaults.py``, on the probe's own 1,000-item sample: each candidate the
probe weighs (raw pixels, EfficientNet-Lite0, both side by side, and for colour images also with the colour
histogram) goes through the clustering space and K = auto, as the probe does; the table prints its label-free score
(mean silhouette × stability over K; for candidates within the probe's noise of the best, its mean over
``defaults.TIE_DRAWS`` seeds), the K it reaches and that clustering's ARI against the true classes (which the probe
never sees; both at the first seed). The probe is right on a set when the candidate it picks (the best score;
pixels and the encoder with the colour histogram only when it lifts their score by ``defaults.COLOUR_LIFT``)
reaches at least 0.9 × the best candidate's ARI.

    .venv/bin/python bench/feature_probe.py                  # every image set (about 5 minutes on 2 CPU cores)
    .venv/bin/python bench/feature_probe.py --only faces     # sets whose name holds one of these
    .venv/bin/python bench/feature_probe.py --seed 1         # another sample (and UMAP / K-means seeds)
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import defaults as bench  # noqa: E402  (bench/defaults.py: the sets, built the same way)

from sklearn.cluster import KMeans  # noqa: E402
from sklearn.metrics import adjusted_rand_score  # noqa: E402

from engine import defaults  # noqa: E402
from engine.cluster.auto_k import by_silhouette_and_stability  # noqa: E402
from engine.pipeline import clustering_space  # noqa: E402
from engine.progress import ensure  # noqa: E402

SHORT = {"pixels": "pixels", "efficientnet_lite0": "encoder", "combined": "both", "combined:colours": "both+colour"}


def weigh(dataset, seed: int = 0) -> dict[str, dict]:
    candidates = [c for c in defaults.feature_candidates(dataset) if not c.startswith("learned:")]
    order = np.random.default_rng(seed).permutation(len(dataset))  # the probe's own sample (at seed 0)
    sample = np.sort(order[:min(defaults.PROBE_ITEMS, len(dataset))])
    truth, parts = dataset.labels[sample], {}

    def scored(names: list[str], draw: int, reporter=None) -> dict[str, dict]:
        found = {}
        for candidate in names:
            space = clustering_space(defaults._candidate_features(dataset, candidate, sample, ensure(None), parts),
                                     seed=draw, epochs=defaults.PROBE_EPOCHS)
            k = by_silhouette_and_stability(space, seed=draw, extend=False)  # as the probe sweeps
            labels = KMeans(k.k, n_init=4, random_state=draw).fit_predict(space)
            found[candidate] = {"score": float(np.mean(k.score)), "k": k.k,
                                "ari": adjusted_rand_score(truth, labels)}
        return found

    # as the probe does, the candidates within its noise of the best are scored at more seeds and ranked by the mean
    # (their K and ARI: the first seed's)
    return defaults.settle_ties(scored(candidates, seed), scored, seed)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", action="append", default=[], metavar="TEXT")
    parser.add_argument("--seed", type=int, default=0, help="the sample's seed (0: the probe's own)")
    args = parser.parse_args()
    print("| image set | " + " | ".join(f"{s}: score · K · ARI" for s in SHORT.values()) +
          " | picked | its ARI / best ARI | seconds |")
    print("|---|" + "---|" * (len(SHORT) + 3))
    right = total = 0
    for name, make in bench.rows(quick=False):
        if args.only and not any(text.lower() in name.lower() for text in args.only):
            continue
        start = time.perf_counter()
        dataset = make()
        if dataset.kind != "images":
            continue
        found = weigh(dataset, args.seed)
        picked = defaults.pick({c: e["score"] for c, e in found.items()})  # as the probe picks
        best = max(e["ari"] for e in found.values())
        ratio = found[picked]["ari"] / best if best > 0 else float("nan")
        right, total = right + (ratio >= 0.9), total + 1
        cells = [f"{found[c]['score']:.3f} · {found[c]['k']} · {found[c]['ari']:.2f}" if c in found else "(gray)"
                 for c in SHORT]
        print(f"| {name} | " + " | ".join(cells) + f" | {SHORT[picked]} | {ratio:.2f} | "
              f"{time.perf_counter() - start:.0f} |", flush=True)
    print(f"\nThe probe picked features within 0.9 of the best candidate's ARI on {right} of {total} sets.")


if __name__ == "__main__":
    main()
