"""Batched image augmentations on tensors (``B×3×H×W`` in [0, 1]), scaled to the image size.

The views follow SimCLR / BYOL / DINO: random resized crop, flip, colour jitter,
grayscale, blur (only where images are large enough for it, as in SimCLR's CIFAR
set-up) and, for BYOL's second view, solarisation. Everything is vectorised so
8 px digits and 224 px photos go through the same code at batch speed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

BLUR_MIN_SIZE = 32  # SimCLR drops blur on 32 px CIFAR images
TINY_SIZE = 32  # below this, crops keep a larger share of the image


@dataclass(frozen=True)
class ViewSpec:
    """One kind of view. ``size`` 0 keeps the input size."""

    size: int = 0
    scale: tuple[float, float] = (0.2, 1.0)
    flip: bool = True
    jitter: float = 0.4
    jitter_p: float = 0.8
    gray_p: float = 0.2
    blur_p: float = 0.5
    solarize_p: float = 0.0


def resized_crop(x: Tensor, size: int, scale: tuple[float, float], ratio=(3 / 4, 4 / 3)) -> Tensor:
    """A random crop of each image (area fraction in ``scale``), resized to ``size`` by one affine grid."""
    b = x.shape[0]
    area = torch.empty(b, device=x.device).uniform_(*scale)
    log_ratio = torch.empty(b, device=x.device).uniform_(math.log(ratio[0]), math.log(ratio[1]))
    aspect = torch.exp(log_ratio)
    w = torch.sqrt(area * aspect).clamp(max=1.0)
    h = torch.sqrt(area / aspect).clamp(max=1.0)
    cx = (torch.rand(b, device=x.device) * 2 - 1) * (1 - w)
    cy = (torch.rand(b, device=x.device) * 2 - 1) * (1 - h)
    theta = torch.zeros(b, 2, 3, device=x.device)
    theta[:, 0, 0], theta[:, 0, 2], theta[:, 1, 1], theta[:, 1, 2] = w, cx, h, cy
    grid = F.affine_grid(theta, [b, x.shape[1], size, size], align_corners=False)
    return F.grid_sample(x, grid, mode="bilinear", padding_mode="reflection", align_corners=False)


def _where(p: float, x: Tensor, changed: Tensor) -> Tensor:
    mask = (torch.rand(x.shape[0], 1, 1, 1, device=x.device) < p).to(x.dtype)
    return mask * changed + (1 - mask) * x


def gray(x: Tensor) -> Tensor:
    weights = torch.tensor([0.299, 0.587, 0.114], device=x.device, dtype=x.dtype).view(1, 3, 1, 1)
    return (x * weights).sum(dim=1, keepdim=True).expand_as(x)


def colour_jitter(x: Tensor, strength: float) -> Tensor:
    """Brightness, contrast and saturation by random factors in ``1 ± strength``, hue by a channel mix."""
    b = x.shape[0]

    def factor() -> Tensor:
        return torch.empty(b, 1, 1, 1, device=x.device).uniform_(1 - strength, 1 + strength)

    x = x * factor()
    mean = x.mean(dim=(1, 2, 3), keepdim=True)
    x = (x - mean) * factor() + mean
    x = (x - gray(x)) * factor() + gray(x)
    hue = torch.empty(b, device=x.device).uniform_(-strength / 4, strength / 4) * 2 * math.pi
    cos, sin = torch.cos(hue), torch.sin(hue)
    k = 1 / 3
    s = math.sqrt(k)
    mix = torch.stack([  # rotation about the grey axis (YIQ-free hue shift)
        torch.stack([cos + (1 - cos) * k, k * (1 - cos) - s * sin, k * (1 - cos) + s * sin], -1),
        torch.stack([k * (1 - cos) + s * sin, cos + k * (1 - cos), k * (1 - cos) - s * sin], -1),
        torch.stack([k * (1 - cos) - s * sin, k * (1 - cos) + s * sin, cos + k * (1 - cos)], -1)], 1)
    return torch.einsum("bij,bjhw->bihw", mix, x).clamp(0, 1)


def blur(x: Tensor) -> Tensor:
    """Gaussian blur, sigma 0.1–2.0 scaled to the image (a 10th of the side as kernel, as in SimCLR)."""
    size = x.shape[-1]
    radius = max(1, size // 20)
    sigma = torch.empty(x.shape[0], 1, device=x.device).uniform_(0.1, 2.0) * size / 224
    offsets = torch.arange(-radius, radius + 1, device=x.device, dtype=x.dtype)
    kernel = torch.exp(-(offsets[None] ** 2) / (2 * sigma.clamp(min=1e-3) ** 2))
    kernel = kernel / kernel.sum(dim=1, keepdim=True)  # (B, K)
    b, c, h, w = x.shape
    flat = x.reshape(1, b * c, h, w)
    kx = kernel.repeat_interleave(c, 0)[:, None, None, :]
    flat = F.conv2d(F.pad(flat, (radius, radius, 0, 0), mode="reflect"), kx, groups=b * c)
    flat = F.conv2d(F.pad(flat, (0, 0, radius, radius), mode="reflect"), kx.transpose(-1, -2), groups=b * c)
    return flat.reshape(b, c, h, w)


def crop_scale(scale: tuple[float, float], image_size: int) -> tuple[float, float]:
    """The paper's crop areas suit 32 px and up; on tinier images the lower bound rises toward half the
    upper one (0.2 → 0.5 at 8 px), or a crop keeps too few pixels to show what the image is."""
    low, high = scale
    tiny = min(max((TINY_SIZE - image_size) / (TINY_SIZE - 8), 0.0), 1.0)
    return (max(low, low + (high / 2 - low) * tiny), high)


def make_view(x: Tensor, spec: ViewSpec) -> Tensor:
    out = resized_crop(x, spec.size or x.shape[-1], crop_scale(spec.scale, x.shape[-1]))
    if spec.flip:
        out = _where(0.5, out, out.flip(-1))
    if spec.jitter > 0:
        out = _where(spec.jitter_p, out, colour_jitter(out, spec.jitter))
    if spec.gray_p > 0:
        out = _where(spec.gray_p, out, gray(out))
    if spec.blur_p > 0 and out.shape[-1] >= BLUR_MIN_SIZE:
        out = _where(spec.blur_p, out, blur(out))
    if spec.solarize_p > 0:
        out = _where(spec.solarize_p, out, torch.where(out >= 0.5, 1 - out, out))
    return out.clamp(0, 1)


def multi_crop(local_size: int, n_local: int) -> tuple[list[ViewSpec], list[ViewSpec]]:
    """DINO / SwAV crops: two global views (scale 0.4–1) and ``n_local`` small ones (0.05–0.4) of ``local_size``."""
    global_views = [ViewSpec(scale=(0.4, 1.0), blur_p=1.0), ViewSpec(scale=(0.4, 1.0), blur_p=0.1, solarize_p=0.2)]
    return global_views, [ViewSpec(size=local_size, scale=(0.05, 0.4)) for _ in range(n_local)]
