"""Train page: self-supervised training in a worker process, watched live; finished runs become features."""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st
import torch

from app import state
from app.widgets import param_controls, registry_select
from engine import api

st.title("Train")
data = state.dataset()
if data.images is None:
    st.info(f"Self-supervised training needs images; the current dataset ({data.name}) holds {data.kind_label}.")
    st.page_link("views/data.py", label="Choose images on the Data page", icon=":material/database:")
    st.stop()

device = api.pick_device()
gpu = f"CUDA · {torch.cuda.get_device_name(0)} (mixed precision)" if device == "cuda" else \
    "CPU (no GPU visible): small models and ≤ 32 px images train at useful speed"
st.caption(f"Dataset **{data.name}**, {len(data):,} images of {data.images.shape[1]} px · device: {gpu}")

left, right = st.columns(2)
with left:
    suggested = api.default_encoder(len(data), data.images.shape[1], device)
    encoder = registry_select("Encoder", api.ENCODERS, "train_encoder", default=suggested)
    options = {}
    if encoder.weights is not None:
        found = encoder.weights.cached_path()
        st.caption(f"Pretrained weights ({encoder.weights.origin}, {encoder.weights.licence}): "
                   f"{encoder.weights.status()}.")
        if found and st.checkbox("Start from these weights", value=True, key="train_pretrained"):
            options["weights"] = "cache"
        path = st.text_input("…or a weights file on this computer", key="train_weights_file",
                             placeholder="/path/to/weights.pth")
        if path:
            options["weights"] = path.strip()
        if "weights" not in options:
            options["weights"] = None
            st.caption("Random initialisation.")
    else:
        st.caption("No pretrained weights are published for this encoder: random initialisation.")
    with st.expander("Pretrained weights of every encoder"):
        st.dataframe(api.weights_table(), hide_index=True)
        st.caption("Nothing is downloaded: weights are used when a package ships them or you put them in the "
                   "torch hub cache (`~/.cache/torch/hub/checkpoints`), or give a file.")
    method = registry_select("Method", api.METHODS, "train_method", default="simclr")
    if "attention" in method.tags and not encoder.attention:
        st.caption(f"{method.label} with a Vision Transformer (ViT-Micro trains in minutes on a CPU) gives attention "
                   "maps on the Attention page.")
    with st.expander("Method settings"):
        method_params = param_controls(method, "tm")
with right:
    budget_kind = st.radio("Budget", ["Minutes", "Epochs"], horizontal=True, key="train_budget")
    if budget_kind == "Minutes":
        budget = {"minutes": st.number_input("Minutes", 0.1, 600.0, 2.0, step=0.5, key="train_minutes"), "epochs": 0}
    else:
        budget = {"epochs": st.number_input("Epochs", 1, 10_000, 20, key="train_epochs")}
    settings = api.recommended(method.name)  # the controls start at the method's own settings (DINO: batch 16)
    batch_size = st.select_slider("Batch size", [16, 32, 64, 128, 256, 512, 1024], value=settings["batch_size"],
                                  key=f"train_batch-{method.name}")
    lr = st.number_input("Learning rate", 1e-5, 1.0, settings["lr"], format="%.5f", key=f"train_lr-{method.name}")
    image_size = st.select_slider("Training image size", [0, 8, 16, 32, 64, 96, 128, 224], value=0, key="train_size",
                                  format_func=lambda s: "auto" if s == 0 else f"{s} px",
                                  help="auto: the data's size on a GPU; on a CPU at most 32 px, and with a minutes "
                                       "budget the largest size (down to 16 px) at which the budget buys 20 epochs, "
                                       "from this machine's measured speed.")
    flip = st.checkbox("Mirror images (horizontal flips)", value=data.mirror_safe, key="train_flip",
                       help="Off for digits, text, or anything whose mirror image means something else.")
    settle = st.checkbox("Stop when the clusters settle", value=False, key="train_settle",
                         help="End before the budget once the watched sample's clusters come back unchanged "
                              "(agreement ≥ 0.95 with the previous checkpoint's) three checkpoints in a row.")

config = api.TrainConfig(encoder=encoder.name, method=method.name, method_params=method_params,
                         encoder_options=options, image_size=image_size, batch_size=batch_size, lr=lr,
                         weight_decay=settings["weight_decay"], flip=flip, stop_when_settled=settle, **budget)
size_plan = api.training_plan(config, data.images.shape[1], len(data), device)
trained_at, steps_of = size_plan.size, min(batch_size, len(data))
st.caption(f"Training size: {size_plan.reason}.")
known = api.training_speed(encoder.name, method.name, trained_at, steps_of, width=size_plan.width)
speed_line, measure_button = st.columns([5, 1], vertical_alignment="center")
if known is None:
    speed_line.caption(f"Speed of {encoder.label} + {method.label} at {trained_at} px: not measured on this machine "
                       "yet; **Measure** times a few training steps (seconds), or run `bench/train_speed.py`.")
else:
    epoch_s = len(data) / known.images_per_s
    speed_line.caption(f"Speed: {api.speed_sentence(known)}; one epoch of {len(data):,} images ≈ {epoch_s:,.0f} s"
                       + (f", so {budget['minutes']:g} min buy ≈ {budget['minutes'] * 60 / epoch_s:,.0f} epochs"
                          if budget.get("minutes") else f", {budget['epochs']} epochs ≈ "
                                                         f"{budget['epochs'] * epoch_s / 60:,.1f} min") + ".")
if measure_button.button("Measure", key="train_measure", icon=":material/speed:",
                         help="A few real training steps of this encoder and method on random images"):
    with st.spinner(f"Timing {encoder.label} + {method.label} at {trained_at} px…"):
        api.measure_training_speed(encoder.name, method.name, trained_at, steps_of, device=device,
                                   width=size_plan.width)
    st.rerun()
current = st.session_state.get("train_job")
busy = current is not None and api.training_state(current) in ("queued", "running")
if st.button("Start training", type="primary", icon=":material/model_training:", disabled=busy, key="train_start"):
    st.session_state["train_job"] = api.start_training(data, config)
    st.rerun()


def loss_chart(steps: list[dict], epochs: list[dict]) -> go.Figure:
    fig = go.Figure()
    if steps:
        fig.add_scatter(x=[e["progress"] * 100 for e in steps], y=[e["loss"] for e in steps], mode="lines",
                        name="step", line=dict(color="#b8bcc6", width=1))
    if epochs:
        fig.add_scatter(x=[e["progress"] * 100 for e in epochs], y=[e["loss"] for e in epochs],
                        mode="lines+markers", name="epoch mean", line=dict(color="#4e79a7"))
    fig.update_layout(height=300, margin=dict(l=10, r=10, t=30, b=10), title="Loss",
                      xaxis_title="% of budget", yaxis_title="loss")
    return fig


def job_panel(live: bool = False) -> None:
    """The job's status, loss curve and buttons; ``live``: polled while it runs (see below)."""
    job_id = st.session_state.get("train_job")
    if not job_id:
        return
    info, state_name = api.training_status(job_id), api.training_state(job_id)
    if live and state_name not in ("queued", "running"):
        st.rerun(scope="app")  # it ended: draw it once more, unpolled, with the runs list below up to date
    log = api.training_curve(job_id)  # one read of the log per poll; a resume continues the curve
    steps, epochs, extraction = log["step"], log["epoch"], log["extract"]
    st.subheader(f"Job {job_id}")
    if log["plan"]:
        plan = log["plan"][0]
        st.caption(f"Trained at {plan['reason']}" + ("; bf16 autocast and channels-last memory, measured faster on "
                                                     "this CPU" if plan.get("fast") else "") + ".")
    if extraction and state_name == "running":
        done = extraction[-1]
        st.progress(done["done"] / done["total"], text=f"extracting embeddings {done['done']:,}/{done['total']:,}")
    elif steps and state_name == "running":
        last = steps[-1]
        st.progress(min(last["progress"], 1.0),
                    text=f"{state_name} · epoch {last['epoch'] + 1} · loss {last['loss']:.4f} · "
                         f"{last['images_per_s']:,.0f} img/s · lr {last['lr']:.2e} · ETA {last['eta_s']:.0f} s")
    elif steps:  # stopped: where it stands, no ETA
        last = steps[-1]
        st.progress(min(last["progress"], 1.0),
                    text=f"{state_name} at {last['progress']:.0%} · epoch {last['epoch'] + 1}, step {last['step'] + 1} · "
                         f"loss {last['loss']:.4f}" + (" · Resume goes on from the last checkpoint"
                                                       if state_name in ("cancelled", "stopped", "failed") else ""))
    else:
        st.progress(0.0, text=f"{state_name} · starting the worker (loading torch)…")
    evaluations = log["evaluation"]
    best = api.best_checkpoint(evaluations)
    loss_side, forming_side = st.columns(2)
    loss_side.plotly_chart(loss_chart(steps[-2000:], epochs), key="loss_chart")
    if evaluations:
        forming_side.plotly_chart(api.checkpoint_chart(evaluations, best), key="checkpoint_chart")
        spent = sum(e["seconds"] for e in evaluations)
        trained = max(e["time"] for e in evaluations)
        forming_side.caption(f"{len(evaluations)} checkpoints scored on the same {api.WATCH_ITEMS:,}-item sample "
                             f"({spent:.1f} s of scoring, {spent / max(trained, 1e-9):.0%} of the training time "
                             "so far)." if trained > 0 else f"{len(evaluations)} checkpoint scored so far.")
    watched = api.training_watch(job_id)
    if watched is not None and len(watched["maps"]) == len(evaluations) and len(evaluations) > 1:
        at = st.slider("Checkpoint", 0, len(evaluations) - 1, len(evaluations) - 1, key="checkpoint_pick",
                       format="%d", help="Step through the watched sample's map at each checkpoint; the maps are "
                                         "turned onto each other, so points move only as much as they really do.")
        e = evaluations[at]
        sample = watched["sample"]
        same_data = info.get("dataset") == data.fingerprint()
        if same_data and data.labels is not None:
            groups, names = data.labels[sample], dict(enumerate(data.class_names))
            colouring = "true labels"
        else:
            groups = watched["clusters"][-1].astype(int)
            names = {g: f"cluster {g}" for g in np.unique(groups).tolist()}
            colouring = "the last checkpoint's K-means clusters"
        hover = [data.item_names[i] for i in sample] if same_data else [f"item {i}" for i in sample]
        title = (f"checkpoint {at}: " + (f"{e['progress']:.0%} of the budget (epoch {e['epoch'] + 1})"
                                         if e["progress"] > 0 else "untrained")
                 + f", silhouette {e['silhouette']:.2f}"
                 + (f", kNN accuracy {e['knn_acc']:.2f}" if "knn_acc" in e else ""))
        st.plotly_chart(api.checkpoint_map(watched["maps"], at, groups, names, hover, title), key="checkpoint_map")
        st.caption(f"The watched sample's embedding at that checkpoint (first two principal components), coloured by "
                   f"{colouring}." + (" Marked best by the label-free score." if at == best else ""))
    buttons = st.columns(4)
    if state_name in ("queued", "running"):
        if buttons[0].button("Cancel", icon=":material/stop:", key="train_cancel"):
            api.cancel_training(job_id)
    elif state_name in ("cancelled", "stopped", "failed"):
        if state_name == "failed":
            st.error(f"Training failed: {info.get('error')}")
        if buttons[0].button("Resume", icon=":material/play_arrow:", key="train_resume"):
            api.resume_training(job_id)
            st.rerun()
    elif state_name == "done":
        metrics = info.get("metrics", {})
        st.success(f"Finished: run {info['run_id']} · {metrics.get('epochs')} epochs"
                   + (" (stopped early: the clusters had settled)" if metrics.get("stopped_early") else "")
                   + (f" · kNN accuracy {metrics['knn_acc']:.3f}" if "knn_acc" in metrics else ""))


# Polled only while the job runs: each poll sends the browser's widget values, and one that lands after "Use as
# features" set the Data page's menus would put the old choice back. A finished job's panel is drawn once.
if st.session_state.get("train_job") and api.training_state(st.session_state["train_job"]) in ("queued", "running"):
    st.fragment(run_every=1.0)(job_panel)(live=True)
else:
    job_panel()

st.divider()
st.subheader("Training runs on this dataset")
records = state.training_runs(data)
if not records:
    st.caption("None yet.")
else:
    table = pd.DataFrame([{
        "Run": r.run_id, "Encoder": r.config["encoder"], "Method": r.config["method"],
        "Epochs": r.metrics.get("epochs"), "Final loss": r.metrics.get("final_loss"),
        "kNN acc": r.metrics.get("knn_acc"), "K-means ACC": r.metrics.get("kmeans_acc"),
        "K-means NMI": r.metrics.get("kmeans_nmi"), "Seconds": r.timings.get("seconds"),
        "Device": r.config.get("device_used")} for r in records])
    st.dataframe(table, hide_index=True, key="train_runs")
    chosen = st.selectbox("Use a run's embeddings as features", [r.run_id for r in records], key="train_use_run")
    picked = next(r for r in records if r.run_id == chosen)
    best, marks = picked.metrics.get("best_checkpoint"), picked.metrics.get("checkpoints") or []
    checkpoint = "last"
    if best is not None and best != len(marks) - 1:
        checkpoint = st.radio("Which checkpoint", ["best", "last"], horizontal=True, key="train_use_checkpoint",
                              format_func=lambda c: f"best (at {marks[best]['progress']:.0%}, silhouette "
                                                    f"{marks[best]['silhouette']:.2f})" if c == "best" else
                              f"last (silhouette {marks[-1]['silhouette']:.2f})")
    elif marks:
        st.caption("Its last checkpoint clustered most clearly (by the watched sample's silhouette).")
    if st.button("Use as features", key="train_use"):
        state.use_learned_features(chosen, checkpoint)
        st.switch_page("views/data.py")
