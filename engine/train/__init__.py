"""Self-supervised training: config, the loop (checkpoints, resume), and jobs (worker processes)."""

from engine.train.config import TrainConfig, default_encoder, pick_device, recommended


def __getattr__(name: str):  # the loop (torch) loads when training does, not when a menu reads the config
    if name in ("TrainOutcome", "Trainer", "train"):
        from engine.train import loop

        return getattr(loop, name)
    raise AttributeError(f"module 'engine.train' has no attribute {name!r}")

__all__ = ["TrainConfig", "Trainer", "TrainOutcome", "train", "pick_device", "default_encoder", "recommended"]
