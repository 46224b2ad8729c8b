"""Images from a folder, a zip archive, or uploaded files, normalised to one size and RGB.

The size is the one asked for, or (``image_size=0``, the default) the originals' typical short side, at
most 128 px (less for a large collection: :data:`WORKING_BYTES`); each image's original size is kept with the dataset.

The originals stay reachable (``Dataset.sources``): a folder's own files by path, never copied; an archive's or
an upload's images unpacked once, when an ``originals`` folder is given, into ``<originals>/<content hash>/`` (the
same archive or upload again reuses it).

Unreadable files are skipped and listed in the report. Archives are checked before anything is read or written and
rejected whole when an entry would escape the target folder, when the archive is too large, or when it decompresses
suspiciously (a zip bomb). Single images over a pixel budget (an image decompression bomb) are skipped with that
reason; only images that decoded are unpacked.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import posixpath
import re
import shutil
import stat
import tarfile
import uuid
import warnings
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Callable, Iterable

import numpy as np
from PIL import Image, UnidentifiedImageError

from engine.data.dataset import Dataset, DataError, ValidationReport, decoded, encode_labels, gray_pixels
from engine.data.originals import DEEP_MODES, GRAY_MODES, upright_rgb
from engine.progress import Reporter, ensure

# What Pillow reads here: the common formats, the netpbm ones older face and object sets ship in (AT&T faces are
# .pgm), AVIF and JPEG 2000, and the odd ones cameras and editors leave behind.
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".jpe", ".jfif", ".bmp", ".dib", ".gif", ".tif", ".tiff", ".webp", ".avif",
                  ".pgm", ".ppm", ".pbm", ".pnm", ".tga", ".jp2", ".j2k", ".qoi", ".sgi", ".pcx", ".ico", ".apng",
                  ".mpo"}
# Image files it does not read, named as such rather than "not an image file"
UNREAD_IMAGES = {".heic": "HEIC (an iPhone photo)", ".heif": "HEIF", ".cr2": "a Canon raw file",
                 ".nef": "a Nikon raw file", ".arw": "a Sony raw file", ".dng": "a raw (DNG) file",
                 ".svg": "a vector drawing (SVG)", ".psd": "a Photoshop file", ".raw": "a raw file"}
MIN_SIDE = 4  # px: a smaller image (a 1×1 spacer or tracking pixel) shows nothing and is skipped, with that reason


@dataclass(frozen=True)
class Limits:
    """Safety limits for untrusted input; the defaults fit a laptop-sized dataset."""

    max_archive_bytes: int = 2 * 1024**3
    max_total_uncompressed: int = 8 * 1024**3
    max_compression_ratio: float = 200.0
    # a 100-megapixel medium-format photo decodes (60 MP cameras are common); past that an image is a bomb
    max_image_pixels: int = 100_000_000
    max_items: int = 200_000


DEFAULT_LIMITS = Limits()
MIN_AUTO_SIZE, MAX_AUTO_SIZE = 8, 128  # the range of the size images are kept at when it is left to the loader
# The loaded copies (galleries, raw pixels, training) of a large collection are kept smaller so that they fit in this
# much memory: 128 px up to ~20,000 images, 56 px for 100,000, 40 px for 200,000. The pretrained encoder reads the
# original files at its own size (engine.features.stream), so only raw pixels and training see the smaller copies.
WORKING_BYTES = 1024**3
ByteSource = tuple[str, Callable[[], bytes]]


def load_folder(path: str | os.PathLike, image_size: int = 0, limits: Limits = DEFAULT_LIMITS,
                reporter: Reporter | None = None) -> Dataset:
    """Every image under ``path``; first-level sub-folder names become labels when all images have one."""
    root = Path(path)
    if not root.is_dir():
        raise DataError(f"{root} is not a folder")
    files = sorted(p for p in root.rglob("*") if p.is_file() and not is_hidden(p.relative_to(root).as_posix()))
    sources = [(p.relative_to(root).as_posix(), p.read_bytes) for p in files]
    where = root.resolve()
    return _build(root.name or "folder", sources, image_size, limits, reporter,
                  keep=lambda relative, payload: str(where / relative))


def load_zip(source: str | os.PathLike | BinaryIO, image_size: int = 0, limits: Limits = DEFAULT_LIMITS,
             name: str | None = None, reporter: Reporter | None = None,
             originals: str | os.PathLike | None = None) -> Dataset:
    """Every image inside a zip archive (a path or an open binary file); its images are unpacked into
    ``originals`` (see the module's note) when that is given."""
    size = _size_of(source)
    if size > limits.max_archive_bytes:
        raise DataError(f"archive is {size / 1024**2:.0f} MB, over the {limits.max_archive_bytes / 1024**2:.0f} MB limit")
    try:
        archive = zipfile.ZipFile(source)
    except zipfile.BadZipFile as error:
        raise DataError(f"not a readable zip archive: {error}") from None
    with archive:
        members = [m for m in archive.infolist() if not m.is_dir()]
        check_members(members, limits)
        named = [(member_name(m), m) for m in members if not is_hidden(member_name(m))]
        prefix = _common_folder([n for n, _ in named])
        sources = [(n[len(prefix):], _reader(archive, m)) for n, m in named]
        label = name or (Path(source).stem if isinstance(source, (str, os.PathLike)) else "archive")
        unpack = None if originals is None else _Unpacker(originals, _digest_of(source))
        return _unpacked(unpack, lambda: _build(label, sources, image_size, limits, reporter, keep=unpack))


TAR_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz")
LABEL_FILES = (".csv", ".tsv", ".txt", ".json")  # a table of file → class beside the images (labels_from_table)
KEPT_FILES = IMAGE_SUFFIXES | set(LABEL_FILES)  # what an archive's loader reads: images and a labels table


def is_tar(name: str) -> bool:
    return str(name).lower().endswith(TAR_SUFFIXES)


def archive_stem(file_name: str) -> str:
    """``pics`` of ``dir/pics.tar.gz``, ``pics.tgz`` or ``pics.zip``: the name less its archive suffix."""
    name = Path(str(file_name)).name
    suffix = next((s for s in TAR_SUFFIXES if name.lower().endswith(s)), None)
    return name[: -len(suffix)] if suffix else Path(name).stem


def load_tar(source: str | os.PathLike | BinaryIO, image_size: int = 0, limits: Limits = DEFAULT_LIMITS,
             name: str | None = None, reporter: Reporter | None = None,
             originals: str | os.PathLike | None = None) -> Dataset:
    """Every image inside a tar archive, plain or compressed (``.tar.gz``, ``.tgz``, ``.tar.bz2``, ``.tar.xz``: as
    Caltech-101, Oxford Pets and many others ship), read in one pass (a compressed tar cannot be read out of order
    without decompressing it again); as :func:`load_zip` otherwise, with the same checks. Links and device files
    are skipped, never followed."""
    size = _size_of(source)
    if size > limits.max_archive_bytes:
        raise DataError(f"archive is {size / 1024**2:.0f} MB, over the "
                        f"{limits.max_archive_bytes / 1024**2:.0f} MB limit")
    files, skipped, total = [], [], 0
    try:
        opened = tarfile.open(name=source, mode="r|*") if isinstance(source, (str, os.PathLike)) else \
            tarfile.open(fileobj=source, mode="r|*")
        with opened as archive:
            for member in archive:
                if member.isdir():
                    continue
                _check_name(member.name, "archive")
                if not member.isfile():
                    skipped.append((member.name, "a link or special file, not an image: skipped (never followed)"))
                    continue
                total += member.size
                _check_size(total, len(files) + 1, limits)  # as it streams: a bomb stops before it is read
                keep = not is_hidden(member.name) and Path(member.name).suffix.lower() in KEPT_FILES
                payload = archive.extractfile(member).read() if keep else b""
                files.append((member.name, payload))
    except tarfile.TarError as error:
        raise DataError(f"not a readable tar archive: {error}") from None
    except (EOFError, OSError, zlib.error) as error:  # a truncated or corrupt compressed stream
        raise DataError(f"not a readable tar archive: {type(error).__name__}: {error}") from None
    if total > 1024**2 and total / max(size, 1) > limits.max_compression_ratio:
        raise DataError(f"archive rejected: it expands {total / max(size, 1):.0f}× (a decompression bomb?)")
    files = [(n, data) for n, data in files if not is_hidden(n)]
    prefix = _common_folder([n for n, _ in files])
    sources = [(n[len(prefix):], (lambda data=data: data)) for n, data in files]
    stem = archive_stem(source) if isinstance(source, (str, os.PathLike)) else "archive"
    unpack = None if originals is None else _Unpacker(originals, _digest_of(source))

    def build() -> Dataset:
        dataset = _build(name or stem, sources, image_size, limits, reporter, keep=unpack)
        for item, why in skipped:
            dataset.report.skip(item[len(prefix):] if item.startswith(prefix) else item, why)
        return dataset
    return _unpacked(unpack, build)


def load_files(files: Iterable[tuple[str, bytes]], image_size: int = 0, limits: Limits = DEFAULT_LIMITS,
               name: str | None = None, reporter: Reporter | None = None,
               originals: str | os.PathLike | None = None) -> Dataset:
    """Images given as ``(relative name, bytes)`` pairs, e.g. a browser upload of files or of a folder.

    A folder upload names files ``folder/class/file.png``: the shared top folder names the
    dataset and is dropped, so the class sub-folders become labels as for a local folder.
    """
    files = [(n.replace("\\", "/"), data) for n, data in files if not is_hidden(n)]
    for n, _ in files:
        _check_name(n, "upload")
    prefix = _common_folder([n for n, _ in files])
    sources = [(n[len(prefix):], (lambda data=data: data)) for n, data in files]
    unpack = None
    if originals is not None:
        digest = hashlib.sha1()
        for n, data in sorted(files):
            digest.update(n.encode() + b"\0" + hashlib.sha1(data).digest())
        unpack = _Unpacker(originals, digest.hexdigest()[:20])
    return _unpacked(unpack, lambda: _build(name or prefix.rstrip("/") or "upload", sources, image_size, limits,
                                            reporter, keep=unpack))


def _unpacked(unpack: "_Unpacker | None", build: Callable[[], Dataset]) -> Dataset:
    """``build()``, with the unpacked originals moved into place when it succeeds and dropped when it fails."""
    if unpack is None:
        return build()
    try:
        dataset = build()
    except BaseException:
        shutil.rmtree(unpack.staging, ignore_errors=True)
        raise
    unpack.finish()
    return dataset


def _check_name(name: str, what: str) -> None:
    parts = name.replace("\\", "/").split("/")
    if name.startswith(("/", "\\")) or ".." in parts or (len(name) > 1 and name[1] == ":"):
        raise DataError(f"{what} rejected: entry {name!r} would escape the target folder")


def check_members(members: list[zipfile.ZipInfo], limits: Limits) -> None:
    total = 0
    for member in members:
        name = member.filename
        _check_name(name, "archive")
        mode = member.external_attr >> 16
        if stat.S_ISLNK(mode):
            raise DataError(f"archive rejected: entry {name!r} is a symbolic link")
        ratio = member.file_size / max(member.compress_size, 1)
        if member.file_size > 1024**2 and ratio > limits.max_compression_ratio:
            raise DataError(f"archive rejected: entry {name!r} expands {ratio:.0f}× (a decompression bomb?)")
        total += member.file_size
    _check_size(total, len(members), limits)


def _check_size(total: int, entries: int, limits: Limits) -> None:
    """An archive whose entries (``total`` bytes unpacked) are too many or too large is rejected whole."""
    if total > limits.max_total_uncompressed:
        raise DataError(f"archive rejected: it expands to {total / 1024**3:.1f} GB, over the "
                        f"{limits.max_total_uncompressed / 1024**3:.0f} GB limit")
    if entries > limits.max_items:
        raise DataError(f"archive rejected: {entries} entries, over the {limits.max_items} limit")


def member_name(member: zipfile.ZipInfo) -> str:
    """The entry's name as its maker wrote it. A zip flags UTF-8 names, but many tools (Windows' and macOS's own,
    Info-ZIP without ``-UN=UTF8``) write UTF-8 without the flag, which Python then reads as the old DOS code page:
    "élève" comes out "├⌐l├¿ve". Such a name is read as UTF-8 when its bytes are valid UTF-8 (a real DOS-era name
    with accents almost never is), else kept as it was."""
    if member.flag_bits & 0x800:
        return member.filename
    try:
        return member.filename.encode("cp437").decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return member.filename


def _reader(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> Callable[[], bytes]:
    def read() -> bytes:
        # Bounded read: the header's size can lie, so never trust it for allocation.
        with archive.open(member) as handle:
            data = handle.read(member.file_size + 1)
        if len(data) > member.file_size:
            raise ValueError("entry is larger than its header says")
        return data
    return read


def _build(name: str, sources: list[ByteSource], image_size: int, limits: Limits,
           reporter: Reporter | None, keep: Callable[[str, bytes], str] | None = None) -> Dataset:
    """Decode ``sources``; ``keep(name, bytes)`` gives each decoded image's original file (and may write it)."""
    reporter = ensure(reporter)
    report = ValidationReport()
    names = []
    candidates = [(n, r) for n, r in sources if Path(n).suffix.lower() in IMAGE_SUFFIXES]
    for n, _ in sources:
        suffix = Path(n).suffix.lower()
        if suffix in UNREAD_IMAGES:
            report.skip(n, f"{UNREAD_IMAGES[suffix]}: not read here; save it as JPEG or PNG to include it")
        elif suffix not in IMAGE_SUFFIXES:
            report.skip(n, "not an image file")
    candidates, mask_sources = _without_masks(candidates, report)
    if len(candidates) > limits.max_items:
        raise DataError(f"{len(candidates)} images, over the {limits.max_items} limit")
    report.n_found = len(candidates)
    all_gray, deep = True, 0
    sizes, kept = [], []
    largest = image_size or budget_side(len(candidates))
    # Decoded straight into one buffer (its pages are only used as rows are filled), each image in the top-left
    # corner of its row at its own size (up to ``largest``): no list of arrays to stack, so the copies take their
    # memory once, not twice.
    buffer = np.empty((len(candidates), largest, largest, 3), dtype=np.uint8)
    natives = []
    for i, (item_name, read) in enumerate(candidates):
        if i % 64 == 0:
            reporter.update(i / max(len(candidates), 1), f"decoding images {i}/{len(candidates)}")
        try:
            payload = read()
        except Exception as error:  # a damaged entry (bad CRC, broken deflate stream, unreadable file) is skipped
            report.skip(item_name, f"unreadable file: {type(error).__name__}: {error}")
            continue
        try:
            pixels, mode, original = _decode(payload, largest, limits.max_image_pixels, enlarge=bool(image_size))
        except _Skip as reason:
            report.skip(item_name, str(reason))
            continue
        all_gray &= mode in GRAY_MODES
        deep += mode in DEEP_MODES
        if keep is not None:
            kept.append(keep(item_name, payload))
        own = pixels.shape[0]
        buffer[len(natives), :own, :own] = pixels
        natives.append(own)
        sizes.append(original)
        names.append(item_name)
    count = len(natives)
    report.n_loaded = count
    reporter.update(1.0, f"decoded {count} images")
    if count < 2:
        found = f"{count} usable image" + ("" if count == 1 else "s")
        raise DataError(f"need at least 2 usable images, found {found} ({len(report.skipped)} skipped"
                        + (f": {report.skipped_why()})" if report.skipped else ")"))
    if deep:
        report.notes.append(f"{deep:,} image{'s' if deep > 1 else ''} of more than 8 bits a pixel (16-bit or float): "
                            "each stretched from its own darkest to its brightest pixel")
    original_sizes = np.array(sizes, dtype=np.int64)
    side = image_size or min(auto_image_size(original_sizes), largest)
    if not image_size:
        report.notes.append(f"kept at {side}×{side} px: the originals' typical short side"
                            + ("" if side < largest else f", at most {largest} px")
                            + ("" if largest == MAX_AUTO_SIZE else f" for {len(candidates):,} images (their copies "
                               f"are kept within {WORKING_BYTES / 1024**3:.0f} GB of memory; the pretrained encoder "
                               "reads the original files)"))
    raw_labels, splits = folder_labels(names)
    folders = {label for label in raw_labels if label is not None}
    if len(folders) > max(len(names) / 2, PER_ITEM_FOLDERS):  # 0001/image.png, 0002/…: a folder per item
        report.notes.append(f"{len(folders):,} sub-folders for {len(names):,} images: a folder per item (or nearly), "
                            "not classes")
        raw_labels = [None] * len(names)
    strays = [n for n, label in zip(names, raw_labels) if label is None]
    if strays and len(strays) <= STRAYS * len(names) and len({lab for lab in raw_labels if lab is not None}) >= 2:
        raw_labels = [NO_FOLDER if label is None else label for label in raw_labels]
        report.notes.append(f"{len(strays):,} image(s) outside the class folders ({', '.join(strays[:3])}"
                            f"{'…' if len(strays) > 3 else ''}) are labelled “{NO_FOLDER}”")
    labels, class_names = encode_labels(raw_labels)
    if labels is not None:
        report.notes.append(f"{len(class_names)} sub-folders used as labels" if splits is None else
                            f"{len(class_names)} class folders inside the {', '.join(sorted(set(splits)))} folders "
                            "used as labels (the map can be coloured by the split)")
    else:  # no class folders: a table of file names and their classes beside the images (labels.csv, train.csv)
        if splits is not None:
            report.notes.append(f"the images sit in {', '.join(sorted(set(splits)))} folders: a split, not a class "
                                "(the map can be coloured by it)")
        tables = [(n, r) for n, r in sources if Path(n).suffix.lower() in LABEL_FILES]
        raw_labels, said = labels_from_table(tables, names) if tables else (None, None)
        labels, class_names = encode_labels(raw_labels) if raw_labels else (None, None)
        if said:
            report.notes.append(said)
        if labels is None:  # or the files' names: cat.0.jpg, Abyssinian_12.jpg, obj3__40.png
            raw_labels, said = labels_from_names(names)
            labels, class_names = encode_labels(raw_labels) if raw_labels else (None, None)
            if labels is not None:
                report.notes.append(said)
    in_place = side == largest  # the buffer is the dataset's array; else the rows move to a smaller one
    stacked = buffer[:count] if in_place else np.empty((count, side, side, 3), dtype=np.uint8)
    for i, own in enumerate(natives):
        if in_place and own == side:
            continue
        row = np.ascontiguousarray(buffer[i, :own, :own])
        stacked[i] = row if own == side else _resized(row, side)
    del buffer
    if not all_gray and gray_pixels(stacked):
        all_gray = True
        report.notes.append("the colour files among them hold gray pixels only: read as grayscale")
    masks = _paired_masks(names, mask_sources, side, limits, report) if mask_sources else None
    return Dataset(name=name, item_names=names, images=stacked, labels=labels, masks=masks,
                   class_names=class_names, report=report, grayscale=all_gray, original_sizes=original_sizes,
                   sources=kept if keep is not None else None,
                   attributes={"split": splits} if splits is not None else None)


def side_table(table: str, read: Callable[[], bytes]):
    """A file beside the images as a frame of text: a CSV / TSV with its header; a ``.txt`` of ``file class`` lines
    (ImageNet's ``train_cls.txt``, no header); a JSON object of file → class, or a list of records. ``None`` when
    a JSON file holds neither."""
    import pandas as pd

    text, suffix = decoded(read()), Path(table).suffix.lower()
    if suffix == ".json":
        data = json.loads(text)
        if isinstance(data, dict) and data and all(isinstance(v, (str, int)) for v in data.values()):
            return pd.DataFrame({"file": list(data), "label": [str(v) for v in data.values()]})
        if isinstance(data, list) and data and all(isinstance(row, dict) for row in data):
            return pd.json_normalize(data).astype(str)
        return None
    if suffix == ".txt":
        lines = [line.split() if "," not in line else line.split(",") for line in text.splitlines() if line.strip()]
        if not lines or len({len(line) for line in lines}) != 1:
            return None  # a README's prose: no table
        return pd.DataFrame(lines, columns=[f"column {j + 1}" for j in range(len(lines[0]))], dtype=str)
    return pd.read_csv(io.StringIO(text), sep=None, engine="python", dtype=str).dropna(how="all")


def labels_from_table(tables: list[ByteSource], names: list[str]) -> tuple[list[str] | None, str | None]:
    """The images' labels from a CSV beside them (or a ``.txt`` or JSON: :func:`side_table`): a column naming
    every image (its path, file name or file name without extension) and a label column as a table's
    (``engine.data.tables.column_roles``: named ``label`` / ``class``…, else the first of a few categories).
    Returns the labels and a sentence, or why no table gave them."""
    import pandas as pd

    from engine.data.tables import column_roles

    forms = (names, [posixpath.basename(n) for n in names], [posixpath.splitext(posixpath.basename(n))[0]
                                                             for n in names])
    why = None
    for table, read in tables:
        try:
            frame = side_table(table, read)
        except Exception:  # not a table we can read: it is skipped as a non-image file anyway
            continue
        if frame is None:
            continue
        for column in frame.columns:
            cells = frame[column].astype(str).str.strip()
            known = set(cells)
            matched, form = max(((sum(k in known for k in keys), keys) for keys in forms), key=lambda m: m[0])
            if matched < 0.5 * len(names):
                continue
            roles, _ = column_roles(frame.drop(columns=[column]))
            label = next((c for c, role in roles.items() if role == "label"), None)
            if label is None:
                why = f"{table}: names the images in “{column}” but has no column of a few classes"
                continue
            lookup = dict(zip(cells, [None if pd.isna(v) else str(v).strip() for v in frame[label]]))
            if matched < len(names):
                why = f"{table}: gives “{label}” for {matched:,} of the {len(names):,} images, not all: not used"
                continue
            said = f"labels from {table}: “{label}” of each image named in “{column}”"
            return [lookup[k] for k in form], said
    return None, why


# A few images outside the class folders (a cover picture, an example at the top) do not cost the others their
# labels: up to this share of the images are labelled NO_FOLDER
STRAYS = 0.05
# First-level folders with these names beside the images hold their segmentation masks (Oxford-IIIT Pets'
# annotations/trimaps, Kaggle's images/ and masks/), not more items: read as items they were a "class" of masks.
MASK_FOLDERS = frozenset({"mask", "masks", "annotation", "annotations", "trimap", "trimaps", "segmentation",
                          "segmentations", "segmentationclass", "segmentationobject", "gt", "groundtruth",
                          "ground_truth", "ground-truth", "labels", "label_images", "seg", "segs"})
MASK_SUFFIX = re.compile(r"[_.-]?(mask|masks|seg|segmentation|gt|label|labels|trimap|anno|annotation)$", re.IGNORECASE)
MASKS_PAIRED = 0.9  # the masks are kept for the Attention page when at least this share of the images has one


def _first_folders(names: list[str]) -> list[list[str]]:
    """Each name's folders, less those every name shares (a zip of ``project/`` holding ``data/cat/1.png``)."""
    parts = [posixpath.dirname(n).split("/") if posixpath.dirname(n) else [] for n in names]
    while parts and all(p for p in parts) and len({p[0] for p in parts}) == 1:
        parts = [p[1:] for p in parts]
    return parts


def _without_masks(candidates: list[ByteSource], report: ValidationReport) -> tuple[list[ByteSource],
                                                                                    list[ByteSource]]:
    """The candidates less those in folders of segmentation masks (:data:`MASK_FOLDERS`, beside a folder of
    images, at any depth under the shared folders), and those masks."""
    parts = _first_folders([n for n, _ in candidates])
    marked = [any(folder.lower() in MASK_FOLDERS for folder in p) for p in parts]
    if not any(marked) or all(marked):
        return candidates, []
    masks = [c for c, m in zip(candidates, marked) if m]
    where = sorted({"/".join(p[:next(i for i, f in enumerate(p) if f.lower() in MASK_FOLDERS) + 1])
                    for p, m in zip(parts, marked) if m})
    report.notes.append(f"{len(masks):,} images in {', '.join(where[:3])}{'…' if len(where) > 3 else ''}: "
                        "segmentation masks beside the images, not items")
    return [c for c, m in zip(candidates, marked) if not m], masks


def _mask_key(name: str) -> str:
    return MASK_SUFFIX.sub("", posixpath.splitext(posixpath.basename(name))[0]).lower()


def _paired_masks(names: list[str], sources: list[ByteSource], side: int, limits: Limits,
                  report: ValidationReport) -> np.ndarray | None:
    """The images' masks (``n×side×side`` bool: the pixels unlike the mask's border, so a 0/255 mask, a trimap of
    1/2/3 and a class-coloured one alike), paired by file name (``cat_1.png`` with ``cat_1_mask.png``), cropped
    and sized as the images are; ``None`` where under :data:`MASKS_PAIRED` of the images have one."""
    by_key = {}
    for name, read in sources:
        by_key.setdefault(_mask_key(name), read)
    reads = [by_key.get(_mask_key(n)) for n in names]
    paired = sum(r is not None for r in reads)
    if paired < MASKS_PAIRED * len(names):
        return None
    masks = np.zeros((len(names), side, side), dtype=bool)
    for i, read in enumerate(reads):
        try:
            pixels = _decode(read(), side, limits.max_image_pixels, enlarge=True)[0] if read is not None else None
        except Exception:  # noqa: BLE001 (an unreadable mask: that image has none; the others keep theirs)
            continue
        if pixels is None:
            continue
        gray = pixels.astype(np.int16).sum(axis=-1)
        edge = np.concatenate([gray[0], gray[-1], gray[:, 0], gray[:, -1]])
        values, counts = np.unique(edge, return_counts=True)
        masks[i] = gray != values[counts.argmax()]
    report.notes.append(f"masks paired with {paired:,} of the {len(names):,} images by "
                        "their file names: the Attention page scores attention maps against them")
    return masks


NO_FOLDER = "(no class folder)"
PER_ITEM_FOLDERS = 8  # more folders than this and than half the images hold an image or so each: no classes
# First-level folders with these names hold a data set's splits, each with the same class folders inside.
SPLITS = frozenset({"train", "training", "val", "valid", "validation", "test", "testing", "dev", "eval"})


# Names cameras, phones and tools number their files with: a prefix that says nothing of what is in the picture
GENERIC_STEMS = {"img", "image", "images", "dsc", "dscn", "dscf", "dcim", "pxl", "photo", "pic", "picture", "frame",
                 "screenshot", "scan", "file", "sample", "mvimg", "vid", "gopr", "p", "im", "untitled", "export"}


def labels_from_names(names: list[str]) -> tuple[list[str] | None, str | None]:
    """Classes from the files' own names when they are a class and a running number (``cat.0.jpg`` as Kaggle's
    dogs-vs-cats, ``Abyssinian_12.jpg`` as Oxford-IIIT Pets, ``obj3__40.png`` as COIL-20): 2 to 50 prefixes,
    each on two files or more on average, none of them a camera's or a tool's numbering (``IMG_0001``: see
    :data:`GENERIC_STEMS`)."""
    prefixes = []
    for name in names:
        found = re.fullmatch(r"(.*?[A-Za-z].*?)[\s._-]*\d+", posixpath.splitext(posixpath.basename(name))[0])
        if found is None:
            return None, None
        prefixes.append(found.group(1))
    distinct = set(prefixes)
    if not 2 <= len(distinct) <= min(50, len(names) // 2) or any(p.lower() in GENERIC_STEMS for p in distinct):
        return None, None
    return prefixes, (f"{len(distinct)} classes read from the files' names (the name before its number: "
                      f"{', '.join(sorted(distinct)[:3])}{'…' if len(distinct) > 3 else ''})")


def folder_labels(names: list[str]) -> tuple[list[str | None], list[str] | None]:
    """Each item's label from its folders: the first-level folder (``cat/1.png``); when every item sits in a class
    folder inside a split folder (``train/cat/1.png``, ``val/cat/7.png``), the class folder, and the splits too;
    when split folders hold the images themselves (``train/1.png``), no labels, and the splits."""
    # folders every item shares are passed over first: a zip of project/ holding data/cat/1.png and data/dog/2.png
    # is labelled cat and dog, not all "data"
    parts = _first_folders(names)
    if parts and all(len(p) >= 2 and p[0].lower() in SPLITS for p in parts):
        return [p[1] for p in parts], [p[0] for p in parts]
    if parts and all(p and p[0].lower() in SPLITS for p in parts):  # train/ and test/ holding images: not classes
        return [None] * len(parts), [p[0] for p in parts]
    return [p[0] if p else None for p in parts], None


class _Unpacker:
    """Writes an archive's or upload's decoded images under ``<root>/<digest>/``: into a staging folder first,
    renamed into place once all are written, so a crash leaves no half folder; a folder already there (the same
    content loaded before) is reused and nothing is written."""

    def __init__(self, root: str | os.PathLike, digest: str):
        self.final = Path(root).expanduser().resolve() / digest
        self.done = self.final.is_dir()
        self.staging = self.final.with_name(f".tmp-{digest}-{uuid.uuid4().hex[:6]}")

    def __call__(self, relative: str, payload: bytes) -> str:
        if not self.done:
            target = self.staging / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(payload)
        return str(self.final / relative)

    def finish(self) -> None:
        if self.done:
            return
        self.staging.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(self.staging, self.final)
        except OSError:  # another load of the same content finished first: theirs is the same files
            shutil.rmtree(self.staging, ignore_errors=True)
        self.done = True


def _digest_of(source: str | os.PathLike | BinaryIO) -> str:
    """The archive's content hash (its bytes, read in 1 MB blocks)."""
    digest = hashlib.sha1()
    handle = open(source, "rb") if isinstance(source, (str, os.PathLike)) else source
    position = handle.tell()
    try:
        handle.seek(0)
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    finally:
        if handle is source:
            handle.seek(position)
        else:
            handle.close()
    return digest.hexdigest()[:20]


def budget_side(n: int) -> int:
    """The largest size (a multiple of 8, :data:`MIN_AUTO_SIZE` to :data:`MAX_AUTO_SIZE` px) at which ``n`` loaded
    copies fit in :data:`WORKING_BYTES`."""
    side = int(np.sqrt(WORKING_BYTES / (3 * max(n, 1))) // 8 * 8)
    return int(np.clip(side, MIN_AUTO_SIZE, MAX_AUTO_SIZE))


def auto_image_size(original_sizes: np.ndarray) -> int:
    """The size images are kept at when none is asked for: the median short side of the originals, between
    8 and :data:`MAX_AUTO_SIZE` px, so a 28-px scan stays 28 px (not blown up to look like a photo) and a
    photo is kept at 128 px."""
    return int(np.clip(np.median(original_sizes.min(axis=1)), MIN_AUTO_SIZE, MAX_AUTO_SIZE))


class _Skip(Exception):
    pass


def _decode(data: bytes, size: int, max_pixels: int, enlarge: bool = True) -> tuple[np.ndarray, str, tuple[int, int]]:
    """Bytes → ``size×size×3`` uint8 (see ``upright_rgb``), centre-cropped to square after fitting the short side
    (smaller images are enlarged only when ``enlarge``), the file's own PIL mode ("L", "RGB", "I;16"...), and its
    original ``(width, height)`` after EXIF orientation."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)  # our own limit below decides
            image = Image.open(io.BytesIO(data))
            width, height = image.size
            if width * height > max_pixels:
                raise _Skip(f"decompression bomb: {width}×{height} pixels is over the {max_pixels:,} limit")
            if min(width, height) < MIN_SIDE:
                raise _Skip(f"too small to show anything: {width}×{height} px")
            if image.format == "JPEG":  # decoded at 1/2, 1/4 or 1/8 scale where that still leaves ``size``
                image.draft(image.mode, (size, size))
            image.load()
    except _Skip:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _Skip(f"decompression bomb: {error}") from None
    except UnidentifiedImageError:
        why = "empty file (0 bytes)" if not data else \
            f"unreadable image: not a format the image library reads, or damaged ({len(data):,} bytes)"
        raise _Skip(why) from None
    except (OSError, ValueError, SyntaxError) as error:
        raise _Skip(f"unreadable image: {error}") from None
    mode = image.mode
    turned = image.getexif().get(0x0112, 1) in (5, 6, 7, 8)  # EXIF orientations that swap width and height
    original = (height, width) if turned else (width, height)
    image = upright_rgb(image)
    side = size if enlarge else min(size, *original)
    return np.asarray(_square(image, side), dtype=np.uint8), mode, original


def _resized(pixels: np.ndarray, size: int) -> np.ndarray:
    return np.asarray(_square(Image.fromarray(pixels), size), dtype=np.uint8)


def _square(image: Image.Image, size: int) -> Image.Image:
    width, height = image.size
    side = min(width, height)
    left, top = (width - side) // 2, (height - side) // 2
    image = image.crop((left, top, left + side, top + side))
    if side != size:
        resample = Image.Resampling.BILINEAR if side > size else Image.Resampling.NEAREST
        image = image.resize((size, size), resample, reducing_gap=3.0 if side > 2 * size else None)
    return image


def is_hidden(relative: str) -> bool:
    return any(part.startswith(".") or part == "__MACOSX" for part in relative.split("/"))


def _common_folder(names: list[str]) -> str:
    """``top/`` when every entry lives under one top-level folder (a zipped folder), else ``""``."""
    tops = {n.split("/", 1)[0] for n in names if "/" in n}
    if len(tops) == 1 and all("/" in n for n in names):
        return tops.pop() + "/"
    return ""


def _size_of(source: str | os.PathLike | BinaryIO) -> int:
    if isinstance(source, (str, os.PathLike)):
        return os.path.getsize(source)
    position = source.tell()
    source.seek(0, io.SEEK_END)
    size = source.tell()
    source.seek(position)
    return size
