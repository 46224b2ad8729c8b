"""The training size on a CPU: the budget buys enough epochs, from measured speeds."""

from __future__ import annotations

import pytest

from engine.train import TrainConfig
from engine.train import budget, speed


@pytest.fixture()
def own_home(tmp_path, monkeypatch):
    monkeypatch.setenv("CLUSTERSCOPE_HOME", str(tmp_path))
    return tmp_path


def kept(size: int, images_per_s: float, batch: int = 256, method: str = "simclr") -> None:
    import torch

    speed.keep(speed.Speed("small_cnn", method, size, batch, "cpu", torch.get_num_threads(), images_per_s,
                           batch / images_per_s))


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


def test_the_size_never_drops_below_sixteen_px_and_says_more_minutes_would_help(own_home):
    kept(32, 270.0)
    kept(16, 1_180.0)
    plan = budget.plan(TrainConfig(minutes=1.0, epochs=0), native=64, n_items=50_000, device="cpu")
    assert plan.size == 16 and plan.epochs < budget.MIN_EPOCHS
    assert "more minutes" in plan.reason


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
