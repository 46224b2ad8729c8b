"""Atomic writes: the file is replaced whole, or left as it was."""

import pytest

from engine.files import atomic_open


def test_a_write_replaces_the_file_whole_and_leaves_no_staging_file(tmp_path):
    path = tmp_path / "status.json"
    path.write_text("old")
    with atomic_open(path, "w") as handle:
        handle.write("new")
        assert path.read_text() == "old"  # readers see the old file until the write is complete
    assert path.read_text() == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["status.json"]


def test_a_failed_write_keeps_the_previous_file(tmp_path):
    path = tmp_path / "data.npz"
    path.write_bytes(b"previous")
    with pytest.raises(RuntimeError):
        with atomic_open(path) as handle:
            handle.write(b"half")
            raise RuntimeError("killed mid-write")
    assert path.read_bytes() == b"previous"
    assert [p.name for p in tmp_path.iterdir()] == ["data.npz"]
