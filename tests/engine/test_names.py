"""Cluster names (issue 15, item 4): suggested from the ImageNet classifier or a graph's hubs, overwritten by users."""

from __future__ import annotations

import numpy as np

from engine import api, report
from engine.cluster import names as N


def test_photo_clusters_are_named_by_their_imagenet_classes():
    """Two clusters of shifted crops of scikit-image's coffee cup and cat photos: the classifier names what they are."""
    photos = api.DEMOS["photos"]()
    images, labels = [], []
    for label, name in enumerate(("coffee", "chelsea")):
        source = photos.images[photos.item_names.index(name)]
        for dy in range(0, 24, 4):
            for dx in range(0, 16, 8):
                crop = source[dy:dy + 200, dx:dx + 200]
                images.append(np.asarray(crop))
                labels.append(label)
    data = api.Dataset(name="cups-and-cats", item_names=[str(i) for i in range(len(images))],
                       images=np.stack(images), labels=np.asarray(labels), class_names=["coffee", "cat"])
    found = N.suggest(data, np.asarray(labels), np.eye(2)[labels], "efficientnet_lite0")
    assert set(found) == {0, 1}
    assert any(word in found[0]["name"] for word in ("espresso", "cup", "coffee")), found[0]
    assert "cat" in found[1]["name"] or "tabby" in found[1]["name"], found[1]
    assert "typical members" in found[0]["why"]
    assert N.suggest(data, np.asarray(labels), np.eye(2)[labels], "pixels") == {}  # other features: no guess
    beside = N.suggest(data, np.asarray(labels), np.eye(2)[labels], "combined")  # the encoder beside pixels
    assert beside == found and api.nameable(data, "combined") and not api.nameable(data, "pixels")


def test_graph_clusters_are_named_by_their_hubs_and_users_overwrite_names():
    karate = api.DEMOS["karate"]()
    store = api.RunStore()
    result = api.run(karate, api.default_config(karate), store=store)
    found = api.suggest_names(karate, result, store)
    hub_of = {k: v["name"] for k, v in found.items()}
    degree = dict(karate.graph.degree())
    top = max(range(len(karate)), key=lambda i: degree[N._node(karate, karate.item_names[i])])
    assert karate.item_names[top] in hub_of[int(result.labels[top])]  # the best-connected node names its cluster
    shown = api.rename_clusters(result, {0: "the instructor's side"}, store)
    assert shown[0] == "the instructor's side" and shown[1] == hub_of[1]
    _, reopened = api.reopen(store, result.run_id)
    assert api.cluster_names(reopened.metrics)[0] == "the instructor's side"
    page = report.build(report.RunContext.load(store, result.run_id), with_attention=False)
    assert "Cluster 0 · the instructor&#x27;s side" in page
    names_section = page.split('<section id="names">')[1].split("</section>")[0]
    assert "named by you" in names_section and "best-connected nodes" in names_section
    frame = report.labels_frame(report.RunContext.load(store, result.run_id))
    assert set(frame.loc[frame["cluster"] == 0, "cluster_name"]) == {"the instructor's side"}
    assert api.rename_clusters(result, {0: "  "}, store)[0] == hub_of[0]  # emptied: back to the suggestion
    assert N.label_of(-1, shown) == "noise" and N.label_of(5, {}) == "cluster 5"
    assert N.heading(1, {1: "around: Mr. Hi"}) == "Cluster 1 · around: Mr. Hi"  # the name's own case kept
