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


def test_a_model_reads_larger_images_on_a_finer_patch_grid(small_shapes):
    torch.manual_seed(0)
    am = attention.AttentionModel(build_encoder("vit_micro", 16).eval(), 16, "test")
    assert am.read_sizes(32) == [16, 32] and am.read_sizes(16) == [16] and am.read_sizes(24) == [16, 24]
    fine = am.at(32)
    assert (am.grid, fine.grid, fine.image_size, am.image_size) == (4, 8, 32, 16)
    maps = attention.attention_maps(fine, small_shapes.images[:3])
    assert maps.shape == (3, am.heads, 8, 8) and np.allclose(maps.sum(axis=(2, 3)), 1.0, atol=1e-5)


def test_the_mask_keeps_patches_above_mean_plus_std():
    heat = np.array([[0.0, 0.1], [0.1, 0.8]])
    assert attention.mask(heat).tolist() == [[False, False], [False, True]]
    assert attention.mask(heat, threshold=0.05).sum() == 3
    assert attention.iou(np.eye(3, dtype=bool), np.eye(3, dtype=bool)) == 1.0
    assert attention.iou(np.array([1, 1, 0, 0], bool), np.array([0, 1, 1, 0], bool)) == pytest.approx(1 / 3)
    blob = attention.centre_blob(16, 0.2)
    assert blob.mean() == pytest.approx(0.2, abs=0.03) and blob[8, 8] == 1 and blob[0, 0] == 0


def test_a_smooth_pixel_mask_follows_a_round_object_closer_than_whole_patches():
    size, grid = 64, 8
    yy, xx = np.mgrid[:size, :size] + 0.5
    disc = (yy - 30) ** 2 + (xx - 34) ** 2 <= 14 ** 2
    heat = disc.reshape(grid, size // grid, grid, size // grid).mean(axis=(1, 3))  # attention = object cover
    heat = heat / heat.sum()
    blocks = attention.pixel_mask(heat, size, smooth=False)
    assert (blocks == attention.upsample_mask(attention.mask(heat), size)).all()
    smooth = attention.pixel_mask(heat, size)
    assert smooth.shape == disc.shape and 0 < smooth.sum() < size * size
    assert attention.iou(smooth, disc) > attention.iou(blocks, disc) > 0.5
    maps = np.stack([heat, heat])[:, None]  # two items, one head
    assert attention.mask_iou(maps, np.stack([disc, disc])) == pytest.approx([attention.iou(smooth, disc)] * 2)
    assert attention.mask_iou(maps, np.stack([disc, disc]), smooth=False)[0] == pytest.approx(
        attention.iou(blocks, disc))


def test_overlays_keep_the_image_size_and_draw_the_mask_outline(small_shapes):
    image = small_shapes.images[0]
    heat = np.zeros((8, 8))
    heat[2:4, 2:4] = 1
    out = attention.overlay(image, heat, outline=heat > 0)
    assert out.shape == image.shape and out.dtype == np.uint8
    edge = (out == (0, 230, 255)).all(axis=-1)
    assert edge.sum() > 0
    pixel_outline = attention.pixel_mask(heat, image.shape[0])  # a mask at the image's size draws its own edge
    again = (attention.overlay(image, heat, outline=pixel_outline) == (0, 230, 255)).all(axis=-1)
    assert again.sum() > 0 and not again[~pixel_outline].any()


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
