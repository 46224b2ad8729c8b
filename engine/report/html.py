"""A self-contained HTML report of a clustering run: it opens offline, with nothing fetched.

Plotly's JavaScript is inlined once; every image is a ``data:`` URI. Sections: summary,
settings, scores, map, how far to trust the map, how stable the clusters are, clusters forming during
training, what the clusters are (their names), galleries, named selections, K sweep, dendrogram,
comparison with other runs on the same data, and attention examples.
"""

from __future__ import annotations

import html
from datetime import datetime, timezone

import numpy as np
import plotly.graph_objects as go

from engine import attention
from engine.cluster.names import heading, label_of
from engine.cluster.profiles import cluster_profiles, columns_sentence, distinguishing_columns
from engine.cluster.tree import leaf_representatives
from engine.data.thumbs import data_uri, enlarge, montage, png_uri, series_uri
from engine.metrics.describe import SCORES, score_frame, score_table
from engine.metrics.graph import community_profiles
from engine.pipeline import cluster_names
from engine.progress import Reporter, ensure
from engine.report.context import RunContext
from engine.timeseries import silhouette_note
from engine.viz import figures

SECTIONS = ("summary", "settings", "scores", "map", "trust", "stability", "training", "names", "galleries",
            "selections", "sweep", "dendrogram", "comparison", "attention")
MAX_GALLERIES = 30
STYLE = """
body{font-family:system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:0;color:#1d2230;background:#f6f7fb}
header{background:#1d2230;color:#fff;padding:18px 32px}header h1{margin:0;font-size:1.5em}
header p{margin:4px 0 0;color:#c5cad6}nav{padding:8px 32px;background:#fff;border-bottom:1px solid #e2e5ec}
nav a{margin-right:14px;color:#4e79a7;text-decoration:none;font-size:.9em}
main{padding:8px 32px 40px;max-width:1300px}section{background:#fff;border:1px solid #e2e5ec;border-radius:8px;
padding:12px 20px;margin:16px 0}h2{font-size:1.15em;margin:.3em 0 .6em}table{border-collapse:collapse;font-size:.9em}
td,th{border-bottom:1px solid #eceef3;padding:4px 10px;text-align:left}.note{color:#5b6275;font-size:.9em}
.gallery{display:flex;flex-wrap:wrap;gap:18px}.card{border:1px solid #eceef3;border-radius:6px;padding:8px}
.card h3{font-size:.95em;margin:0 0 6px}.dot{font-size:1.2em}img{image-rendering:pixelated;max-width:100%}
"""


def build(ctx: RunContext, reporter: Reporter | None = None, with_attention: bool = True) -> str:
    reporter = ensure(reporter)
    parts, plotly_state = [], {"inlined": False}

    def chart(fig: go.Figure) -> str:
        # An explicit template: in the app's process plotly's default is Streamlit's, which needs the app's CSS.
        fig.update_layout(template="plotly_white")
        fig.update_xaxes(automargin=True)
        fig.update_yaxes(automargin=True)  # tick labels are never cut off by the tight margins
        out = fig.to_html(full_html=False, include_plotlyjs=not plotly_state["inlined"],
                          config={"displaylogo": False, "responsive": True})
        plotly_state["inlined"] = True
        return out

    steps = [("summary", _summary), ("settings", _settings), ("scores", _scores), ("map", _map), ("trust", _trust),
             ("stability", _stability), ("training", _training), ("names", _names), ("galleries", _galleries),
             ("selections", _selections), ("sweep", _sweep), ("dendrogram", _dendrogram),
             ("comparison", _comparison), ("attention", _attention if with_attention else _attention_skipped)]
    for i, (name, section) in enumerate(steps):
        reporter.update(i / len(steps), f"report: {name}")
        title, body = section(ctx, chart)
        parts.append(f'<section id="{name}"><h2>{html.escape(title)}</h2>{body}</section>')
    reporter.update(1.0, "report done")
    nav = "".join(f'<a href="#{name}">{name}</a>' for name, _ in steps)
    made = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    return (f"<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Clusterscope report · "
            f"{html.escape(ctx.run_id)}</title><style>{STYLE}</style></head><body><header>"
            f"<h1>Clusterscope report</h1><p>{html.escape(ctx.title)} · run {html.escape(ctx.run_id)} · made {made}"
            f"</p></header><nav>{nav}</nav><main>{''.join(parts)}</main></body></html>")


def _table(rows: list[tuple[str, str]]) -> str:
    return "<table>" + "".join(f"<tr><th>{html.escape(str(k))}</th><td>{html.escape(str(v))}</td></tr>"
                               for k, v in rows) + "</table>"


def _img(image: np.ndarray, alt: str) -> str:
    return f'<img src="{png_uri(image)}" alt="{html.escape(alt)}">'


def _summary(ctx: RunContext, chart) -> tuple[str, str]:
    summary = ctx.dataset.summary()
    rows = [(k.replace("_", " "), v) for k, v in summary.items() if k != "class_counts"]
    body = _table(rows)
    if ctx.dataset.images is not None:
        sample = np.random.default_rng(0).choice(len(ctx.dataset), min(24, len(ctx.dataset)), replace=False)
        body += "<p class='note'>A random sample of the items:</p>" + _img(
            montage(ctx.dataset.images, sample, columns=12, cell=48), "sample of the dataset")
    return "Dataset", body


def _settings(ctx: RunContext, chart) -> tuple[str, str]:
    from engine.cluster.auto_k import k_sentence

    c, m = ctx.config, ctx.record.metrics
    rows = [("features", f"{c['features']} {c.get('feature_params') or ''}"),
            ("reduction", f"{c['reducer']} to {c['n_components']}-D {c.get('reducer_params') or ''}"),
            ("clustering", f"{c['clusterer']} {c.get('clusterer_params') or ''}"),
            ("clustered on", m.get("clustered") or c.get("cluster_on", "embedding")), ("seed", c.get("seed", 0)),
            ("created", ctx.record.created)]
    if m.get("feature_choice"):
        rows.insert(1, ("why these features", m["feature_choice"]["reason"]))
    if m.get("k_choice"):
        rows.insert(4, ("why this K", k_sentence(m["k_choice"])))
    rows += [(f"time: {k}", f"{v:.2f} s") for k, v in ctx.record.timings.items()]
    return "Settings", _table(rows)


def _scores(ctx: RunContext, chart) -> tuple[str, str]:
    c = ctx.record.config
    under = silhouette_note(c["clusterer"], c.get("clusterer_params") or {})  # DTW, k-Shape: their own distance
    return "Scores", ((f"<p class='note'>{html.escape(under[0].upper() + under[1:])}.</p>" if under else "")
                      + score_table(ctx.record.metrics).to_html(index=False, border=0))


def _map(ctx: RunContext, chart) -> tuple[str, str]:
    given = cluster_names(ctx.record.metrics)
    names = {g: label_of(g, given) for g in np.unique(ctx.labels).tolist()}
    hover = [f"{item} · {names[g]}" for item, g in zip(ctx.dataset.item_names, ctx.labels.tolist())]
    edges = figures.edge_index(ctx.dataset.graph, ctx.dataset.item_names) if ctx.dataset.graph is not None else None
    fig = figures.scatter(ctx.embedding, ctx.labels, names, hover, height=600, edges=edges)
    fig.update_layout(clickmode="event", dragmode="lasso")
    return "Map", "<p class='note'>Zoom, pan and hover; the legend toggles clusters.</p>" + chart(fig)


def _graded_map(ctx: RunContext, colouring: tuple, notes: list[str]) -> go.Figure:
    """The run's map coloured by a per-item measure (``colouring``: groups, names and colours, e.g.
    :func:`figures.trust_colouring`); each point's hover names the item, its cluster and its ``notes`` entry."""
    groups, names, colours = colouring
    hover = [f"{item} · {figures.group_name(g)} · {note}"
             for item, g, note in zip(ctx.dataset.item_names, ctx.labels.tolist(), notes)]
    fig = figures.scatter(ctx.embedding, groups, names, hover, height=520, colours=colours)
    fig.update_layout(clickmode="event", dragmode="zoom")
    return fig


def _trust(ctx: RunContext, chart) -> tuple[str, str]:
    from engine.metrics.trust import flag_sentence, trust_sentence

    title = "How far to trust the map"
    trust = ctx.record.metrics.get("map_trust")
    if not trust or "map_trust" not in ctx.arrays:
        return title, "<p class='note'>Not measured for this run (it was made before map trust was measured).</p>"
    per_item = ctx.arrays["map_trust"]
    fig = _graded_map(ctx, figures.trust_colouring(per_item), [f"keeps {t:.0%} of its neighbours" for t in per_item])
    flags = "".join(f"<li>{html.escape(flag_sentence(f, figures.group_name))}</li>" for f in trust["flags"][:10])
    return title, (f"<p>{html.escape(trust_sentence(trust, len(per_item)))}</p>"
                   + (f"<p class='note'>Where the map and the data disagree about which clusters touch:</p><ul>{flags}"
                      "</ul>" if flags else "<p class='note'>No cluster pair is drawn much closer or further apart "
                                            "than the data puts it.</p>")
                   + "<p class='note'>Each point coloured by the share of its nearest neighbours in the data that "
                     "are also its neighbours on the map (red: the map tears its neighbourhood).</p>" + chart(fig))


def _stability(ctx: RunContext, chart) -> tuple[str, str]:
    from engine.cluster.stability import AMBIGUOUS, contested, stability_sentence

    title = "How stable the clusters are"
    summary = ctx.record.metrics.get("stability")
    if not summary or "ambiguity" not in ctx.arrays:
        return title, ("<p class='note'>Not measured for this run: press <b>Measure stability</b> on the Clusters "
                       f"page, or run <code>python -m engine stability {html.escape(ctx.run_id)}</code>, then make "
                       "the report again.</p>")
    ambiguity = ctx.arrays["ambiguity"]
    rows = "".join(f"<tr><td>{html.escape(figures.group_name(c['cluster']))}</td><td>{c['size']:,}</td>"
                   f"<td>{c['stability']:.2f}</td><td>{c['reading']}</td>"
                   f"<td>{int(np.sum(ambiguity[ctx.labels == c['cluster']] >= AMBIGUOUS)):,}</td></tr>"
                   for c in summary["clusters"])
    table = ("<table><tr><th>cluster</th><th>items</th><th>stability (mean best-match Jaccard)</th><th>reading</th>"
             f"<th>contested items</th></tr>{rows}</table>")
    fig = _graded_map(ctx, figures.ambiguity_colouring(ambiguity), [f"left it in {a:.0%} of reruns" for a in ambiguity])
    cards = []
    for c in summary["clusters"][:MAX_GALLERIES]:
        members = contested(ambiguity, ctx.labels, c["cluster"])
        if len(members):
            cards.append(_gallery_card(ctx, figures.group_name(c["cluster"]), figures.colour(c["cluster"]), members,
                                       f"the {len(members)} most contested (up to {ambiguity[members[0]]:.0%} of "
                                       "reruns elsewhere)"))
    gallery = ("<p class='note'>Each cluster's most contested members:</p><div class='gallery'>" + "".join(cards)
               + "</div>") if cards else "<p class='note'>No item ever left its cluster in the reruns.</p>"
    return title, (f"<p>{html.escape(stability_sentence(summary))}</p>{table}"
                   f"<p class='note'>The reruns' consensus agrees with these clusters at ARI "
                   f"{summary['consensus_agreement']:.2f}. Each point coloured by how often it left its cluster's "
                   "majority (red: contested).</p>" + chart(fig) + gallery)


def _training(ctx: RunContext, chart) -> tuple[str, str]:
    title = "Clusters forming during training"
    run_id = ctx.config.get("feature_params", {}).get("run_id") if ctx.config.get("features") == "learned" else None
    if not run_id:
        return title, "<p class='note'>Not applicable: this run's features were not trained here.</p>"
    try:
        record, arrays = ctx.store.get(run_id), ctx.store.arrays(run_id)
    except (KeyError, OSError):
        return title, f"<p class='note'>The training run {html.escape(run_id)} is no longer stored.</p>"
    checkpoints, best = record.metrics.get("checkpoints"), record.metrics.get("best_checkpoint")
    if not checkpoints or "checkpoint_maps" not in arrays:
        return title, "<p class='note'>That training run was made before checkpoints were scored.</p>"
    maps, sample = arrays["checkpoint_maps"], arrays["checkpoint_sample"]
    picks = sorted({0, len(maps) // 3, 2 * len(maps) // 3, len(maps) - 1})
    truth = ctx.dataset.labels[sample] if ctx.dataset.labels is not None else np.zeros(len(sample), dtype=int)
    panels = [(f"checkpoint {i} · {checkpoints[i]['progress']:.0%} · silhouette {checkpoints[i]['silhouette']:.2f}",
               maps[i], truth) for i in picks]
    used = "best" if ctx.config["feature_params"].get("checkpoint") == "best" else "last"
    spent = record.metrics.get("watch_seconds", 0.0)
    return title, (f"<p>The features of this run come from training run {html.escape(run_id)} "
                   f"({html.escape(record.config.get('method', '?'))} on "
                   f"{html.escape(record.config.get('encoder', '?'))}), at its {used} checkpoint. A fixed sample "
                   f"of {len(sample):,} items was scored at {len(checkpoints)} checkpoints ({spent:.1f} s of scoring); "
                   f"the best by the label-free silhouette was checkpoint {best}.</p>"
                   + chart(figures.checkpoint_chart(checkpoints, best))
                   + "<p class='note'>The sample's map at four checkpoints (turned onto each other)"
                   + (", coloured by the true labels" if ctx.dataset.labels is not None else "") + ".</p>"
                   + chart(figures.map_grid(panels, panel_height=300)))


def _names(ctx: RunContext, chart) -> tuple[str, str]:
    title = "What the clusters are"
    metrics = ctx.record.metrics
    given, suggested, typed = cluster_names(metrics), metrics.get("cluster_names_suggested") or {}, \
        metrics.get("cluster_names") or {}
    if not given:
        return title, ("<p class='note'>No names yet: on the Clusters page, <b>Suggest names</b> (runs on the "
                       "pretrained encoder's features, and graphs) or type your own.</p>")
    rows = "".join(
        f"<tr><td>cluster {k}</td><td>{html.escape(name)}</td><td>"
        + html.escape("named by you" if str(k) in typed else suggested.get(str(k), {}).get("why", "")) + "</td></tr>"
        for k, name in sorted(given.items()))
    return title, f"<table><tr><th>cluster</th><th>name</th><th>where it comes from</th></tr>{rows}</table>"


def _gallery_card(ctx: RunContext, title: str, colour: str, indices: np.ndarray, caption: str) -> str:
    top = f"<h3><span class='dot' style='color:{colour}'>●</span> {html.escape(title)}</h3>"
    if ctx.dataset.series is not None:  # each series drawn, named on hover
        names = [html.escape(ctx.dataset.item_names[i]) for i in indices[:12]]
        drawn = "".join(f"<img src='{series_uri(ctx.dataset.series[i])}' alt='{name}' title='{name}' "
                        "style='margin:2px;border:1px solid #e3e6ec'>"
                        for i, name in zip(indices[:12], names))
        return f"<div class='card'>{top}<div>{drawn}</div><div class='note'>{html.escape(caption)}</div></div>"
    if ctx.dataset.images is None:
        table = "<br>".join(html.escape(ctx.dataset.item_names[i]) for i in indices[:12])
        return f"<div class='card'>{top}{table}<div class='note'>{html.escape(caption)}</div></div>"
    return (f"<div class='card'>{top}{_img(montage(ctx.dataset.images, indices, columns=6, cell=48), title)}"
            f"<div class='note'>{html.escape(caption)}</div></div>")


def _galleries(ctx: RunContext, chart) -> tuple[str, str]:
    profiles = cluster_profiles(ctx.space, ctx.labels)
    given = cluster_names(ctx.record.metrics)
    apart = {} if ctx.dataset.table is None else \
        distinguishing_columns(ctx.dataset.table, ctx.labels, ctx.dataset.columns)
    links = {} if ctx.dataset.graph is None else \
        community_profiles(ctx.dataset.graph, ctx.dataset.item_names, ctx.labels)
    cards = []
    for p in profiles[:MAX_GALLERIES]:
        members = np.flatnonzero(ctx.labels == p.label)
        caption = f"{p.size:,} items ({p.size / len(ctx.labels):.1%})"
        if ctx.dataset.labels is not None:
            found, counts = np.unique(ctx.dataset.labels[members], return_counts=True)
            top = ctx.dataset.class_names[found[counts.argmax()]]
            caption += f" · mostly {top} ({counts.max() / len(members):.0%})"
        if p.label in apart:  # what its columns say, where it has columns
            caption += " · sets it apart: " + columns_sentence(apart[p.label])
        if p.label in links:  # a graph's community: how apart it is, and who holds it together
            found = links[p.label]
            caption += (f" · {found['edges_inside']:,} edges inside"
                        + (f", conductance {found['conductance']:.2f}" if found["conductance"] is not None else "")
                        + " · hubs: " + ", ".join(ctx.dataset.item_names[i] for i, _ in found["hubs"]))
        if len(p.outliers) and ctx.dataset.images is not None:  # other kinds list their typical members' names
            caption += " · last row: outliers"
        indices = np.concatenate([p.representatives, p.outliers])
        cards.append(_gallery_card(ctx, heading(p.label, given), figures.colour(p.label), indices, caption))
    more = f"<p class='note'>{len(profiles) - MAX_GALLERIES} more clusters not shown.</p>" \
        if len(profiles) > MAX_GALLERIES else ""
    return "Cluster galleries", ("<p class='note'>The most typical members of each cluster (nearest its centre), "
                                 "then its outliers.</p><div class='gallery'>" + "".join(cards) + "</div>" + more)


def _selections(ctx: RunContext, chart) -> tuple[str, str]:
    if not ctx.selections:
        return "Named selections", "<p class='note'>No selection was named on this dataset.</p>"
    cards = []
    for name, indices in ctx.selections.items():
        found, counts = np.unique(ctx.labels[indices], return_counts=True)
        caption = f"{len(indices):,} items · " + ", ".join(f"{figures.group_name(int(g))} ×{c}"
                                                         for g, c in zip(found, counts))
        cards.append(_gallery_card(ctx, name, "#1d2230", indices[:24], caption))
    return "Named selections", "<div class='gallery'>" + "".join(cards) + "</div>"


def _sweep(ctx: RunContext, chart) -> tuple[str, str]:
    s = ctx.sweep
    note = (f"<p class='note'>K-means for K = 2..{s['ks'][-1]} on the same space. Suggested K: "
            f"<b>{s['elbow_k']}</b> by the elbow, <b>{s['best_silhouette_k']}</b> by silhouette.</p>")
    return "How many clusters? (elbow and silhouette)", note + chart(
        figures.sweep_chart(s["ks"], s["inertia"], s["elbow_k"], "Elbow", "inertia")) + chart(
        figures.sweep_chart(s["ks"], s["silhouette"], s["best_silhouette_k"], "Silhouette sweep", "silhouette"))


def _dendrogram(ctx: RunContext, chart) -> tuple[str, str]:
    tree = ctx.tree
    _, lay = ctx.dendrogram
    thumbs = None
    if ctx.dataset.images is not None:
        thumbs = [data_uri(ctx.dataset.images[i], 48) for i in leaf_representatives(ctx.space, lay)]
    elif ctx.dataset.series is not None:
        thumbs = [series_uri(ctx.dataset.series[i]) for i in leaf_representatives(ctx.space, lay)]
    sampled = f" built on a random sample of {len(tree.members):,} of {tree.n_items:,} items," if tree.sampled else ""
    note = (f"<p class='note'>{tree.method.capitalize()} linkage,{sampled} cut into {ctx.tree_k} clusters. "
            f"The top {len(lay.leaf_items)} branches are drawn; each leaf shows its most typical item.</p>")
    return "Dendrogram", note + chart(figures.dendrogram(lay, thumbs))


def _comparison(ctx: RunContext, chart) -> tuple[str, str]:
    others = ctx.related_runs()
    if not others:
        return "Comparison", "<p class='note'>No other clustering run on this dataset to compare with.</p>"
    runs = [ctx.record, *others]
    rows = {f"{r.config['clusterer']} ({r.run_id[-6:]})": r.metrics for r in runs}
    labels = {k: SCORES[k][0] for k in SCORES}
    panels = []
    for name, r in zip(rows, runs):
        arrays = ctx.arrays if r.run_id == ctx.run_id else ctx.store.arrays(r.run_id)
        if arrays["embedding"].shape[1] >= 2:
            panels.append((f"{name} · {r.metrics.get('n_clusters')} clusters", arrays["embedding"], arrays["labels"]))
    body = (f"<p class='note'>This run next to the {len(others)} most recent other runs on the same data.</p>"
            + score_frame(rows).to_html(float_format=lambda v: f"{v:.3f}", border=0)
            + chart(figures.score_bars(rows, labels=labels)) + chart(figures.map_grid(panels, panel_height=300)))
    return "Comparison with other runs", body


def _attention(ctx: RunContext, chart) -> tuple[str, str]:
    model, why = attention.for_cluster_run(ctx.store, ctx.record, ctx.dataset)
    if model is None:
        return "Attention", f"<p class='note'>{html.escape(why)}</p>"
    model = model.at(model.read_sizes(ctx.dataset.images.shape[1])[-1])  # as the Attention page reads it
    profiles = cluster_profiles(ctx.space, ctx.labels, n_representatives=1)
    picks = np.array([p.representatives[0] for p in profiles if p.label >= 0][:8])
    maps = attention.attention_maps(model, ctx.dataset.images[picks])
    cells = []
    for index, heads in zip(picks, maps):
        heat = heads.mean(axis=0)
        image = ctx.dataset.images[index]
        big = enlarge(image, 96)
        over = attention.overlay(big, heat, outline=attention.pixel_mask(heat, big.shape[0]))
        cells.append(f"<div class='card'>{_img(np.concatenate([big, over], axis=1), 'attention')}"
                     f"<div class='note'>{html.escape(ctx.dataset.item_names[index])} · "
                     f"{figures.group_name(int(ctx.labels[index]))}</div></div>")
    note = (f"<p class='note'>CLS self-attention of the last block, averaged over {model.heads} heads, from "
            f"{html.escape(model.source)}; the cyan outline is the mean + std mask. One typical item per cluster."
            "</p>")
    return "Attention", note + "<div class='gallery'>" + "".join(cells) + "</div>"


def _attention_skipped(ctx: RunContext, chart) -> tuple[str, str]:
    return "Attention", "<p class='note'>Attention examples were left out of this report.</p>"
