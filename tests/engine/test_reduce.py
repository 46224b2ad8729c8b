import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.metrics import adjusted_rand_score

from engine.reduce import reduce, reducers_for


@pytest.mark.parametrize("name", reducers_for("table"))  # the spring layout is for graphs
@pytest.mark.parametrize("dims", [2, 3])
def test_every_reducer_keeps_separated_blobs_separated(name, dims, blobs, digits_result):
    X, y = blobs  # digits_result: UMAP's JIT is already warm
    embedding = reduce(X, name, n_components=dims, seed=0)
    assert embedding.shape == (len(X), dims) and embedding.dtype == np.float32
    assert np.isfinite(embedding).all()
    found = KMeans(4, n_init=4, random_state=0).fit_predict(embedding)
    assert adjusted_rand_score(y, found) > 0.95


def test_same_seed_same_embedding(blobs):
    X, _ = blobs
    assert np.array_equal(reduce(X, "pca", seed=1), reduce(X, "pca", seed=1))


def test_bad_requests_are_clear():
    X = np.random.default_rng(0).normal(size=(50, 4))
    with pytest.raises(ValueError, match="2 or 3"):
        reduce(X, "pca", n_components=4)
    with pytest.raises(ValueError, match="unknown reducer"):
        reduce(X, "isomap")
    with pytest.raises(ValueError, match="need more than"):
        reduce(X[:3], "pca")


def test_one_column_table_is_padded_for_plotting():
    X = np.arange(20, dtype=np.float32).reshape(20, 1)
    assert reduce(X, "pca").shape == (20, 2)


def test_umap_on_digits_keeps_classes_apart(digits, digits_result):
    from sklearn.model_selection import cross_val_score
    from sklearn.neighbors import KNeighborsClassifier

    score = cross_val_score(KNeighborsClassifier(10), digits_result.embedding, digits.labels, cv=5).mean()
    assert score > 0.9


def test_umap_on_a_small_set_takes_faiss_neighbours_and_gives_umap_learns_own_map(digits):
    """Below 4,096 rows the neighbours come from FAISS (umap-learn would call a distance per pair from Python);
    they are the same to the bit, so the map is the one umap-learn gives on its own."""
    import umap

    from engine.reduce import umap_

    X = digits.images[:400, ..., 0].reshape(400, -1).astype(np.float32) / 255.0
    ours_model = umap_.make(n_components=3, seed=0, n_neighbors=12, min_dist=0.0)
    ours = ours_model.fit_transform(X)
    theirs = umap.UMAP(n_components=3, n_neighbors=12, min_dist=0.0, random_state=0).fit_transform(X)
    assert np.array_equal(ours, theirs)
    indices, distances = umap_.exact_neighbours(X, np.argsort(((X[:, None] - X[None]) ** 2).sum(-1), axis=1)[:, :12])
    assert (indices[:, 0] == np.arange(400)).all() and (distances[:, 0] == 0).all()
    assert (np.diff(distances, axis=1) >= 0).all()


def test_repeated_rows_are_embedded_once_and_share_their_point(digits_result):
    """A row repeated more often than n_neighbors finds only itself: umap-learn tears such copies apart, and the K
    sweep counts each stack of copies as a cluster. Three groups of 100 in two columns, 50 of the rows written 20
    times more (as tables with repeated records come): before, 36 clusters (ARI 0.11); the groups stay whole, and
    every copy sits on its original."""
    from engine.api import default_config, run
    from engine.data.tables import _table_dataset
    from engine.reduce import umap_
    from engine.scale import distinct_rows

    rng = np.random.default_rng(0)
    groups = np.repeat([0, 1, 2], 100)
    X = np.c_[3.0 * groups, -2.0 * groups] + rng.normal(size=(300, 2))
    rng.choice(300, 100, replace=False)  # (the draws of bench's other cases, kept so the rows are the same)
    few = rng.choice(300, 50, replace=False)
    X, groups = np.r_[X, np.repeat(X[few], 20, axis=0)].astype(np.float32), np.r_[groups, np.repeat(groups[few], 20)]
    first, position = distinct_rows(X)
    assert first.tolist() == list(range(300)) and np.array_equal(X[first][position], X)
    embedding = umap_.make(n_components=2, seed=0, n_neighbors=30, min_dist=0.0).fit_transform(X)
    assert np.array_equal(embedding[300:], np.repeat(embedding[few], 20, axis=0))
    data = _table_dataset("repeated", X, [str(g) for g in groups])
    result = run(data, default_config(data))
    assert result.metrics["n_clusters"] <= 4 and result.metrics["ari"] > 0.8


def test_tsne_embeds_repeated_rows_once_and_copies_of_one_row_at_the_origin():
    """openTSNE divided by the zero spread of ten copies of one image and crashed the process (a segmentation
    fault, run in a child here so a crash fails this test instead of ending the session)."""
    import subprocess
    import sys

    code = ("import numpy as np\nfrom engine.reduce import reduce\n"
            "E = reduce(np.full((10, 1024), 0.5, dtype=np.float32), 'tsne', seed=0)\n"
            "assert E.shape == (10, 2) and (E == 0).all(), E\n"
            "rng = np.random.default_rng(0)\n"
            "X = np.r_[rng.normal(size=(40, 3)), rng.normal(size=(40, 3)) + 8].astype(np.float32)\n"
            "X = np.r_[X, np.repeat(X[:5], 30, axis=0)]\n"
            "E = reduce(X, 'tsne', seed=0)\n"
            "assert np.array_equal(E[80:], np.repeat(E[:5], 30, axis=0)) and np.isfinite(E).all()\n"
            "near = np.linalg.norm(E[:40].mean(0) - E[40:80].mean(0))\n"
            "assert near > 3 * max(E[:40].std(0).max(), E[40:80].std(0).max()), near\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
