"""Self-supervised methods, one file each: backbone + head + loss + views (see :mod:`engine.ssl.base`)."""

from __future__ import annotations

from torch import nn

from engine.registry import Entry, lookup
from engine.ssl import ae_dec, barlow_twins, byol, deepcluster, dino, moco, rotation, simclr, swav
from engine.ssl.base import SSLMethod

METHODS: dict[str, Entry] = {
    "simclr": simclr.ENTRY,
    "moco": moco.ENTRY,
    "byol": byol.ENTRY,
    "dino": dino.ENTRY,
    "swav": swav.ENTRY,
    "barlow_twins": barlow_twins.ENTRY,
    "deepcluster": deepcluster.ENTRY,
    "rotation": rotation.ENTRY,
    "ae_dec": ae_dec.ENTRY,
}


def build(name: str, backbone: nn.Module, image_size: int, n_items: int, params: dict | None = None) -> SSLMethod:
    entry = lookup(METHODS, name, "self-supervised method")
    return entry.make(backbone, image_size, n_items, **entry.resolve(params))
