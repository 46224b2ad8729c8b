"""Does the feature probe pick the right features for time series?

For generated sets of the UCR archive's kinds (``engine.data.variants``: Cylinder-Bell-Funnel, synthetic control,
phase-free sines / squares / sawtooths) at three seeds, and tslearn's Trace: the probe's label-free score (mean
silhouette × stability over K, on a clustering space of each candidate) for the z-normalised series and for their
frequency spectrum, and the ARI each reaches on the default path with it (DTW K-means on the series, K-means on a
clustering space of the spectrum; K = auto), which the probe never sees. The probe is right on a set when the
candidate it picks reaches at least 0.9 × the other's ARI (or both are below 0.1).

    .venv/bin/python bench/series_probe.py        # about a minute on 2 CPU cores
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine import api  # noqa: E402
from engine.data import variants as V  # noqa: E402
from engine.defaults import SERIES_CANDIDATES  # noqa: E402

SETS = {"Cylinder-Bell-Funnel": V.cylinder_bell_funnel, "synthetic control": V.synthetic_control,
        "sine / square / sawtooth, any phase": V.phase_free_waves}


def main() -> None:
    rows = [(f"{name}, seed {seed}", lambda make=make, seed=seed: V.series_dataset(name, *make(seed=seed)))
            for name, make in SETS.items() for seed in (0, 1, 2)] + [("Trace", lambda: api.DEMOS["trace"]())]
    print("| series set | n | true K | " + " | ".join(f"{c}: score · K · ARI" for c in SERIES_CANDIDATES)
          + " | picked | right | s |")
    print("|---|---|---|" + "---|" * len(SERIES_CANDIDATES) + "---|---|---|")
    right = 0
    for name, make in rows:
        dataset = make()
        start = time.perf_counter()
        default = api.run(dataset)
        evidence = default.metrics["feature_choice"]["evidence"]
        aris = {default.config.features: default.metrics["ari"]}
        cells = []
        for candidate in SERIES_CANDIDATES:
            if candidate not in aris:
                config = api.Config(features=candidate, clusterer=api.AUTO, cluster_on="features")
                aris[candidate] = api.run(dataset, config).metrics["ari"]
            cells.append(f"{evidence[candidate]['score']:.3f} · {evidence[candidate]['k']} · {aris[candidate]:.2f}")
        best = max(aris.values())
        ok = aris[default.config.features] >= 0.9 * best or best < 0.1
        right += ok
        print(f"| {name} | {len(dataset)} | {len(dataset.class_names)} | " + " | ".join(cells)
              + f" | {default.config.features} | {'yes' if ok else 'NO'} | {time.perf_counter() - start:.1f} |",
              flush=True)
    print(f"\nThe probe picked features within 0.9 × the better candidate's ARI on {right} of {len(rows)} sets.")


if __name__ == "__main__":
    main()
