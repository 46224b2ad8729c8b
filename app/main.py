"""Clusterscope: the Streamlit entry point. Routes pages; every page only calls ``engine``."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `streamlit run app/main.py` puts only app/ on the path
    sys.path.insert(0, str(ROOT))

import streamlit as st  # noqa: E402

from app import state  # noqa: E402
from app.widgets import format_score  # noqa: E402

st.set_page_config(page_title="Clusterscope", page_icon=str(ROOT / "assets" / "icon.png"), layout="wide")
state.init()
state.warm_up()
state.collect_finished_job()

pages = [
    st.Page("views/data.py", title="Data", icon=":material/database:", default=True),
    st.Page("views/explore.py", title="Explore", icon=":material/scatter_plot:"),
    st.Page("views/clusters.py", title="Clusters", icon=":material/grid_view:"),
    st.Page("views/similar.py", title="Similar", icon=":material/image_search:"),
    st.Page("views/metrics.py", title="Metrics", icon=":material/monitoring:"),
    st.Page("views/dendrogram.py", title="Dendrogram", icon=":material/account_tree:"),
    st.Page("views/compare.py", title="Compare", icon=":material/compare:"),
    st.Page("views/runs.py", title="Runs", icon=":material/history:"),
    st.Page("views/train.py", title="Train", icon=":material/model_training:"),
    st.Page("views/attention.py", title="Attention", icon=":material/visibility:"),
    st.Page("views/report.py", title="Report", icon=":material/description:"),
]
page = st.navigation(pages)

with st.sidebar:
    st.logo(str(ROOT / "assets" / "logo.png"), size="large")
    data = state.dataset()
    st.caption("Dataset")
    st.markdown(f"**{data.name}** · {len(data):,} items" + (" · labelled" if data.has_labels else ""))
    res = state.result()
    if res is not None:
        c = res.config
        st.caption("Current run")
        title = state.run_title(res)
        st.markdown((f"**{title}**  \n" if title else "") + f"{c.features} → {c.reducer} → **{c.clusterer}**  \n"
                    f"{res.metrics['n_clusters']} clusters"
                    + (f" · ARI {format_score('ari', res.metrics['ari'])}" if res.metrics.get("ari") is not None else "")
                    + (f"  \n`{res.run_id}`" if res.run_id else ""))
        st.page_link("views/runs.py", label="All runs", icon=":material/history:")
    elif state.job() is not None:
        st.caption("Running…")

page.run()
