"""CLS self-attention of a ViT's last block, as heat maps, overlays and zero-shot masks.

The model is either a ViT trained here (any method; DINO's teacher where there is one) or
the DINO ViT-S/16 checkpoint when it is on this machine. Maps are per head on the patch
grid, each summing to 1; the mask keeps patches whose attention is above ``mean + std``
(or a threshold the user picks) — DINO's zero-shot segmentation.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

import numpy as np
import torch
import torch.nn.functional as F

from engine.encoders import ENCODERS, image_batch
from engine.encoders import vit as vit_module
from engine.progress import Reporter, ensure

IMAGENET_MEAN, IMAGENET_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


@dataclass
class AttentionModel:
    model: vit_module.VisionTransformer
    image_size: int
    source: str  # what the user is told: which run or which checkpoint
    normalise: bool = False  # ImageNet normalisation (pretrained checkpoints expect it; our runs train on [0, 1])

    @property
    def heads(self) -> int:
        return self.model.blocks[-1].attn.heads

    @property
    def grid(self) -> int:
        return self.image_size // self.model.patch_size

    def at(self, size: int) -> AttentionModel:
        """The same model reading images resized to ``size`` (positions are interpolated): a finer patch grid."""
        return replace(self, image_size=size)

    def read_sizes(self, native: int) -> list[int]:
        """Sizes worth reading ``native``-px images at: the model's own, and twice it where the images have the
        detail for it (a model trained at 32 px on 64 px images reads them on a 16×16 grid instead of 8×8)."""
        return [self.image_size] + ([min(native, 2 * self.image_size)] if native > self.image_size else [])


def from_method(method, source: str) -> AttentionModel:
    """A trained :class:`~engine.ssl.base.SSLMethod` whose backbone is a ViT (its teacher's, if it has one)."""
    backbone = getattr(method, "teacher_backbone", None) or method.backbone
    if not isinstance(backbone, vit_module.VisionTransformer):
        raise ValueError(f"{source} does not use a Vision Transformer, so it has no attention maps")
    return AttentionModel(backbone.eval(), method.image_size, source)


def pretrained_dino(image_size: int = 224) -> AttentionModel | None:
    """DINO ViT-S/16 from the torch hub cache, or ``None`` when it is not on this machine."""
    source = vit_module.WEIGHTS["vit_small"]
    path = source.cached_path()
    if path is None:
        return None
    model = ENCODERS["vit_small"].make(image_size=image_size, weights=str(path))
    return AttentionModel(model.eval(), image_size, f"{source.origin}, pretrained ({source.licence})", normalise=True)


def pretrained_available() -> bool:
    return vit_module.WEIGHTS["vit_small"].cached_path() is not None


def weights_status() -> str:
    return vit_module.WEIGHTS["vit_small"].status()


def _tensor(images: np.ndarray, am: AttentionModel) -> torch.Tensor:
    x = image_batch(images, am.image_size)
    if am.normalise:
        x = (x - torch.tensor(IMAGENET_MEAN).view(1, 3, 1, 1)) / torch.tensor(IMAGENET_STD).view(1, 3, 1, 1)
    return x


@torch.no_grad()
def attention_maps(am: AttentionModel, images: np.ndarray, batch: int = 64,
                   reporter: Reporter | None = None) -> np.ndarray:
    """uint8 ``n×H×W×3`` → ``n×heads×grid×grid`` float32; every head's map sums to 1."""
    reporter = ensure(reporter)
    out = []
    for start in range(0, len(images), batch):
        reporter.update(start / max(len(images), 1), f"attention {start:,}/{len(images):,}")
        out.append(am.model.cls_attention_maps(_tensor(images[start:start + batch], am)).float().numpy())
    reporter.update(1.0, "attention done")
    return np.concatenate(out) if out else np.zeros((0, am.heads, am.grid, am.grid), np.float32)


def default_threshold(heat: np.ndarray, z: float = 1.0) -> float:
    """``mean + z·std`` of one map (``z = 1``: DINO's ``mean + std``)."""
    return float(heat.mean() + z * heat.std())


def mask(heat: np.ndarray, threshold: float | None = None) -> np.ndarray:
    """Patches whose attention is above ``threshold`` (default ``mean + std``)."""
    return heat > (default_threshold(heat) if threshold is None else threshold)


def upsample(grid: np.ndarray, size: int, smooth: bool = True) -> np.ndarray:
    """A ``g×g`` map to ``size×size`` (bilinear, or nearest for masks)."""
    t = torch.from_numpy(np.asarray(grid, dtype=np.float32))[None, None]
    if smooth:
        return F.interpolate(t, size=(size, size), mode="bilinear", align_corners=False)[0, 0].numpy()
    return F.interpolate(t, size=(size, size), mode="nearest")[0, 0].numpy()


def upsample_mask(grid_mask: np.ndarray, size: int) -> np.ndarray:
    """A patch-grid mask to ``size×size`` pixels (each patch a block)."""
    return upsample(grid_mask.astype(np.float32), size, smooth=False) > 0.5


def pixel_mask(heat: np.ndarray, size: int, threshold: float | None = None, smooth: bool = True) -> np.ndarray:
    """The zero-shot mask at ``size×size`` pixels. The threshold (default ``mean + std``) is set on the patch
    values; ``smooth`` applies it to the map interpolated to pixels (bilinear), so the mask's edge runs between
    patch centres instead of along patch borders; otherwise whole patches are kept or dropped."""
    threshold = default_threshold(heat) if threshold is None else threshold
    if smooth:
        return upsample(heat, size) > threshold
    return upsample_mask(mask(heat, threshold), size)


def heat_colours(values: np.ndarray) -> np.ndarray:
    """Values in [0, 1] → RGB uint8 along a dark-to-bright (inferno-like) ramp."""
    stops = np.array([[0, 0, 4], [87, 16, 110], [188, 55, 84], [249, 142, 9], [252, 255, 164]], dtype=np.float32)
    position = np.clip(values, 0, 1) * (len(stops) - 1)
    low = np.floor(position).astype(int).clip(0, len(stops) - 2)
    frac = (position - low)[..., None]
    return (stops[low] * (1 - frac) + stops[low + 1] * frac).astype(np.uint8)


def overlay(image: np.ndarray, heat: np.ndarray, alpha: float = 0.6, outline: np.ndarray | None = None) -> np.ndarray:
    """The image with ``heat`` (a patch-grid map) blended over it; the edge of ``outline`` (a mask on the
    patch grid or at the image's size) drawn in cyan."""
    size = image.shape[0]
    up = upsample(heat, size)
    span = up.max() - up.min()
    coloured = heat_colours((up - up.min()) / span if span > 0 else np.zeros_like(up)).astype(np.float32)
    out = image.astype(np.float32) * (1 - alpha) + coloured * alpha
    if outline is not None:
        region = outline if outline.shape[0] == size else upsample_mask(outline, size)
        interior = np.roll(region, 1, 0) & np.roll(region, -1, 0) & np.roll(region, 1, 1) & np.roll(region, -1, 1)
        edge = region & ~interior
        out[edge] = (0, 230, 255)
    return out.clip(0, 255).astype(np.uint8)


def iou(predicted: np.ndarray, truth: np.ndarray) -> float:
    union = np.logical_or(predicted, truth).sum()
    return float(np.logical_and(predicted, truth).sum() / union) if union else 1.0


def mask_iou(maps: np.ndarray, masks: np.ndarray, threshold: Callable[[np.ndarray], float] = default_threshold,
             smooth: bool = True) -> np.ndarray:
    """IoU of each item's head-averaged attention mask (:func:`pixel_mask` at the image's size) with its true mask."""
    size = masks.shape[1]
    return np.array([iou(pixel_mask(heat, size, threshold(heat), smooth), truth)
                     for heat, truth in zip(maps.mean(axis=1), masks)])


def centre_blob(grid: int, share: float) -> np.ndarray:
    """The baseline: a centred disc covering ``share`` of the image, as a patch-grid map."""
    yy, xx = np.mgrid[:grid, :grid] + 0.5
    r2 = (yy - grid / 2) ** 2 + (xx - grid / 2) ** 2
    return (r2 <= share * grid * grid / np.pi).astype(np.float32)


def _has_attention(record) -> bool:
    """Whether a stored training run's encoder is a ViT."""
    encoder = ENCODERS.get(record.config.get("encoder"))
    return encoder is not None and encoder.attention


def vit_training_runs(store, fingerprint: str | None = None) -> list:
    """Stored training runs whose encoder is a ViT (newest first), on one dataset when ``fingerprint`` is given."""
    return [r for r in store.list(kind="train") if _has_attention(r)
            and (fingerprint is None or r.dataset.get("fingerprint") == fingerprint)]


def from_training_run(store, run_id: str) -> AttentionModel:
    from engine.ssl import METHODS
    from engine.train.jobs import trained_method

    record = store.get(run_id)
    method = trained_method(record.config["job_id"])
    label = (f"{ENCODERS[record.config['encoder']].label} trained with {METHODS[record.config['method']].label} "
             f"(run {run_id})")
    return from_method(method, label)


def for_cluster_run(store, record, dataset) -> tuple[AttentionModel | None, str]:
    """The ViT behind a clustering run's features, else pretrained DINO on photos, else ``None`` and why."""
    if record.config.get("features") == "learned":
        source = record.config.get("feature_params", {}).get("run_id", "")
        if _has_attention(store.get(source)):
            return from_training_run(store, source), ""
    if dataset.images is None:
        return None, "This dataset has no images, so there is nothing to attend to."
    found = vit_training_runs(store, dataset.fingerprint())
    if found:
        return from_training_run(store, found[0].run_id), ""
    if dataset.images.shape[1] >= 32:
        pretrained = pretrained_dino()
        if pretrained is not None:
            return pretrained, ""
    return None, ("No ViT was trained on this dataset and the pretrained DINO ViT-S/16 weights are "
                  f"{weights_status()}. Train a ViT (for example DINO with ViT-Tiny) on the Train page to see "
                  "attention maps.")
