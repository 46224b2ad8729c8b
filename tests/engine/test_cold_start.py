"""A cold process pays only for what its command needs: reading the registries (menus, the CLI's parser,
``python -m engine methods``) loads no torch, lightly, scikit-learn or UMAP; building an encoder or a method does.
Figures (seconds, RSS) are in ``bench/cold_start.py``, not asserted here."""

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("torch", "torchvision", "lightly", "sklearn", "umap", "numba", "tslearn", "hdbscan", "dask")


def loaded_after(code: str) -> dict:
    """Which of :data:`HEAVY` a fresh interpreter holds after running ``code``."""
    probe = code + f"\nimport json, sys\nprint(json.dumps({{m: m in sys.modules for m in {HEAVY!r}}}))\n"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, check=True, timeout=300, capture_output=True,
                         text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def test_menus_and_the_cli_parser_load_no_heavy_library():
    loaded = loaded_after(
        "from engine import api, cli\n"
        "cli.build_parser()\n"
        "for registry in (api.FEATURES, api.REDUCERS, api.CLUSTERERS, api.METHODS):\n"
        "    for entry in registry.values(): entry.resolve()\n"
        "[e.weights.status() for e in api.ENCODERS.values() if e.weights]\n"
        "api.recommended('dino')\n")
    assert not any(loaded.values()), [m for m, on in loaded.items() if on]


def test_the_methods_command_lists_every_registry_without_torch():
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "engine", "methods"], cwd=ROOT, check=True,
                         timeout=300, capture_output=True, text=True)
    assert "self-supervised methods:" in out.stdout and "  dino " in out.stdout and "  hdbscan " in out.stdout
    imported = {line.split("|")[-1].strip() for line in out.stderr.splitlines() if line.startswith("import time")}
    assert not imported & set(HEAVY), imported & set(HEAVY)


def test_building_what_needs_torch_still_loads_it_on_first_use():
    loaded = loaded_after(
        "from engine.encoders import build\n"
        "from engine.ssl import build as build_method\n"
        "method = build_method('simclr', build('small_cnn', 8), 8, 10)\n"
        "assert type(method).__name__ == 'SimCLR' and method.projection is not None\n")
    assert loaded["torch"] and loaded["lightly"]


def test_a_clusterer_fits_through_its_deferred_imports():
    loaded = loaded_after(
        "import numpy as np\n"
        "from engine.cluster import CLUSTERERS\n"
        "X = np.r_[np.zeros((20, 2)), np.ones((20, 2)) * 5] + np.random.default_rng(0).normal(0, .1, (40, 2))\n"
        "for name in ('kmeans', 'dbscan', 'hdbscan'):\n"
        "    e = CLUSTERERS[name]\n"
        "    p = e.resolve({'n_clusters': 2} if 'k' in e.tags else {})\n"
        "    labels = e.make(seed=0, n_items=40, **p).fit_predict(X)\n"
        "    assert len(set(labels[:20])) == 1 and labels[0] != labels[-1], (name, labels)\n")
    assert loaded["sklearn"]


def test_features_read_back_from_the_cache_load_no_torch(tmp_path):
    """A run on cached encoder features (the digits' default: pixels and the encoder side by side) reads them from
    disk; deciding their cache file's size asks no CUDA question of torch for sets this small."""
    first = loaded_after(
        f"import os; os.environ['CLUSTERSCOPE_HOME'] = {str(tmp_path)!r}\n"
        "from engine.data import DEMOS\n"
        "from engine.features import FEATURES\n"
        "digits = DEMOS['digits']().subset(list(range(40)))\n"
        "FEATURES['efficientnet_lite0'].make(digits)\n")
    assert first["torch"]  # extracting them needs the network
    again = loaded_after(
        f"import os; os.environ['CLUSTERSCOPE_HOME'] = {str(tmp_path)!r}\n"
        "from engine.data import DEMOS\n"
        "from engine.features import FEATURES\n"
        "digits = DEMOS['digits']().subset(list(range(40)))\n"
        "X = FEATURES['combined'].make(digits)\n"
        "assert X.shape == (40, 64 + 1280), X.shape\n")  # 40 items: too few for 50 components, parts kept whole
    assert not again["torch"], again


def test_a_second_process_reads_the_clustering_space_and_k_from_disk(tmp_path):
    """The default run's costly steps on features it has (the 2-D map, the 10-D clustering space, the K sweep) are
    kept on disk: a new process with the same data gets the same map and clusters without importing UMAP or
    numba."""
    code = (f"import os; os.environ['CLUSTERSCOPE_HOME'] = {str(tmp_path)!r}\n"
            "import json\n"
            "from sklearn.datasets import make_blobs\n"
            "from engine import api\n"
            "X, y = make_blobs(n_samples=600, n_features=20, centers=5, random_state=1)\n"
            "data = api.Dataset(name='blobs', item_names=[str(i) for i in range(600)], table=X.astype('float32'),"
            " labels=y)\n"
            "config = api.default_config(data)\n"
            "result = api.run(data, config)\n"
            "print(json.dumps([config.cluster_on, result.labels.tolist(), result.metrics['k_choice']['k'],"
            " result.embedding.round(5).tolist()]))\n")
    probe = code + f"import sys\nprint(json.dumps({{m: m in sys.modules for m in {HEAVY!r}}}))\n"

    def run() -> tuple[list, dict]:
        out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, check=True, timeout=300, capture_output=True,
                             text=True).stdout.strip().splitlines()
        return json.loads(out[-2]), json.loads(out[-1])

    (space, labels, k, embedding), first = run()
    assert space == "space" and first["umap"] and k == 5
    (_, labels_again, k_again, embedding_again), again = run()
    assert labels_again == labels and k_again == k and embedding_again == embedding
    assert not again["umap"] and not again["numba"], again
    assert len(list((tmp_path / "kept" / "space").glob("*.npy"))) == 1
    assert len(list((tmp_path / "kept" / "k").glob("*.json"))) == 1
    assert len(list((tmp_path / "kept" / "map").glob("*.npy"))) == 1
