"""Attention page: a ViT's CLS self-attention per head and averaged, over the image, with its zero-shot mask."""

from __future__ import annotations

import numpy as np
import streamlit as st

from app import state
from app.widgets import group_name, scatter, selected_items
from engine import api

st.title("Attention")
data = state.dataset()
if data.images is None:
    st.info(f"Attention maps need images; the current dataset ({data.name}) holds {data.kind_label}.")
    st.stop()

runs = api.vit_training_runs(state.store(), data.fingerprint())
sources = {r.run_id: f"{api.ENCODERS[r.config['encoder']].label} · {api.METHODS[r.config['method']].label} · "
                      f"run {r.run_id}" for r in runs}
pretrained_note = f"Pretrained DINO ViT-S/16: {api.attention_weights_status()}."
if api.attention_available():
    sources["pretrained"] = "DINO ViT-S/16, pretrained (facebookresearch/dino)"
if not sources:
    st.info("No Vision Transformer has been trained on this dataset yet, and the pretrained DINO ViT-S/16 weights "
            f"are {api.attention_weights_status()}. On the **Train** page pick the encoder "
            "**ViT-Micro** and the method **DINO**; its attention then shows here. The **shapes** demo (Data page) "
            "comes with true object masks, so the masks can be scored.")
    st.page_link("views/train.py", label="Go to Train", icon=":material/model_training:")
    st.stop()

top = st.columns([3, 2])
source = top[0].selectbox("Model", list(sources), format_func=sources.get, key="attention_source")
top[1].caption(pretrained_note)
with st.spinner("Loading the model…"):
    model = state.attention_model(source)

images_from = st.radio("Images from", [f"this dataset ({data.name})", "the sample photos"], horizontal=True,
                       key="attention_images_from",
                       help="The sample photos ship with scikit-image: a cat, coffee, an astronaut, a rocket…")
if images_from == "the sample photos":
    data = state.demo("photos")
res = state.result() if images_from.startswith("this dataset") else None
picked: list[int] = []
if res is not None:
    with st.expander("Pick images on the map", expanded=False):
        names = {g: group_name(g) for g in np.unique(res.labels).tolist()}
        hover = [f"{data.item_names[i]} · {group_name(int(res.labels[i]))}" for i in range(len(data))]
        event = st.plotly_chart(scatter(res.embedding, res.labels, names, hover, height=420, legend=False),
                                key=f"attention-map-{state.run_key(res)}", on_select="rerun",
                                selection_mode=("points", "box", "lasso"))
        picked = selected_items(event)[:8]
        st.caption("Click or lasso up to 8 images." if not picked else f"{len(picked)} picked on the map.")
if not picked:
    default = np.random.default_rng(0).choice(len(data), min(6, len(data)), replace=False).tolist()
    chosen = st.multiselect("Images", list(range(len(data))), default=default, max_selections=8,
                            format_func=lambda i: data.item_names[i], key=f"attention_items-{data.name}")
    picked = sorted(chosen)
if not picked:
    st.caption("Pick at least one image.")
    st.stop()


def size_label(side: int, trained: int = model.image_size, patch: int = model.model.patch_size) -> str:
    return f"{side} px ({side // patch}×{side // patch} patches)" + (", as trained" if side == trained else "")


sizes = model.read_sizes(data.images.shape[1])
size = top[0].radio("Read attention at", sizes, index=len(sizes) - 1, horizontal=True, key=f"attention_size-{source}",
                    format_func=size_label,
                    help="A ViT reads larger images on a finer patch grid (its position embeddings are "
                         "interpolated), so the map and the mask follow the object more closely.")
model = model.at(size)
top[1].caption(f"{model.source} · {model.heads} heads · {model.grid}×{model.grid} patches of "
               f"{model.model.patch_size} px at {model.image_size} px")

controls = st.columns([2, 2, 2])
z = controls[0].slider("Mask threshold: mean + z·std, z =", -0.5, 3.0, 1.0, 0.1, key="attention_z",
                       help="z = 1 is DINO's mean + std. Lower keeps more of the image.")
alpha = controls[1].slider("Overlay strength", 0.0, 1.0, 0.6, 0.05, key="attention_alpha")
per_head = controls[2].toggle("Show every head", value=True, key="attention_heads")

with st.spinner("Attention…"):
    maps = state.attention_maps(f"{data.fingerprint()}-{source}", source, data.images, tuple(picked), size)
cell = 160
scores = []
for index, heads in zip(picked, maps):
    heat = heads.mean(axis=0)
    threshold = api.attention_threshold(heat, z)
    predicted = api.attention_mask(heat, cell, threshold)
    big = api.enlarge(data.images[index], cell)
    mask_image = np.repeat(predicted[..., None] * 255, 3, axis=-1).astype(np.uint8)
    title = data.item_names[index]
    if data.masks is not None:
        truth = data.masks[index]
        scores.append(api.attention_iou(api.attention_mask(heat, truth.shape[0], threshold), truth))
        title += f" · IoU with the true mask {scores[-1]:.2f}"
    st.markdown(f"**{title}**" + (f" · {group_name(int(res.labels[index]))}" if res is not None else ""))
    columns = st.columns(4)
    columns[0].image(big, caption="image")
    columns[1].image(api.attention_overlay(big, heat, alpha, outline=predicted), caption=f"mean of {model.heads} heads")
    columns[2].image(mask_image, caption=f"mask: {predicted.mean():.0%} of the image")
    if data.masks is not None:
        columns[3].image(api.enlarge(np.repeat(data.masks[index][..., None] * 255, 3, -1).astype(np.uint8), cell),
                         caption="true mask")
    if per_head:
        head_columns = st.columns(max(model.heads, 4))
        for h in range(model.heads):
            head_columns[h].image(api.attention_overlay(api.enlarge(data.images[index], 96), heads[h], alpha),
                                  caption=f"head {h + 1}")
if scores:
    st.info(f"Mean IoU of the attention masks with the true masks over these {len(scores)} images: "
            f"**{np.mean(scores):.2f}**. `bench/attention_iou.py` measures it on the whole demo against a centre-blob "
            "baseline.")
