"""Every self-supervised method: one step lowers its loss, shapes, EMA teachers, Sinkhorn, the DINO centre."""

import numpy as np
import pytest
import torch
from lightly.loss.swav_loss import sinkhorn

from engine.encoders import build as build_encoder
from engine.ssl import METHODS, build
from engine.ssl.augment import ViewSpec, make_view
from engine.ssl.deepcluster import reassign_empty

SIZE, N = 8, 64


@pytest.fixture(scope="module")
def batch(digits):
    images = torch.tensor(digits.images[:N]).permute(0, 3, 1, 2).float() / 255
    return images, torch.arange(N)


def method(name: str, seed: int = 0):
    torch.manual_seed(seed)
    backbone = build_encoder("mlp_ae" if name == "ae_dec" else "small_cnn", SIZE)
    return build(name, backbone, SIZE, N)


def prepared(name, images):
    m = method(name)
    m.on_epoch_start(0, 0.9 if name == "ae_dec" else 0.0, lambda: m.embed(images))  # DEC: clustering phase
    return m


@pytest.mark.parametrize("name", list(METHODS))
def test_one_optimisation_step_lowers_the_loss(name, batch):
    images, indices = batch
    m = prepared(name, images)
    optimiser = torch.optim.Adam([p for p in m.parameters() if p.requires_grad], lr=1e-3)
    views = m.make_views(images)
    state = {n: b.clone() for n, b in m.named_buffers()}  # memory banks / centres move on every call
    before = m.loss(views, indices)
    optimiser.zero_grad()
    before.backward()
    optimiser.step()
    with torch.no_grad():
        for n, b in m.named_buffers():
            b.copy_(state[n])
    after = m.loss(views, indices)
    assert torch.isfinite(before) and after < before


@pytest.mark.parametrize("name", list(METHODS))
def test_views_and_embeddings_have_the_right_shapes(name, batch):
    images, _ = batch
    m = prepared(name, images)
    views = m.make_views(images)
    assert all(v.shape[0] in (N, 4 * N) and v.shape[1] == 3 for v in views)
    assert m.embed(images).shape == (N, m.backbone.out_dim)


@pytest.mark.parametrize("name, online, teacher", [
    ("moco", "backbone", "backbone_momentum"), ("byol", "backbone", "backbone_momentum"),
    ("dino", "backbone", "teacher_backbone")])
def test_ema_teachers_follow_the_online_network(name, online, teacher, batch):
    images, indices = batch
    m = prepared(name, images)
    optimiser = torch.optim.SGD([p for p in m.parameters() if p.requires_grad], lr=0.5)
    loss = m.loss(m.make_views(images), indices)
    optimiser.zero_grad()
    loss.backward()
    optimiser.step()

    def gap() -> float:
        return sum((a - b).norm().item() for a, b in zip(getattr(m, online).parameters(),
                                                          getattr(m, teacher).parameters()))
    assert all(not p.requires_grad for p in getattr(m, teacher).parameters())
    before = gap()
    m.on_step_end(0.0)
    after = gap()
    assert 0 < after < before
    assert after == pytest.approx(before * m.momentum, rel=0.05)  # θ_t ← m θ_t + (1 − m) θ


def test_sinkhorn_codes_are_equipartitioned():
    torch.manual_seed(0)  # cosine scores between features and prototypes, as SwAV computes them
    features = torch.nn.functional.normalize(torch.randn(256, 8) + torch.tensor([3.0] + [0.0] * 7), dim=1)
    prototypes = torch.nn.functional.normalize(torch.randn(16, 8), dim=1)
    scores = features @ prototypes.T  # skewed: most features prefer the same few prototypes
    greedy = torch.bincount(scores.argmax(dim=1), minlength=16).float()

    def imbalance(counts: torch.Tensor) -> float:
        return (counts.std() / counts.mean()).item()

    few = sinkhorn(scores, iterations=3, epsilon=0.05)  # SwAV's setting: already far more balanced
    assert torch.allclose(few.sum(dim=1), torch.ones(256), atol=1e-4)  # each row a distribution
    assert imbalance(few.sum(dim=0)) < imbalance(greedy) / 5
    many = sinkhorn(scores, iterations=30, epsilon=0.05)  # converged: every prototype gets 256/16 of the mass
    assert imbalance(many.sum(dim=0)) < 0.01


def test_the_dino_centre_moves_toward_the_teacher_output(batch):
    images, indices = batch
    m = prepared("dino", images)
    before = m.center.clone()
    m.loss(m.make_views(images), indices)
    assert not torch.equal(before, m.center)
    assert torch.allclose(before, torch.zeros_like(before))


def test_dino_clips_its_gradient_norm_and_other_methods_do_not(batch):
    images, indices = batch
    norms = {}
    for name in ("dino", "simclr"):
        m = prepared(name, images)
        (1000 * m.loss(m.make_views(images), indices)).backward()  # a loss scaled up, so the gradient is large
        m.on_after_backward(0.0)
        grads = [p.grad for p in m.parameters() if p.grad is not None]
        norms[name] = torch.linalg.vector_norm(torch.stack([torch.linalg.vector_norm(g) for g in grads])).item()
    assert norms["dino"] == pytest.approx(3.0, rel=1e-3)
    assert norms["simclr"] > 10


def test_deepcluster_pseudo_labels_cover_every_cluster(batch):
    images, _ = batch
    m = prepared("deepcluster", images)
    counts = torch.bincount(m.pseudo_labels, minlength=m.n_clusters)
    assert (counts > 0).all() and m.n_clusters == N // 4


@pytest.mark.parametrize("copies", [False, True])
def test_deepcluster_takes_a_set_of_fewer_images_than_its_pca_dimensions(batch, copies):
    """Five images (or ten copies of one): PCA to 64 components failed ("n_components=64 must be between 0 and
    min(n_samples, n_features)=5") and the training job with it."""
    images = batch[0][:1].repeat(10, 1, 1, 1) if copies else batch[0][:5]
    torch.manual_seed(0)
    m = build("deepcluster", build_encoder("small_cnn", SIZE), SIZE, len(images))
    m.on_epoch_start(0, 0.0, lambda: m.embed(images))
    assert m.pseudo_labels.shape == (len(images),) and torch.isfinite(m.class_weights).all()


def test_empty_cluster_reassignment_splits_a_large_cluster():
    labels = reassign_empty(np.array([0] * 10 + [1] * 2), 4, np.random.default_rng(0))
    counts = np.bincount(labels, minlength=4)
    assert (counts > 0).all() and counts.sum() == 12


def test_views_are_random_crops_in_range(batch):
    images, _ = batch
    a, b = make_view(images, ViewSpec()), make_view(images, ViewSpec())
    assert a.shape == images.shape and not torch.equal(a, b)
    assert a.min() >= 0 and a.max() <= 1
    assert make_view(images, ViewSpec(size=4)).shape[-1] == 4


def test_flips_can_be_turned_off_for_data_whose_mirror_image_differs(batch):
    images, _ = batch
    spec = ViewSpec(jitter=0.0, gray_p=0.0, blur_p=0.0)
    m = method("simclr")
    torch.manual_seed(0)
    with_flips = m.augment(images, spec)
    m.flip = False
    torch.manual_seed(0)  # the same crops, drawn before the flips
    without = m.augment(images, spec)
    torch.manual_seed(0)
    assert torch.equal(without, make_view(images, ViewSpec(flip=False, jitter=0.0, gray_p=0.0, blur_p=0.0)))
    mirrored = [torch.allclose(a, b.flip(-1), atol=1e-5) and not torch.allclose(a, b, atol=1e-5)
                for a, b in zip(with_flips, without)]
    assert all(m or torch.allclose(a, b, atol=1e-5) for m, a, b in zip(mirrored, with_flips, without))
    assert 0.3 < np.mean(mirrored) < 0.7  # half of the views are mirrored when flips are on, none when off
