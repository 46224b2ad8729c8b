"""The training loop: epochs (or a time budget), progress events, a checkpoint every epoch and every
:data:`CHECKPOINT_EVERY_S` seconds within one, resume from where the checkpoint left off (mid-epoch included).

A job lives in a folder::

    config.json       TrainConfig plus the dataset reference
    progress.jsonl    one JSON event per line: steps, epochs, and the end
    checkpoint.pt     the model, optimiser and position (epoch, step within it) at the last checkpoint, written
                      atomically, read back on resume
    status.json       running / done / failed / cancelled, with the run id when done
    best.pt           the model at the best checkpoint evaluation by the label-free score (engine.train.watch)
    watch.npz         the watched sample's aligned maps and K-means clusters at each checkpoint evaluation so far

Nothing here prints or exits; it reports through a :class:`Reporter` and the files above.
"""

from __future__ import annotations

import json
import math
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import torch

from engine.data import Dataset
from engine.encoders import build as build_encoder
from engine.encoders import image_batch
from engine.features.stream import originals_larger, squares
from engine.progress import Cancelled, Reporter, ensure
from engine.ssl import build as build_method
from engine.ssl.base import SSLMethod
from engine.train import speed
from engine.train.budget import SizePlan
from engine.train.budget import plan as plan_size
from engine.train.config import TrainConfig, pick_device
from engine.train.watch import Watch

WARMUP = 0.05  # share of training with a linear learning-rate warm-up, then cosine decay
CHECKPOINT_EVERY_S = 30.0  # within an epoch too: a cancel or a crash loses at most this much training


@dataclass
class TrainOutcome:
    embeddings: np.ndarray
    history: list[dict]
    epochs_done: int
    seconds: float
    device: str
    size: int = 0  # the training image size, and why (see engine.train.budget)
    size_reason: str = ""
    width: int | None = None  # the encoder's width option where the budget chose a narrower one
    checkpoints: list[dict] | None = None  # the watched sample's scores at each checkpoint (engine.train.watch)
    maps: np.ndarray | None = None  # checkpoints × sample × 2, aligned
    sample: np.ndarray | None = None  # the watched items
    best: int | None = None  # the best checkpoint by the label-free score
    best_embeddings: np.ndarray | None = None  # every item's features at that checkpoint, when it is not the last
    settled: bool = False  # stopped early: the watched clusters had stopped changing


def learning_rate(base: float, progress: float) -> float:
    if progress < WARMUP:
        return base * max(progress / WARMUP, 0.01)
    return base * 0.5 * (1 + math.cos(math.pi * (progress - WARMUP) / (1 - WARMUP)))


class Trainer:
    def __init__(self, dataset: Dataset, config: TrainConfig, job_dir: str | os.PathLike):
        self.dataset, self.config = dataset, config
        self.job_dir = Path(job_dir)
        self.device = pick_device(config.device)
        # read once: its size and width shape the model built below, its weights and position load in run()
        self._saved = torch.load(self.checkpoint_path, map_location="cpu", weights_only=True) \
            if self.checkpoint_path.exists() else None
        if self._saved and self._saved.get("size"):
            # a resume trains the model it checkpointed, at its size and width, whatever the speeds say now
            size, width = self._saved["size"], self._saved.get("width")
            self.plan = SizePlan(size, f"{size} px" + (f", width {width}" if width else "")
                                 + ", as the checkpoint was trained", width=width)
        else:
            self.plan = plan_size(config, dataset.images.shape[1], len(dataset), self.device, measure_missing=True)
        self.size = self.plan.size
        self.fast = self.device == "cpu" and speed.cpu_fast(config.encoder)  # bf16 + channels-last, if faster here
        torch.manual_seed(config.seed)
        self.encoder_options = {**config.encoder_options, **({"width": self.plan.width} if self.plan.width else {})}
        backbone = build_encoder(config.encoder, self.size, **self.encoder_options)
        self.method: SSLMethod = build_method(config.method, backbone, self.size, len(dataset), config.method_params)
        self.method.flip = dataset.mirror_safe if config.flip is None else config.flip
        self.method.to(self.device)
        if self.fast:
            self.method.to(memory_format=torch.channels_last)
        self.optimizer = torch.optim.AdamW([p for p in self.method.parameters() if p.requires_grad],
                                           lr=config.lr, weight_decay=config.weight_decay)
        # resized once, not per batch; a size above the loaded copies' is read from the original files
        self.images = image_batch(squares(dataset, self.size) if originals_larger(dataset, self.size)
                                  else dataset.images, self.size)
        self.batch_size = min(config.batch_size, len(dataset))
        self.steps_per_epoch = max(1, len(dataset) // self.batch_size)
        self.epoch, self.elapsed, self.history = 0, 0.0, []
        self.step, self.epoch_losses = 0, []  # the position within the current epoch, and its losses so far
        self.rates: list[tuple[int, float]] = []  # (batch, images/s) of this attempt's steps
        self.watch = Watch(dataset, config.seed)
        self.settled = False  # ended early: the watched clusters stopped changing (config.stop_when_settled)

    # -- checkpoints ---------------------------------------------------------------------------
    @property
    def checkpoint_path(self) -> Path:
        return self.job_dir / "checkpoint.pt"

    def save_checkpoint(self) -> None:
        state = {"epoch": self.epoch, "elapsed": self.elapsed, "history": self.history, "size": self.size,
                 "width": self.plan.width,
                 "n_items": len(self.dataset), "step": self.step, "epoch_losses": self.epoch_losses,
                 "method": self.method.state_dict(), "optimizer": self.optimizer.state_dict(),
                 "torch_rng": torch.get_rng_state(), "watch": self.watch.state()}
        staging = self.checkpoint_path.with_suffix(".tmp")
        torch.save(state, staging)
        os.replace(staging, self.checkpoint_path)  # a kill mid-write leaves the previous checkpoint

    def load_checkpoint(self) -> bool:
        """Model, optimiser and position from the checkpoint read at construction (the weights and optimiser state
        move to the model's device as they load)."""
        state, self._saved = self._saved, None
        if state is None:
            return False
        self.method.load_state_dict(state["method"])
        self.optimizer.load_state_dict(state["optimizer"])
        torch.set_rng_state(state["torch_rng"])
        self.epoch, self.elapsed, self.history = state["epoch"], state["elapsed"], state["history"]
        self.step, self.epoch_losses = state.get("step", 0), list(state.get("epoch_losses", []))
        self.watch.load(state.get("watch"))
        return True

    @property
    def best_path(self) -> Path:
        return self.job_dir / "best.pt"

    def _evaluate(self, emit: Callable[[dict], None], progress: float) -> None:
        """Score the watched sample now (see :mod:`engine.train.watch`); keep the weights when it is the best."""
        def embed(indices: np.ndarray) -> np.ndarray:
            return self.embed_all(images=self.images[torch.from_numpy(indices)]).cpu().numpy()

        record = self.watch.evaluate(embed, self.epoch, self.step, progress, self.elapsed)
        self.watch.write(self.job_dir / "watch.npz")  # the maps so far, for a page watching the job live
        emit({"event": "evaluation", "index": len(self.watch.records) - 1, **record})
        if self.watch.best() == len(self.watch.records) - 1:
            staging = self.best_path.with_suffix(".tmp")
            torch.save({"method": self.method.state_dict(), "index": self.watch.best(), "time": record["time"]},
                       staging)
            os.replace(staging, self.best_path)

    # -- the loop ------------------------------------------------------------------------------
    def progress(self, step_in_epoch: int = 0) -> float:
        by_epochs = (self.epoch + step_in_epoch / self.steps_per_epoch) / self.config.epochs \
            if self.config.epochs else 0.0
        by_time = self.elapsed / (60 * self.config.minutes) if self.config.minutes else 0.0
        return min(1.0, max(by_epochs, by_time))

    def finished(self) -> bool:
        if self.settled:
            return True
        if self.config.minutes:
            return self.elapsed >= 60 * self.config.minutes
        return self.epoch >= self.config.epochs

    @torch.no_grad()
    def embed_all(self, batch: int = 1024, on_batch: Callable[[int, int], None] | None = None,
                  images: torch.Tensor | None = None) -> torch.Tensor:
        """Features of every item (or of ``images``), in order, in eval mode; ``on_batch(done, total)`` after each
        batch."""
        images = self.images if images is None else images
        was_training = self.method.training
        self.method.eval()
        parts = []
        for start in range(0, len(images), batch):
            parts.append(self.method.embed(images[start:start + batch].to(self.device)).float())
            if on_batch is not None:
                on_batch(min(start + batch, len(images)), len(images))
        self.method.train(was_training)
        return torch.cat(parts)

    def run(self, reporter: Reporter | None = None, emit: Callable[[dict], None] | None = None) -> TrainOutcome:
        reporter, emit = ensure(reporter), emit or (lambda event: None)
        self.job_dir.mkdir(parents=True, exist_ok=True)
        emit({"event": "plan", "size": self.size, "width": self.plan.width, "reason": self.plan.reason,
              "epochs": self.plan.epochs, "fast": self.fast})
        reporter.update(0.0, f"training at {self.plan.reason}")
        if self.load_checkpoint():  # the schedule, the data order and the loss curve go on from its position
            emit({"event": "resumed", "epoch": self.epoch, "step": self.step, "elapsed": self.elapsed,
                  "progress": self.progress(self.step)})
        amp = self.device == "cuda" or self.fast
        self.method.train()
        try:
            if not self.watch.records:  # the untrained encoder (or an older job's checkpoint): where curves start
                self._evaluate(emit, self.progress(self.step))
            self._train(reporter, emit, amp)
            if self.watch.records[-1]["progress"] < self.progress() - 1e-9 and not self.settled:  # the end
                reporter.update(1.0, "scoring the last checkpoint")
                self._evaluate(emit, self.progress())
        except Cancelled:  # keep every finished step: a resume goes on from here
            self.save_checkpoint()
            emit({"event": "checkpoint", "epoch": self.epoch, "step": self.step, "progress": self.progress(self.step)})
            raise
        finally:
            self._keep_speed()

        def extracted(done: int, total: int) -> None:
            reporter.update(1.0, f"extracting embeddings {done:,}/{total:,}")
            emit({"event": "extract", "done": done, "total": total})

        embeddings = self.embed_all(on_batch=extracted).cpu().numpy().astype(np.float32)
        best, best_embeddings = self.watch.best(), None
        kept = torch.load(self.best_path, map_location="cpu", weights_only=True) if self.best_path.exists() else {}
        # (an attempt that was interrupted may have kept weights from an evaluation its resume did again: skip those)
        if best is not None and best != len(self.watch.records) - 1 and kept.get("index") == best \
                and kept.get("time") == self.watch.records[best]["time"]:
            reporter.update(1.0, f"extracting embeddings at the best checkpoint ({best})")
            self.method.load_state_dict(kept["method"])
            best_embeddings = self.embed_all().cpu().numpy().astype(np.float32)
        elif best is not None and best != len(self.watch.records) - 1:
            best = len(self.watch.records) - 1  # its weights are gone: the last is what can be offered
        return TrainOutcome(embeddings, self.history, self.epoch, self.elapsed, self.device, self.size,
                            self.plan.reason, self.plan.width, self.watch.records, np.stack(self.watch.maps),
                            self.watch.sample, best, best_embeddings, self.settled)

    def _keep_speed(self) -> None:
        """The median rate of this attempt's full-batch steps, kept as this machine's figure for the setting: the
        next plan reads what real training did here, data loading included."""
        rates = [r for n, r in self.rates if n == self.batch_size][1:]  # the first step pays for allocations
        if len(rates) >= 5:
            rate = float(np.median(rates))
            speed.keep(speed.Speed(speed.variant(self.config.encoder, self.plan.width), self.config.method, self.size,
                                   self.batch_size, self.device, torch.get_num_threads(), rate,
                                   self.batch_size / rate, self.fast))

    def _train(self, reporter: Reporter, emit: Callable[[dict], None], amp: bool) -> None:
        while not self.finished():
            self.method.on_epoch_start(self.epoch, self.progress(), self.embed_all)
            order = torch.randperm(len(self.images), generator=torch.Generator().manual_seed(
                self.config.seed * 100_003 + self.epoch))
            losses, epoch_start, saved = self.epoch_losses, time.perf_counter(), time.perf_counter()
            lr = learning_rate(self.config.lr, self.progress(self.step))  # (a checkpoint may sit at an epoch's end)
            for step in range(self.step, self.steps_per_epoch):
                tick = time.perf_counter()
                indices = order[step * self.batch_size:(step + 1) * self.batch_size]
                batch = self.images[indices].to(self.device, non_blocking=True)
                if self.fast:
                    batch = batch.contiguous(memory_format=torch.channels_last)
                lr = learning_rate(self.config.lr, self.progress(step))
                for group in self.optimizer.param_groups:
                    group["lr"] = lr
                with torch.autocast(self.device, dtype=torch.bfloat16, enabled=amp):
                    loss = self.method.loss(self.method.make_views(batch), indices.to(self.device))
                if not torch.isfinite(loss):
                    raise FloatingPointError(f"the loss became {loss.item()} at epoch {self.epoch}; lower the "
                                             "learning rate")
                self.optimizer.zero_grad(set_to_none=True)
                loss.backward()
                self.method.on_after_backward(self.progress(step))
                self.optimizer.step()
                self.method.on_step_end(self.progress(step + 1))
                losses.append(loss.item())
                self.elapsed += time.perf_counter() - tick
                rate = len(indices) / max(time.perf_counter() - tick, 1e-9)
                self.rates.append((len(indices), rate))
                fraction = self.progress(step + 1)
                eta = self.elapsed / max(fraction, 1e-9) * (1 - fraction)
                emit({"event": "step", "epoch": self.epoch, "step": step, "loss": losses[-1], "lr": lr,
                      "images_per_s": rate, "eta_s": eta, "progress": fraction})
                self.step = step + 1
                if self.step < self.steps_per_epoch and time.perf_counter() - saved >= CHECKPOINT_EVERY_S:
                    self.save_checkpoint()
                    saved = time.perf_counter()
                    emit({"event": "checkpoint", "epoch": self.epoch, "step": self.step, "progress": fraction})
                reporter.update(fraction, f"epoch {self.epoch + 1} · loss {losses[-1]:.4f} · {rate:,.0f} img/s")
                if self.watch.due(fraction, self.elapsed):
                    self._evaluate(emit, fraction)
                    if self.config.stop_when_settled and self.watch.settled():
                        self.settled = True
                        emit({"event": "settled", "epoch": self.epoch, "step": self.step, "progress": fraction})
                if (self.config.minutes or self.settled) and self.finished():
                    break
            self.epoch, self.step, self.epoch_losses = self.epoch + 1, 0, []
            self.history.append({"epoch": self.epoch, "loss": float(np.mean(losses)), "lr": lr,
                                 "seconds": time.perf_counter() - epoch_start})
            self.save_checkpoint()
            emit({"event": "epoch", **self.history[-1], "progress": self.progress()})


def restore(job_dir: str | os.PathLike, config: TrainConfig, dataset: Callable[[], Dataset]) -> SSLMethod:
    """The trained method of a job (backbone, heads, teachers) from its last checkpoint, on the CPU, in eval mode.

    ``dataset`` is called only for checkpoints older than the ones that record their image size."""
    state = torch.load(Path(job_dir) / "checkpoint.pt", map_location="cpu", weights_only=True)
    if "size" in state:
        size, n_items = state["size"], state["n_items"]
    else:
        data = dataset()
        size, n_items = config.training_size(data.images.shape[1], "cpu"), len(data)
    options = {k: v for k, v in config.encoder_options.items() if k != "weights"}  # the checkpoint has them
    if state.get("width"):
        options["width"] = state["width"]  # a narrower encoder chosen for the budget
    method = build_method(config.method, build_encoder(config.encoder, size, **options), size, n_items,
                          config.method_params)
    method.load_state_dict(state["method"])
    method.image_size = size
    return method.eval()


def train(dataset: Dataset, config: TrainConfig, job_dir: str | os.PathLike, reporter: Reporter | None = None,
          emit: Callable[[dict], None] | None = None) -> TrainOutcome:
    """Train (or resume, if ``job_dir`` holds a checkpoint) and return the embeddings of every item."""
    return Trainer(dataset, config, job_dir).run(reporter, emit)


__all__ = ["train", "restore", "Trainer", "TrainOutcome", "Cancelled"]
