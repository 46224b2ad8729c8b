"""Training end to end: every method through the CLI, budgets, cancel, and kill-then-resume of a worker."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from engine.cli import main
from engine.metrics import embedding_scores
from engine.runs import RunStore
from engine.ssl import METHODS
from engine.train import TrainConfig, recommended
from engine.train import jobs
from engine.train.loop import learning_rate


@pytest.fixture(scope="module")
def digits_folder(tmp_path_factory, digits) -> Path:
    """300 digits as PNG files in class sub-folders: a real image folder for the CLI."""
    root = tmp_path_factory.mktemp("digits300")
    for i in range(300):
        folder = root / str(digits.labels[i])
        folder.mkdir(exist_ok=True)
        Image.fromarray(digits.images[i]).save(folder / f"{i}.png")
    return root


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")


@pytest.mark.slow
@pytest.mark.parametrize("method", list(METHODS))
def test_each_method_trains_end_to_end_through_the_cli(method, digits_folder, capsys):
    code = main(["train", "--data", str(digits_folder), "--method", method, "--epochs", "2", "--batch-size", "64",
                 "--image-size", "8", "--json"])
    final = json.loads(capsys.readouterr().out)
    assert code == 0 and final["state"] == "done", final
    assert final["metrics"]["epochs"] == 2 and 0 <= final["metrics"]["knn_acc"] <= 1
    store = RunStore()
    embeddings = store.arrays(final["run_id"])["embeddings"]
    assert embeddings.shape[0] == 300 and np.isfinite(embeddings).all()
    assert len(store.arrays(final["run_id"])["loss"]) == 2


def test_learned_embeddings_cluster_through_the_cli(digits_folder, capsys):
    main(["train", "--data", str(digits_folder), "--method", "simclr", "--epochs", "15", "--batch-size", "64",
          "--image-size", "8", "--json"])
    run_id = json.loads(capsys.readouterr().out)["run_id"]
    assert main(["cluster", "--run", run_id, "--reduce", "pca", "--method", "kmeans", "--cluster-on", "features",
                 "--json"]) == 0
    payload = json.loads(capsys.readouterr().out)
    assert payload["n_items"] == 300 and payload["ari"] > 0.3  # chance is 0; structure appears within seconds


def test_batch_size_and_learning_rate_start_at_the_methods_own(digits_folder, capsys):
    dino, general = recommended("dino"), recommended("simclr")
    assert dino["batch_size"] < general["batch_size"]  # DINO declares many small steps; SimCLR keeps the general ones
    assert general == {"batch_size": TrainConfig.batch_size, "lr": TrainConfig.lr,
                       "weight_decay": TrainConfig.weight_decay}
    common = ["train", "--data", str(digits_folder), "--method", "dino", "--encoder", "vit_micro", "--epochs", "1",
              "--image-size", "8", "--param", "n_local=0", "--json"]
    for extra, batch_size in (([], dino["batch_size"]), (["--batch-size", "32"], 32)):
        assert main(common + extra) == 0
        config = RunStore().get(json.loads(capsys.readouterr().out)["run_id"]).config
        assert (config["batch_size"], config["lr"], config["weight_decay"]) == \
            (batch_size, dino["lr"], dino["weight_decay"])


def test_bad_method_parameters_fail_before_a_job_starts(digits_folder, capsys):
    assert main(["train", "--data", str(digits_folder), "--method", "simclr", "--param", "temperature=9"]) == 2
    assert "outside" in capsys.readouterr().err


def test_a_time_budget_stops_training(digits_folder):
    dataset = load_dataset_from(digits_folder)
    job = jobs.new_job(dataset, TrainConfig(method="rotation", epochs=0, minutes=0.02, batch_size=32))
    final = jobs.resume(job)
    assert final["state"] == "done" and final["metrics"]["epochs"] >= 1
    trained = sum(e["seconds"] for e in jobs.events(job, ("epoch",)))
    assert 1.2 <= trained < 4.0  # a 0.02-minute budget: stops within the step that crosses 1.2 s


def test_a_cpu_budget_trains_at_the_size_it_buys_epochs_at_and_keeps_the_speed_it_saw(digits_folder, tmp_path,
                                                                                  monkeypatch):
    from engine.train import speed

    monkeypatch.setenv("CLUSTERSCOPE_HOME", str(tmp_path))
    from engine.data import load_folder

    dataset = load_folder(digits_folder, image_size=32)
    threads = torch.get_num_threads()
    speed.keep(speed.Speed("small_cnn", "simclr", 32, 32, "cpu", threads, 5.0, 6.4))  # as if 32 px crawled here
    job = jobs.new_job(dataset, TrainConfig(method="simclr", epochs=0, minutes=0.05, batch_size=32, device="cpu"))
    final = jobs.resume(job)
    assert final["state"] == "done" and final["size_used"] == 16, final
    assert "16 px" in final["size_reason"] and "32 px ≈ 0" in final["size_reason"]
    assert jobs.curve(job)["plan"][0]["size"] == 16
    seen = speed.lookup("small_cnn", "simclr", 16, 32, "cpu")
    assert seen is not None and seen.images_per_s > 5.0  # measured before, then replaced by the real steps' median
    assert RunStore().get(final["run_id"]).config["size_used"] == 16


def load_dataset_from(folder: Path):
    from engine.data import load_folder

    return load_folder(folder, image_size=8)


def test_the_learning_rate_warms_up_then_decays_to_zero():
    assert learning_rate(1.0, 0.0) < learning_rate(1.0, 0.04) < learning_rate(1.0, 0.05) == pytest.approx(1.0)
    assert learning_rate(1.0, 0.5) < 1.0 and learning_rate(1.0, 1.0) == pytest.approx(0.0, abs=1e-9)


def test_embedding_scores_on_separable_data(blobs):
    X, y = blobs
    scores = embedding_scores(X, y)
    assert scores["knn_acc"] == 1.0 and scores["kmeans_ari"] == 1.0


@pytest.mark.slow
def test_a_killed_worker_resumes_from_its_last_checkpoint_with_nothing_lost(digits_folder):
    dataset = load_dataset_from(digits_folder)
    job = jobs.start(dataset, TrainConfig(method="simclr", epochs=60, batch_size=64))
    folder = jobs.job_dir(job)
    pid = wait_for(lambda: jobs.status(job).get("pid"), 120, "the worker to start")
    wait_for(lambda: len(jobs.events(job, ("epoch",))) >= 3, 120, "three finished epochs")
    os.kill(pid, signal.SIGKILL)
    wait_for(lambda: not jobs.process_alive(pid), 10, "the worker to die")
    assert jobs.status(job)["state"] == "running" and jobs.state(job) == "stopped"  # it died without a word
    checkpoint = torch.load(folder / "checkpoint.pt", weights_only=True)
    saved_epoch, saved_history = checkpoint["epoch"], checkpoint["history"]
    assert 3 <= saved_epoch < 60

    final = jobs.resume(job)  # what the app's Resume button and `train --resume` do
    assert final["state"] == "done" and final["metrics"]["epochs"] == 60
    resumed = jobs.events(job, ("resumed",))
    assert [e["epoch"] for e in resumed] == [saved_epoch]
    history = torch.load(folder / "checkpoint.pt", weights_only=True)["history"]
    assert [h["epoch"] for h in history] == list(range(1, 61))
    assert history[:saved_epoch] == saved_history  # the epochs before the kill are kept as they were
    assert len(RunStore().arrays(final["run_id"])["loss"]) == 60
    assert jobs.events(job, ("extract",))[-1] == {**jobs.events(job, ("extract",))[-1], "done": 300, "total": 300}
    assert jobs.resume(job) == final  # a finished job stays finished; its run is stored once
    assert [r.config.get("job_id") for r in RunStore().list(kind="train")].count(job) == 1


@pytest.mark.slow
def test_a_worker_can_be_cancelled_and_resumed(digits_folder):
    dataset = load_dataset_from(digits_folder)
    job = jobs.start(dataset, TrainConfig(method="rotation", epochs=80, batch_size=64))
    wait_for(lambda: len(jobs.events(job, ("epoch",))) >= 1, 120, "an epoch")
    jobs.cancel(job)
    assert wait_for(lambda: jobs.status(job)["state"] == "cancelled", 30, "the cancel")
    done = len(jobs.events(job, ("epoch",)))
    assert 1 <= done < 80
    final = jobs.resume(job)
    assert final["state"] == "done" and final["metrics"]["epochs"] == 80
    assert [e["epoch"] for e in jobs.events(job, ("resumed",))] == [done]


def test_a_cancel_mid_epoch_resumes_at_the_same_step_on_the_same_schedule(tmp_path, digits):
    from engine.progress import Cancelled, Reporter
    from engine.train import loop

    data = digits.subset(np.arange(300))
    config = TrainConfig(method="simclr", epochs=2, batch_size=32)  # 9 steps an epoch
    reporter, first = Reporter(), []

    def emit(event):
        first.append(event)
        if event["event"] == "step" and event["step"] == 4:
            reporter.cancel()  # noticed after step 5 of the first epoch

    with pytest.raises(Cancelled):
        loop.Trainer(data, config, tmp_path).run(reporter, emit)
    saved = torch.load(tmp_path / "checkpoint.pt", weights_only=True)
    assert (saved["epoch"], saved["step"], len(saved["epoch_losses"])) == (0, 5, 5)

    again = []
    outcome = loop.Trainer(data, config, tmp_path).run(None, again.append)
    assert again[0]["event"] == "plan" and "as the checkpoint was trained" in again[0]["reason"]
    assert again[1]["event"] == "resumed" and (again[1]["epoch"], again[1]["step"]) == (0, 5)
    steps = [e for e in again if e["event"] == "step"]
    assert [(e["epoch"], e["step"]) for e in steps[:2]] == [(0, 5), (0, 6)] and len(steps) == 2 * 9 - 5
    assert steps[0]["progress"] > [e for e in first if e["event"] == "step"][-1]["progress"]  # the curve goes on
    assert steps[0]["lr"] == pytest.approx(loop.learning_rate(config.lr, 5 / 18))  # the schedule too
    assert outcome.epochs_done == 2 and [h["epoch"] for h in outcome.history] == [1, 2]


def test_checkpoints_come_on_time_within_an_epoch_and_a_crash_loses_only_what_followed(tmp_path, digits,
                                                                                        monkeypatch):
    from engine.train import loop

    monkeypatch.setattr(loop, "CHECKPOINT_EVERY_S", 0.0)  # every step, so the test need not wait 30 s
    data = digits.subset(np.arange(300))
    config = TrainConfig(method="rotation", epochs=1, batch_size=32)
    seen = []

    def crash(event):
        seen.append(event)
        if event["event"] == "step" and event["step"] == 6:
            raise RuntimeError("the machine went away")

    with pytest.raises(RuntimeError):
        loop.Trainer(data, config, tmp_path).run(None, crash)
    assert [e["step"] for e in seen if e["event"] == "checkpoint"] == [1, 2, 3, 4, 5, 6]
    assert torch.load(tmp_path / "checkpoint.pt", weights_only=True)["step"] == 6  # step 7 was lost, no more
    again = []
    loop.Trainer(data, config, tmp_path).run(None, again.append)
    assert [e["step"] for e in again if e["event"] == "step"] == [6, 7, 8]


def test_the_curve_of_a_resumed_job_drops_the_steps_it_did_again(tmp_path, monkeypatch):
    monkeypatch.setattr(jobs, "job_dir", lambda job_id: tmp_path)
    log = [{"event": "step", "epoch": 0, "step": s, "progress": s / 10, "loss": 1.0} for s in range(1, 6)]
    log += [{"event": "resumed", "epoch": 0, "step": 3, "progress": 0.3}]
    log += [{"event": "step", "epoch": 0, "step": s, "progress": s / 10, "loss": 0.5} for s in range(4, 11)]
    (tmp_path / "progress.jsonl").write_text("\n".join(json.dumps(e) for e in log))
    steps = jobs.curve("job")["step"]
    assert [e["progress"] for e in steps] == [s / 10 for s in range(1, 11)]
    assert [e["loss"] for e in steps] == [1.0] * 3 + [0.5] * 7


def test_training_above_the_loaded_size_reads_the_original_files(tmp_path):
    from engine.data import load_folder
    from engine.train import loop

    folder = tmp_path / "photos"
    folder.mkdir()
    for i in range(8):  # 64×48 photos of fine checks, loaded as 12-px copies
        checks = ((np.indices((48, 64)) // 3).sum(axis=0) % 2 * 255).astype(np.uint8)
        Image.fromarray(np.stack([checks, checks, np.full_like(checks, 30 * i)], axis=-1)).save(folder / f"{i}.png")
    data = load_folder(folder, image_size=12)
    trainer = loop.Trainer(data, TrainConfig(method="rotation", epochs=1, batch_size=8, image_size=32), tmp_path / "job")
    assert tuple(trainer.images.shape) == (8, 3, 32, 32)
    assert trainer.images[:, 0].std() > 0.25  # the checks survive: from the 48-px originals, not 12-px copies
    from dataclasses import replace

    copies = loop.Trainer(replace(data, sources=None), TrainConfig(method="rotation", epochs=1, batch_size=8,
                                                                   image_size=32), tmp_path / "job2")
    assert copies.images[:, 0].std() < 0.1  # enlarged copies: the checks blur away
