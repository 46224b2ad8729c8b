"""Thumbnails and contact sheets for galleries, hover previews and reports."""

from __future__ import annotations

import base64
import io

import numpy as np
from PIL import Image


def enlarge(image: np.ndarray, size: int) -> np.ndarray:
    """Scale one ``H×W×3`` image to ``size`` px; tiny images (digits) stay crisp with nearest-neighbour."""
    pil = Image.fromarray(image)
    method = Image.Resampling.NEAREST if image.shape[0] * 2 <= size else Image.Resampling.BILINEAR
    return np.asarray(pil.resize((size, size), method))


def montage(images: np.ndarray, indices: np.ndarray | list[int], columns: int = 8, cell: int = 64,
            gap: int = 2, background: int = 255) -> np.ndarray:
    """A contact sheet of ``images[indices]``, ``columns`` wide, each cell ``cell`` px."""
    indices = list(indices)
    rows = max(1, -(-len(indices) // columns))
    width = min(columns, max(len(indices), 1))
    sheet = np.full((rows * (cell + gap) - gap, width * (cell + gap) - gap, 3), background, dtype=np.uint8)
    for slot, index in enumerate(indices):
        r, c = divmod(slot, columns)
        sheet[r * (cell + gap): r * (cell + gap) + cell, c * (cell + gap): c * (cell + gap) + cell] = \
            enlarge(images[index], cell)
    return sheet


def png_bytes(image: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()


def encoded_uri(payload: bytes, kind: str = "png") -> str:
    """Encoded image bytes (``kind``: png, jpeg) as an inline ``data:`` URI."""
    return f"data:image/{kind};base64," + base64.b64encode(payload).decode()


def png_uri(image: np.ndarray) -> str:
    """``image`` as an inline ``data:image/png`` URI, at its own size."""
    return encoded_uri(png_bytes(image))


def data_uri(image: np.ndarray, size: int = 64) -> str:
    """An inline ``data:image/png`` URI of the image enlarged to ``size``, for hover previews and self-contained
    HTML."""
    return png_uri(enlarge(image, size))


HOVER_SIZE = 48  # px: enough to recognise a digit or a photo; the browser shows it at twice that
HOVER_LIMIT = 5_000  # thumbnails sent with a map; past this an even sample of the items has one (~1 KB each)
TINY = 16  # at most this size an image goes as a lossless PNG of its own pixels (a digit: ~100 bytes)


def hover_sample(n: int, limit: int = HOVER_LIMIT) -> np.ndarray:
    """The items of ``n`` that get a hover thumbnail: all of them up to ``limit``, else an evenly spread sample."""
    return np.arange(n) if n <= limit else np.unique(np.linspace(0, n - 1, limit).round().astype(int))


def hover_uri(image: np.ndarray, size: int = HOVER_SIZE) -> str:
    """One image as a small inline hover thumbnail, its whole frame kept (at most ``size`` px on its long side):
    tiny images as PNGs of their own pixels (the browser scales them up crisply), grayscale ones as one-channel
    PNGs, colour ones as JPEGs."""
    gray = image.ndim == 2 or (image[..., 0] == image[..., 1]).all() and (image[..., 1] == image[..., 2]).all()
    pil = Image.fromarray(image).convert("L" if gray else "RGB")
    if max(image.shape[:2]) > size:
        pil.thumbnail((size, size), Image.Resampling.BILINEAR)
    buffer = io.BytesIO()
    if max(image.shape[:2]) <= TINY or gray:  # strokes on a plain ground compress better lossless
        pil.save(buffer, format="PNG")
        return encoded_uri(buffer.getvalue(), "png")
    pil.save(buffer, format="JPEG", quality=75)
    return encoded_uri(buffer.getvalue(), "jpeg")


def hover_uris(images: np.ndarray, limit: int = HOVER_LIMIT, size: int = HOVER_SIZE) -> dict[int, str]:
    """Hover thumbnails of a pixel array's images (see :func:`hover_uri`), item index → ``data:`` URI; past
    ``limit`` items, an evenly spread sample of ``limit`` of them. A dataset with files shows its originals
    instead: :func:`engine.data.originals.hover_uris`."""
    return {i: hover_uri(images[i], size) for i in hover_sample(len(images), limit).tolist()}


SPARK_WIDTH, SPARK_HEIGHT = 96, 48  # px: a series' hover thumbnail, shown at its own size
SPARK_COLOUR = (78, 121, 167)
SPARK_SHADES = 8  # the line's anti-aliased edge in this many shades to white: a 4-bit PNG of ~1.4 KB, not ~5 KB
SPARK_PALETTE = [round(c + (255 - c) * k / (SPARK_SHADES - 1)) for k in range(SPARK_SHADES) for c in SPARK_COLOUR]


def series_uri(values: np.ndarray, width: int = SPARK_WIDTH, height: int = SPARK_HEIGHT) -> str:
    """One series as a small inline line drawing (a PNG ``data:`` URI): its values left to right, scaled to its own
    lowest and highest, drawn at twice the size and shrunk, so the line is smooth; gaps (NaN) left out. A series
    longer than the drawing is wide is drawn through each column's lowest and highest value, so no spike is lost
    (5,000 series of 1,000 steps: ~2 s, ~0.9 KB each)."""
    from PIL import ImageDraw

    values = np.asarray(values, dtype=np.float64)
    values = values[np.isfinite(values)]
    canvas = Image.new("L", (2 * width, 2 * height), 255)
    if len(values) >= 2:
        if len(values) > 4 * width:  # each column of the drawing: a stroke from its lowest value to its highest
            starts = np.linspace(0, len(values), 2 * width + 1).astype(np.int64)[:-1]
            lows, highs = np.minimum.reduceat(values, starts), np.maximum.reduceat(values, starts)
            x = np.repeat(np.linspace(2, 2 * width - 3, len(starts)), 2)
            values = np.column_stack([lows, highs]).ravel()
        else:
            x = np.linspace(2, 2 * width - 3, len(values))
        low, high = float(values.min()), float(values.max())
        y = np.full(len(values), height, dtype=np.float64) if high == low else \
            (2 * height - 4) - (values - low) / (high - low) * (2 * height - 8)
        ImageDraw.Draw(canvas).line(list(zip(x.tolist(), y.tolist())), fill=0, width=3, joint="curve")
    shades = canvas.resize((width, height), Image.Resampling.LANCZOS).point(lambda v: v * SPARK_SHADES // 256)
    drawing = shades.convert("P")
    drawing.putpalette(SPARK_PALETTE)
    buffer = io.BytesIO()
    drawing.save(buffer, format="PNG", bits=4)
    return encoded_uri(buffer.getvalue(), "png")


def series_hover_uris(series: np.ndarray, limit: int = HOVER_LIMIT) -> dict[int, str]:
    """Hover thumbnails of series (see :func:`series_uri`), item index → ``data:`` URI; past ``limit`` items, an
    evenly spread sample."""
    return {i: series_uri(series[i]) for i in hover_sample(len(series), limit).tolist()}
