"""A small CNN: three conv blocks and global pooling. The fast default for tiny images on a CPU."""

from __future__ import annotations

from torch import Tensor, nn


def _block(c_in: int, c_out: int, pool: bool) -> nn.Sequential:
    layers = [nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True),
              nn.Conv2d(c_out, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(inplace=True)]
    return nn.Sequential(*layers, *([nn.MaxPool2d(2)] if pool else []))


class SmallCNN(nn.Module):
    """``(B, C, H, W) → (B, width·4)``; pools twice, so it suits images from 8 px upward."""

    def __init__(self, in_channels: int = 3, width: int = 32):
        super().__init__()
        self.features = nn.Sequential(_block(in_channels, width, True), _block(width, 2 * width, True),
                                      _block(2 * width, 4 * width, False), nn.AdaptiveAvgPool2d(1), nn.Flatten())
        self.out_dim = 4 * width

    def forward(self, x: Tensor) -> Tensor:
        return self.features(x)


def make(image_size: int, in_channels: int = 3, width: int = 32, **_: object) -> SmallCNN:
    return SmallCNN(in_channels, width)
