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
