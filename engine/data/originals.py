"""The image files behind a dataset's items: read at full size, described, and shrunk to whole-image thumbnails.

A dataset's pixel array holds each image centre-cropped to a square at its working size (what features and
training read). What a person looks at comes from the original file (``Dataset.sources``) where there is one: the
whole image, EXIF orientation applied, never cropped. Items with no file (the digits, MNIST) or whose file has gone
show their pixel array, and say so.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

from engine.data.dataset import Dataset
from engine.data.thumbs import enlarge

THUMB_SIZE = 96  # px: gallery tiles are drawn at 48-64 px, twice that for sharp screens
BACKGROUND = 255  # the margin of a non-square image in its square tile


@dataclass(frozen=True)
class Original:
    """One item's image as a person should see it, and where it came from."""

    image: np.ndarray  # H×W×3 uint8, the whole image
    path: str | None  # the file, or None where the item exists only in memory
    note: str  # "640×480 JPEG, 84 KB" / why the file is not shown

    @property
    def size(self) -> tuple[int, int]:
        return int(self.image.shape[1]), int(self.image.shape[0])


def source_of(dataset: Dataset, index: int) -> str | None:
    """The item's original file, where it has one that is still there."""
    if dataset.sources is None:
        return None
    path = dataset.sources[index]
    return path if os.path.isfile(path) else None


def common_folder(paths: list[str]) -> str:
    """The folder that holds every one of ``paths`` (a folder on this computer, or where an upload was unpacked)."""
    return os.path.commonpath([os.path.dirname(p) for p in paths]) if paths else ""


DEEP_MODES = ("I", "I;16", "I;16B", "I;16L", "I;16N", "F")  # 16- and 32-bit grayscale, float: more than 8 bits a pixel
GRAY_MODES = ("1", "L", "LA", "La", "P;L") + DEEP_MODES


def upright_rgb(image: Image.Image) -> Image.Image:
    """A decoded image as a person sees it, in 8-bit RGB: EXIF orientation applied; a 16-bit or float image stretched
    from its own darkest to its brightest pixel (a plain conversion clips a 16-bit scan to white: every value above
    255); a transparent one laid on white, as a page shows it (its hidden pixels' colours are arbitrary)."""
    image = ImageOps.exif_transpose(image)
    if image.mode in DEEP_MODES:
        values = np.asarray(image, dtype=np.float64)
        finite = values[np.isfinite(values)]
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 0.0)
        scaled = np.clip(np.nan_to_num((values - low) * (255.0 / (high - low)) if high > low else values * 0.0), 0, 255)
        image = Image.fromarray(np.round(scaled).astype(np.uint8))
    if image.mode in ("RGBA", "LA", "La", "PA", "RGBa") or (image.mode == "P" and "transparency" in image.info):
        page = Image.new("RGBA", image.size, (255, 255, 255, 255))
        image = Image.alpha_composite(page, image.convert("RGBA"))
    return image.convert("RGB")


def open_upright(path: str, fit: int | None = None) -> Image.Image:
    """An image file decoded as RGB (see :func:`upright_rgb`); a JPEG decoded at a reduced scale (1/2 to 1/8) where
    that still leaves ``fit`` px on both sides."""
    image = Image.open(path)
    if fit is not None and image.format == "JPEG":  # decode at a fraction of the size: 8× faster for thumbnails
        image.draft("RGB", (fit, fit))
    image.load()
    return upright_rgb(image)


def read_original(dataset: Dataset, index: int, max_side: int = 0) -> Original:
    """The item's whole image from its file (at most ``max_side`` px on its long side when that is given), or its
    pixel array where there is no file to read."""
    path = source_of(dataset, index)
    if path is not None:
        try:
            image = open_upright(path, max_side or None)
            with Image.open(path) as header:
                fmt = header.format or Path(path).suffix.lstrip(".").upper()
            width, height = image.size
            note = f"{width}×{height} {fmt}, {os.path.getsize(path) / 1024:,.0f} KB"
            if max_side and max(image.size) > max_side:
                image.thumbnail((max_side, max_side), Image.Resampling.LANCZOS)
            return Original(np.asarray(image), path, note)
        except OSError as error:
            why = f"its file could not be read ({error}); showing the loaded copy"
    elif dataset.sources is not None:
        why = f"its file {dataset.sources[index]} is no longer there; showing the loaded copy"
    else:
        why = "this dataset has no image files (it was made in memory); showing its pixels"
    pixels = dataset.images[index]
    side = pixels.shape[0]
    shown = enlarge(pixels, side * max(1, 256 // side)) if side < 256 else pixels
    return Original(shown, None, f"{side}×{side} px: {why}")


def fit_square(image: np.ndarray, size: int, background: int = BACKGROUND) -> np.ndarray:
    """The whole ``image`` scaled to fit a ``size``×``size`` square, centred on a plain margin (nothing cropped)."""
    pil = Image.fromarray(image)
    scale = size / max(pil.size)
    width, height = max(1, round(pil.width * scale)), max(1, round(pil.height * scale))
    small = image.shape[0] * 2 <= size and image.shape[1] * 2 <= size
    pil = pil.resize((width, height), Image.Resampling.NEAREST if small else Image.Resampling.LANCZOS)
    tile = Image.new("RGB", (size, size), (background,) * 3)
    tile.paste(pil, ((size - width) // 2, (size - height) // 2))
    return np.asarray(tile)


def _shrunk(dataset: Dataset, index: int, side: int) -> np.ndarray | None:
    """The item's whole original at most ``side`` px on its long side (JPEGs decoded at a reduced scale), or None
    where it has no readable file."""
    path = source_of(dataset, index)
    if path is None:
        return None
    try:
        image = open_upright(path, side)
    except OSError:
        return None
    image.thumbnail((side, side), Image.Resampling.BILINEAR)
    return np.asarray(image)


def _each(function, indices) -> list:
    """``function`` over ``indices`` on a few threads (decoding releases the GIL), in order."""
    indices = [int(i) for i in indices]
    if len(indices) < 32:
        return [function(i) for i in indices]
    from concurrent.futures import ThreadPoolExecutor

    with ThreadPoolExecutor(max_workers=min(4, os.cpu_count() or 2)) as pool:
        return list(pool.map(function, indices, chunksize=64))


def thumbnails(dataset: Dataset, indices, size: int = THUMB_SIZE) -> np.ndarray:
    """``len(indices)×size×size×3`` tiles: each item's whole original fitted into the square where it has a file,
    else its pixel array scaled to the square."""
    def tile(index: int) -> np.ndarray:
        image = _shrunk(dataset, index, size * 2)
        return enlarge(dataset.images[index], size) if image is None else fit_square(image, size)

    out = np.empty((len(indices), size, size, 3), dtype=np.uint8)
    for slot, image in enumerate(_each(tile, indices)):
        out[slot] = image
    return out


def hover_uris(dataset: Dataset, limit: int | None = None, size: int | None = None) -> dict[int, str]:
    """Small inline thumbnails for a map's hover, item index → ``data:`` URI (see
    :func:`engine.data.thumbs.hover_uri`): each item's whole original where it has a file (a 640×480 photo stays
    4:3, nothing cropped), else its pixels; a series as a line drawing of it; past ``limit`` items, an evenly spread
    sample."""
    from engine.data.thumbs import HOVER_LIMIT, HOVER_SIZE, hover_sample, hover_uri, series_hover_uris

    limit, size = limit or HOVER_LIMIT, size or HOVER_SIZE
    if dataset.images is None and dataset.series is not None:
        return series_hover_uris(dataset.series, limit)
    chosen = hover_sample(len(dataset), limit)

    def uri(index: int) -> str:
        image = _shrunk(dataset, index, size)
        return hover_uri(dataset.images[index] if image is None else image, size)

    return dict(zip(chosen.tolist(), _each(uri, chosen)))


def gallery(dataset: Dataset, indices, columns: int = 8, cell: int = 64) -> np.ndarray:
    """A contact sheet of the items at ``indices``: whole originals where they have files (see :func:`thumbnails`),
    else their pixels."""
    from engine.data.thumbs import montage

    indices = list(indices)
    if dataset.sources is None:
        return montage(dataset.images, indices, columns=columns, cell=cell)
    return montage(thumbnails(dataset, indices, size=cell), range(len(indices)), columns=columns, cell=cell)
