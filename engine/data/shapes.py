"""A generated objects-on-background demo: one shape per image, with its true mask.

Five classes (circle, square, triangle, star, cross) at random positions, sizes, rotations
and colours, on textured backgrounds (waves and grain in muted colours). The masks
make it a test bed for attention maps as zero-shot segmentation (``bench/attention_iou.py``).
Everything is made from a seed, so the demo is the same on every machine.
"""

from __future__ import annotations

import colorsys

import numpy as np

from engine.data.dataset import Dataset, ValidationReport

CLASSES = ("circle", "square", "triangle", "star", "cross")


def _shape_mask(kind: str, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """``u, v``: coordinates in the shape's own frame (unit radius). Returns the inside."""
    if kind == "circle":
        return u ** 2 + v ** 2 <= 1.0
    if kind == "square":
        return (np.abs(u) <= 0.8) & (np.abs(v) <= 0.8)
    if kind == "triangle":  # equilateral, centred, pointing up before rotation
        return (v >= -0.5) & (np.sqrt(3) * u + v <= 1.0) & (-np.sqrt(3) * u + v <= 1.0)
    if kind == "star":  # five points
        r, theta = np.hypot(u, v), np.arctan2(v, u)
        return r <= 0.55 + 0.45 * np.abs(np.cos(2.5 * theta)) ** 3
    if kind == "cross":
        return ((np.abs(u) <= 0.3) & (np.abs(v) <= 1.0)) | ((np.abs(v) <= 0.3) & (np.abs(u) <= 1.0))
    raise ValueError(f"unknown shape {kind!r}")


# Backgrounds come from a few shared texture recipes in muted colours, each image a random phase of
# one of them: the background says little about which image it is, so what sets an image apart is its
# object, as in real photos where many share the same kind of background.
TEXTURES = ((3.0, 0.3), (5.0, 1.2), (7.0, 2.1), (4.0, 2.7))  # (waves per image, angle) of the main wave
MUTED = ((0.45, 0.47, 0.44), (0.52, 0.48, 0.42), (0.40, 0.44, 0.50), (0.50, 0.50, 0.50))


def _background(rng: np.random.Generator, size: int) -> np.ndarray:
    yy, xx = np.mgrid[:size, :size] / size
    freq, angle = TEXTURES[rng.integers(len(TEXTURES))]
    base = np.array(MUTED[rng.integers(len(MUTED))])
    wave = np.sin(2 * np.pi * freq * (xx * np.cos(angle) + yy * np.sin(angle)) + rng.uniform(0, 2 * np.pi))
    cross = np.sin(2 * np.pi * 2 * freq * (xx * np.sin(angle) - yy * np.cos(angle)) + rng.uniform(0, 2 * np.pi))
    field = 0.12 * wave + 0.05 * cross
    grain = rng.normal(0, 0.04, (size, size, 3))
    return np.clip(base[None, None] + field[..., None] + grain, 0, 1)


def _object_colour(rng: np.random.Generator) -> np.ndarray:
    return np.array(colorsys.hsv_to_rgb(rng.random(), rng.uniform(0.65, 1.0), rng.uniform(0.75, 1.0)))


def render(kind: str, rng: np.random.Generator, size: int) -> tuple[np.ndarray, np.ndarray]:
    """One image (uint8 ``size×size×3``) and its mask."""
    image = _background(rng, size)
    radius = rng.uniform(0.16, 0.3) * size
    cx, cy = rng.uniform(radius, size - radius, 2)
    angle = rng.uniform(0, 2 * np.pi)
    yy, xx = np.mgrid[:size, :size] + 0.5
    dx, dy = (xx - cx) / radius, (yy - cy) / radius
    u = dx * np.cos(angle) + dy * np.sin(angle)
    v = -dx * np.sin(angle) + dy * np.cos(angle)
    inside = _shape_mask(kind, u, -v)
    shading = 1 - 0.15 * (u + v) / 2  # a little light from the top left, so objects are not flat
    image[inside] = np.clip(_object_colour(rng)[None] * shading[inside][:, None], 0, 1)
    return np.round(image * 255).astype(np.uint8), inside


def shapes(n: int = 1000, size: int = 64, seed: int = 0) -> Dataset:
    """``n`` images, classes balanced, each with its true object mask."""
    rng = np.random.default_rng(seed)
    labels = np.arange(n) % len(CLASSES)
    rng.shuffle(labels)
    images = np.empty((n, size, size, 3), np.uint8)
    masks = np.empty((n, size, size), bool)
    for i, label in enumerate(labels):
        images[i], masks[i] = render(CLASSES[label], rng, size)
    report = ValidationReport(n_found=n, n_loaded=n,
                              notes=[f"generated: {len(CLASSES)} kinds of shape on textured backgrounds, "
                                     f"{size}×{size}, with true object masks"])
    return Dataset(name="shapes", item_names=[f"{CLASSES[k]} {i}" for i, k in enumerate(labels)], images=images,
                   labels=labels.astype(np.int64), class_names=list(CLASSES), report=report, masks=masks)
