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


def test_named_selections_belong_to_the_dataset_and_survive_new_runs(tmp_path):
    store = RunStore(tmp_path)
    meta = {"name": "d", "fingerprint": "f", "n_items": 5}
    first = store.save("cluster", meta, {}, {}, {}, {"labels": np.zeros(5)})
    store.name_selection(first.run_id, "  odd ones ", [3, 1, 3])
    store.name_selection(first.run_id, "first", [0])
    later = store.save("cluster", meta, {}, {}, {}, {"labels": np.ones(5)})  # a new run of the same data
    other = store.save("cluster", {**meta, "fingerprint": "g"}, {}, {}, {}, {"labels": np.zeros(5)})
    reopened = RunStore(tmp_path)
    assert {k: v.tolist() for k, v in reopened.selections(later.run_id).items()} == {"odd ones": [1, 3], "first": [0]}
    assert reopened.selections(other.run_id) == {}
    assert [g["run_id"] for g in reopened.named_groups("f")] == [first.run_id, first.run_id]  # drawn on
    reopened.name_selection(later.run_id, "first", [2, 4])  # the same name replaces, from any run
    assert reopened.selections(first.run_id)["first"].tolist() == [2, 4]
    assert reopened.named_groups("f")[-1]["run_id"] == later.run_id
    assert list(reopened.drop_selection(first.run_id, "odd ones")) == ["first"]
    reopened.delete(first.run_id)  # the run they were drawn on goes; the dataset's selections stay
    assert list(reopened.selections(later.run_id)) == ["first"]
    for name, indices in (("", [1]), ("x", []), ("x", [5]), ("x", [-1])):
        with pytest.raises(ValueError):
            reopened.name_selection(later.run_id, name, indices)


def test_selections_an_older_version_kept_in_a_run_folder_still_show(tmp_path):
    store = RunStore(tmp_path)
    record = store.save("cluster", {"name": "d", "fingerprint": "f", "n_items": 5}, {}, {}, {}, {"labels": np.zeros(5)})
    (store.runs_dir / record.run_id / "selections.json").write_text('[{"name": "old", "indices": [1, 2]}]')
    assert store.selections(record.run_id)["old"].tolist() == [1, 2]
    later = store.save("cluster", {"name": "d", "fingerprint": "f", "n_items": 5}, {}, {}, {}, {"labels": np.ones(5)})
    store.delete(record.run_id)  # its folder goes; the selection moves to the dataset
    assert RunStore(tmp_path).selections(later.run_id)["old"].tolist() == [1, 2]
    store.drop_selection(later.run_id, "old")
    assert RunStore(tmp_path).selections(later.run_id) == {}


def test_runs_can_be_titled_and_listed_per_dataset(tmp_path):
    store = RunStore(tmp_path)
    first = save_one(store)
    other = store.save("cluster", {"name": "e", "fingerprint": "g"}, {"clusterer": "gmm"}, {}, {}, {"labels": np.zeros(2)})
    assert first.label == f"kmeans on None · d · {first.run_id}" and first.title == ""
    store.rename(first.run_id, "  the demo one ")
    reopened = RunStore(tmp_path)
    assert reopened.get(first.run_id).title == "the demo one"
    assert reopened.get(first.run_id).label.startswith("the demo one · d · ")
    assert [r.run_id for r in reopened.list(fingerprint="g")] == [other.run_id]
    assert [r.run_id for r in reopened.list(kind="cluster", fingerprint="f")] == [first.run_id]


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


def test_a_stored_dataset_keeps_what_its_loader_skipped(tmp_path):
    import io

    from engine import api
    from tests.conftest import make_zip, png

    data = api.load_zip(io.BytesIO(make_zip({"a/1.png": png(), "a/2.png": png((0, 0, 200)), "b/3.png": png((9, 9, 9)),
                                             "b/broken.png": b"not a png", "notes.txt": b"hello"})))
    assert len(data.report.skipped) == 2 and data.report.n_found - data.report.n_loaded == 1
    store = RunStore(tmp_path)
    back = store.datasets.get(store.datasets.put(data))
    assert back.report.as_dict() == data.report.as_dict() and back.summary()["n_skipped"] == 2
