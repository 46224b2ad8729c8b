"""An MLP autoencoder: flattened pixels → a small code → pixels. Its encoder half is the backbone."""

from __future__ import annotations

from torch import Tensor, nn


class MLPAutoencoder(nn.Module):
    """``forward``: ``(B, C, H, W) → (B, code_dim)``; ``decode``: back to ``(B, C, H, W)`` in [0, 1]."""

    def __init__(self, image_size: int, in_channels: int = 3, code_dim: int = 32, hidden: int = 512):
        super().__init__()
        self.shape = (in_channels, image_size, image_size)
        n = in_channels * image_size * image_size
        self.encoder = nn.Sequential(nn.Flatten(), nn.Linear(n, hidden), nn.ReLU(inplace=True),
                                     nn.Linear(hidden, hidden // 2), nn.ReLU(inplace=True), nn.Linear(hidden // 2, code_dim))
        self.decoder = nn.Sequential(nn.Linear(code_dim, hidden // 2), nn.ReLU(inplace=True),
                                     nn.Linear(hidden // 2, hidden), nn.ReLU(inplace=True), nn.Linear(hidden, n),
                                     nn.Sigmoid())
        self.out_dim = code_dim
        self.fixed_input = True  # flattened pixels: every view must have the training size

    def forward(self, x: Tensor) -> Tensor:
        return self.encoder(x)

    def decode(self, code: Tensor) -> Tensor:
        return self.decoder(code).view(-1, *self.shape)


def make(image_size: int, in_channels: int = 3, code_dim: int = 32, **_: object) -> MLPAutoencoder:
    return MLPAutoencoder(image_size, in_channels, code_dim)
