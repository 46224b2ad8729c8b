"""Labelled data sets made offline from what ships inside installed packages, unlike the demos the defaults were
first tried on: digits re-rendered (inverted, in colour, on textures, at other sizes) and written as PNG zips
with junk files mixed in, photo crops whose class is the photo they came from, faces vs other things,
grayscale versions of colour sets, planted-partition graphs, and generated tables.

They serve ``bench/defaults.py`` (one row each) and the tests that keep the default path above a floor. Each
builder is seeded, so a row is the same on every machine.
"""

from __future__ import annotations

import io
import zipfile
from importlib.resources import files

import numpy as np
from PIL import Image

from engine.data.dataset import Dataset, ValidationReport

TEXTURES = ("brick.png", "grass.png", "gravel.png")
PHOTOS = ("astronaut.png", "chelsea.png", "coffee.png", "rocket.jpg", "motorcycle_left.png", "hubble_deep_field.jpg",
          "ihc.png", "retina.jpg")


def _skimage_image(name: str) -> np.ndarray:
    with Image.open(files("skimage") / "data" / name) as image:
        return np.asarray(image.convert("RGB"))


def digit_strokes(source: str = "mnist5k", n: int | None = None, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Stroke intensities in [0, 1] (``n×H×W``) and labels, from the digits or mnist5k demo."""
    from engine.data.demo import digits, mnist5k

    data = {"digits": digits, "mnist5k": mnist5k}[source]()
    strokes = data.images[..., 0].astype(np.float32) / 255.0
    labels = data.labels
    if n is not None and n < len(strokes):
        keep = np.sort(np.random.default_rng(seed).choice(len(strokes), n, replace=False))
        strokes, labels = strokes[keep], labels[keep]
    return strokes, labels


def _resize(gray: np.ndarray, size: int) -> np.ndarray:
    image = Image.fromarray(np.round(gray * 255).astype(np.uint8))
    return np.asarray(image.resize((size, size), Image.Resampling.BILINEAR), dtype=np.float32) / 255.0


def _texture_crop(rng: np.random.Generator, textures: list[np.ndarray], size: int) -> np.ndarray:
    texture = textures[rng.integers(len(textures))]
    side = int(rng.integers(size, min(texture.shape[:2]) // 2))
    top, left = rng.integers(0, texture.shape[0] - side), rng.integers(0, texture.shape[1] - side)
    crop = Image.fromarray(texture[top:top + side, left:left + side]).resize((size, size), Image.Resampling.BILINEAR)
    texture = np.asarray(crop, dtype=np.float32) / 255.0
    paper = rng.uniform(0.3, 0.7, 3)  # the texture shows through a plain tint, as on a photographed page
    return np.clip(paper + 0.6 * (texture - texture.mean(axis=(0, 1))), 0, 1)


def render_digits(strokes: np.ndarray, size: int, style: str, seed: int = 0) -> np.ndarray:
    """Stroke maps → ``n×size×size×3`` uint8 images in one style.

    ``plain``: white on black, as scanned. ``inverted``: dark ink on white paper. ``colour``: a random
    saturated ink on a random contrasting background colour, per image. ``textured``: a random ink on a random
    crop of a photographed texture (brick, grass, gravel), tinted.
    """
    rng = np.random.default_rng(seed)
    textures = [_skimage_image(t) for t in TEXTURES] if style == "textured" else []
    out = np.empty((len(strokes), size, size, 3), np.uint8)
    for i, stroke in enumerate(strokes):
        ink = _resize(stroke, size)[..., None]
        if style == "plain":
            background, colour = np.zeros(3), np.ones(3)
        elif style == "inverted":
            background, colour = np.full(3, rng.uniform(0.85, 1.0)), np.full(3, rng.uniform(0.0, 0.2))
        elif style == "colour":
            background = rng.uniform(0, 1, 3)
            colour = np.where(background > 0.5, rng.uniform(0, 0.35, 3), rng.uniform(0.65, 1, 3))
        elif style == "textured":
            background = _texture_crop(rng, textures, size)
            colour = rng.uniform(0, 0.1, 3) if rng.random() < 0.5 else rng.uniform(0.9, 1, 3)
        else:
            raise ValueError(f"unknown style {style!r}")
        image = background * (1 - ink) + colour * ink
        out[i] = np.round(np.clip(image, 0, 1) * 255).astype(np.uint8)
    return out


def photo_crops(per_class: int = 80, size: int = 64, seed: int = 0, photos: tuple[str, ...] = PHOTOS,
                grayscale: bool = False) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Random crops (a quarter to three quarters of the short side, anywhere, mirrored at random, brightness
    varied) of scikit-image's sample photos; an item's class is the photo it was cut from."""
    rng = np.random.default_rng(seed)
    images, labels = [], []
    for label, name in enumerate(photos):
        photo = _skimage_image(name)
        for _ in range(per_class):
            side = int(rng.uniform(0.25, 0.75) * min(photo.shape[:2]))
            top, left = rng.integers(0, photo.shape[0] - side + 1), rng.integers(0, photo.shape[1] - side + 1)
            crop = Image.fromarray(photo[top:top + side, left:left + side])
            if grayscale:
                crop = crop.convert("L").convert("RGB")
            crop = crop.resize((size, size), Image.Resampling.BILINEAR)
            pixels = np.asarray(crop, dtype=np.float32) * rng.uniform(0.75, 1.25)
            pixels = pixels[:, ::-1] if rng.random() < 0.5 else pixels
            images.append(np.clip(pixels, 0, 255).astype(np.uint8))
            labels.append(label)
    order = rng.permutation(len(images))
    return np.stack(images)[order], np.array(labels)[order], [p.rsplit(".", 1)[0] for p in photos]


COLOURS = {"red": (210, 40, 40), "green": (40, 160, 60), "blue": (40, 70, 200), "yellow": (225, 200, 40),
           "purple": (140, 50, 170)}


def colour_items(per_class: int = 60, size: int = 64, seed: int = 0) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """A filled square, disc or triangle on a light, slightly noisy ground; an item's class is its colour (each
    shade jittered), while its shape, size and place vary at random: the case where colour is the signal and
    shape the nuisance, the reverse of the coloured digits."""
    from PIL import ImageDraw

    rng = np.random.default_rng(seed)
    images, labels = [], []
    for label, rgb in enumerate(COLOURS.values()):
        for _ in range(per_class):
            ground = tuple(int(v) for v in rng.integers(215, 250, 3))
            image = Image.new("RGB", (size, size), ground)
            side = rng.uniform(0.3, 0.7) * size
            x, y = rng.uniform(0.05 * size, size - side - 0.05 * size, 2)
            fill = tuple(int(np.clip(v + rng.integers(-20, 21), 0, 255)) for v in rgb)
            draw, shape = ImageDraw.Draw(image), rng.integers(3)
            if shape == 0:
                draw.rectangle((x, y, x + side, y + side), fill=fill)
            elif shape == 1:
                draw.ellipse((x, y, x + side, y + side), fill=fill)
            else:
                draw.polygon([(x, y + side), (x + side, y + side), (x + side / 2, y)], fill=fill)
            pixels = np.asarray(image, np.float32) + rng.normal(0, 6, (size, size, 3))
            images.append(np.clip(pixels, 0, 255).astype(np.uint8))
            labels.append(label)
    order = rng.permutation(len(images))
    return np.stack(images)[order], np.array(labels)[order], list(COLOURS)


def faces() -> tuple[np.ndarray, np.ndarray, list[str]]:
    """scikit-image's LFW subset: 100 faces and 100 other photo patches, 25×25 grayscale."""
    patches = np.load(files("skimage") / "data" / "lfw_subset.npy")
    gray = np.round(np.clip(patches, 0, 1) * 255).astype(np.uint8)
    return np.repeat(gray[..., None], 3, axis=-1), np.repeat([0, 1], 100), ["face", "not a face"]


def image_zip(images: np.ndarray, labels: np.ndarray, class_names: list[str], junk: bool = True,
              grayscale: bool = False) -> bytes:
    """A zip of PNGs in one sub-folder per class, plus the junk a real archive carries (a text file, a
    ``.DS_Store``, a ``__MACOSX`` fork, a damaged PNG) when ``junk``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for i, (image, label) in enumerate(zip(images, labels)):
            png = io.BytesIO()
            Image.fromarray(image[..., 0] if grayscale else image).save(png, format="PNG")
            archive.writestr(f"set/{class_names[label]}/{i:05d}.png", png.getvalue())
        if junk:
            archive.writestr("set/README.txt", "made for a test\n")
            archive.writestr("set/.DS_Store", b"\x00\x00\x00\x01Bud1")
            archive.writestr("__MACOSX/set/._00000.png", b"\x00\x05\x16\x07")
            archive.writestr(f"set/{class_names[0]}/broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    return buffer.getvalue()


def image_dataset(name: str, images: np.ndarray, labels: np.ndarray, class_names: list[str],
                  grayscale: bool = False, mirror_safe: bool = True) -> Dataset:
    """The same images as an in-memory dataset (what the loader would give for :func:`image_zip`)."""
    n = len(images)
    return Dataset(name=name, item_names=[f"{class_names[k]}/{i:05d}.png" for i, k in enumerate(labels)],
                   images=images, labels=np.asarray(labels, dtype=np.int64), class_names=list(class_names),
                   report=ValidationReport(n_found=n, n_loaded=n), grayscale=grayscale, mirror_safe=mirror_safe)


def planted_graphml(groups: int = 4, size: int = 50, p_in: float = 0.25, p_out: float = 0.02, seed: int = 0) -> bytes:
    """A planted-partition graph as GraphML, each node carrying its block in a ``block`` attribute."""
    import networkx as nx

    graph = nx.Graph(nx.planted_partition_graph(groups, size, p_in, p_out, seed=seed).edges)
    for node in graph.nodes:
        graph.nodes[node]["block"] = f"b{node // size}"
    buffer = io.BytesIO()
    nx.write_graphml(graph, buffer)
    return buffer.getvalue()


def lfr_graphml(n: int = 250, mu: float = 0.1, seed: int = 10) -> bytes:
    """An LFR benchmark graph (networkx's documented settings) as GraphML, with a ``community`` attribute."""
    import networkx as nx

    graph = nx.LFR_benchmark_graph(n, tau1=3, tau2=1.5, mu=mu, average_degree=5, min_community=20, seed=seed)
    communities = {frozenset(graph.nodes[v]["community"]) for v in graph}
    index = {member: i for i, members in enumerate(sorted(communities, key=min)) for member in members}
    clean = nx.Graph()
    clean.add_nodes_from((v, {"community": f"c{index[v]}"}) for v in graph)
    clean.add_edges_from(graph.edges())
    buffer = io.BytesIO()
    nx.write_graphml(clean, buffer)
    return buffer.getvalue()


# ---- time series: classic generated sets of the UCR archive, written in its layout --------------------------------

def cylinder_bell_funnel(n: int = 300, seed: int = 0) -> tuple[np.ndarray, list[str]]:
    """Saito's (1994) Cylinder-Bell-Funnel, 128 steps: a plateau, a rising ramp or a falling one between random
    start and end steps, with noise. Where the shape sits varies; its form is the class."""
    rng = np.random.default_rng(seed)
    t = np.arange(128)
    values, kinds = [], []
    for i in range(n):
        kind, start = i % 3, rng.integers(16, 33)
        end = start + rng.integers(32, 97)
        inside = ((t >= start) & (t <= end)).astype(float)
        ramp = [np.ones(128), (t - start) / (end - start), (end - t) / (end - start)][kind]
        values.append((6 + rng.normal()) * inside * ramp + rng.normal(size=128))
        kinds.append(("cylinder", "bell", "funnel")[kind])
    return np.array(values), kinds


def synthetic_control(n: int = 600, seed: int = 0) -> tuple[np.ndarray, list[str]]:
    """Alcock and Manolopoulos' (1999) synthetic control charts, 60 steps: normal, cyclic, increasing and decreasing
    trends, upward and downward shifts."""
    rng = np.random.default_rng(seed)
    t = np.arange(60)
    values, kinds = [], []
    for i in range(n):
        kind = i % 6
        series = 30 + 2 * rng.uniform(-3, 3, 60)
        if kind == 1:
            series = series + rng.uniform(10, 15) * np.sin(2 * np.pi * t / rng.uniform(10, 15))
        elif kind in (2, 3):
            series = series + (1 if kind == 2 else -1) * rng.uniform(0.2, 0.5) * t
        elif kind in (4, 5):
            series = series + (1 if kind == 4 else -1) * (t >= rng.integers(20, 40)) * rng.uniform(7.5, 20)
        values.append(series)
        kinds.append(("normal", "cyclic", "increasing", "decreasing", "upward shift", "downward shift")[kind])
    return np.array(values), kinds


def phase_free_waves(n: int = 150, seed: int = 0) -> tuple[np.ndarray, list[str]]:
    """Sines, squares and sawtooths, 100 steps, at random phases and frequencies within 10 %: the same shape may
    start anywhere, so aligning steps (even with DTW's band) mixes the classes."""
    rng = np.random.default_rng(seed)
    t = np.linspace(0, 4 * np.pi, 100)
    values, kinds = [], []
    for i in range(n):
        kind, phase, frequency = i % 3, rng.uniform(0, 2 * np.pi), rng.uniform(0.9, 1.1)
        base = np.sin(frequency * t + phase)
        shape = [base, np.sign(base), ((frequency * t + phase) / np.pi) % 2 - 1][kind]
        values.append(shape + rng.normal(0, 0.1, len(t)))
        kinds.append(("sine", "square", "sawtooth")[kind])
    return np.array(values), kinds


def ucr_tsv(values: np.ndarray, kinds: list[str]) -> bytes:
    """Series in the UCR archive's layout: no header, a class code (1, 2, …) then the values, tab-separated."""
    codes = {kind: i + 1 for i, kind in enumerate(dict.fromkeys(kinds))}
    return "".join("\t".join([str(codes[kind])] + [f"{v:.5f}" for v in row]) + "\n"
                   for row, kind in zip(values, kinds)).encode()


def series_dataset(name: str, values: np.ndarray, kinds: list[str]) -> Dataset:
    from engine.data.series import _series_dataset

    return _series_dataset(name, None, [list(row) for row in values], list(kinds), [])


def answers_csv(n: int = 600, groups: int = 3, questions: int = 6, keep: float = 0.7, seed: int = 21) -> bytes:
    """A table of categories and no number, as UCI's mushrooms are: answers to multiple-choice questions (3-6 options
    each) from ``groups`` groups, each group's usual answer given ``keep`` of the time, else any; the group last."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(3, 7, questions)
    usual = [[rng.integers(c) for c in sizes] for _ in range(groups)]
    rows = [",".join(f"opt{usual[i % groups][j] if rng.random() < keep else rng.integers(sizes[j])}"
                     for j in range(questions)) + f",g{i % groups}" for i in range(n)]
    return (",".join(f"q{j + 1}" for j in range(questions)) + ",group\n" + "\n".join(rows) + "\n").encode()
