"""Where a dataset comes from, one small widget per source (the Data page shows the one picked)."""

from __future__ import annotations

import io

import streamlit as st

from app import state
from engine import api

ARCHIVES = (".zip", *api.TAR_SUFFIXES)
# the uploader filters by the last suffix: "gz" lets a .tar.gz through (and a lone .gz, refused on loading)
IMAGE_TYPES = ["zip", "tar", "tgz", "gz", "bz2", "tbz2", "xz", "txz",
               *sorted(suffix.lstrip(".") for suffix in api.IMAGE_SUFFIXES),
               "csv", "tsv", "json", "txt"]  # a table of each file's class, uploaded with the images
LABELS_HELP = ("Labels, when the images have them: class sub-folders (inside train / val / test ones too), else a CSV, "
               "JSON or .txt beside the images naming each file's class, else names like cat.12.jpg. A masks/ or "
               "annotations/ folder beside the images is read as their segmentation masks (paired by file name), "
               "which the Attention page scores attention maps against.")
SIZES = [0, 16, 32, 48, 64, 96, 128]
KIND_NAMES = {"images": "images", "series": "time series", "graph": "graph", "table": "table"}
SIZE_HELP = "Auto: the images' own typical size (their median short side), at most 128 px."


def size_label(side: int) -> str:
    return "auto" if side == 0 else f"{side} px"


def load_into_session(loader, source: str) -> None:
    """Run a loader; on bad input show why and keep the current dataset."""
    try:
        with st.spinner("Reading…"):
            st.session_state["load_error"] = None
            state.set_dataset(loader(), source)
    except api.DataError as error:
        st.session_state["load_error"] = (st.session_state.get("source_kind"), str(error))
        return
    st.rerun()  # so the sidebar and every menu show the new data


def demo() -> None:
    name = st.selectbox("Demo dataset", list(api.DEMOS), key="demo_name",
                        format_func=lambda n: f"{n} ({KIND_NAMES[api.DEMO_KINDS[n]]})",
                        help="Ships inside installed packages (or is generated); nothing is downloaded.")
    in_use = state.dataset().name == name and st.session_state.get(state.SOURCE) == "built-in demo"
    if not in_use and st.button(f"Use {name}", type="primary"):
        with st.spinner(f"Loading {name}…"):
            state.set_dataset(state.demo(name), "built-in demo")
        st.rerun()  # so the sidebar and every menu show the new data


def upload_images() -> None:
    whole_folder = st.toggle("Upload a whole folder", key="upload_folder",
                             help="Pick a folder in the file dialog; its sub-folders become labels.")
    uploads = st.file_uploader("A folder of images" if whole_folder else
                               "A zip or tar archive of images, or image files (sub-folders in an archive become "
                               "labels)",
                               type=IMAGE_TYPES, accept_multiple_files="directory" if whole_folder else True,
                               key="uploads_folder" if whole_folder else "uploads", help=LABELS_HELP)
    size = st.select_slider("Keep images at", SIZES, value=0, key="upload_size", format_func=size_label,
                            help=SIZE_HELP)
    if uploads and st.button("Load upload", type="primary"):
        zips = [u for u in uploads if u.name.lower().endswith(ARCHIVES)]
        if len(zips) == 1 and len(uploads) == 1:
            archive = zips[0]
            loader = api.load_archive if archive.name.lower().endswith(".zip") else api.load_tar
            stem = next(archive.name[: -len(end)] for end in ARCHIVES if archive.name.lower().endswith(end))
            load_into_session(lambda: loader(io.BytesIO(archive.getvalue()), image_size=size, name=stem,
                                             originals=state.store().originals), "upload")
        elif zips:
            st.session_state["load_error"] = (st.session_state.get("source_kind"),
                                              "Upload either one archive (zip or tar) or image files, not both.")
        elif any(u.name.lower().endswith((".gz", ".bz2", ".xz")) for u in uploads):
            st.session_state["load_error"] = (st.session_state.get("source_kind"),
                                              "A compressed file that is not a tar archive (.tar.gz, .tgz…): "
                                              "upload the archive, or its images.")
        else:
            load_into_session(lambda: api.load_files([(u.name, u.getvalue()) for u in uploads], image_size=size,
                                                     originals=state.store().originals), "upload")
    elif not uploads:
        st.caption(f"Archives up to {api.Limits().max_archive_bytes / 1024**3:.0f} GB; images are checked for "
                   "corruption and decompression bombs, and unreadable ones are listed, not fatal.")


def local_folder() -> None:
    path = st.text_input("Folder path", placeholder="/home/me/photos", key="folder_path")
    size = st.select_slider("Keep images at", SIZES, value=0, key="folder_size", format_func=size_label,
                            help=SIZE_HELP)
    if path and st.button("Load folder", type="primary"):
        load_into_session(lambda: api.load(path.strip(), image_size=size), "folder")


COMPRESSED = [suffix.lstrip(".") for suffix in api.COMPRESSED]  # data.csv.gz and the like: the file inside
FILES = {  # what the file holds → (uploader label, types, widget key, what its text holds for engine.data.load_bytes)
    "a feature table": ("A .csv / .tsv / .txt, Excel .xlsx, Parquet, JSON (records or lines) or Weka .arff table "
                        "(an embedding column of vectors is spread into features), NumPy .npz (arrays X, y) / .npy, "
                        "or a .zip holding one: "
                        "its numeric columns are clustered; a 'label' column, an id column and text categories are "
                        "recognised; a table of pixel rows (Kaggle's MNIST: label, pixel0…pixel783), an array of "
                        "images (n × height × width) or a Parquet column of image files (Hugging Face) becomes "
                        "its images",
                        ["csv", "tsv", "txt", "data", "xlsx", "parquet", "arff", "json", "jsonl", "ndjson", "npz",
                         "npy", "zip", *COMPRESSED], "table_upload",
                        "table"),
    "time series": ("A .csv with one series a row (an optional label column first or last; rows may be of "
                    "different lengths; the UCR archive's .tsv, its class first, or its .ts and .arff), or a row per "
                    "time step: id, time, value and an optional label",
                    ["csv", "tsv", "txt", "ts", "arff", *COMPRESSED], "series_upload", "series"),
    "an edge list": ("A .csv / .tsv of edges: source, target and an optional weight a row; or a .zip of it with a "
                     "table of a row per node (its id, then attributes: a column of a few classes becomes the label)",
                     ["csv", "tsv", "txt", "edges", "zip", *COMPRESSED], "edges_upload", "edges"),
    "a graph file": ("GraphML, GML (as Newman's network collection ships), GEXF (Gephi), Pajek, Matrix Market or "
                     "node-link JSON (D3, networkx); a node attribute of a few classes ('club', 'value', 'block'…) "
                     "becomes the label",
                     sorted(suffix.lstrip(".") for suffix in api.GRAPH_READERS) + ["json"], "graphml_upload", "auto"),
}


def data_file() -> None:
    holds = st.radio("The file holds", list(FILES), horizontal=True, key="file_holds")
    label, types, key, kind = FILES[holds]
    upload = st.file_uploader(label, type=types, key=key)
    if upload is not None and st.button("Load file", type="primary"):  # read by its suffix, its text as chosen
        def read() -> api.Dataset:
            data = api.load_bytes(upload.name, upload.getvalue(), csv_kind=kind, originals=state.store().originals)
            smooth = api.series_rows(data) if key == "table_upload" else None
            # a table whose rows read as series: its file is kept, for the Data page's offer to read it so
            st.session_state[TABLE_FILE] = None if smooth is None else (data.name, upload.name, upload.getvalue(),
                                                                        smooth)
            return data

        load_into_session(read, "table" if key == "table_upload" else "file")


# (dataset name, file name, bytes, smoothness) of the file last loaded as "a feature table" whose rows read as time
# series (engine.data.tables.series_rows), else None
TABLE_FILE = "table_file"


def as_series_offer(data: api.Dataset) -> None:
    """Under a table that was loaded as one but whose rows read as time series (columns numbered as time steps, rows
    smooth along them: what ``--csv-kind auto`` reads as series), a sentence and a button that reads the same file
    as time series, one a row."""
    kept = st.session_state.get(TABLE_FILE)
    if data.kind != "table" or not kept or kept[0] != data.name:
        return
    _, file_name, content, smooth = kept
    st.info(f"Its rows change smoothly along its numbered columns (median lag-1 autocorrelation {smooth:.2f}; "
            "columns in no order give about 0): they read as time series, one a row, as the CLI reads such a file "
            "unless told otherwise. Read so, they are clustered by their shapes.")
    if st.button("Read it as time series", key="as_series"):
        load_into_session(lambda: api.load_bytes(file_name, content, csv_kind="series",
                                                 originals=state.store().originals), "file")


SOURCES = {"Demo": demo, "Upload images": upload_images, "Folder on this computer": local_folder,
           "Table, series or graph file": data_file}
