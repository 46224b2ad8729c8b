"""Clusters forming during training (issue 15, item 1): checkpoint scores, aligned maps, the best checkpoint."""

from __future__ import annotations

import json

import numpy as np
import pytest
from sklearn.datasets import make_blobs

from engine import api
from engine.cli import main
from engine.features.learned import learned_features
from engine.runs import RunStore
from engine.train import watch as W


def blob_dataset(labelled: bool) -> api.Dataset:
    X, y = make_blobs(300, centers=4, n_features=8, random_state=0)
    return api.Dataset(name="watched", item_names=[str(i) for i in range(300)], table=X.astype(np.float32),
                       labels=y if labelled else None, class_names=list("abcd") if labelled else None)


def feed(watch: W.Watch, stages: list[np.ndarray], start: int = 0) -> None:
    """Checkpoints 0..3 of a pretend run, from ``start``."""
    for i, Z in enumerate(stages, start):
        watch.evaluate(lambda idx, Z=Z: Z[idx], epoch=i, step=0, progress=i / 3, elapsed=float(i))


def stages() -> list[np.ndarray]:
    """Noise, then the blobs coming out, then clear blobs, then collapsing again: best in the middle."""
    X, _ = make_blobs(300, centers=4, n_features=8, cluster_std=0.5, random_state=0)
    noise = np.random.default_rng(1).normal(size=X.shape) * 6
    return [noise, 0.5 * X + noise * 0.6, X, 0.1 * X + noise]


def test_the_best_checkpoint_is_chosen_without_labels():
    labelled, blind = W.Watch(blob_dataset(True)), W.Watch(blob_dataset(False))
    feed(labelled, stages())
    feed(blind, stages())
    assert labelled.best() == blind.best() == 2  # the clearest clusters, not the last checkpoint
    assert [r["silhouette"] for r in labelled.records] == [r["silhouette"] for r in blind.records]
    assert "knn_acc" in labelled.records[2] and "knn_acc" not in blind.records[2]
    assert labelled.records[2]["kmeans_ari"] > 0.9 > labelled.records[0]["kmeans_ari"]
    assert labelled.records[0]["agreement"] is None and labelled.records[2]["agreement"] is not None


def test_checkpoint_maps_are_aligned_so_points_do_not_jump():
    X, _ = make_blobs(300, centers=4, n_features=8, random_state=0)
    turn, _ = np.linalg.qr(np.random.default_rng(0).normal(size=(8, 8)))
    watch = W.Watch(blob_dataset(False))
    feed(watch, [X, 3.0 * X @ turn])  # the same embedding, turned and scaled (cosine geometry unchanged)
    assert np.abs(watch.maps[1] - watch.maps[0]).max() < 0.05
    mirrored = W.Watch(blob_dataset(False))
    feed(mirrored, [X, X * np.r_[-1.0, np.ones(7)]])
    assert np.abs(mirrored.maps[1] - mirrored.maps[0]).max() < 0.05
    assert np.abs(watch.maps[0]).max() > 0.5  # (the maps are not trivially small: the checks above mean something)


def test_evaluations_wait_while_they_cost_more_than_their_share():
    watch = W.Watch(blob_dataset(False))
    assert watch.due(0.0, 0.0)
    feed(watch, [stages()[0]])
    assert not watch.due(0.05, 100.0)  # not a tenth of the run further yet
    watch.seconds = 10.0
    assert not watch.due(0.5, 100.0) and watch.due(0.5, 10.0 / W.SHARE)


@pytest.fixture
def own_home(tmp_path, monkeypatch):
    """A store of its own: training runs on the digits demo here must not join the session's (other tests count
    the digits' training runs)."""
    monkeypatch.setenv("CLUSTERSCOPE_HOME", str(tmp_path))
    return tmp_path


def test_train_json_reports_checkpoints_in_time_order_and_the_best_one(digits, monkeypatch, capsys, own_home):
    monkeypatch.setattr(W, "SHARE", 1.0)  # a run this short would otherwise skip most evaluations
    code = main(["train", "--data", "digits", "--method", "simclr", "--epochs", "5", "--batch-size", "128",
                 "--image-size", "8", "--json"])
    final = json.loads(capsys.readouterr().out)
    assert code == 0 and final["state"] == "done", final
    checkpoints = final["checkpoints"]
    assert len(checkpoints) >= 6 and checkpoints[0]["progress"] == 0.0 and checkpoints[-1]["progress"] == 1.0
    times, progress = [c["time"] for c in checkpoints], [c["progress"] for c in checkpoints]
    assert times == sorted(times) and progress == sorted(progress) and len(set(progress)) == len(progress)
    for c in checkpoints:
        assert -1 <= c["silhouette"] <= 1 and 0 <= c["knn_acc"] <= 1 and c["seconds"] > 0
    assert checkpoints[-1]["knn_acc"] > checkpoints[0]["knn_acc"]  # training taught the encoder something
    best = final["metrics"]["best_checkpoint"]
    assert best == max(range(1, len(checkpoints)), key=lambda i: checkpoints[i]["silhouette"])
    arrays = RunStore().arrays(final["run_id"])
    assert arrays["checkpoint_maps"].shape == (len(checkpoints), 1000, 2) and len(arrays["checkpoint_sample"]) == 1000
    assert ("best_embeddings" in arrays) == (best != len(checkpoints) - 1)


def test_training_stops_early_once_the_clusters_settle(monkeypatch, capsys, own_home):
    monkeypatch.setattr(W, "SHARE", 1.0)
    monkeypatch.setattr(W, "SETTLED", -1.0)  # every agreement counts as settled: the stop comes at the third
    code = main(["train", "--data", "digits", "--method", "simclr", "--epochs", "30", "--batch-size", "128",
                 "--image-size", "8", "--stop-when-settled", "--json"])
    final = json.loads(capsys.readouterr().out)
    assert code == 0 and final["metrics"]["stopped_early"] is True, final
    assert len(final["checkpoints"]) == 1 + W.SETTLED_FOR and final["metrics"]["epochs"] < 30
    assert final["checkpoints"][-1]["progress"] < 1.0


def test_the_learned_features_offer_the_best_checkpoint(digits, own_home):
    store = RunStore()
    last, best = np.zeros((len(digits), 4), np.float32), np.ones((len(digits), 4), np.float32)
    record = store.save("train", {"name": digits.name, "fingerprint": digits.fingerprint(), "n_items": len(digits)},
                        {}, {"best_checkpoint": 3}, {}, {"embeddings": last, "best_embeddings": best})
    assert np.array_equal(learned_features(digits, record.run_id), last)
    assert np.array_equal(learned_features(digits, record.run_id, checkpoint="best"), best)
    plain = store.save("train", {"name": digits.name, "fingerprint": digits.fingerprint(), "n_items": len(digits)},
                       {}, {}, {}, {"embeddings": last})
    assert np.array_equal(learned_features(digits, plain.run_id, checkpoint="best"), last)  # the last was the best


@pytest.mark.parametrize("labelled", [True, False])
def test_a_watch_survives_a_checkpoint(labelled):
    watch = W.Watch(blob_dataset(labelled))
    feed(watch, stages()[:2])
    again = W.Watch(blob_dataset(labelled))
    again.load(watch.state())
    assert again.records == watch.records and np.array_equal(again.maps[1], watch.maps[1])
    feed(again, stages()[2:3], start=2)
    assert again.records[-1]["agreement"] is not None
