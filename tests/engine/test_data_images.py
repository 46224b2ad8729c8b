import io
import json
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from engine.data import DataError, Limits, load, load_files, load_folder, load_zip
from tests.conftest import make_zip, png, shapes_folder


def test_folder_subfolders_become_labels_and_images_are_normalised(tmp_path):
    data = load_folder(shapes_folder(tmp_path / "shapes"), image_size=24)
    assert data.images.shape == (12, 24, 24, 3) and data.images.dtype == np.uint8
    assert data.class_names == ["blue", "red"]
    assert sorted(np.bincount(data.labels).tolist()) == [6, 6]
    red = data.images[data.labels == data.class_names.index("red")]
    assert red[..., 0].mean() > 200 and red[..., 2].mean() < 40
    assert not data.grayscale


def test_images_directly_in_the_folder_have_no_labels(tmp_path):
    for i in range(3):
        (tmp_path / f"{i}.png").write_bytes(png((i * 80, 0, 0)))
    data = load_folder(tmp_path, image_size=8)
    assert data.labels is None and len(data) == 3


def test_grayscale_images_are_detected_and_stored_as_rgb(tmp_path):
    for i in range(3):
        (tmp_path / f"{i}.png").write_bytes(png((i * 100, 0, 0), mode="L"))
    data = load_folder(tmp_path, image_size=8)
    assert data.grayscale and data.images.shape[-1] == 3
    assert np.array_equal(data.images[..., 0], data.images[..., 1])


def test_colour_files_of_gray_pictures_are_read_as_grayscale_and_colour_stays_colour(tmp_path):
    rng = np.random.default_rng(0)
    gray = [np.repeat(rng.integers(0, 256, (24, 24, 1), dtype=np.uint8), 3, axis=2) for _ in range(6)]
    for i, pixels in enumerate(gray):  # RGB PNGs and RGB JPEGs (whose rounding moves the channels apart a little)
        Image.fromarray(pixels).save(tmp_path / f"{i}.{'png' if i % 2 else 'jpg'}", quality=90)
    data = load_folder(tmp_path)
    assert data.grayscale and any("gray pixels only" in note for note in data.report.notes)
    marked = [p.copy() for p in gray]
    marked[0][:4, :4] = (255, 0, 0)  # a red mark on one of them: 16 of 3,456 pixels
    (tmp_path / "0.jpg").unlink()
    Image.fromarray(marked[0]).save(tmp_path / "0.png")
    assert not load_folder(tmp_path).grayscale
    for i in range(6):
        Image.fromarray(rng.integers(0, 256, (24, 24, 3), dtype=np.uint8)).save(tmp_path / f"{i}.png")
    data = load_folder(tmp_path)
    assert not data.grayscale and not any("gray pixels only" in note for note in data.report.notes)


def test_corrupt_and_truncated_images_are_skipped_and_listed(tmp_path):
    shapes_folder(tmp_path)
    (tmp_path / "red" / "corrupt.png").write_bytes(b"\x89PNG\r\n\x1a\n" + b"garbage" * 20)
    whole = png(size=(64, 64))
    (tmp_path / "red" / "truncated.png").write_bytes(whole[: len(whole) // 2])
    (tmp_path / "notes.txt").write_text("not an image")
    data = load_folder(tmp_path, image_size=16)
    assert len(data) == 12
    reasons = dict(data.report.skipped)
    assert "unreadable image" in reasons["red/corrupt.png"]
    assert "unreadable image" in reasons["red/truncated.png"]
    assert reasons["notes.txt"] == "not an image file"
    assert data.report.n_found == 14 and data.report.n_loaded == 12


def _saved(image: Image.Image, path) -> None:
    image.save(path)


def test_sixteen_bit_scans_are_stretched_not_clipped_to_white(tmp_path):
    # a 12-bit microscope-style ramp in a 16-bit PNG: a plain RGB conversion turns every value over 255 white
    ramp = np.tile(np.linspace(400, 4000, 24).astype(np.uint16), (24, 1))
    for i in range(3):
        _saved(Image.fromarray(ramp + 10 * i), tmp_path / f"scan{i}.png")
    assert Image.open(tmp_path / "scan0.png").mode.startswith("I")
    data = load_folder(tmp_path, image_size=24)
    row = data.images[0, 12, :, 0].astype(int)
    assert row[0] < 20 and row[-1] > 235 and np.all(np.diff(row) >= 0)  # dark to bright, as the file holds it
    assert data.grayscale
    assert any("3 images of more than 8 bits" in n for n in data.report.notes)

    from engine.data.originals import read_original
    data.sources = [str(tmp_path / f"scan{i}.png") for i in range(3)]
    shown = read_original(data, 0).image
    assert shown.shape == (24, 24, 3) and shown[:, 0].max() < 20 and shown[:, -1].min() > 235


def test_transparent_images_are_laid_on_white(tmp_path):
    for i in range(2):
        pixels = np.zeros((16, 16, 4), np.uint8)
        pixels[..., :3] = (i * 90, 200, 40)  # hidden colours differ from image to image
        pixels[4:12, 4:12] = (10, 10, 10, 255)  # a dark square, the only opaque pixels
        _saved(Image.fromarray(pixels, "RGBA"), tmp_path / f"icon{i}.png")
    data = load_folder(tmp_path, image_size=16)
    assert (data.images[:, 0, 0] == 255).all() and (data.images[:, 8, 8] == 10).all()
    assert np.array_equal(data.images[0], data.images[1])


def test_tiny_and_empty_files_are_skipped_with_their_reasons(tmp_path):
    shapes_folder(tmp_path)
    (tmp_path / "red" / "pixel.gif").write_bytes(png(size=(1, 1)))
    (tmp_path / "red" / "empty.jpg").write_bytes(b"")
    (tmp_path / "red" / "junk.png").write_bytes(b"<html>404 not found</html>")  # a web page saved as the image
    reasons = dict(load_folder(tmp_path, image_size=16).report.skipped)
    assert reasons["red/pixel.gif"] == "too small to show anything: 1×1 px"
    assert reasons["red/empty.jpg"] == "empty file (0 bytes)"
    assert "0x" not in reasons["red/junk.png"] and "damaged (26 bytes)" in reasons["red/junk.png"]


def test_netpbm_and_avif_images_load_and_heic_is_named_not_read(tmp_path):
    for i, fmt in enumerate(["PPM", "AVIF", "JPEG"]):  # AT&T-style faces sets ship as .pgm
        image = Image.new("L" if fmt == "PPM" else "RGB", (12, 12), 40 * i)
        image.save(tmp_path / f"face{i}.{'pgm' if fmt == 'PPM' else 'avif' if fmt == 'AVIF' else 'jfif'}", format=fmt)
    (tmp_path / "IMG_0001.HEIC").write_bytes(b"\0\0\0\x18ftypheic")
    data = load_folder(tmp_path, image_size=8)
    assert sorted(data.item_names) == ["face0.pgm", "face1.avif", "face2.jfif"]
    assert dict(data.report.skipped)["IMG_0001.HEIC"].startswith("HEIC (an iPhone photo): not read here")


def test_class_folders_below_folders_every_image_shares_are_the_labels():
    entries = {f"project/data/{label}/{i}.png": png(colour) for label, colour in (("cat", (9, 9, 9)),
                                                                                   ("dog", (250, 250, 250)))
               for i in range(3)}
    entries["project/README.md"] = b"how this set was made"
    data = load_zip(io.BytesIO(make_zip(entries)), image_size=8)
    assert data.class_names == ["cat", "dog"] and data.item_names[0].startswith("data/")


def test_zip_names_written_in_utf8_without_the_flag_read_as_written():
    # Windows' and macOS' zip tools write UTF-8 names without the UTF-8 flag; Python then reads them as cp437
    placeholder = "ZZlZZve"  # as long in bytes as "élève" in UTF-8, swapped in after writing
    archive = make_zip({f"{placeholder}/a.png": png(), f"{placeholder}/b.png": png((9, 9, 9)),
                        "caf.png": png()})
    archive = archive.replace(placeholder.encode(), "élève".encode())
    raw = zipfile.ZipFile(io.BytesIO(archive))
    assert not raw.infolist()[0].flag_bits & 0x800 and raw.namelist()[0].startswith("├⌐l")
    data = load_zip(io.BytesIO(archive), image_size=8)
    assert sorted(data.item_names) == ["caf.png", "élève/a.png", "élève/b.png"]


def test_a_sixty_megapixel_photo_is_a_photo_not_a_bomb(tmp_path):
    shapes_folder(tmp_path)
    Image.new("RGB", (9504, 6336), (200, 30, 30)).save(tmp_path / "red" / "a7r.jpg", quality=50)  # a 61 MP camera
    data = load_folder(tmp_path, image_size=16)
    assert len(data) == 13 and "red/a7r.jpg" in data.item_names and not data.report.skipped


def test_image_decompression_bomb_is_skipped_with_that_reason(tmp_path):
    shapes_folder(tmp_path)
    bomb = Image.new("1", (11000, 11000))  # 121 MP, a few kB as PNG: over the default 100 MP budget
    bomb.save(tmp_path / "red" / "bomb.png")
    assert (tmp_path / "red" / "bomb.png").stat().st_size < 100_000
    data = load_folder(tmp_path, image_size=16)
    assert len(data) == 12
    assert "decompression bomb" in dict(data.report.skipped)["red/bomb.png"]


def test_zip_with_a_top_folder_and_class_subfolders(tmp_path):
    entries = {f"pets/{label}/{i}.png": png(colour) for label, colour in (("cat", (9, 9, 9)), ("dog", (250, 250, 250)))
               for i in range(3)}
    entries["__MACOSX/pets/._cat.png"] = b"resource fork"
    entries["pets/.DS_Store"] = b"finder"
    data = load_zip(io.BytesIO(make_zip(entries)), image_size=8, name="pets")
    assert len(data) == 6 and data.class_names == ["cat", "dog"] and not data.report.skipped


@pytest.mark.parametrize("evil", ["../escape.png", "a/../../escape.png", "/etc/escape.png", "C:/escape.png"])
def test_zip_entries_escaping_the_folder_reject_the_archive(evil):
    archive = make_zip({"ok/1.png": png(), "ok/2.png": png(), evil: png()})
    with pytest.raises(DataError, match="escape the target folder"):
        load_zip(io.BytesIO(archive))


def test_zip_bomb_is_rejected():
    archive = make_zip({"a.png": png(), "b.png": png(), "huge.png": b"\0" * (60 * 1024**2)})
    assert len(archive) < 1024**2
    with pytest.raises(DataError, match="decompression bomb"):
        load_zip(io.BytesIO(archive))


def test_archive_over_the_size_limit_is_rejected():
    archive = make_zip({f"{i}.png": png() for i in range(5)}, compression=zipfile.ZIP_STORED)
    with pytest.raises(DataError, match="over the"):
        load_zip(io.BytesIO(archive), limits=Limits(max_archive_bytes=len(archive) - 1))


def test_archive_expanding_past_the_total_limit_is_rejected():
    archive = make_zip({f"{i}.png": png() for i in range(5)})
    with pytest.raises(DataError, match="expands to"):
        load_zip(io.BytesIO(archive), limits=Limits(max_total_uncompressed=100))


def test_a_damaged_zip_entry_is_skipped_and_listed():
    archive = bytearray(make_zip({"a.png": png(), "b.png": png(), "c.png": png((1, 2, 3), size=(40, 40))}))
    start = archive.index(b"c.png") + len("c.png")  # the local header's name, then c.png's deflate stream
    archive[start + 5: start + 25] = bytes(20)
    data = load_zip(io.BytesIO(bytes(archive)), image_size=8)
    assert len(data) == 2
    assert dict(data.report.skipped)["c.png"].startswith("unreadable file: BadZipFile")


def test_not_a_zip_is_a_clear_error():
    with pytest.raises(DataError, match="not a readable zip"):
        load_zip(io.BytesIO(b"PK but not really"))


def test_a_one_image_set_is_rejected(tmp_path):
    (tmp_path / "only.png").write_bytes(png())
    (tmp_path / "broken.jpg").write_bytes(b"nope")
    with pytest.raises(DataError, match="at least 2 usable images, found 1 usable image"):
        load_folder(tmp_path)


def test_a_set_with_no_usable_image_says_why_its_files_were_skipped():
    """Twelve 2 × 400 px strips: the error named only a count of skipped files, not why (each is too thin)."""
    files = [(f"strip{i}.png", png(size=(2, 400))) for i in range(12)] + [("notes.png", b"nope")]
    with pytest.raises(DataError, match=r"found 0 usable images \(13 skipped: 12 too small to show anything "
                                        r"\(e\.g\. strip0\.png: 2×400 px\); 1 unreadable"):
        load_files(files)


def test_uploaded_files_load_like_a_folder():
    data = load_files([("a/1.png", png()), ("b/2.png", png((0, 0, 255))), ("b/3.png", png((0, 0, 250)))],
                      image_size=8)
    assert data.class_names == ["a", "b"] and data.images.shape == (3, 8, 8, 3)


def test_a_browser_folder_upload_uses_its_sub_folders_as_labels():
    files = [(f"pets/{label}/{i}.png", png(colour)) for label, colour in (("cat", (9, 9, 9)), ("dog", (250, 0, 0)))
             for i in range(2)]
    data = load_files(files, image_size=8)
    assert data.name == "pets" and data.class_names == ["cat", "dog"] and data.item_names[0] == "cat/0.png"


def test_load_dispatches_on_path_and_reports_unknown_inputs(tmp_path):
    shapes_folder(tmp_path / "set")
    assert len(load(tmp_path / "set", image_size=8)) == 12
    (tmp_path / "set.zip").write_bytes(make_zip({"x/1.png": png(), "x/2.png": png()}))
    assert len(load(tmp_path / "set.zip", image_size=8)) == 2
    with pytest.raises(DataError, match="neither a demo"):
        load(tmp_path / "missing")
    (tmp_path / "data.sav").write_bytes(b"")
    with pytest.raises(DataError, match="expected a folder or one of"):
        load(tmp_path / "data.sav")


def test_progress_is_reported_while_decoding(tmp_path):
    from engine.progress import Reporter

    seen = []
    load_folder(shapes_folder(tmp_path), image_size=8, reporter=Reporter(lambda f, m: seen.append(f)))
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)


def test_class_folders_inside_train_and_val_folders_are_the_labels_and_the_split_is_kept():
    entries = {f"pets/{split}/{cls}/{i}.png": png(colour)
               for split, count in (("train", 3), ("val", 2)) for cls, colour in (("cat", (200, 30, 30)),
                                                                                 ("dog", (30, 30, 200)))
               for i in range(count)}
    data = load_zip(io.BytesIO(make_zip(entries)), image_size=8, name="pets")
    assert data.class_names == ["cat", "dog"] and len(data) == 10
    assert sorted(set(data.attributes["split"])) == ["train", "val"] and data.attributes["split"].count("val") == 4
    assert any("2 class folders inside the train, val folders used as labels" in n for n in data.report.notes)
    plain = load_zip(io.BytesIO(make_zip({"train/1.png": png(), "val/2.png": png(), "val/3.png": png()})),
                     image_size=8)  # split folders holding the images themselves
    assert plain.labels is None and plain.attributes == {"split": ["train", "val", "val"]}  # a split, not a class


@pytest.mark.parametrize("table, key", [
    ("file,label\n{files}", lambda name: name),  # file names
    ("id;breed;weight\n{stems}", lambda name: name[:-4]),  # names without extension, semicolons, a named column
])
def test_labels_come_from_a_table_of_file_names_beside_the_images(table, key):
    classes = {f"img{i}.png": ("cat" if i % 2 else "dog") for i in range(8)}
    rows = "\n".join(f"{key(n)},{c}" if "label" in table else f"{key(n)};{c};{3 + i}"
                     for i, (n, c) in enumerate(classes.items()))
    text = table.replace("{files}", rows).replace("{stems}", rows)
    entries = {**{f"photos/{n}": png((200, 30, 30) if c == "cat" else (30, 30, 200)) for n, c in classes.items()},
               "labels.csv": text.encode()}
    data = load_zip(io.BytesIO(make_zip(entries)), image_size=8)
    assert [data.class_names[i] for i in data.labels] == [classes[n.split("/")[-1]] for n in data.item_names]
    assert any(n.startswith("labels from labels.csv: “") for n in data.report.notes)


def test_a_table_that_names_only_some_images_gives_no_labels_and_says_so():
    entries = {f"img{i}.png": png() for i in range(6)}
    entries["labels.csv"] = b"file,label\nimg0.png,a\nimg1.png,b\nimg2.png,a\nimg3.png,b\n"
    data = load_zip(io.BytesIO(make_zip(entries)), image_size=8)
    assert data.labels is None
    assert "labels.csv: gives “label” for 4 of the 6 images, not all: not used" in data.report.notes


def _tar(entries: dict[str, bytes], mode: str = "w:gz", links: dict[str, str] | None = None) -> bytes:
    import tarfile

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode=mode) as archive:
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            archive.addfile(info)
    return buffer.getvalue()


@pytest.mark.parametrize("mode, suffix", [("w:gz", ".tar.gz"), ("w:bz2", ".tbz2"), ("w:xz", ".tar.xz"),
                                          ("w", ".tar")])
def test_tar_archives_load_as_zips_do(tmp_path, mode, suffix):
    from engine.data import load

    entries = {f"pets/{label}/{i}.png": png(colour) for label, colour in (("cat", (9, 9, 9)), ("dog", (250, 250, 250)))
               for i in range(3)}
    entries["pets/._cat.png"] = b"resource fork"
    archive = tmp_path / f"pets{suffix}"
    archive.write_bytes(_tar(entries, mode, links={"pets/cat/escape.png": "/etc/passwd"}))
    data = load(archive, image_size=8, originals=tmp_path / "store")
    assert data.name == "pets" and len(data) == 6 and data.class_names == ["cat", "dog"]
    assert dict(data.report.skipped)["cat/escape.png"].startswith("a link or special file")
    assert all(Path(p).is_file() and str(tmp_path / "store") in p for p in data.sources)  # unpacked originals


def test_a_tar_entry_escaping_the_folder_or_a_broken_tar_is_refused():
    from engine.data import load_tar

    with pytest.raises(DataError, match="escape the target folder"):
        load_tar(io.BytesIO(_tar({"ok/1.png": png(), "../../evil.png": png()})))
    whole = _tar({f"ok/{i}.png": png() for i in range(4)})
    with pytest.raises(DataError, match="not a readable tar archive"):
        load_tar(io.BytesIO(whole[: len(whole) // 2]))
    with pytest.raises(DataError, match="decompression bomb"):
        load_tar(io.BytesIO(_tar({"a.png": png(), "b.png": png(), "huge.bin": b"\0" * (30 * 1024**2)})))


def test_labels_from_the_files_names_when_they_are_a_class_and_a_number():
    named = {f"train/{kind}.{i}.jpg": png(colour) for kind, colour in (("cat", (9, 9, 9)), ("dog", (250, 250, 250)))
             for i in range(3)}  # Kaggle's dogs vs cats: one folder, the class in the name
    data = load_zip(io.BytesIO(make_zip(named)), image_size=8)
    assert data.class_names == ["cat", "dog"] and np.bincount(data.labels).tolist() == [3, 3]
    assert any("2 classes read from the files' names" in n for n in data.report.notes)
    coil = load_zip(io.BytesIO(make_zip({f"coil/obj{k}__{a}.png": png((k * 60, 0, 0)) for k in (1, 2, 3)
                                          for a in (0, 5, 10)})), image_size=8)
    assert coil.class_names == ["obj1", "obj2", "obj3"]
    camera = {f"holiday/{prefix}_{i:04d}.jpg": png() for prefix in ("IMG", "DSC") for i in range(3)}
    assert load_zip(io.BytesIO(make_zip(camera)), image_size=8).labels is None  # two cameras, not two classes


def test_split_folders_holding_images_are_not_classes():
    entries = {f"train/{kind}.{i}.jpg": png(colour) for kind, colour in (("cat", (9, 9, 9)), ("dog", (250, 250, 250)))
               for i in range(3)}
    entries.update({f"test/{i}.jpg": png() for i in range(2)})  # Kaggle's dogs vs cats: the test set unlabelled
    data = load_zip(io.BytesIO(make_zip(entries)), image_size=8)
    assert len(data) == 8 and data.labels is None  # not "train" against "test"
    only_train = {n: d for n, d in entries.items() if n.startswith("train/")}
    assert load_zip(io.BytesIO(make_zip(only_train)), image_size=8).class_names == ["cat", "dog"]


def test_a_stray_image_outside_the_class_folders_does_not_cost_the_others_their_labels():
    entries = {f"pets/{kind}/{i}.png": png(colour) for kind, colour in (("cat", (9, 9, 9)), ("dog", (250, 250, 250)))
               for i in range(20)}
    entries["pets/cover.png"] = png()
    data = load_zip(io.BytesIO(make_zip(entries)), image_size=8)
    assert data.class_names == ["(no class folder)", "cat", "dog"] and np.bincount(data.labels).tolist() == [1, 20, 20]
    assert any("1 image(s) outside the class folders (cover.png)" in n for n in data.report.notes)
    entries.update({f"pets/extra{i}.png": png() for i in range(5)})  # 6 of 46 outside: too many to call strays
    assert load_zip(io.BytesIO(make_zip(entries)), image_size=8).labels is None


def test_a_zip_of_zips_reads_its_largest_archive_of_images(tmp_path):
    """Kaggle's competition downloads: one zip holding train.zip and test.zip (and a README)."""
    import tarfile

    from engine.data import load_archive

    train = make_zip({f"train/{label}/{i}.png": png(colour, size=(16 + i, 16)) for label, colour in
                      (("red", (220, 20, 20)), ("blue", (20, 20, 220))) for i in range(6)})
    test = make_zip({f"test/{i}.png": png() for i in range(3)})
    outer = make_zip({"competition/train.zip": train, "competition/test.zip": test,
                      "README.txt": b"Images of two colours.\n" * 500})
    (tmp_path / "download.zip").write_bytes(outer)
    data = load(tmp_path / "download.zip")
    assert len(data) == 12 and data.class_names == ["blue", "red"] and data.name == "train"
    assert data.report.notes[0] == ("read competition/train.zip from the archive (the largest of its archives; "
                                    "also there: competition/test.zip)")
    assert len(load_archive(io.BytesIO(outer), name="upload")) == 12  # an upload: the same
    buffer = io.BytesIO()  # a .tar.gz inside: read as a tar
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for i in range(4):
            info = tarfile.TarInfo(f"pics/{i}.png")
            info.size = len(png(size=(20 + i, 14)))
            archive.addfile(info, io.BytesIO(png(size=(20 + i, 14))))
    assert len(load_archive(io.BytesIO(make_zip({"pics.tar.gz": buffer.getvalue()})))) == 4
    nothing = make_zip({"README.txt": b"no data here\n", "notes/info.txt": b"x\n"})  # documents only: no table
    with pytest.raises(DataError, match="usable images"):
        load_archive(io.BytesIO(nothing))
    twice = make_zip({"outer.zip": make_zip({"inner.zip": train})})  # one level down, no further
    with pytest.raises(DataError, match="usable images"):
        load_archive(io.BytesIO(twice))


def _dot(colour: tuple[int, int, int], radius: int, size: int = 32) -> tuple[bytes, bytes]:
    """An image of a dot on a dark ground, and its mask as a trimap (1 inside, 2 outside, as Oxford-IIIT Pets)."""
    yy, xx = np.mgrid[:size, :size]
    inside = (yy - size // 2) ** 2 + (xx - size // 2) ** 2 < radius ** 2
    image = np.zeros((size, size, 3), np.uint8) + 20
    image[inside] = colour
    return _png_of(image), _png_of(np.where(inside, 1, 2).astype(np.uint8))


def _png_of(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def test_segmentation_masks_beside_the_images_are_paired_not_items(tmp_path):
    """Read as items, images/ and masks/ were two "classes", one of them masks; now the masks are kept with their
    images (by file name) for the Attention page."""
    entries = {}
    for i in range(12):
        kind = ("Bombay", "beagle")[i % 2]
        image, trimap = _dot(((230, 40, 40), (40, 230, 40))[i % 2], 6 + i % 4)
        entries[f"pets/images/{kind}_{i}.png"] = image
        entries[f"pets/annotations/trimaps/{kind}_{i}.png"] = trimap
    data = load_zip(io.BytesIO(make_zip(entries)))
    assert len(data) == 12 and data.class_names == ["Bombay", "beagle"]  # from the names, not images/annotations
    assert data.masks.shape == (12, 32, 32) and data.masks.any(axis=(1, 2)).all()
    yy, xx = np.mgrid[:32, :32]
    assert (data.masks[0] == ((yy - 16) ** 2 + (xx - 16) ** 2 < 36)).all()  # the dot, not the ground
    assert data.report.notes[0] == ("12 images in annotations: segmentation masks beside the images, not items")
    binary = {f"images/{i}.png": _dot((200, 200, 200), 5)[0] for i in range(6)}
    binary.update({f"masks/{i}_mask.png": _png_of(np.where(np.asarray(Image.open(io.BytesIO(_dot((1, 1, 1), 5)[1])))
                                                           == 1, 255, 0).astype(np.uint8)) for i in range(5)})
    few = load_zip(io.BytesIO(make_zip(binary)))  # 5 masks for 6 images: under 90 %, none kept
    assert len(few) == 6 and few.masks is None and few.labels is None
    binary["masks/5_mask.png"] = binary["masks/0_mask.png"]
    assert load_zip(io.BytesIO(make_zip(binary))).masks.sum(axis=(1, 2)).min() > 50


def test_a_folder_per_image_is_no_class(tmp_path):
    entries = {f"samples/{i:04d}/image.png": png(((200, 30, 30), (30, 30, 200))[i % 2]) for i in range(10)}
    data = load_zip(io.BytesIO(make_zip(entries)))
    assert len(data) == 10 and data.labels is None
    assert "10 sub-folders for 10 images: a folder per item (or nearly), not classes" in data.report.notes
    classes = {f"{c}/{i}.png": png(colour) for c, colour in (("red", (200, 30, 30)), ("blue", (30, 30, 200)))
               for i in range(3)}
    assert load_zip(io.BytesIO(make_zip(classes))).class_names == ["blue", "red"]  # 3 a folder: classes


def test_labels_from_a_json_or_a_txt_beside_the_images():
    colours = {"cat": (200, 30, 30), "dog": (30, 30, 200)}
    images = {f"pics/{i:03d}.png": png(colours["cat" if i % 2 else "dog"], size=(16 + i, 16)) for i in range(8)}
    mapping = {f"{i:03d}.png": "cat" if i % 2 else "dog" for i in range(8)}
    as_json = load_zip(io.BytesIO(make_zip({**images, "labels.json": json.dumps(mapping).encode()})))
    assert [as_json.class_names[c] for c in as_json.labels] == [mapping[f"{i:03d}.png"] for i in range(8)]
    assert as_json.report.notes[-1] == "labels from labels.json: “label” of each image named in “file”"
    records = [{"image": {"path": f"pics/{i:03d}.png"}, "class": mapping[f"{i:03d}.png"]} for i in range(8)]
    assert load_zip(io.BytesIO(make_zip({**images, "meta.json": json.dumps(records).encode()}))).class_names == \
        ["cat", "dog"]  # records with nested fields, as Hugging Face exports them
    lines = "".join(f"{i:03d} {mapping[f'{i:03d}.png']}\n" for i in range(8))  # ImageNet's train_cls.txt: no header
    as_txt = load_zip(io.BytesIO(make_zip({**images, "train_cls.txt": lines.encode(),
                                           "README.txt": b"Cats and dogs, photographed in 2024.\nEnjoy.\n"})))
    assert as_txt.class_names == ["cat", "dog"] and "labels from train_cls.txt" in as_txt.report.notes[-1]
