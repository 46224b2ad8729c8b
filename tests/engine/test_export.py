"""Clusters out: folders of the images (hard links to the originals), a CSV and a JSON manifest, from the engine
and the CLI."""

import json
import os

import numpy as np
import pandas as pd
import pytest

from engine import api, report
from engine.cli import main
from engine.report.folders import export
from PIL import Image


def stripes_folder(root, per_class=8):
    """Two classes of noisy 24×32 images, bright on the left or bright at the bottom; each class folder holds
    ``0.png``, ``1.png``…, so file names repeat across classes."""
    rng = np.random.default_rng(0)
    for label in ("left", "bottom"):
        (root / label).mkdir(parents=True)
        for i in range(per_class):
            image = rng.integers(0, 60, size=(24, 32, 3)).astype(np.uint8)
            if label == "left":
                image[:, :12] += 180
            else:
                image[14:] += 180
            Image.fromarray(image).save(root / label / f"{i}.png")
    return root


@pytest.fixture(scope="module")
def folder_run(tmp_path_factory):
    """A folder of two classes of images, clustered and stored with a named selection of two files that share a
    name."""
    folder = stripes_folder(tmp_path_factory.mktemp("user") / "pictures")
    store = api.RunStore()
    data = api.load(folder)
    config = api.Config(features="pixels", reducer="pca", clusterer="kmeans", clusterer_params={"n_clusters": 2},
                        cluster_on="features")
    result = api.run(data, config, store=store)
    assert result.metrics["ari"] == 1.0  # two real clusters, so the tree below is checked against them
    store.name_selection(result.run_id, "my picks", [0, 8])  # bottom/0.png and left/0.png
    return folder, store, result


def test_the_folder_tree_matches_the_run_and_links_the_originals(folder_run, tmp_path):
    folder, store, result = folder_run
    before = {p: p.stat().st_mtime_ns for p in folder.rglob("*.png")}
    ctx = report.RunContext.load(store, result.run_id)
    done = export(ctx, tmp_path / "out")
    out = tmp_path / "out"
    table = pd.read_csv(out / "clusters.csv")
    assert len(table) == len(ctx.dataset) and (table["cluster"].to_numpy() == result.labels).all()
    for row in table.itertuples():
        placed = out / row.exported_as
        assert placed.parent.name == f"cluster_{row.cluster:02d}" and os.path.samefile(placed, row.path)
    for k in np.unique(result.labels):
        assert len(list((out / f"cluster_{k:02d}").iterdir())) == int(np.sum(result.labels == k))
    picks = sorted(p.name for p in (out / "selections" / "my-picks").iterdir())
    assert picks == ["0-8.png", "0.png"] and done.placed["linked"] == len(ctx.dataset) + 2
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["run_id"] == result.run_id and sum(c["items"] for c in manifest["clusters"]) == len(ctx.dataset)
    assert manifest["selections"] == {"my picks": [0, 8]}
    assert {p: p.stat().st_mtime_ns for p in folder.rglob("*.png")} == before  # the user's files untouched


def test_an_export_refuses_a_folder_that_is_not_empty_and_leaves_nothing_when_cancelled(folder_run, tmp_path):
    _, store, result = folder_run
    ctx = report.RunContext.load(store, result.run_id)
    (tmp_path / "busy").mkdir()
    (tmp_path / "busy" / "mine.txt").write_text("keep")
    with pytest.raises(ValueError, match="not an empty folder"):
        export(ctx, tmp_path / "busy")
    reporter = api.Reporter()
    reporter.cancel()
    with pytest.raises(api.Cancelled):
        export(ctx, tmp_path / "cancelled", reporter=reporter)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["busy"]


def test_items_without_files_are_written_as_pngs(digits, digits_result, tmp_path):
    store = api.RunStore()
    stored = api.run(digits, digits_result.config, store=store)
    done = export(report.RunContext.load(store, stored.run_id), tmp_path / "digits")
    assert done.placed["written"] == len(digits)
    assert len(list((tmp_path / "digits").glob("cluster_*/*.png"))) == len(digits)


def test_the_cli_exports_folders_a_csv_or_a_manifest(folder_run, tmp_path, capsys):
    _, _, result = folder_run
    assert main(["export", result.run_id, "--out", str(tmp_path / "tree")]) == 0
    assert "linked" in capsys.readouterr().out and (tmp_path / "tree" / "cluster_00").is_dir()
    assert main(["export", result.run_id, "--as", "csv", "--out", str(tmp_path / "csv")]) == 0
    assert sorted(p.name for p in (tmp_path / "csv").iterdir()) == ["clusters.csv"]
    assert main(["export", result.run_id, "--as", "json", "--out", str(tmp_path / "csv")]) == 2
    assert "not an empty folder" in capsys.readouterr().err
