"""Originals kept: a folder is indexed where it is, an archive or upload is unpacked once by content hash, and what a
person sees (the full image, its thumbnail) is the whole original, upright."""

import io
import os

import numpy as np
import pytest
from PIL import Image

from engine import api
from engine.data import load_files, load_folder, load_zip
from engine.data.dataset import DataError
from engine.data.originals import read_original, thumbnails
from engine.data.snapshots import load as load_snapshot, save as save_snapshot
from tests.conftest import make_zip, png, shapes_folder


def _files(root):
    return sorted(p for p in root.rglob("*") if p.is_file())


def test_a_folder_is_indexed_by_path_and_never_copied(tmp_path):
    folder = shapes_folder(tmp_path / "photos")
    store = tmp_path / "store"
    before = {p: p.stat().st_mtime_ns for p in _files(folder)}
    data = api.load(folder, originals=store)
    assert sorted(data.sources) == sorted(str(p.resolve()) for p in before)
    assert all(os.path.samefile(s, folder / n) for s, n in zip(data.sources, data.item_names))
    assert not store.exists()  # nothing written anywhere
    assert {p: p.stat().st_mtime_ns for p in _files(folder)} == before


def test_an_archive_is_unpacked_once_by_content_and_reused(tmp_path):
    entries = {f"pets/{label}/{i}.png": png(colour, size=(20 + i, 14)) for label, colour in
               (("cat", (9, 9, 9)), ("dog", (250, 250, 250))) for i in range(3)}
    archive = make_zip({**entries, "pets/notes.txt": b"not an image"})
    store = tmp_path / "originals"
    data = load_zip(io.BytesIO(archive), originals=store)
    (unpacked,) = store.iterdir()
    assert [p.name for p in _files(unpacked)] == ["0.png", "1.png", "2.png"] * 2  # only the images
    assert [open(s, "rb").read() for s in data.sources] == [entries[f"pets/{n}"] for n in data.item_names]
    again = load_zip(io.BytesIO(archive), originals=store)
    assert again.sources == data.sources and list(store.iterdir()) == [unpacked]
    assert again.fingerprint() == data.fingerprint()
    other = load_zip(io.BytesIO(make_zip({"a.png": png((1, 2, 3)), "b.png": png((4, 5, 6))})), originals=store)
    assert len(list(store.iterdir())) == 2 and os.path.dirname(other.sources[0]) != str(unpacked)


def test_uploaded_files_are_unpacked_too_and_an_escaping_name_writes_nothing(tmp_path):
    store = tmp_path / "originals"
    data = load_files([("set/a/1.png", png((10, 10, 10))), ("set/b/2.png", png((200, 200, 200)))], originals=store)
    assert data.class_names == ["a", "b"] and all(s.startswith(str(store.resolve())) for s in data.sources)
    with pytest.raises(DataError, match="escape the target folder"):
        load_files([("ok.png", png()), ("ok2.png", png()), ("/tmp/evil.png", png())], originals=tmp_path / "other")
    dropped = load_files([("ok.png", png()), ("ok2.png", png()), ("../evil.png", png())], originals=tmp_path / "dots")
    assert dropped.item_names == ["ok.png", "ok2.png"]  # a ".." part is hidden, like ".DS_Store": never read
    with pytest.raises(DataError, match="escape the target folder"):
        load_zip(io.BytesIO(make_zip({"ok/1.png": png(), "../evil.png": png()})), originals=tmp_path / "other")
    assert not (tmp_path / "other").exists() and not (tmp_path / "evil.png").exists()


def test_a_failed_load_leaves_no_half_unpacked_folder(tmp_path):
    store = tmp_path / "originals"
    with pytest.raises(DataError, match="at least 2 usable images"):
        load_zip(io.BytesIO(make_zip({"only.png": png(), "broken.png": b"\x89PNG nonsense"})), originals=store)
    assert not store.exists() or not any(store.iterdir())


def test_sources_survive_the_dataset_store(tmp_path):
    data = load_folder(shapes_folder(tmp_path / "set"))
    save_snapshot(data, tmp_path / "snap.npz")
    back = load_snapshot(tmp_path / "snap.npz")
    assert back.sources == data.sources and back.fingerprint() == data.fingerprint()
    assert back.subset(np.array([3, 1])).sources == [data.sources[3], data.sources[1]]


def _rotated_jpeg(path):
    """A 60×30 photo whose left third is red, stored sideways (30×60) with EXIF orientation 6 (rotate 90° CW)."""
    upright = np.zeros((30, 60, 3), np.uint8)
    upright[:, :20] = (230, 20, 20)
    upright[:, 20:] = (20, 20, 230)
    stored = Image.fromarray(upright).transpose(Image.Transpose.ROTATE_90)  # what a camera held sideways writes
    exif = Image.Exif()
    exif[0x0112] = 6
    stored.save(path, format="JPEG", quality=95, exif=exif.tobytes())


def test_exif_rotation_is_applied_to_the_original_and_its_size(tmp_path):
    folder = tmp_path / "camera"
    folder.mkdir()
    _rotated_jpeg(folder / "sideways.jpg")
    _rotated_jpeg(folder / "again.jpg")
    data = load_folder(folder)
    assert data.original_sizes.tolist() == [[60, 30], [60, 30]]
    shown = read_original(data, 0)
    assert shown.size == (60, 30) and shown.path == data.sources[0] and "60×30 JPEG" in shown.note
    assert shown.image[15, 5, 0] > 180 and shown.image[15, 55, 2] > 180  # red on the left, blue on the right


def test_thumbnails_of_non_square_photos_keep_the_whole_picture(tmp_path):
    folder = tmp_path / "wide"
    folder.mkdir()
    for i in range(2):  # 200×50: a green stripe at each end, which a centre crop to a square cuts off
        image = np.full((50, 200, 3), 128, np.uint8)
        image[:, :10] = image[:, -10:] = (0, 255, 0)
        Image.fromarray(image).save(folder / f"{i}.png")
    data = load_folder(folder)
    assert not (data.images[0][..., 1] > 200).any()  # the working copy is the centre square
    tile = thumbnails(data, [0], size=96)[0]
    middle = tile[48]
    assert middle[1, 1] > 200 and middle[-2, 1] > 200  # both ends are in the tile
    assert (tile[2] == 255).all()  # with a plain margin above: letterboxed, not stretched

    import base64

    uris = api.hover_uris(data, size=48)  # the map's hover shows the whole original too, at its own aspect
    hover = np.asarray(Image.open(io.BytesIO(base64.b64decode(uris[0].split(",", 1)[1]))).convert("RGB"))
    assert hover.shape == (12, 48, 3)
    assert hover[6, 1, 1] > 200 and hover[6, -2, 1] > 200 and hover[6, 24, 1] < 200
    os.remove(data.sources[1])  # a vanished file's hover falls back to its loaded copy
    assert sorted(api.hover_uris(data)) == [0, 1]


def test_items_without_files_show_their_pixels_and_say_why(digits, tmp_path):
    shown = read_original(digits, 0)
    assert shown.path is None and "no image files" in shown.note and shown.image.shape[0] >= 64
    data = load_folder(shapes_folder(tmp_path / "gone"))
    os.remove(data.sources[0])
    assert "no longer there" in read_original(data, 0).note
    assert thumbnails(data, [0, 1], size=32).shape == (2, 32, 32, 3)


def test_a_large_collection_keeps_smaller_copies_within_the_memory_budget(tmp_path, monkeypatch):
    from engine.data import images

    folder = tmp_path / "big"
    folder.mkdir()
    for i in range(12):  # 640×480 JPEGs: decoded at a reduced scale, their own size still recorded
        Image.fromarray(np.full((480, 640, 3), 20 * i, np.uint8)).save(folder / f"{i}.jpg", quality=90)
    assert load_folder(folder).images.shape[1:] == (128, 128, 3)
    monkeypatch.setattr(images, "WORKING_BYTES", 12 * 3 * 40 * 40)  # room for twelve 40-px copies
    data = load_folder(folder)
    assert data.images.shape[1:] == (40, 40, 3) and data.original_sizes.tolist() == [[640, 480]] * 12
    assert any("at most 40 px for 12 images" in note for note in data.report.notes)
    assert load_folder(folder, image_size=64).images.shape[1] == 64  # a size asked for is kept


def test_the_photos_demo_serves_its_own_files_at_full_size():
    photos = api.DEMOS["photos"]()
    coffee = photos.item_names.index("coffee")
    shown = read_original(photos, coffee)
    assert shown.path == photos.sources[coffee] and shown.path.endswith("coffee.png")
    assert shown.size == (600, 400) and photos.images.shape[1:] == (224, 224, 3)  # the file, not the 224-px square
    assert tuple(photos.original_sizes[coffee]) == (600, 400)
