import pytest
import torch

from engine.encoders import ENCODERS, build
from engine.encoders.vit import patch_size_for
from engine.encoders.weights import load_matching, load_state_dict


@pytest.mark.parametrize("name", list(ENCODERS))
@pytest.mark.parametrize("size", [8, 32])
def test_every_encoder_maps_images_to_its_feature_size(name, size):
    torch.manual_seed(0)
    encoder = build(name, size)
    out = encoder(torch.rand(3, 3, size, size))
    assert out.shape == (3, encoder.out_dim) and torch.isfinite(out).all()
    total = out.sum() + (encoder.decode(out).sum() if hasattr(encoder, "decode") else 0)
    total.backward()
    assert all(p.grad is not None for p in encoder.parameters() if p.requires_grad)


@pytest.mark.parametrize("name", ["vit_micro", "vit_tiny", "vit_small"])
def test_vit_attention_is_on_the_patch_grid_and_sums_to_one_per_head(name):
    encoder = build(name, 32, depth=2)
    grid = 32 // patch_size_for(32)
    attn = encoder.get_last_selfattention(torch.rand(2, 3, 32, 32))
    heads = encoder.blocks[0].attn.heads
    assert attn.shape == (2, heads, grid * grid + 1, grid * grid + 1)
    assert torch.allclose(attn.sum(-1), torch.ones(2, heads, grid * grid + 1), atol=1e-5)
    maps = encoder.cls_attention_maps(torch.rand(2, 3, 32, 32))
    assert maps.shape == (2, heads, grid, grid)
    assert torch.allclose(maps.sum(dim=(-1, -2)), torch.ones(2, heads), atol=1e-5)


def test_vit_takes_other_sizes_by_interpolating_positions():
    encoder = build("vit_tiny", 32, depth=1)
    assert encoder(torch.rand(1, 3, 16, 16)).shape == (1, 192)


def test_resnet_small_stem_keeps_resolution():
    small, large = build("resnet18", 32), build("resnet18", 224)
    assert small.net.conv1.kernel_size == (3, 3) and isinstance(small.net.maxpool, torch.nn.Identity)
    assert large.net.conv1.kernel_size == (7, 7)


def test_weights_load_from_a_file_without_pickle_and_skip_mismatched_layers(tmp_path):
    source = build("resnet18", 224)
    torch.save({"state_dict": {f"module.{k}": v for k, v in source.net.state_dict().items()}}, tmp_path / "w.pth")
    target = build("resnet18", 32)  # small stem: conv1 has another shape
    missing = load_matching(target.net, load_state_dict(tmp_path / "w.pth"))
    assert missing == ["conv1.weight"]
    assert torch.equal(target.net.layer4[1].conv2.weight, source.net.layer4[1].conv2.weight)
    file_based = build("resnet18", 32, weights=str(tmp_path / "w.pth"))
    assert torch.equal(file_based.net.layer1[0].conv1.weight, source.net.layer1[0].conv1.weight)


def test_missing_cached_weights_say_so(monkeypatch, tmp_path):
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))
    assert "not on this machine" in ENCODERS["resnet18"].weights.status()
    with pytest.raises(FileNotFoundError, match="not on this machine"):
        build("resnet18", 32, weights="cache")
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="Hugging Face hub cache"):
        build("vit_tiny", 32, weights="cache")


def test_dino_style_vit_checkpoints_load_by_name_with_resampled_positions(tmp_path):
    source = build("vit_small", 224, depth=2)  # stands in for DINO's ViT-S/16 (same names and 16 px patches)
    torch.save({"teacher": {f"backbone.{k}": v for k, v in source.state_dict().items()}}, tmp_path / "dino.pth")
    target = build("vit_small", 64, depth=2, weights=str(tmp_path / "dino.pth"))
    assert target.patch_size == 16 and target.pos_embed.shape == (1, 4 * 4 + 1, 384)
    assert torch.equal(target.blocks[1].mlp.fc2.weight, source.blocks[1].mlp.fc2.weight)
    assert torch.equal(target.patch_embed.proj.weight, source.patch_embed.proj.weight)
    assert torch.equal(target.pos_embed[:, 0], source.pos_embed[:, 0])  # CLS position kept as is


def test_timm_vit_tiny_weights_in_the_hugging_face_cache_load_by_name(monkeypatch, tmp_path):
    import timm
    from safetensors.torch import save_file

    torch.manual_seed(0)
    reference = timm.create_model("vit_tiny_patch16_224", pretrained=False)  # timm's own layout and names
    snapshot = tmp_path / "hub" / "models--timm--vit_tiny_patch16_224.augreg_in21k_ft_in1k" / "snapshots" / "abc123"
    snapshot.mkdir(parents=True)
    save_file({k: v.contiguous() for k, v in reference.state_dict().items()}, str(snapshot / "model.safetensors"))
    monkeypatch.setenv("HF_HOME", str(tmp_path))
    assert ENCODERS["vit_tiny"].weights.cached_path() == snapshot / "model.safetensors"
    model = build("vit_tiny", 224, weights="cache")
    own = model.state_dict()
    loaded = [k for k in own if k in reference.state_dict() and torch.equal(own[k], reference.state_dict()[k])]
    assert len(loaded) == len(own)  # every tensor of ours came from timm's checkpoint
    x = torch.rand(1, 3, 224, 224)
    with torch.no_grad():
        assert torch.allclose(model(x), reference.forward_head(reference.forward_features(x), pre_logits=True),
                              atol=1e-4)
