"""Every default choice of a first run, in one place, each with the reason the app and the CLI show.

What is decided here:

* **Features** (images): ``auto`` until a run resolves it, by a label-free probe (:func:`choose_features`) between
  raw pixels, the pretrained EfficientNet-Lite0 (when its weights are installed), the two side by side (for colour
  images also with the colour histogram: ``engine.features.combined``) and the newest finished training run on
  this data. Other kinds have one feature extractor each.
* **Clustering space**: the clusterer reads a 10-D UMAP with clustering settings (``pipeline.clustering_space``),
  not the 2-D map, which is for the eyes; tiny sets (under :data:`MIN_SPACE_ITEMS`) are clustered on their
  features; series and graph methods read the series / the edges themselves.
* **Clusterer and K**: K-means with K = auto (``engine.cluster.auto_k``) for images; for tables ``auto`` until a
  run resolves it (:func:`choose_clusterer`): that K-means, unless the table falls apart into dense pieces that it
  cuts through (rings, crescents), then HDBSCAN on the columns; k-Shape with K = auto for series; spectral
  clustering with K by the eigengap for graphs.
* **The map**: UMAP in 2-D (graphs: a spring layout).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, replace

import numpy as np

from engine.cache import Memo, kept_json
from engine.cluster.auto_k import PROBE_SCORE, by_silhouette_and_stability
from engine.data import Dataset
from engine.features import FEATURES, available_for
from engine.progress import Reporter, ensure
from engine.registry import in_sentence

AUTO = "auto"
# A probe sample this size: on 400 items the choice flipped with the sample's seed on 3 of 8 labelled image sets
# (bench/defaults.py's: MNIST in colour and on textures, mnist5k), on 1,000 it held for 3 seeds on 7 of 8 (mnist5k,
# where both candidates score within 0.03 and reach ARI within 0.08 of each other, still flips). It costs the
# candidates' features of the sample plus, per candidate, a 1,000-item UMAP and a K sweep (~5 s on 2 CPU cores).
PROBE_ITEMS = 1000
# It looks at 500 first and stops there when one candidate leads by CLEAR_LEAD or more. On bench/defaults.py's
# 12 image sets × 3 sample seeds, the 500-item lead never pointed away from the 1,000-item choice by more than
# 0.03 (MNIST on textures), while the digits, 16-px digits and shapes led by 0.07-0.15 the right way: a 0.1 lead,
# over 3× the worst wrong one, saves 500 encoded images and a UMAP and K sweep per candidate. (On 250 items a
# wrong lead reached 0.12, too close to the right ones to stop at.)
FIRST_LOOK = 500
CLEAR_LEAD = 0.1
# Each candidate's clustering space in the probe is a UMAP of PROBE_EPOCHS epochs (umap-learn's own count past
# 10,000 rows, and a run's own: engine.pipeline.SPACE_EPOCHS) instead of the 500 it gives these 500-1,000 items:
# the probe ranks candidates, it does not keep their spaces. bench/feature_probe.py, 12 labelled image sets × sample
# seeds 0, 1, 2: the probe's UMAPs took 30-33 s a seed instead of 76 s, and the best score picked features within
# 0.9 × the best candidate's ARI on 12, 11 and 12 sets (500 epochs: 11, 11, 11; the misses are near-ties either way,
# e.g. photo crops at seed 1: the encoder with pixels and colours 0.542 against the encoder 0.513).
PROBE_EPOCHS = 200
# The colour histogram joins pixels and the encoder (``combined:colours``) only when it lifts their score by
# COLOUR_LIFT or more. A histogram of an image's colours splits any set whose backgrounds or inks vary in colour
# into stable, well-separated groups, whatever the images show: on MNIST digits 0-4 on random colours (1,200, not a
# benchmark set) it scored 0.41 against 0.40 without it and reached ARI 0.21 at K = 2 (pixels 0.86, pixels and the
# encoder 0.78); on crops of five other scikit-image photos 0.57 against 0.51, ARI 0.85 (the encoder alone, 0.56:
# 0.95); on bench/feature_probe.py's photo crops at seed 1 0.542 against 0.511, ARI 0.86 (the encoder: 1.00). Where
# colour is the class (bench/defaults.py's colour row) it lifted the score by 0.26-0.27 at three seeds. 0.1 is the
# probe's clear lead (CLEAR_LEAD).
COLOUR_LIFT = CLEAR_LEAD
# Scores closer than PROBE_NOISE are a tie the probe cannot break, and its sentence says so. Five UMAP seeds on one
# 1,000-item sample of the digits moved each score by a standard deviation of ~0.01 and the pixels - (pixels +
# encoder) difference between -0.021 and +0.021; features that differed by 1e-5 (the encoder with its batch norms
# folded) turned the digits' 0.541 against 0.510 into 0.505 against 0.510. (A tie-break towards the pair was tried:
# within 0.03 it lost MNIST on textures, ARI 0.00, and gray photo crops, 0.80 against 0.99, so none is made.)
PROBE_NOISE = 0.02
# So the candidates within PROBE_NOISE of the best at the last look are scored again at TIE_DRAWS - 1 more seeds
# (UMAP and K-means; the same sample and features) and ranked by their mean, whose noise is √TIE_DRAWS smaller.
# bench/feature_probe.py's 12 image sets × samples 0 and 1 × 3 seeds each (72 probes, each candidate's ARI the mean
# over the 3 seeds): ranked at one seed, the pick reached 0.9 × the best candidate's ARI in 68 of 72, ranked by the
# mean of 3 where tied in all 72 (by the mean of 2: 70). The misses were near-ties the seed decided: MNIST in colour
# three times (pixels, ARI 0.47-0.50, over pixels + encoder, 0.60-0.62) and gray photo crops once (pixels + encoder,
# 0.85, over the encoder, 0.99). (Before pixels read their background at the border: 67, 72 and 71, the misses LFW
# faces twice and MNIST in colour three times.) A tie came up in 27 of the 72 and costs a UMAP and a K sweep per tied
# candidate and extra seed (~2-3 s each on 1,000 items, 2 CPU cores). The seeds matter this much partly because
# umap-learn's optimiser is compiled for the CPU it runs on: the same faces scored pixels 0.357 on one machine, 0.317
# on another.
TIE_DRAWS = 3
TIE_SEED_STEP = 101  # seed, seed + 101, seed + 202: apart from the seeds the other samples use
MIN_SPACE_ITEMS = 60  # fewer items than this are clustered on their features (a UMAP needs neighbours)
# The density check of a table (choose_clusterer): HDBSCAN on the standardised columns replaces K-means when its
# clusters leave at most PIECES_NOISE of the rows as noise and share at most PIECES_LINKS of their PIECES_NEIGHBOURS
# nearest-neighbour links, while K-means' clusters cut at least twice that (and twice HDBSCAN's). Measured on 13
# tables (sklearn's moons at two noise levels, circles, anisotropic and varied-density blobs, blobs in 3 and 10
# dimensions, iris, wine, breast cancer, make_classification, generated 4-D and touching 2-D blobs): K-means on the
# clustering space cut 11-14 % of the links of the moons and circles (ARI 0.07), HDBSCAN's two pieces 0-0.2 % (ARI
# 0.97-1.0); on the other 9, HDBSCAN left 3-100 % of the rows as noise, or K-means cut under 2 % too, and K-means
# stays (on wine and breast cancer HDBSCAN reached ARI 0.23 and 0.0 against K-means' 0.80 and 0.78; anisotropic blobs
# 0.95 against 0.98).
PIECES_NOISE = 0.05
PIECES_LINKS = 0.01
PIECES_NEIGHBOURS = 15
PIECES_MAX_ITEMS = 20_000  # HDBSCAN and a kNN graph on the columns: seconds up to here; above, K-means stays


# A table whose every column holds two values (indicators) is clustered on those columns as they are, not on a
# clustering space of them standardised. 18 generated tables of categories read one-hot (engine.data.tables), 3 seeds
# each of: latent classes (3 groups × 8 questions, 5 × 12), a usual answer per group given 70 % or 50 % of the time
# (3 × 6, as UCI's mushrooms; 6 × 15), y / n votes (2 parties × 16, as UCI's congressional votes; 4 × 20): mean ARI
# on the default path (K = auto) 0.58 on the space of the standardised columns, 0.64 on those columns themselves,
# 0.78 on the space of the columns as they are, 0.82 on the columns as they are (better on 13, by up to 0.94; level
# on 1; worse on 4, by 0.01-0.07: latent classes 0.47 → 0.44 and 0.88 → 0.82, a usual answer at 50 % 0.82 → 0.80,
# votes 1.00 → 0.99; a usual answer at 70 %, 0.10 → 0.51, reached 0.73 on the space of the columns as they are). A
# standardised rare answer outweighs a common one, and rows of a few two-valued columns, many of them alike, tear a
# UMAP into pieces (K = 11-17 where there were 3). A full grid of categories with classes made by a rule (UCI's
# car evaluation) has no clusters either way (ARI 0.01 / 0.07).
def indicators(table: np.ndarray | None) -> bool:
    """Whether every column of ``table`` holds at most two values (0 / 1, one-hot categories, yes / no)."""
    if table is None or table.size == 0:
        return False
    # the first rows first: a table of measurements says no there, at once (decide runs on each page's redraw; the
    # whole of a 1,000,000 × 16 table took 0.1 s)
    return all(bool(((part == part.min(axis=0)) | (part == part.max(axis=0))).all())
               for part in (table[:1000], table) if len(part))


@dataclass(frozen=True)
class Decision:
    value: object
    reason: str


@dataclass
class Defaults:
    """A first run's config and, for each choice, why it was made (keys: features, space, clusterer, map)."""

    config: "Config"  # noqa: F821 (engine.pipeline.Config, imported lazily to keep the import graph acyclic)
    reasons: dict[str, str] = field(default_factory=dict)


def describe_images(dataset: Dataset) -> str:
    """"28 px grayscale images" / "640×480 colour photos": what the loader saw, for the reasons' sentences (for
    series: "300 series of 128 steps")."""
    if dataset.kind == "series":
        lengths = dataset.series_lengths()
        low, high = int(lengths.min()), int(lengths.max())
        return f"{len(dataset):,} series of {low if low == high else f'{low}-{high}'} steps"
    seen = dataset.originals()
    colour = "grayscale" if dataset.grayscale else "colour"
    size = seen["original_size"]
    width, height = size.split("×")
    return f"{width if width == height else size} px {colour} images"


def decide(dataset: Dataset, **overrides) -> Defaults:
    """The default config for ``dataset`` (``overrides`` replace any field), with the reason for each choice."""
    from engine.pipeline import Config

    kind, n = dataset.kind, len(dataset)
    reasons = {}
    features = available_for(kind)
    if kind == "images":
        candidates = feature_candidates(dataset)
        feature = AUTO if len(candidates) > 1 else "pixels"
        reasons["features"] = (
            f"chosen when you run: a {min(PROBE_ITEMS, n):,}-item probe"
            + (f" (first {FIRST_LOOK:,}, enough when one clearly leads)" if n > FIRST_LOOK else "") + " compares "
            f"{', '.join(in_sentence(candidate_label(c)) for c in candidates)} and keeps the one whose "
            "clusters are clearest and most repeatable (no labels used)"
            + (f"; the colour histogram only when it lifts the score by {COLOUR_LIFT:g} or more"
               if "combined:colours" in candidates else "") if feature == AUTO else
            "raw pixels: the pretrained encoder's weights are not installed")
    elif kind == "series" and n >= MIN_SPACE_ITEMS:
        feature = AUTO
        reasons["features"] = (
            f"chosen when you run: a {min(PROBE_ITEMS, n):,}-series probe compares the z-normalised series (their "
            "shapes in time) with their frequency spectrum (the same wherever a repeating pattern starts) and keeps "
            "the one whose clusters are clearest and most repeatable (no labels used)")
    else:
        feature = features[0]
        reasons["features"] = f"{in_sentence(FEATURES[feature].label)}: the one extractor for {dataset.kind_label}"
    config = Config(features=feature, reducer="umap", clusterer="kmeans", cluster_on="space")
    reasons["map"] = "a 2-D UMAP: it keeps neighbourhoods, so what is close on the map is close in the data"
    reasons["clusterer"] = ("K-means with K = auto: over K = 2..√n (at most 30, further while the K found sits "
                            "near the top), the finest K whose clusters come back on resampling and are nearly as "
                            "well separated (silhouette) as the best such K; every item gets a cluster")
    reasons["space"] = ("a 10-D UMAP with clustering settings (30 neighbours, min_dist 0): the 2-D map is for the "
                        "eyes and tears some neighbourhoods; 10 dimensions keep far more of them")
    if kind == "graph":
        config = replace(config, reducer="spring", clusterer="spectral_graph", cluster_on="features")
        reasons["map"] = "a spring layout: linked nodes are drawn close"
        reasons["clusterer"] = ("spectral clustering of the adjacency with K = auto, by the eigengap of the "
                                "normalised Laplacian: on karate, an LFR and a planted-partition graph it matched the "
                                "true communities better than Louvain (ARI 0.68 / 0.85 / 1.0 against 0.51 / 0.26 / "
                                "1.0), which splits sparse communities to gain modularity")
        reasons["space"] = "the graph's edges themselves (its adjacency), not the layout"
        from engine.data import graphs

        if n > graphs.DENSE_NODES:
            config = replace(config, clusterer="louvain_graph")
            reasons["map"] = (f"a UMAP of a spectral node embedding: past {graphs.DENSE_NODES:,} nodes a spring "
                              "layout costs too much")
            reasons["clusterer"] = (f"Louvain (igraph) on the graph's edges: past {graphs.DENSE_NODES:,} nodes the "
                                    "spectral default's eigen-decomposition costs minutes; Louvain finds K itself in "
                                    "seconds")
    elif kind == "series":
        config = replace(config, clusterer=AUTO if feature == AUTO else SERIES_CLUSTERER, cluster_on="features")
        reasons["clusterer"] = ("k-Shape with K = auto on the z-normalised series: it compares shapes whatever "
                                "their shift in time, and beat DTW K-means on 6 of 10 labelled series sets (mean ARI "
                                "0.45 against 0.36), in less time; its K is swept with k-Shape itself and the "
                                "silhouette under its shape distance (mean ARI 0.36 → 0.55 over 11 series sets "
                                "against K-means' sweep)"
                                + ("; K-means with K = auto on a clustering space of the spectrum when the probe picks "
                                   "the spectrum (its entries are frequencies, not time steps to align)"
                                   if feature == AUTO else ""))
        reasons["space"] = "the z-normalised series themselves" + (
            "; for the spectrum, a 10-D UMAP of it with clustering settings" if feature == AUTO else "")
    elif kind == "table" and n >= MIN_SPACE_ITEMS:
        config = replace(config, clusterer=AUTO)
        reasons["clusterer"] = (
            "chosen when you run: " + reasons["clusterer"] + "; unless HDBSCAN on the columns themselves finds "
            "that the rows fall apart into dense pieces which K-means cuts through (rings, crescents: shapes "
            f"K-means cannot follow); then those pieces (at most {PIECES_NOISE:.0%} of rows left as noise, at most "
            f"{PIECES_LINKS:.0%} of {PIECES_NEIGHBOURS} nearest-neighbour links between pieces, where K-means' "
            f"clusters cut at least {2 * PIECES_LINKS:.0%})")
    elif n < MIN_SPACE_ITEMS:
        config = replace(config, cluster_on="features")
        reasons["space"] = f"the features themselves: {n} items are too few for a UMAP of their neighbourhoods"
    if kind == "table" and n >= MIN_SPACE_ITEMS and indicators(dataset.table):
        config = replace(config, feature_params={"standardize": False}, cluster_on="features")
        reasons["features"] = ("the columns as they are, not standardised: each holds two values (categories "
                               "one-hot, yes / no answers), so two rows are as far apart as the number of columns "
                               "they differ in; standardised, a rare answer would outweigh a common one")
        reasons["space"] = ("the columns themselves: rows of two-valued columns, many of them alike, tear a UMAP "
                            "into pieces that pass for clusters (on 18 generated tables of categories, mean ARI 0.82 "
                            "on the columns as they are, 0.58 on a UMAP of them standardised)")
    if kind == "table" and n >= MIN_SPACE_ITEMS and dataset.table.shape[1] == 1:
        config = replace(config, cluster_on="features")
        reasons["space"] = ("the column itself: a UMAP of one column has nothing to reduce and tears it into pieces "
                            "that pass for clusters")
    for params, of in (("feature_params", "features"), ("reducer_params", "reducer"),
                       ("clusterer_params", "clusterer")):  # a parameter named keeps the defaults' others
        if params in overrides and overrides.get(of, getattr(config, of)) == getattr(config, of):
            overrides[params] = {**getattr(config, params), **overrides[params]}
    return Defaults(config=replace(config, **overrides), reasons=reasons)


# ---- the feature probe -------------------------------------------------------------------------------------------

@dataclass
class FeatureChoice:
    """The features a probe chose, the parameters to use them with, why, and each candidate's evidence."""

    features: str
    params: dict
    reason: str
    evidence: dict[str, dict] = field(default_factory=dict)
    seconds: float = 0.0
    # of those seconds, the encoder's rows extracted for the sample when the features chosen hold the encoder: the
    # run reads them back from disk instead of encoding those images again, so they are not the probe's own cost
    reused: float = 0.0

    def as_dict(self) -> dict:
        return {"features": self.features, "params": self.params, "reason": self.reason, "evidence": self.evidence,
                "seconds": self.seconds, "reused": self.reused}


# What the probe compares for series: their shapes in time, and their frequency spectrum. bench/series_probe.py
# (generated Cylinder-Bell-Funnel, synthetic control and phase-free sine / square / sawtooth sets at 3 seeds, and
# Trace): the score picked the spectrum for every phase-free set (0.52-0.61 against 0.37-0.48; ARI 0.57-0.70, where
# k-Shape on the series reached 0.09-0.30) and the series for every CBF and synthetic control set (0.40-0.49
# against 0.16-0.33; ARI 0.52-0.66 against 0.14-0.33). It was within 0.9 × the better ARI on 9 of 10; on Trace it
# picked the series (0.580 against 0.545; ARI 0.50 against 0.66). (With DTW K-means as the series' clusterer, before
# k-Shape: 8 of 10, one CBF seed at ARI 0.12 against 0.31.)
SERIES_CANDIDATES = ["znorm", "spectrum"]
# The clusterer of z-normalised series: k-Shape (shape-based distance, any shift) over DTW K-means (a 10 % band).
# Generated Cylinder-Bell-Funnel, synthetic control and phase-free wave sets at seeds 0-2 and Trace, on the default
# path with K = auto (ARI, DTW K-means → k-Shape): CBF 0.39 → 0.52, 0.27 → 0.66, 0.12 → 0.55; synthetic control
# 0.70 → 0.56, 0.66 → 0.59, 0.73 → 0.64; waves -0.01 → 0.09, 0.19 → 0.30, 0.03 → 0.09; Trace 0.50 → 0.50. Better on
# 6, level on 1, worse on 3 (synthetic control, whose classes differ by trends and level shifts that DTW keeps and a
# comparison free of shifts blurs); mean 0.36 → 0.45 (at the true K 0.35 → 0.48). Paparrizos & Gravano (2015) found
# k-Shape ahead of DTW-based K-means over the UCR archive. The runs took 0.3-2.3 s against 0.5-5.3 s.
SERIES_CLUSTERER = "kshape"


def feature_candidates(dataset: Dataset) -> list[str]:
    """Raw pixels always; when the pretrained encoder's weights are on this machine, the encoder, and pixels and
    the encoder side by side (``combined``; for colour images also with the colour histogram, as
    ``combined:colours``); a training run on this data when one finished (as ``learned:<run id>``). Series: their
    z-normalised values and their spectrum (:data:`SERIES_CANDIDATES`)."""
    from engine.encoders import ENCODERS

    if dataset.kind == "series":
        return list(SERIES_CANDIDATES)
    found = ["pixels"]
    if ENCODERS["efficientnet_lite0"].weights.cached_path() is not None:
        found += ["efficientnet_lite0", "combined"] + ([] if dataset.grayscale else ["combined:colours"])
    run = newest_training_run(dataset)
    if run is not None:
        found.append(f"learned:{run}")
    return found


def newest_training_run(dataset: Dataset) -> str | None:
    from engine.runs import RunStore

    try:
        runs = [r for r in RunStore().list(kind="train") if r.dataset.get("fingerprint") == dataset.fingerprint()]
    except Exception:  # an unreadable store must not stop a first run
        return None
    return runs[0].run_id if runs else None


def _candidate_features(dataset: Dataset, candidate: str, sample: np.ndarray, reporter: Reporter,
                        parts: dict[str, np.ndarray] | None = None) -> np.ndarray:
    """``candidate``'s features of the ``sample``; ``parts`` keeps each extractor's rows of it, so a combination
    reuses the pixels and encoder rows its single candidates already made."""
    from engine.features import combined

    parts = {} if parts is None else parts
    name, params = _config_of(candidate)
    if name == "combined":
        names = combined.PARTS[FEATURES["combined"].resolve(params)["parts"]]
        return combined.combine([_candidate_features(dataset, n, sample, reporter, parts) for n in names])
    if candidate not in parts:
        if name == "learned":
            from engine.runs import RunStore

            parts[candidate] = RunStore().arrays(params["run_id"])["embeddings"][sample]
        elif candidate == "efficientnet_lite0":
            from engine.features.pretrained import auto_size, rows

            # at the size the whole set would get, kept on disk: a run with these features does not encode them again
            parts[candidate] = rows(dataset, sample, auto_size(dataset), reporter)
        else:
            parts[candidate] = FEATURES[name].make(dataset.subset(sample), reporter=reporter,
                                                   **FEATURES[name].resolve(params))
    return parts[candidate]


def candidate_label(candidate: str) -> str:
    """"Raw pixels", "EfficientNet-Lite0", "Pixels + EfficientNet-Lite0 + colour histogram": a candidate's name for
    sentences."""
    name, params = _config_of(candidate)
    label = FEATURES[name].label.split(" (")[0]
    return label + " + colour histogram" if params.get("parts", "").endswith("colours") else label


def _config_of(candidate: str) -> tuple[str, dict]:
    if candidate.startswith("learned:"):
        return "learned", {"run_id": candidate.split(":", 1)[1]}
    if candidate == "combined:colours":
        return "combined", {"parts": "pixels+encoder+colours"}
    return candidate, {}


CHOICES = Memo(max_items=64)
_WARM_LOCK = threading.Lock()


def choose_features(dataset: Dataset, seed: int = 0, reporter: Reporter | None = None) -> FeatureChoice:
    """Which features cluster this dataset best, judged without labels on a sample of :data:`PROBE_ITEMS` items.

    Each candidate's features of the sample go through the same clustering space a run uses, then K-means for
    each K = 2..√n, scored by silhouette × stability (see ``engine.cluster.auto_k``): clusters that are both well
    separated and come back when the sample is resampled. A candidate scores the *mean* over K, not the best:
    a space that holds clusters at every scale beats one with a single clean split. Validated in
    ``bench/defaults.py``: on 10 labelled image sets the mean picked the features with the higher ARI 8 times,
    the best single K also 8 times but with worse misses (a 2-way split of 16-px digits by the pretrained
    encoder, ARI 0.05 against 0.91 for pixels). With pixels and the encoder side by side among the candidates,
    ``bench/feature_probe.py``: on 12 labelled image sets the best score picked features within 0.9 × the best
    candidate's ARI on 12, 11 and 12 of them at three samples (with :data:`COLOUR_LIFT`, see :func:`pick`), the
    combination on 5-6 of them (LFW faces 0.96, mnist5k 0.71, where each part alone reached 0.25 / 0.94 and
    0.56 / 0.52). Scores within ~0.02 of each other are a tie the probe cannot break (one UMAP seed's noise; the
    digits' pixels and pixels + encoder are one). The K range is K = 2..√n at most 30, not extended (the score is
    a mean over it). Kept per dataset (in memory and under ``$CLUSTERSCOPE_HOME/kept/defaults``), so it runs
    once."""
    candidates = feature_candidates(dataset)
    key = (dataset.fingerprint(), tuple(candidates), seed)
    reporter = ensure(reporter)

    def waiting() -> None:  # the probe began when the data was loaded (warm_features): its progress, as it goes
        fraction, message = _WARMING.get(key, (0.0, "under way"))
        reporter.update(fraction, f"choosing features (the probe began when the data was loaded): {message}")

    return CHOICES.get_or_compute(key, lambda: _load_or_probe(dataset, candidates, seed, reporter), waiting)


# The app starts the probe in the background as soon as a dataset is loaded (warm_features), so the first Run,
# pressed after a look at the data, finds the features chosen (the digits: ~11 s of a 16 s first run) or waits for
# the rest of the probe, its progress shown. One at a time; each one's latest progress, by its CHOICES key.
_WARMING: dict[tuple, tuple[float, str]] = {}
# Fewer items than this are not probed ahead: their probe is short (digits subsets, torch loaded: 20 items 0.4 s, 60
# items 1.6 s, 100 items 1.4 s, 200 items 2.3 s), so there is little to hide, and a background probe would only
# compete with what the user does next.
WARM_MIN_ITEMS = 100


def warm_features(dataset: Dataset, seed: int = 0) -> bool:
    """Start :func:`choose_features` for ``dataset`` in a background thread, where its features are chosen by the
    probe, it holds :data:`WARM_MIN_ITEMS` items or more, the choice is not kept yet and no other such probe is
    under way; whether one started. A failure is left for the run to meet again (it probes itself then)."""
    if len(dataset) < WARM_MIN_ITEMS or decide(dataset).config.features != AUTO:
        return False
    key = (dataset.fingerprint(), tuple(feature_candidates(dataset)), seed)
    with _WARM_LOCK:
        if _WARMING or key in CHOICES or CHOICES.pending(key):
            return False
        _WARMING[key] = (0.0, "starting")

    def probe_now() -> None:
        try:
            choose_features(dataset, seed, Reporter(lambda fraction, message: _WARMING.__setitem__(
                key, (fraction, message))))
        except Exception:  # the run probes again and says what went wrong
            pass
        finally:
            with _WARM_LOCK:
                _WARMING.pop(key, None)

    threading.Thread(target=probe_now, daemon=True, name="feature-probe").start()
    return True


def _load_or_probe(dataset: Dataset, candidates: list[str], seed: int, reporter: Reporter) -> FeatureChoice:
    """The choice kept on disk for this data, candidates and seed (an unreadable or older file: probe again)."""
    tag = "-".join(c.replace(":", "_") for c in candidates)
    return kept_json("defaults", f"{dataset.fingerprint()}-{tag}-{seed}",
                     lambda: probe(dataset, candidates, seed, reporter), FeatureChoice.as_dict,
                     lambda fields: FeatureChoice(**fields))


def probe(dataset: Dataset, candidates: list[str], seed: int = 0, reporter: Reporter | None = None) -> FeatureChoice:
    """Score each candidate on :data:`FIRST_LOOK` items, then those within :data:`CLEAR_LEAD` of the leader again
    on :data:`PROBE_ITEMS` (a superset: the encoder's rows are kept and not extracted again); when only the leader
    is that close, it stops at the first look."""
    reporter = ensure(reporter)
    start = time.perf_counter()
    order = np.random.default_rng(seed).permutation(len(dataset))
    looks = [m for m in (FIRST_LOOK, PROBE_ITEMS) if m < len(dataset)] + [min(PROBE_ITEMS, len(dataset))]
    looks = sorted(set(looks))
    evidence, contenders, encoding = {}, list(candidates), 0.0
    looking = reporter.stage(0.0, 0.8)
    for j, size in enumerate(looks):
        sample, parts = np.sort(order[:size]), {}  # each look's own rows of each extractor
        stage = looking.stage(0.4 * j, 0.4 + 0.6 * j) if len(looks) > 1 else looking
        found = _score_candidates(dataset, contenders, sample, seed, stage, parts)
        encoding += sum(e.get("encoder_seconds", 0.0) for e in found.values())
        evidence.update(found)
        top = max(e["score"] for e in found.values())
        contenders = [c for c in contenders if found[c]["score"] > top - CLEAR_LEAD]  # a trailing one is out
        if len(contenders) < 2:
            break
    found = settle_ties(found, lambda tied, draw, stage: _score_candidates(dataset, tied, sample, draw, stage, parts),
                        seed, reporter.stage(0.8, 1.0))
    evidence.update(found)
    winner = pick({c: e["score"] for c, e in found.items()},
                  {c: e["score"] for c, e in evidence.items()})
    name, params = _config_of(winner)
    others = [f"{in_sentence(e['label'])} {e['score']:.2f}"
              + (f" on {e['items']:,}" if e["items"] != len(sample) else "")
              + (f" (under {COLOUR_LIFT:g} above the same without the colour histogram: left out)"
                 if c == "combined:colours" and e["score"] > evidence[winner]["score"] else "")
              for c, e in evidence.items() if c != winner]
    early = " (a clear lead, so it stopped there)" if len(sample) < looks[-1] else ""
    drawn = len(found[winner].get("draws", [0]))
    noise = PROBE_NOISE / np.sqrt(drawn)  # a mean of more draws is that much less noisy
    tied = [e["label"] for c, e in found.items()
            if c != winner and abs(e["score"] - found[winner]["score"]) < noise]
    tied = tied[:1] + [in_sentence(label) for label in tied[1:]]  # the first starts a sentence
    reason = (f"{in_sentence(evidence[winner]['label'])}: your {describe_images(dataset)} clustered most clearly with "
              f"them on a {len(sample):,}-{'series' if dataset.kind == 'series' else 'item'} probe{early} "
              f"(mean {PROBE_SCORE} over K"
              + (f", those within {PROBE_NOISE:g} of the best averaged over {drawn} seeds" if drawn > 1 else "")
              + f": {evidence[winner]['score']:.2f}" + (f"; {', '.join(others)}" if others else "") + ")"
              + (f". {' and '.join(tied)} scored within {noise:.2g}"
                 + (f" over {drawn} seeds" if drawn > 1 else "")
                 + ", the probe's own noise: as good a guess, one pick away in Features" if tied else ""))
    uses_encoder = name == "efficientnet_lite0" or name == "combined"
    reused = encoding if uses_encoder else 0.0
    return FeatureChoice(features=name, params=params, reason=reason, evidence=evidence,
                         seconds=time.perf_counter() - start, reused=reused)


def series_clusterer(config):
    """What ``clusterer="auto"`` is for series once their features are known: :data:`SERIES_CLUSTERER` on the
    z-normalised series, K-means on a clustering space of any other features (the spectrum's entries are not steps
    in time)."""
    if config.features == "znorm":
        return replace(config, clusterer=SERIES_CLUSTERER, cluster_on="features")
    return replace(config, clusterer="kmeans", cluster_on="space")


def pick(scores: dict[str, float], earlier: dict[str, float] | None = None) -> str:
    """The candidate with the best score, except that pixels and the encoder with the colour histogram must score
    :data:`COLOUR_LIFT` above the two without it (``earlier``: every candidate's latest score, for one that left
    the probe at its first look)."""
    known = {**(earlier or {}), **scores}
    best = max(scores, key=scores.get)
    if best == "combined:colours" and "combined" in known and scores[best] < known["combined"] + COLOUR_LIFT:
        rest = {c: v for c, v in (scores if len(scores) > 1 else known).items() if c != best}
        if rest:
            return max(rest, key=rest.get)
    return best


def settle_ties(found: dict[str, dict], rescore, seed: int, reporter: Reporter | None = None) -> dict[str, dict]:
    """``found`` (each candidate's evidence at one look), with the candidates that scored within :data:`PROBE_NOISE`
    of the best scored again at :data:`TIE_DRAWS` - 1 more seeds (``rescore(candidates, seed, reporter)``: their
    evidence on the same sample at another UMAP and K-means seed) and ranked by the mean: its ``score``, and each
    draw's in ``draws``. A clear lead is left as it is."""
    reporter = ensure(reporter)
    top = max(e["score"] for e in found.values())
    tied = [c for c, e in found.items() if e["score"] > top - PROBE_NOISE]
    if len(tied) < 2:
        reporter.update(1.0, f"choosing features: no other candidate within {PROBE_NOISE:g} of the best")
        return found
    settled = {c: {**e} for c, e in found.items()}
    for c in tied:
        settled[c]["draws"] = [found[c]["score"]]
    for d in range(1, TIE_DRAWS):
        step = reporter.stage((d - 1) / (TIE_DRAWS - 1), d / (TIE_DRAWS - 1))
        step.update(0.0, f"choosing features: {len(tied)} candidates within {PROBE_NOISE:g}, scored at another seed "
                         f"({d + 1} of {TIE_DRAWS})")
        for c, e in rescore(tied, seed + TIE_SEED_STEP * d, step).items():
            settled[c]["draws"].append(e["score"])
            settled[c]["seconds"] = settled[c].get("seconds", 0.0) + e.get("seconds", 0.0)
    for c in tied:
        settled[c]["score"] = float(np.mean(settled[c]["draws"]))
    return settled


def _score_candidates(dataset: Dataset, candidates: list[str], sample: np.ndarray, seed: int,
                      reporter: Reporter, parts: dict[str, np.ndarray] | None = None) -> dict[str, dict]:
    """Each candidate's label-free score on ``sample``; ``parts`` keeps each extractor's rows of it for the next
    call on the same sample."""
    from engine.pipeline import clustering_space

    evidence, parts = {}, {} if parts is None else parts
    for i, candidate in enumerate(candidates):
        step = reporter.stage(i / len(candidates), (i + 1) / len(candidates))
        label = candidate_label(candidate)
        step.update(0.0, f"choosing features: trying {in_sentence(label)} on {len(sample):,} items")
        mark = time.perf_counter()
        encoded = "efficientnet_lite0" in parts
        features = _candidate_features(dataset, candidate, sample, step.stage(0.0, 0.5), parts)
        encoder_seconds = time.perf_counter() - mark if "efficientnet_lite0" in parts and not encoded else 0.0
        space = clustering_space(features, seed=seed, epochs=PROBE_EPOCHS) if len(sample) >= MIN_SPACE_ITEMS \
            else features
        k = by_silhouette_and_stability(space, seed=seed, reporter=step.stage(0.6, 1.0), extend=False)
        evidence[candidate] = {"label": label, "score": float(np.mean(k.score)), "k": k.k, "items": len(sample),
                               "silhouette": float(np.mean(k.evidence["silhouette"])),
                               "stability": float(np.mean(k.evidence["stability"])),
                               "seconds": time.perf_counter() - mark, "encoder_seconds": encoder_seconds}
    return evidence


# ---- the density check of a table ---------------------------------------------------------------------------

@dataclass
class ClustererChoice:
    """What ``clusterer="auto"`` became, why, and the numbers behind it."""

    clusterer: str
    reason: str
    evidence: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return {"clusterer": self.clusterer, "reason": self.reason, "evidence": self.evidence}


def links_cut(X: np.ndarray, labels: np.ndarray, k: int = PIECES_NEIGHBOURS) -> float:
    """The share of each clustered item's ``k`` nearest-neighbour links (among clustered items: noise left out)
    that join two different clusters."""
    from engine.metrics.trust import neighbours

    inside = labels >= 0
    X, labels = X[inside], labels[inside]
    if len(X) <= k:
        return 1.0
    return float(np.mean(labels[neighbours(X, k)] != labels[:, None]))


def choose_clusterer(features: np.ndarray, kmeans_labels: np.ndarray,
                     reporter: Reporter | None = None) -> tuple[ClustererChoice, object | None]:
    """K-means (its ``kmeans_labels``, from the clustering space) or HDBSCAN on the table's standardised columns
    (``features``), by the density check described at :data:`PIECES_NOISE`; HDBSCAN's clustering when it wins."""
    from engine.cluster import cluster

    reporter = ensure(reporter)
    kmeans = f"K-means with K = auto ({len(np.unique(kmeans_labels))} clusters)"
    if len(features) > PIECES_MAX_ITEMS:
        return ClustererChoice("kmeans", f"{kmeans}: the density check (HDBSCAN on the columns) runs on up to "
                                         f"{PIECES_MAX_ITEMS:,} rows"), None
    reporter.update(0.0, "density check: HDBSCAN on the columns")
    fitted = cluster(features, "hdbscan", {})
    density = fitted.labels
    found, noise = int(density.max(initial=-1) + 1), float(np.mean(density < 0))
    reporter.update(0.6, "density check: nearest-neighbour links")
    cut_kmeans = links_cut(features, kmeans_labels)
    evidence = {"kmeans_links_cut": cut_kmeans, "hdbscan_clusters": found, "hdbscan_noise": noise}
    if found < 2:
        why = "HDBSCAN on the columns found no dense pieces"
    elif noise > PIECES_NOISE:
        why = f"HDBSCAN on the columns left {noise:.0%} of the rows as noise"
    else:
        cut = evidence["hdbscan_links_cut"] = links_cut(features, density)
        if cut <= PIECES_LINKS and cut_kmeans >= 2 * max(cut, PIECES_LINKS):
            reporter.update(1.0, "density check done")
            return ClustererChoice("hdbscan", (
                f"HDBSCAN on the columns: your rows fall apart into {found} dense pieces (they share {cut:.1%} of "
                f"their {PIECES_NEIGHBOURS} nearest-neighbour links; {noise:.0%} of rows left as noise), which "
                f"{kmeans} cut through ({cut_kmeans:.1%} of links cut)"), evidence), fitted
        why = (f"HDBSCAN's {found} clusters on the columns share {cut:.1%} of their nearest-neighbour links, "
               f"K-means' {cut_kmeans:.1%}")
    reporter.update(1.0, "density check done")
    return ClustererChoice("kmeans", f"{kmeans}: {why}, so the table does not fall apart into pieces K-means "
                                     "would cut through", evidence), None


def run_reasons(result) -> list[str]:
    """What a finished run used and, where it was chosen for the user, why: one sentence each (features, the
    space it clustered, K)."""
    from engine.cluster.auto_k import k_sentence

    metrics = result.metrics
    choice = metrics.get("feature_choice")
    lines = [f"**Features**: {choice['reason']}." if choice else
             f"**Features**: {in_sentence(FEATURES[result.config.features].label)}, as chosen."]
    if metrics.get("clusterer_choice"):
        lines.append(f"**Clusterer**: {metrics['clusterer_choice']['reason']}.")
    if metrics.get("clustered"):
        lines.append(f"**Clustered on** {metrics['clustered']}.")
    if metrics.get("k_choice"):
        lines.append(f"**{k_sentence(metrics['k_choice'])}**; the Metrics page shows each K's evidence.")
    for note in metrics.get("scaled", []):
        lines.append(f"**At this size**, {note}.")
    for note in metrics.get("ran_on", []):
        lines.append(f"**Where it ran**: {note}.")
    return lines
