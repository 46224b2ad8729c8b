"""Attention maps: patch-grid shape, each head sums to 1, masks, overlays, and a trained ViT restored from its job."""

import numpy as np
import pytest
import torch

from engine import attention
from engine.data.shapes import CLASSES, shapes
from engine.encoders import build as build_encoder
from engine.runs import RunStore
from engine.ssl import build as build_method
from engine.train import TrainConfig
from engine.train import jobs


@pytest.fixture(scope="module")
def small_shapes():
    return shapes(n=40, size=32, seed=1)


def test_the_shapes_demo_is_reproducible_with_true_masks(small_shapes):
    again = shapes(n=40, size=32, seed=1)
    assert np.array_equal(again.images, small_shapes.images) and np.array_equal(again.masks, small_shapes.masks)
    assert np.bincount(small_shapes.labels).tolist() == [8] * len(CLASSES)
    share = small_shapes.masks.mean(axis=(1, 2))
    assert (share > 0.02).all() and (share < 0.5).all()
    for image, mask in zip(small_shapes.images[:10], small_shapes.masks[:10]):
        inside, outside = image[mask].astype(float), image[~mask].astype(float)
        assert np.abs(inside.mean(0) - outside.mean(0)).max() > 20  # the object stands out from its background


def test_attention_maps_have_the_patch_grid_shape_and_sum_to_one_per_head(small_shapes):
    torch.manual_seed(0)
    model = build_encoder("vit_tiny", 32, depth=2).eval()
    am = attention.AttentionModel(model, 32, "test")
    maps = attention.attention_maps(am, small_shapes.images[:5], batch=2)
    assert maps.shape == (5, 3, 8, 8) == (5, am.heads, am.grid, am.grid)
    assert np.allclose(maps.sum(axis=(2, 3)), 1.0, atol=1e-5) and (maps >= 0).all()


def test_the_mask_keeps_patches_above_mean_plus_std():
    heat = np.array([[0.0, 0.1], [0.1, 0.8]])
    assert attention.mask(heat).tolist() == [[False, False], [False, True]]
    assert attention.mask(heat, threshold=0.05).sum() == 3
    assert attention.iou(np.eye(3, dtype=bool), np.eye(3, dtype=bool)) == 1.0
    assert attention.iou(np.array([1, 1, 0, 0], bool), np.array([0, 1, 1, 0], bool)) == pytest.approx(1 / 3)
    blob = attention.centre_blob(16, 0.2)
    assert blob.mean() == pytest.approx(0.2, abs=0.03) and blob[8, 8] == 1 and blob[0, 0] == 0


def test_overlays_keep_the_image_size_and_draw_the_mask_outline(small_shapes):
    image = small_shapes.images[0]
    heat = np.zeros((8, 8))
    heat[2:4, 2:4] = 1
    out = attention.overlay(image, heat, outline=heat > 0)
    assert out.shape == image.shape and out.dtype == np.uint8
    assert (out == (0, 230, 255)).all(axis=-1).sum() > 0


def test_only_a_vit_has_attention(small_shapes):
    method = build_method("simclr", build_encoder("small_cnn", 32), 32, 8)
    with pytest.raises(ValueError, match="Vision Transformer"):
        attention.from_method(method, "a CNN run")


def test_a_trained_dino_vit_is_restored_from_its_job(small_shapes):
    config = TrainConfig(encoder="vit_tiny", method="dino", epochs=1, batch_size=20, encoder_options={"depth": 2},
                         method_params={"output_dim": 256, "n_local": 2})
    job = jobs.new_job(small_shapes, config)
    final = jobs.resume(job)
    assert final["state"] == "done"
    store = RunStore()
    am = attention.from_training_run(store, final["run_id"])
    assert "ViT-Tiny" in am.source and am.grid == 8
    restored = torch.from_numpy(small_shapes.images[:6]).permute(0, 3, 1, 2).float() / 255
    with torch.no_grad():
        embedded = am.model(restored).numpy()
    assert np.allclose(embedded, store.arrays(final["run_id"])["embeddings"][:6], atol=1e-4)  # the teacher, exactly
    assert [r.run_id for r in attention.vit_training_runs(store, small_shapes.fingerprint())] == [final["run_id"]]
