"""Pretrained weights: looked up on this machine only (a user file or the torch hub cache), never downloaded."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import torch


@dataclass(frozen=True)
class WeightsSource:
    """Where an encoder's pretrained weights would come from, and under which licence."""

    filename: str
    origin: str
    licence: str

    def cached_path(self) -> Path | None:
        path = Path(torch.hub.get_dir()) / "checkpoints" / self.filename
        return path if path.is_file() else None

    def status(self) -> str:
        found = self.cached_path()
        return f"found at {found}" if found else f"not on this machine (expected {self.filename} in the torch hub cache)"


def load_state_dict(path: str | Path) -> dict[str, torch.Tensor]:
    """A checkpoint's tensors, read without executing pickled code."""
    state = torch.load(path, map_location="cpu", weights_only=True)
    for key in ("state_dict", "model", "teacher"):
        if isinstance(state, dict) and key in state and isinstance(state[key], dict):
            state = state[key]
    return {k.removeprefix("module.").removeprefix("backbone."): v for k, v in state.items()}


def load_matching(module: torch.nn.Module, state: dict[str, torch.Tensor]) -> list[str]:
    """Copy every tensor whose name and shape match; returns the names left at random init."""
    own = module.state_dict()
    usable = {k: v for k, v in state.items() if k in own and own[k].shape == v.shape}
    module.load_state_dict(usable, strict=False)
    return sorted(set(own) - set(usable))


def resolve_weights(name: str, weights: str | None, sources: dict[str, WeightsSource]) -> str | Path | None:
    """``"cache"`` → the cached file (an error saying where it was looked for when absent); a path → itself."""
    if weights != "cache":
        return weights or None
    source = sources.get(name)
    found = source.cached_path() if source else None
    if found is None:
        where = source.status() if source else "not published for this encoder"
        raise FileNotFoundError(f"{name} pretrained weights are {where}")
    return found
