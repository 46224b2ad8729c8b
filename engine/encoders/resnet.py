"""ResNet-18 / ResNet-50 from torchvision, with a 3×3 stride-1 stem for images of 64 px or less."""

from __future__ import annotations

from torch import Tensor, nn

from engine.encoders.weights import SOURCES, load_matching, load_state_dict, resolve_weights

SMALL_IMAGE = 64
WEIGHTS = {name: SOURCES[name] for name in ("resnet18", "resnet50")}


class ResNetEncoder(nn.Module):
    """A torchvision ResNet without its classifier: ``(B, 3, H, W) → (B, 512 or 2048)``."""

    def __init__(self, depth: int, image_size: int):
        super().__init__()
        from torchvision import models  # on first use: importing it costs ~1.7 s (torch._dynamo, via ops)

        net = models.resnet18() if depth == 18 else models.resnet50()
        if image_size <= SMALL_IMAGE:  # as in SimCLR's CIFAR set-up: keep resolution in the stem
            net.conv1 = nn.Conv2d(3, 64, kernel_size=3, stride=1, padding=1, bias=False)
            net.maxpool = nn.Identity()
        self.out_dim = net.fc.in_features
        net.fc = nn.Identity()
        self.net = net

    def forward(self, x: Tensor) -> Tensor:
        return self.net(x)


def make(name: str, image_size: int, in_channels: int = 3, weights: str | None = None, **_: object) -> ResNetEncoder:
    """``weights``: a file path, ``"cache"`` for torchvision's cached ImageNet weights, or ``None``."""
    encoder = ResNetEncoder(18 if name == "resnet18" else 50, image_size)
    path = resolve_weights(name, weights, WEIGHTS)
    if path:
        load_matching(encoder.net, load_state_dict(path))
    return encoder
