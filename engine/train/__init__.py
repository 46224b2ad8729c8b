"""Self-supervised training: config, the loop (checkpoints, resume), and jobs (worker processes)."""

from engine.train.config import TrainConfig, default_encoder, pick_device, recommended
from engine.train.loop import TrainOutcome, Trainer, train

__all__ = ["TrainConfig", "Trainer", "TrainOutcome", "train", "pick_device", "default_encoder", "recommended"]
