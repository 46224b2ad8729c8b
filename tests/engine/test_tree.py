"""The dendrogram's tree: cuts agree with SciPy, sampling covers every item, the layout partitions the leaves."""

import numpy as np
import pytest
from scipy.cluster import hierarchy
from sklearn.metrics import adjusted_rand_score

from engine.cluster.tree import LINKAGES, build_tree, cut, height_for_k, layout


def same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    pairs = set(zip(a.tolist(), b.tolist()))
    return len(pairs) == len(set(a.tolist())) == len(set(b.tolist()))


@pytest.mark.parametrize("method", LINKAGES)
@pytest.mark.parametrize("k", [2, 7, 10])
def test_the_cut_matches_scipy_fcluster_for_the_same_k(digits, method, k):
    X = digits.images[..., 0].reshape(len(digits), -1).astype(float)
    labels = cut(build_tree(X, method), X, k=k)
    reference = hierarchy.fcluster(hierarchy.linkage(X, method), t=k, criterion="maxclust")
    assert same_partition(labels, reference)
    assert np.bincount(labels).tolist() == sorted(np.bincount(reference)[1:].tolist(), reverse=True)  # by size


def test_a_height_between_merges_gives_k_clusters(blobs):
    X, _ = blobs
    tree = build_tree(X, "average")
    for k in (2, 4, 9):
        assert len(np.unique(cut(tree, X, height=height_for_k(tree, k)))) == k
    with pytest.raises(ValueError):
        cut(tree, X)


def test_a_sampled_tree_labels_every_item(blobs):
    X, y = blobs
    tree = build_tree(X, "ward", max_items=100)
    assert tree.sampled and len(tree.members) == 100
    labels = cut(tree, X, k=4)
    assert len(labels) == len(X) and adjusted_rand_score(y, labels) == 1.0


def test_the_layout_draws_the_top_merges_and_partitions_the_items(blobs):
    X, _ = blobs
    tree = build_tree(X, "ward")
    labels = cut(tree, X, k=4)
    lay = layout(tree, labels, height_for_k(tree, 4), leaves=20)
    assert len(lay.segments) == 19 and len(lay.leaf_items) == 20
    assert sorted(np.concatenate(lay.leaf_items).tolist()) == list(range(len(X)))
    for items, cluster in zip(lay.leaf_items, lay.leaf_cluster):
        assert (labels[items] == cluster).all()  # 20 leaves, 4 clusters: no leaf spans two
    above = [group for _, ys, group in lay.segments if ys[1] > lay.cut_height]
    assert len(above) == 3 and set(above) == {-1}  # the 3 merges that join the 4 clusters are above the cut


def test_a_deep_single_linkage_chain_lays_out(tmp_path):
    X = np.cumsum(np.random.default_rng(0).random((3000, 1)), axis=0)  # a line: single linkage is 3,000 deep
    tree = build_tree(X, "single")
    lay = layout(tree, cut(tree, X, k=3), height_for_k(tree, 3))
    assert sum(len(items) for items in lay.leaf_items) == 3000


def test_an_unknown_linkage_is_refused(blobs):
    with pytest.raises(ValueError, match="linkage"):
        build_tree(blobs[0], "centroid")
