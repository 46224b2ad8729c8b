import os

import numpy as np
import pytest

from engine.runs import RunStore, default_root


def save_one(store, **extra):
    return store.save("cluster", {"name": "d", "fingerprint": "f"}, {"clusterer": "kmeans"}, {"ari": 0.5},
                      {"seconds": 1.0}, {"labels": np.arange(5), **extra})


def test_runs_round_trip_and_survive_a_restart(tmp_path):
    record = save_one(RunStore(tmp_path))
    reopened = RunStore(tmp_path)  # a new process would do the same
    assert [r.run_id for r in reopened.list()] == [record.run_id]
    assert reopened.get(record.run_id).metrics == {"ari": 0.5}
    assert reopened.arrays(record.run_id)["labels"].tolist() == [0, 1, 2, 3, 4]


def test_newest_first_and_delete(tmp_path):
    store = RunStore(tmp_path)
    first, second = save_one(store), save_one(store)
    assert [r.run_id for r in store.list()] == [second.run_id, first.run_id]
    store.delete(first.run_id)
    assert [r.run_id for r in store.list()] == [second.run_id]
    assert not (store.runs_dir / first.run_id).exists()


@pytest.mark.parametrize("breakage", ["object array", "unstorable metric"])
def test_a_failed_write_leaves_no_half_run(tmp_path, breakage):
    store = RunStore(tmp_path)
    with pytest.raises((TypeError, ValueError)):
        if breakage == "object array":  # fails while writing arrays
            save_one(store, bad=np.array([object()], dtype=object))
        else:  # fails after the arrays, while writing meta.json
            store.save("cluster", {"name": "d"}, {}, {"ari": object()}, {}, {"labels": np.arange(3)})
    assert store.list() == []
    assert [p.name for p in store.runs_dir.iterdir()] == []


def test_a_crash_mid_write_is_cleaned_and_a_lost_index_row_is_recovered(tmp_path):
    store = RunStore(tmp_path)
    record = save_one(store)
    (store.runs_dir / ".tmp-20990101-000000-abcdef").mkdir()  # a crash while writing
    with store._connect() as db:  # a crash after the rename, before the index commit
        db.execute("DELETE FROM runs")
    reopened = RunStore(tmp_path)
    assert [r.run_id for r in reopened.list()] == [record.run_id]
    assert not any(p.name.startswith(".tmp-") for p in reopened.runs_dir.iterdir())


def test_location_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("CLUSTERSCOPE_HOME", str(tmp_path / "here"))
    assert default_root() == tmp_path / "here"
    monkeypatch.delenv("CLUSTERSCOPE_HOME")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    assert default_root() == tmp_path / "xdg" / "clusterscope"
    assert RunStore().root == tmp_path / "xdg" / "clusterscope" and os.path.isdir(tmp_path / "xdg" / "clusterscope")


def test_named_selections_are_kept_with_the_run(tmp_path):
    store = RunStore(tmp_path)
    record = store.save("cluster", {"name": "d", "fingerprint": "f", "n_items": 5}, {}, {}, {}, {"labels": np.zeros(5)})
    store.name_selection(record.run_id, "  odd ones ", [3, 1, 3])
    store.name_selection(record.run_id, "first", [0])
    reopened = RunStore(tmp_path)
    assert {k: v.tolist() for k, v in reopened.selections(record.run_id).items()} == {"odd ones": [1, 3], "first": [0]}
    reopened.name_selection(record.run_id, "first", [2, 4])  # the same name replaces
    assert reopened.selections(record.run_id)["first"].tolist() == [2, 4]
    assert list(reopened.drop_selection(record.run_id, "odd ones")) == ["first"]
    for name, indices in (("", [1]), ("x", []), ("x", [5]), ("x", [-1])):
        with pytest.raises(ValueError):
            reopened.name_selection(record.run_id, name, indices)


def test_each_dataset_is_stored_once_and_reloads_whole(tmp_path):
    from engine.data.shapes import shapes

    store = RunStore(tmp_path)
    data = shapes(n=12, size=16)
    first = store.datasets.put(data)
    stamp = store.datasets.path(first).stat().st_mtime_ns
    assert store.datasets.put(data) == first and store.datasets.path(first).stat().st_mtime_ns == stamp
    back = store.datasets.get(first)
    assert back.fingerprint() == data.fingerprint() and back.class_names == data.class_names
    assert np.array_equal(back.masks, data.masks) and back.mirror_safe
    assert len(list(store.datasets.folder.iterdir())) == 1
    with pytest.raises(ValueError, match="no longer stored"):
        store.datasets.get("0" * 16)
