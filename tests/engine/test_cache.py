"""Results kept on disk (``engine.cache.kept``): read back by key, computed again when the file is torn or the key
changes, and pruned to the newest files."""

import numpy as np
import pytest

from engine import cache


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("CLUSTERSCOPE_HOME", str(tmp_path))
    return tmp_path


def test_a_kept_array_is_computed_once_per_key(home):
    calls = []

    def compute():
        calls.append(1)
        return np.arange(6, dtype=np.float32).reshape(2, 3) * len(calls)

    first = cache.kept_array("space", "abc", compute)
    again = cache.kept_array("space", "abc", compute)
    np.testing.assert_array_equal(first, again)
    assert len(calls) == 1
    other = cache.kept_array("space", "abd", compute)
    assert len(calls) == 2 and other[1, 2] == 10


def test_a_torn_file_is_computed_again(home):
    cache.kept_array("space", "key", lambda: np.ones(4))
    (home / "kept" / "space" / "key.npy").write_bytes(b"\x93NUMPY torn")
    np.testing.assert_array_equal(cache.kept_array("space", "key", lambda: np.zeros(4)), np.zeros(4))


def test_the_digest_reads_content_shape_and_type():
    a = np.arange(12, dtype=np.float32)
    assert cache.digest(a, 1) == cache.digest(a.copy(), 1)
    assert cache.digest(a, 1) != cache.digest(a, 2)
    assert cache.digest(a) != cache.digest(a.reshape(3, 4))
    assert cache.digest(a) != cache.digest(a.astype(np.float64))
    b = a.copy()
    b[7] += 1e-6
    assert cache.digest(a) != cache.digest(b)
    assert cache.digest(a[::2]) == cache.digest(np.ascontiguousarray(a[::2]))


def test_only_the_newest_files_are_kept(home, monkeypatch):
    monkeypatch.setattr(cache, "KEPT_FILES", 3)
    import os
    import time

    for i in range(5):
        cache.kept_array("k", f"key{i}", lambda: np.zeros(1))
        path = home / "kept" / "k" / f"key{i}.npy"
        os.utime(path, (time.time() - 100 + i, time.time() - 100 + i))
    assert sorted(p.stem for p in (home / "kept" / "k").glob("*.npy")) == ["key2", "key3", "key4"]


def test_the_k_choice_is_kept_and_follows_the_data(home):
    from sklearn.datasets import make_blobs

    from engine.cluster import choose_k

    X, _ = make_blobs(n_samples=300, n_features=4, centers=4, random_state=0)
    first = choose_k(X, "kmeans", seed=0)
    assert first.k == 4 and len(list((home / "kept" / "k").glob("*.json"))) == 1
    assert choose_k(X, "kmeans", seed=0) == first
    assert len(list((home / "kept" / "k").glob("*.json"))) == 1
    choose_k(X[:200], "kmeans", seed=0)
    assert len(list((home / "kept" / "k").glob("*.json"))) == 2


def test_sparse_matrices_are_told_apart_by_content():
    from scipy import sparse

    a = sparse.random(50, 50, density=0.1, random_state=0, format="csr")
    b = a.copy()
    b.data[0] += 1.0
    assert cache.digest(a) == cache.digest(a.tocoo())
    assert cache.digest(a) != cache.digest(b)


def test_benchmarks_can_turn_keeping_off(home, monkeypatch):
    monkeypatch.setenv(cache.KEEP_VAR, "0")
    calls = []
    for _ in range(2):
        cache.kept_array("space", "key", lambda: calls.append(1) or np.ones(2))
    assert len(calls) == 2 and not (home / "kept").exists()
