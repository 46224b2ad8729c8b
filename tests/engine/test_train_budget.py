"""The training size on a CPU: the budget buys enough epochs, from measured speeds."""

from __future__ import annotations

import pytest
import torch

from engine.train import TrainConfig
from engine.train import budget, speed


@pytest.fixture()
def own_home(tmp_path, monkeypatch):
    monkeypatch.setenv("CLUSTERSCOPE_HOME", str(tmp_path))
    return tmp_path


def kept(size: int, images_per_s: float, batch: int = 256, method: str = "simclr", width: int | None = None) -> None:
    speed.keep(speed.Speed(speed.variant("small_cnn", width), method, size, batch, "cpu", torch.get_num_threads(),
                           images_per_s, batch / images_per_s))


def test_a_minute_on_a_cpu_trains_smaller_when_the_data_size_buys_too_few_epochs(own_home):
    kept(32, 270.0)
    kept(16, 1_180.0)
    config = TrainConfig(minutes=1.0, epochs=0)
    plan = budget.plan(config, native=64, n_items=1_797, device="cpu")
    assert plan.size == 16 and plan.decided
    assert plan.epochs == pytest.approx(60 * 1_180 / 1_797)
    assert "32 px ≈ 9" in plan.reason and "16 px ≈ 39" in plan.reason
    # ten minutes buy 90 epochs at 32 px: no reason to shrink the images
    roomy = budget.plan(TrainConfig(minutes=10.0, epochs=0), native=64, n_items=1_797, device="cpu")
    assert roomy.size == 32 and "at the data's size" in roomy.reason


def test_the_size_never_drops_below_sixteen_px_a_narrower_network_comes_next_then_more_minutes(own_home):
    kept(32, 270.0)
    kept(16, 1_180.0)
    kept(16, 17_000.0, width=16)
    plan = budget.plan(TrainConfig(minutes=1.0, epochs=0), native=64, n_items=50_000, device="cpu")
    assert (plan.size, plan.width) == (16, 16) and plan.epochs >= budget.MIN_EPOCHS
    assert "narrower small_cnn (width 16)" in plan.reason and "16 px at width 16 ≈ 20" in plan.reason
    kept(16, 2_500.0, width=16)  # not even that is enough
    plan = budget.plan(TrainConfig(minutes=1.0, epochs=0), native=64, n_items=50_000, device="cpu")
    assert (plan.size, plan.width) == (16, 16) and plan.epochs < budget.MIN_EPOCHS and "more minutes" in plan.reason
    # a width set by hand is the user's: only the size is traded
    fixed = budget.plan(TrainConfig(minutes=1.0, epochs=0, encoder_options={"width": 32}), 64, 50_000, "cpu")
    assert (fixed.size, fixed.width) == (16, None)


def test_epochs_a_size_set_by_hand_and_tiny_images_are_left_alone(own_home):
    kept(8, 10.0)  # very slow: still nothing smaller than the data's own 8 px
    assert budget.plan(TrainConfig(minutes=1.0, epochs=0), native=8, n_items=1_797, device="cpu").size == 8
    assert budget.plan(TrainConfig(epochs=5), native=64, n_items=1_797, device="cpu").size == 32
    assert budget.plan(TrainConfig(minutes=1.0, epochs=0, image_size=64), 64, 1_797, "cpu").size == 64


def test_unmeasured_speeds_leave_the_plan_open_until_training_measures_them(own_home):
    config = TrainConfig(minutes=0.5, epochs=0, batch_size=32)
    open_plan = budget.plan(config, native=16, n_items=300, device="cpu")
    assert not open_plan.decided and "decided when training starts" in open_plan.reason
    measured = budget.plan(config, native=16, n_items=300, device="cpu", measure_missing=True)
    assert measured.decided and measured.size == 16 and measured.epochs > 0
    assert speed.lookup("small_cnn", "simclr", 16, 32, "cpu") is not None  # kept for the next plan


def test_the_cpu_fast_path_is_decided_by_a_kept_measurement(own_home, monkeypatch):
    import json

    import torch

    monkeypatch.setattr(speed, "cpu_bf16_supported", lambda: False)
    assert speed.cpu_fast("small_cnn", "cpu") is False and not speed.fast_path().exists()  # no bf16: not even tried

    monkeypatch.setattr(speed, "cpu_bf16_supported", lambda: True)
    decided = speed.cpu_fast("small_cnn", "cpu")  # measured here, both ways, and kept
    kept_figures = json.loads(speed.fast_path().read_text())[f"cpu/{torch.get_num_threads()}t/small_cnn"]
    assert kept_figures["plain"] > 0 and kept_figures["fast"] > 0
    assert decided == (kept_figures["fast"] > speed.FAST_GAIN * kept_figures["plain"])
    for fast, expected in ((100.0, False), (1_000.0, True)):  # the kept figures decide, not a new measurement
        speed.fast_path().write_text(json.dumps({f"cpu/{torch.get_num_threads()}t/small_cnn":
                                                 {"plain": 500.0, "fast": fast}}))
        assert speed.cpu_fast("small_cnn", "cpu") is expected


def test_a_narrower_encoder_trains_checkpoints_and_restores_at_its_width(own_home, tmp_path):
    from engine.data import variants
    from engine.train import loop

    strokes, labels = variants.digit_strokes("digits", n=128)
    data = variants.image_dataset("digits", variants.render_digits(strokes, 16, "plain"), labels,
                                  [str(i) for i in range(10)], grayscale=True, mirror_safe=False)
    kept(16, 50.0, batch=16)  # too slow for 20 epochs at full width: the narrower one is timed and chosen
    config = TrainConfig(minutes=0.02, epochs=0, batch_size=16, device="cpu")
    trainer = loop.Trainer(data, config, tmp_path / "job")
    assert trainer.plan.width == 16, trainer.plan.reason  # chosen even where width 16 too buys fewer than 20
    outcome = trainer.run()
    assert outcome.width == 16 and outcome.embeddings.shape[1] == 4 * 16  # the small CNN's output is 4 × width
    assert speed.lookup("small_cnn", "simclr", 16, 16, "cpu", width=16) is not None  # kept apart from width 32
    assert loop.restore(tmp_path / "job", config, lambda: data).backbone.out_dim == 64
    again = loop.Trainer(data, config, tmp_path / "job")  # a resume keeps the checkpoint's width
    assert again.plan.width == 16 and "as the checkpoint was trained" in again.plan.reason


def test_training_on_the_fast_path_uses_bf16_and_channels_last_and_says_so(own_home, monkeypatch, tmp_path):
    import numpy as np

    from engine.data import variants
    from engine.train import loop

    monkeypatch.setattr(speed, "cpu_fast", lambda encoder, device="auto": True)
    strokes, labels = variants.digit_strokes("digits", n=128)
    data = variants.image_dataset("digits", variants.render_digits(strokes, 16, "plain"), labels,
                                  [str(i) for i in range(10)], grayscale=True, mirror_safe=False)
    events = []
    trainer = loop.Trainer(data, TrainConfig(epochs=8, batch_size=16, device="cpu"), tmp_path / "job")
    outcome = trainer.run(None, events.append)
    assert events[0]["event"] == "plan" and events[0]["fast"] is True
    assert next(trainer.method.backbone.parameters()).is_contiguous(memory_format=torch.channels_last)
    assert np.isfinite(outcome.embeddings).all() and outcome.embeddings.dtype == np.float32
    kept = speed.lookup("small_cnn", "simclr", 16, 16, "cpu")
    assert kept is not None and kept.fast
