"""Real image collections: EfficientNet-Lite0 extraction through our path against a bare torchvision loop, and
how a large folder of photos fares (indexing, thumbnails, raw pixels, clustering, similarity, peak memory).

Generates photo-like JPEGs (640 × 480: a textured ground, a sky gradient and one of four shapes, in four classes)
once into a cache folder, then:

(a) on ``--items`` of them (default 2,000): our extraction (``engine.features.pretrained.extract`` on a folder loaded
    by ``engine.data.load``: originals decoded by DataLoader workers, short side to 256, centre 224) against a bare
    ``torchvision.datasets.ImageFolder`` + ``DataLoader`` + the same model with the same preprocessing and worker
    count; images/s of each and the ratio (goal >= 0.9).
(b) on ``--big`` of them (default 0: skipped; the issue's figure is 100,000): load (index + working copies), gallery
    thumbnails of 1,000, raw-pixel features, the default clustering (10-D UMAP space, K-means K = auto) and a map,
    a "more like this" query and a near-duplicate pass; each stage's seconds and the process's peak RSS.

    .venv/bin/python bench/images.py [--items 2000] [--big 0] [--cache DIR]
"""

from __future__ import annotations

import argparse
import resource
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ["CLUSTERSCOPE_KEEP"] = "0"  # nothing read back from an earlier run: every stage is timed doing its work

import numpy as np  # noqa: E402
import torch  # noqa: E402
from PIL import Image, ImageDraw, ImageFilter  # noqa: E402

from engine import api  # noqa: E402
from engine.features import pretrained  # noqa: E402
from engine.features.stream import CROP, workers  # noqa: E402

CLASSES = ("disc", "square", "triangle", "bar")


def photo(index: int, kind: str, rng: np.random.Generator) -> Image.Image:
    """A 640×480 photo-like picture: sky gradient, a noisy textured ground, one shape somewhere in the middle."""
    w, h = 640, 480
    sky = np.linspace(rng.uniform(150, 210), rng.uniform(60, 120), h // 2)[:, None, None] * [0.7, 0.85, 1.0]
    top = np.broadcast_to(sky, (h // 2, w, 3))
    ground = rng.normal(0, 25, (h // 2, w, 3)) + [rng.uniform(60, 120), rng.uniform(90, 150), rng.uniform(40, 80)]
    pixels = np.clip(np.concatenate([top, ground]), 0, 255).astype(np.uint8)
    image = Image.fromarray(pixels).filter(ImageFilter.GaussianBlur(1.2))
    draw = ImageDraw.Draw(image)
    x, y, s = rng.uniform(150, 450), rng.uniform(150, 300), rng.uniform(70, 140)
    colour = tuple(int(c) for c in rng.integers(30, 255, 3))
    if kind == "disc":
        draw.ellipse((x, y, x + s, y + s), fill=colour)
    elif kind == "square":
        draw.rectangle((x, y, x + s, y + s), fill=colour)
    elif kind == "triangle":
        draw.polygon([(x, y + s), (x + s, y + s), (x + s / 2, y)], fill=colour)
    else:
        draw.rectangle((x, y + s * 0.4, x + 1.8 * s, y + s * 0.6), fill=colour)
    return image


def _make(job: tuple[int, str]) -> None:
    i, path = job
    photo(i, CLASSES[i % len(CLASSES)], np.random.default_rng([0, i])).save(path, quality=85)


def generate(folder: Path, n: int) -> Path:
    """``n`` photos in class sub-folders (photo ``i`` is the same on every machine), made once by one process per
    core (~30 ms each) and kept across runs; extended when more are asked for."""
    from multiprocessing import Pool

    for kind in CLASSES:
        (folder / kind).mkdir(parents=True, exist_ok=True)
    jobs = [(i, str(folder / CLASSES[i % len(CLASSES)] / f"{CLASSES[i % len(CLASSES)]}_{i:06d}.jpg"))
            for i in range(n)]
    jobs = [job for job in jobs if not Path(job[1]).exists()]
    if jobs:
        print(f"  generating {len(jobs):,} photos into {folder}", file=sys.stderr, flush=True)
        with Pool() as pool:
            for done, _ in enumerate(pool.imap_unordered(_make, jobs, chunksize=64), 1):
                if done % 5000 == 0:
                    print(f"  generated {done:,}", file=sys.stderr, flush=True)
    return folder


def subset_folder(root: Path, n: int) -> Path:
    """A folder of links to the first ``n`` photos (so (a) reads exactly ``n`` files)."""
    folder = root / f"first-{n}"
    if not folder.exists():
        staging = root / f".first-{n}.tmp"
        for i in range(n):
            kind = CLASSES[i % len(CLASSES)]
            target = staging / kind / f"{kind}_{i:06d}.jpg"
            target.parent.mkdir(parents=True, exist_ok=True)
            target.symlink_to(root / "all" / kind / f"{kind}_{i:06d}.jpg")
        staging.rename(folder)
    return folder


def peak_rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2


def bare_loop(folder: Path, side: int, batch: int, processes: int) -> tuple[float, int]:
    """torchvision's ImageFolder + DataLoader + the same model, preprocessing as ours (short side to side / CROP,
    centre crop, [0, 1] tensors; the model normalises inside)."""
    from torchvision import datasets, transforms

    from engine.encoders import build

    model = build("efficientnet_lite0", side).eval()
    tf = transforms.Compose([transforms.Resize(round(side / CROP)), transforms.CenterCrop(side), transforms.ToTensor()])
    loader = torch.utils.data.DataLoader(datasets.ImageFolder(str(folder), tf), batch_size=batch,
                                         num_workers=processes)
    start, n = time.perf_counter(), 0
    with torch.no_grad():
        for x, _ in loader:
            model(x)
            n += len(x)
    return time.perf_counter() - start, n


def part_a(root: Path, n: int) -> None:
    folder = subset_folder(root, n)
    start = time.perf_counter()
    data = api.load(folder)
    load_s = time.perf_counter() - start
    start = time.perf_counter()
    ours = pretrained.extract(data, 224)
    ours_s = time.perf_counter() - start
    bare_s, bare_n = bare_loop(folder, 224, pretrained.BATCH, workers())
    assert bare_n == len(data) == len(ours)
    print(f"\n(a) EfficientNet-Lite0 at 224 px on {n:,} 640×480 JPEGs, {torch.get_num_threads()} torch threads, "
          f"{workers()} decoding worker(s), batch {pretrained.BATCH}")
    print(f"    {'':<38} {'seconds':>9} {'images/s':>9}")
    print(f"    {'ours: load (index, 96-128 px copies)':<38} {load_s:9.1f} {n / load_s:9.1f}")
    print(f"    {'ours: extraction from the files':<38} {ours_s:9.1f} {n / ours_s:9.1f}")
    print(f"    {'bare ImageFolder + DataLoader loop':<38} {bare_s:9.1f} {n / bare_s:9.1f}")
    print(f"    ratio ours / bare (images/s): {bare_s / ours_s:.2f}  (goal >= 0.9)")
    print(f"    100,000 photos at this rate: {100_000 / (n / ours_s) / 3600:.1f} h of extraction on this machine")


def part_b(root: Path, n: int) -> None:
    folder = subset_folder(root, n)
    stages = []

    def timed(name, fn):
        start = time.perf_counter()
        value = fn()
        stages.append((name, time.perf_counter() - start, peak_rss_gb()))
        print(f"  {name}: {stages[-1][1]:.1f} s", file=sys.stderr, flush=True)
        return value

    data = timed("load (index + working copies)", lambda: api.load(folder))
    timed("gallery thumbnails of 1,000 (whole originals, 96 px)",
          lambda: api.thumbnails(data, np.arange(0, n, max(1, n // 1000))[:1000]))
    config = api.default_config(data, features="pixels")
    result = timed("default run on raw pixels (10-D UMAP space, K-means K = auto, 2-D map)",
                   lambda: api.run(data, config))
    features = api.features_for(data, result.config)
    index = timed("similarity index of the run's features", lambda: api.SimilarityIndex.build(features))
    timed("more like this (one query)", lambda: index.more_like(0, 12))
    pairs = timed("near-duplicates (all pairs, 16-px descriptors)",
                  lambda: api.SimilarityIndex.of_images(data.images).near_duplicates(api.DUPLICATE_THRESHOLD))
    print(f"\n(b) {n:,} 640×480 JPEGs: {result.metrics['n_clusters']} clusters, ARI {result.metrics['ari']:.3f}, "
          f"{len(pairs):,} near-duplicate pairs; working copies {data.images.shape[1]} px, "
          f"{data.images.nbytes / 1024**3:.2f} GB")
    print(f"    {'stage':<72} {'seconds':>8} {'peak RSS GB':>12}")
    for name, seconds, rss in stages:
        print(f"    {name:<72} {seconds:8.1f} {rss:12.2f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--items", type=int, default=2000, help="photos for (a), the extraction comparison")
    parser.add_argument("--big", type=int, default=0, help="photos for (b), the large folder (0: skip)")
    parser.add_argument("--cache", default=str(Path.home() / ".cache" / "clusterscope-bench" / "photos"))
    args = parser.parse_args()
    root = Path(args.cache)
    generate(root / "all", max(args.items, args.big))
    if args.items:
        part_a(root, args.items)
    if args.big:
        part_b(root, args.big)


if __name__ == "__main__":
    main()
