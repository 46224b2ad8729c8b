"""A small Vision Transformer after facebookresearch/dino's ``vision_transformer.py``.

Module names follow DINO's and timm's (``patch_embed.proj``, ``blocks.N.attn.qkv``,
``blocks.N.mlp.fc1``…), so their checkpoints load by name where shapes agree.

Attention is a first-class output: every block can return its attention, and
:meth:`VisionTransformer.get_last_selfattention` gives the last block's, from which
the CLS→patch maps are read.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from engine.encoders.weights import SOURCES, load_matching, load_state_dict, resolve_weights

SIZES = {"vit_micro": (96, 4, 3), "vit_tiny": (192, 12, 3), "vit_small": (384, 12, 6)}  # width, depth, heads


def patch_size_for(image_size: int) -> int:
    """16 px patches for photos, smaller ones for small images, so there are at least 4×4 patches."""
    for patch, minimum in ((16, 128), (8, 64), (4, 16)):
        if image_size >= minimum:
            return patch
    return 2


class Attention(nn.Module):
    def __init__(self, dim: int, heads: int):
        super().__init__()
        self.heads, self.scale = heads, (dim // heads) ** -0.5
        self.qkv = nn.Linear(dim, dim * 3)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x: Tensor) -> tuple[Tensor, Tensor]:
        """``x (B, N, D)`` → output ``(B, N, D)`` and attention ``(B, heads, N, N)`` (rows sum to 1)."""
        b, n, d = x.shape
        q, k, v = self.qkv(x).reshape(b, n, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        attn = ((q @ k.transpose(-2, -1)) * self.scale).softmax(dim=-1)
        return self.proj((attn @ v).transpose(1, 2).reshape(b, n, d)), attn


class Mlp(nn.Module):
    def __init__(self, dim: int, hidden: int):
        super().__init__()
        self.fc1, self.act, self.fc2 = nn.Linear(dim, hidden), nn.GELU(), nn.Linear(hidden, dim)

    def forward(self, x: Tensor) -> Tensor:
        return self.fc2(self.act(self.fc1(x)))


class PatchEmbed(nn.Module):
    def __init__(self, in_channels: int, dim: int, patch_size: int):
        super().__init__()
        self.proj = nn.Conv2d(in_channels, dim, kernel_size=patch_size, stride=patch_size)

    def forward(self, x: Tensor) -> Tensor:
        return self.proj(x).flatten(2).transpose(1, 2)


class Block(nn.Module):
    def __init__(self, dim: int, heads: int, mlp_ratio: float = 4.0):
        super().__init__()
        self.norm1, self.norm2 = nn.LayerNorm(dim, eps=1e-6), nn.LayerNorm(dim, eps=1e-6)
        self.attn = Attention(dim, heads)
        self.mlp = Mlp(dim, int(dim * mlp_ratio))

    def forward(self, x: Tensor, return_attention: bool = False):
        y, attn = self.attn(self.norm1(x))
        if return_attention:
            return attn
        x = x + y
        return x + self.mlp(self.norm2(x))


class VisionTransformer(nn.Module):
    """``(B, C, H, W) → (B, dim)`` CLS features; positional embeddings are interpolated for other sizes."""

    def __init__(self, image_size: int, patch_size: int, dim: int, depth: int, heads: int, in_channels: int = 3):
        super().__init__()
        self.patch_size = patch_size
        self.patch_embed = PatchEmbed(in_channels, dim, patch_size)
        grid = image_size // patch_size
        self.cls_token = nn.Parameter(torch.zeros(1, 1, dim))
        self.pos_embed = nn.Parameter(torch.zeros(1, grid * grid + 1, dim))
        self.blocks = nn.ModuleList(Block(dim, heads) for _ in range(depth))
        self.norm = nn.LayerNorm(dim, eps=1e-6)
        self.out_dim = dim
        nn.init.trunc_normal_(self.pos_embed, std=0.02)
        nn.init.trunc_normal_(self.cls_token, std=0.02)

    def tokens(self, x: Tensor) -> Tensor:
        b, _, h, w = x.shape
        patches = self.patch_embed(x)
        x = torch.cat([self.cls_token.expand(b, -1, -1), patches], dim=1)
        return x + self._pos_embed(h // self.patch_size, w // self.patch_size)

    def _pos_embed(self, rows: int, cols: int) -> Tensor:
        cls, grid = self.pos_embed[:, :1], self.pos_embed[:, 1:]
        side = int(math.sqrt(grid.shape[1]))
        if rows == cols == side:
            return self.pos_embed
        grid = grid.reshape(1, side, side, -1).permute(0, 3, 1, 2)
        grid = F.interpolate(grid, size=(rows, cols), mode="bicubic", align_corners=False)
        return torch.cat([cls, grid.permute(0, 2, 3, 1).reshape(1, rows * cols, -1)], dim=1)

    def forward(self, x: Tensor) -> Tensor:
        x = self.tokens(x)
        for block in self.blocks:
            x = block(x)
        return self.norm(x)[:, 0]

    def get_last_selfattention(self, x: Tensor) -> Tensor:
        """The last block's attention, ``(B, heads, 1 + patches, 1 + patches)``."""
        x = self.tokens(x)
        for block in self.blocks[:-1]:
            x = block(x)
        return self.blocks[-1](x, return_attention=True)

    def cls_attention_maps(self, x: Tensor) -> Tensor:
        """CLS→patch attention per head on the patch grid: ``(B, heads, rows, cols)``, each map sums to 1."""
        attn = self.get_last_selfattention(x)[:, :, 0, 1:]
        attn = attn / attn.sum(dim=-1, keepdim=True)
        rows, cols = x.shape[-2] // self.patch_size, x.shape[-1] // self.patch_size
        return attn.reshape(x.shape[0], attn.shape[1], rows, cols)


WEIGHTS = {name: SOURCES[name] for name in ("vit_small", "vit_tiny")}


def make(name: str, image_size: int, in_channels: int = 3, depth: int | None = None, weights: str | None = None,
         **_: object) -> VisionTransformer:
    """``weights``: a file, ``"cache"`` for the cached checkpoint (DINO ViT-S/16 in the torch hub cache, timm's
    ViT-Ti/16 in the Hugging Face cache), or ``None``.

    Pretrained weights keep their 16 px patches (and so need images of 64 px or more)."""
    dim, full_depth, heads = SIZES[name]
    path = resolve_weights(name, weights, WEIGHTS)
    patch = 16 if path else patch_size_for(image_size)
    model = VisionTransformer(image_size, patch, dim, depth or full_depth, heads, in_channels)
    if path:
        state = load_state_dict(path)
        if "pos_embed" in state and state["pos_embed"].shape != model.pos_embed.shape:
            state["pos_embed"] = resample_positions(state["pos_embed"], image_size // patch)
        load_matching(model, state)
    return model


def resample_positions(pos_embed: Tensor, grid: int) -> Tensor:
    """A checkpoint's positional embeddings (CLS + square grid) resampled to a ``grid×grid`` grid."""
    cls, old = pos_embed[:, :1], pos_embed[:, 1:]
    side = int(math.sqrt(old.shape[1]))
    old = old.reshape(1, side, side, -1).permute(0, 3, 1, 2)
    new = F.interpolate(old, size=(grid, grid), mode="bicubic", align_corners=False)
    return torch.cat([cls, new.permute(0, 2, 3, 1).reshape(1, grid * grid, -1)], dim=1)
