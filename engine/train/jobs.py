"""Training jobs: a folder per job, run in-process or by a separate worker process.

``start`` stores the dataset (once per fingerprint), writes the config into a new job folder and
``launch`` starts ``python -m engine train --resume JOB`` in its own process session, so the
app stays responsive and a job survives a page reload. ``resume`` is also what that
worker runs: it picks up the last checkpoint, so a killed job continues where it
stopped. ``cancel`` drops a file the running trainer notices within a second.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import numpy as np

from engine.data import Dataset, snapshots
from engine.data.snapshots import DatasetStore
from engine.files import atomic_open
from engine.metrics import embedding_scores
from engine.progress import Cancelled, Reporter
from engine.runs import RunStore, default_root
from engine.train.config import TrainConfig

ROOT = Path(__file__).resolve().parents[2]


def jobs_root() -> Path:
    return default_root() / "jobs"


def job_dir(job_id: str) -> Path:
    return jobs_root() / job_id


def new_job(dataset: Dataset, config: TrainConfig) -> str:
    job_id = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:6]}"
    folder = job_dir(job_id)
    folder.mkdir(parents=True)
    fingerprint = DatasetStore(default_root()).put(dataset)
    _write_json(folder / "config.json", config.as_dict())
    _write_json(folder / "status.json", {"state": "queued", "job_id": job_id, "dataset": fingerprint})
    return job_id


def job_dataset(job_id: str) -> Dataset:
    """The data a job trains on: from the dataset store (or a snapshot in the job folder, in older jobs)."""
    legacy = job_dir(job_id) / "dataset.npz"
    return snapshots.load(legacy) if legacy.exists() else DatasetStore(default_root()).get(status(job_id)["dataset"])


def trained_method(job_id: str):
    """The job's trained :class:`~engine.ssl.base.SSLMethod`, restored from its last checkpoint (CPU, eval mode)."""
    folder = job_dir(job_id)
    if not (folder / "checkpoint.pt").exists():
        raise FileNotFoundError(f"training job {job_id} has no checkpoint in {folder}")
    config = TrainConfig(**json.loads((folder / "config.json").read_text()))
    from engine.train.loop import restore

    return restore(folder, config, lambda: job_dataset(job_id))


def status(job_id: str) -> dict:
    return json.loads((job_dir(job_id) / "status.json").read_text())


def state(job_id: str) -> str:
    """The job's state; ``stopped`` for a job whose worker died without a word (killed, out of memory)."""
    info = status(job_id)
    if info["state"] == "running" and not process_alive(info.get("pid")):
        return "stopped"
    return info["state"]


def process_alive(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # the id now belongs to another user's process: ours is gone
        return False
    stat = Path(f"/proc/{pid}/stat")
    if stat.exists():  # a zombie has exited; only its parent has not collected it yet
        return stat.read_text().rsplit(")", 1)[-1].split()[0] != "Z"
    return True


def events(job_id: str, kinds: tuple[str, ...] = ("epoch", "step", "resumed", "extract", "end")) -> list[dict]:
    path = job_dir(job_id) / "progress.jsonl"
    if not path.exists():
        return []
    out = []
    for line in path.read_text().splitlines():
        try:
            event = json.loads(line)
        except json.JSONDecodeError:  # a line being written right now
            continue
        if event.get("event") in kinds:
            out.append(event)
    return out


def curve(job_id: str) -> dict[str, list[dict]]:
    """The job's steps, epochs, checkpoint evaluations and extraction events as one continuous history: a resume
    goes on from its last checkpoint, so what an interrupted attempt did after that checkpoint (which the resume
    does again) is dropped rather than drawn twice. ``plan`` holds the latest attempt's training size and its reason
    (one event)."""
    found = {"step": [], "epoch": [], "extract": [], "evaluation": []}
    plans = []
    for event in events(job_id, ("step", "epoch", "extract", "resumed", "plan", "evaluation")):
        if event["event"] == "plan":
            plans.append(event)
        elif event["event"] == "resumed":
            at = event.get("progress")
            if at is None:  # a job from before resumes recorded their position: only whole epochs were kept
                at = found["epoch"][-1]["progress"] if found["epoch"] else 0.0
            found = {kind: [e for e in found[kind] if e["progress"] <= at + 1e-9]
                     for kind in ("step", "epoch", "evaluation")} | {"extract": []}
        else:
            found[event["event"]].append(event)
    return {**found, "plan": plans[-1:]}  # the size the latest attempt trains at, and why


def watched(job_id: str) -> dict[str, np.ndarray] | None:
    """The job's watched sample so far: ``sample`` indices, aligned 2-D ``maps`` and K-means ``clusters`` at each
    checkpoint evaluation (see :mod:`engine.train.watch`); ``None`` before the first."""
    from engine.train.watch import read

    return read(job_dir(job_id) / "watch.npz")


def resume(job_id: str, reporter: Reporter | None = None, store: RunStore | None = None) -> dict:
    """Run (or continue) a job to its end in this process; returns the final status.

    A job that already finished is left as it is (its run is stored once)."""
    current = status(job_id)
    if current["state"] == "done":
        return current
    folder = job_dir(job_id)
    config = TrainConfig(**json.loads((folder / "config.json").read_text()))
    dataset = job_dataset(job_id)
    reporter = reporter or Reporter()
    (folder / "cancel").unlink(missing_ok=True)  # a cancel asked of an earlier attempt does not carry over
    stop_watching = _watch_cancel_file(folder / "cancel", reporter)
    log = open(folder / "progress.jsonl", "a", buffering=1)

    def emit(event: dict) -> None:
        log.write(json.dumps({"time": time.time(), **event}) + "\n")

    _write_json(folder / "status.json", {"state": "running", "job_id": job_id, "pid": os.getpid(),
                                         "dataset": current.get("dataset")})
    try:
        from engine.train.loop import train

        outcome = train(dataset, config, folder, reporter, emit)
    except Cancelled:
        final = {"state": "cancelled", "job_id": job_id, "dataset": current.get("dataset")}
    except Exception as error:
        final = {"state": "failed", "job_id": job_id, "dataset": current.get("dataset"),
                 "error": f"{type(error).__name__}: {error}"}
    else:
        metrics = {"epochs": outcome.epochs_done, "final_loss": outcome.history[-1]["loss"],
                   "checkpoints": outcome.checkpoints, "best_checkpoint": outcome.best,
                   "watch_seconds": float(sum(r["seconds"] for r in outcome.checkpoints or [])),
                   "stopped_early": outcome.settled}
        if dataset.labels is not None:
            metrics.update(embedding_scores(outcome.embeddings, dataset.labels, seed=config.seed))
        arrays = {"embeddings": outcome.embeddings, "loss": np.array([h["loss"] for h in outcome.history]),
                  "checkpoint_maps": outcome.maps, "checkpoint_sample": outcome.sample}
        if outcome.best_embeddings is not None:
            arrays["best_embeddings"] = outcome.best_embeddings
        store = store or RunStore()
        store.datasets.put(dataset)
        record = store.save(
            "train", {"name": dataset.name, "fingerprint": dataset.fingerprint(), "n_items": len(dataset)},
            {**config.as_dict(), "job_id": job_id, "device_used": outcome.device, "size_used": outcome.size,
             "size_reason": outcome.size_reason, "width_used": outcome.width}, metrics,
            {"seconds": outcome.seconds}, arrays)
        final = {"state": "done", "job_id": job_id, "dataset": current.get("dataset"), "run_id": record.run_id,
                 "size_used": outcome.size, "size_reason": outcome.size_reason, "metrics": metrics}
    finally:
        stop_watching()
    emit({"event": "end", **final})
    log.close()
    _write_json(folder / "status.json", final)
    return final


def start(dataset: Dataset, config: TrainConfig) -> str:
    """Create a job and start its worker process; returns the job id."""
    job_id = new_job(dataset, config)
    launch(job_id)
    return job_id


def launch(job_id: str) -> None:
    """Start a worker process that runs (or continues, from its checkpoint) an existing job."""
    folder = job_dir(job_id)
    current = status(job_id)
    if current["state"] != "done":  # queued until the worker says it runs, so a page that polls running jobs polls
        _write_json(folder / "status.json", {k: v for k, v in {**current, "state": "queued"}.items() if k != "pid"})
    with open(folder / "worker.log", "ab") as log:
        worker = subprocess.Popen([sys.executable, "-m", "engine", "train", "--resume", job_id], cwd=ROOT,
                                  stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                  start_new_session=True, env={**os.environ, "CLUSTERSCOPE_HOME": str(default_root())})
    # Collect the worker when it exits, so a long-lived caller (the app) keeps no zombies.
    threading.Thread(target=worker.wait, daemon=True, name=f"reap-{job_id}").start()


def cancel(job_id: str) -> None:
    (job_dir(job_id) / "cancel").touch()


def _watch_cancel_file(path: Path, reporter: Reporter):
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(0.5):
            if path.exists():
                reporter.cancel()
                return

    threading.Thread(target=watch, daemon=True, name="cancel-watch").start()
    return stop.set


def _write_json(path: Path, payload: dict) -> None:
    with atomic_open(path, "w") as handle:
        handle.write(json.dumps(payload, default=str))


__all__ = ["new_job", "start", "launch", "resume", "cancel", "status", "state", "process_alive", "events", "curve",
           "watched",
           "job_dir", "job_dataset", "trained_method"]
