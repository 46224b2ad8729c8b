"""Feature tables: ``.npz`` (arrays ``X`` and optional ``y``) and CSV (a header; numeric columns are the features, the
other columns sorted out as a table from the wild needs: :func:`column_roles`)."""

from __future__ import annotations

import csv
import io
import os
import re
import warnings
import zipfile
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from engine.data.dataset import (Dataset, DataError, ValidationReport, categories, class_codes, code_problem,
                                 column_numbers, decoded, encode_labels, is_number, named_like_an_id, separator_of,
                                 text_encoding, trimmed, whole_numbers)
from engine.data.pixel_tables import (PIXEL_NAME, array_dataset, arrays_images, column_images, image_array,
                                     image_column, path_column, path_images, pixel_columns, pixel_images)

LABEL_COLUMNS = ("label", "labels", "class", "target", "y")


def load_npz(source: str | os.PathLike | BinaryIO, name: str | None = None) -> Dataset:
    """An ``.npz`` with a 2-D float array ``X`` (or the first 2-D array) and optional labels ``y``; or one of images
    (:func:`~engine.data.pixel_tables.arrays_images`)."""
    try:
        with np.load(source, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as error:
        raise DataError(f"not a readable .npz file: {error}") from None
    images = arrays_images(arrays, name or _stem(source, "images"))
    if images is not None:  # n × H × W (× C) arrays: MNIST as NumPy keeps it, MedMNIST's splits
        return images
    matrix_key = "X" if "X" in arrays and arrays["X"].ndim == 2 else next(
        (k for k, a in arrays.items() if a.ndim == 2), None)
    if matrix_key is None:
        raise DataError(f".npz has no 2-D array of features nor an array of images (found "
                        f"{', '.join(f'{k} {arrays[k].shape}' for k in sorted(arrays))}); save features as X "
                        "(rows × features) or images as X (n × height × width, or × channels)")
    labels_raw = arrays.get("y")
    n_rows = len(arrays[matrix_key])
    if labels_raw is not None and (labels_raw.ndim != 1 or len(labels_raw) != n_rows):
        shape = f"{len(labels_raw):,} rows" if labels_raw.ndim == 1 else f"shape {labels_raw.shape}"
        raise DataError(f"the labels y have {shape} but {matrix_key} has {n_rows:,} rows: each row of "
                        f"{matrix_key} needs exactly one label")
    raw = None if labels_raw is None else [str(v) for v in labels_raw.tolist()]
    return _table_dataset(name or _stem(source, "features"), arrays[matrix_key], raw)


def load_csv(source: str | os.PathLike | BinaryIO, name: str | None = None) -> Dataset:
    """A CSV with a header, as tables from the wild come: numeric columns are the features; a column named like
    ``label`` is the label; the rest are sorted out by :func:`column_roles` (an identifier names the rows, a column
    of a few text categories becomes the label when none is named, dates and other text are left out), each said in
    the report. Missing numbers are filled from the rows most alike (see :func:`_filled`)."""
    options = dialect(source)
    frame = _read(source, options)
    headless = options.get("header", 0) is None
    said = []
    if options.get("skiprows"):
        said.append(f"the first {options['skiprows']} line(s) above the table (a title, notes, Excel's sep=) "
                    "skipped")
    if options.get("encoding", "utf-8") != "utf-8":
        said.append(f"read as {ENCODINGS[options['encoding']]} text (not UTF-8)")
    if "sep" in options:
        said.append(f"read as {SEPARATORS[options['sep']]}-separated"
                    + (" with decimal commas" if "decimal" in options else ""))
    column = None if headless or not isinstance(source, (str, os.PathLike)) else path_column(frame)
    if column is not None:  # a table of image files and their classes (train.csv beside train/): the images
        return path_images(frame, column, Path(source).resolve().parent, name or _stem(source, "images"), said)
    return frame_dataset(frame, name or _stem(source, "table"), said, headless, options.get("decimal", "."))


def frame_dataset(frame: pd.DataFrame, name: str, said: list[str] | None = None, headless: bool = False,
                  decimal: str = ".") -> Dataset:
    """A table read from any file (CSV, Parquet, Excel) as :func:`load_csv` describes; ``said``: how it was read,
    first in the report; ``headless``: it had no header row (its columns are numbered here); ``decimal``: the
    file's decimal mark, for numbers written as text (:func:`_written_numbers`)."""
    if frame.empty:  # a header and nothing under it, or an empty sheet: its columns' roles would be guesses
        heading = ", ".join(map(str, frame.columns[:5])) + ("…" if frame.shape[1] > 5 else "")
        raise DataError(f"“{name}” has no rows" + (f", only a header ({heading})" if frame.shape[1] else ""))
    frame, under = (frame, []) if headless else _header_rows(frame)
    frame, summary = _summary_rows(frame)
    said = [*(said or []), *under, *summary]
    frame, vectors = _vector_columns(frame)
    if headless:
        frame.columns = [f"column {j + 1}" for j in range(frame.shape[1])]
    else:  # " Species " as a file padded its cells: the name without the spaces, where no other column has it
        stripped = [c.strip() if isinstance(c, str) else c for c in frame.columns]
        if len(set(stripped)) == len(stripped):
            frame.columns = stripped
    frame, written = _written_numbers(frame, decimal)
    roles, notes = column_roles(frame, headless)
    first = len(said or [])  # how the file was read comes first; the edge-list hint right after it
    said = [*(said or []), *([NO_HEADER] if headless else []), *vectors, *written]
    from engine.data.graphs import adjacency_table, graph_dataset

    graph = adjacency_table(frame, roles, headless)
    if graph is not None:  # a node a row and a column: the graph, not a table of its links
        how = f"read as a graph: its {len(frame):,} × {len(frame):,} table is an adjacency matrix"
        label = next((c for c, role in roles.items() if role == "label"), None)
        return graph_dataset(graph, name, ValidationReport(notes=[*said, how]),
                             label_attribute=None if label is None else str(label))
    grid = pixel_columns(frame, roles, headless)
    if grid is not None:  # one row per image (Kaggle's MNIST): the images, not a table of their pixels
        return pixel_images(frame, roles, *grid, name, said)
    notes = [*said, *notes]
    features = [c for c, role in roles.items() if role == "feature"]
    dated = [c for c in frame.columns if roles.get(c) == "left out" and f"“{c}” left out: dates" in notes]
    if dated and len(features) >= 2 and frame[dated[0]].is_unique and len(frame) >= 4:
        notes.append(f"its rows are times (“{dated[0]}”, a different date each): if each column is a series, load "
                     "it as time series (the Data page's “time series”, or `--csv-kind series`) to cluster the "
                     "columns' shapes")
    if numbered_steps([str(c) for c in features]):
        notes.append(f"its {len(features):,} columns are numbered like time steps: if each row is a time series, "
                     "load it as time series (the Data page's “time series”, or `--csv-kind series`) to cluster "
                     "the series' shapes (DTW)")
    from engine.data.graphs import PAIRS_ROWS, edge_header, pairs_of_ids
    from engine.data.series import long_layout

    if 2 <= frame.shape[1] <= 5 and long_layout([str(c).strip().lower() for c in frame.columns],
                                                frame.head(20_000).astype(str).to_numpy().tolist()):
        notes.insert(first, "its rows look like time steps of several series (a time column, ids repeating): to "
                     "cluster the series, load it as time series (the Data page's “time series”, or "
                     "`--csv-kind series`)")

    if edge_header([str(c) for c in frame.columns]):
        notes.insert(first, f"its first columns are named like an edge's endpoints (“{frame.columns[0]}”, "
                     f"“{frame.columns[1]}”): if each row is an edge, load it as an edge list (the Data page's “an "
                     "edge list”, or `--csv-kind edges`) to cluster the nodes")
    elif frame.shape[1] <= 3 and pairs_of_ids(([] if headless else [[str(c) for c in frame.columns]])
                                              + [[str(v) for v in row] for row in
                                                 frame.head(PAIRS_ROWS).to_numpy().tolist()]):
        notes.insert(first, "its rows look like an edge list's (pairs of node ids): if each row is an edge, load it "
                     "as an edge list (the Data page's “an edge list”, or `--csv-kind edges`) to cluster the nodes")
    categorical = [c for c, role in roles.items() if role == "categories"]
    files = None if features else path_column(frame)
    if not features and (files is not None or not categorical):
        if files is not None:  # an upload: its paths cannot be followed from here
            notes.insert(0, f"its column “{files}” names image files: give the table's own path (`--data "
                         "train.csv`, the images beside it), or load the folder or zip holding the images with this "
                         "table inside")
        raise DataError("no numeric column to cluster on: " + "; ".join(notes) if notes else
                        "no numeric column to cluster on")
    # no column of numbers, but columns of categories (UCI's mushrooms, votes, car evaluations): those, one-hot
    one_hot = None if features else _one_hot(frame, categorical, notes)
    label = next((c for c, role in roles.items() if role == "label"), None)
    raw = None if label is None else [None if pd.isna(v) else str(v) for v in frame[label]]
    ids = next((c for c, role in roles.items() if role == "names"), None)
    names = None if ids is None else [str(v) for v in frame[ids]]
    attributes = {str(c): ["(empty)" if pd.isna(v) else str(v) for v in frame[c]]
                  for c, role in roles.items() if role == "categories"}
    if one_hot is None:
        matrix = frame[features].apply(pd.to_numeric, errors="coerce").to_numpy(dtype=np.float64)
        columns = [str(c) for c in features]
    else:
        matrix, columns, notes = one_hot
    if raw is not None and (None in raw or len(set(raw)) < 2):
        empty = raw.count(None)
        notes.append(f"“{label}” gives no labels: " + (f"{empty:,} of its cells are empty (the map can be "
                                                      "coloured by it)" if empty else "it holds one value"))
        if empty:
            attributes[str(label)] = ["(empty)" if v is None else v for v in raw]
    return _table_dataset(name, matrix, raw, names, notes, columns, attributes, None if label is None else str(label))


# Cells of a column of categories that say no answer; "none", "unknown" and "missing" are answers there (a
# mushroom's odor: none), though in a column of numbers they mean no value (MISSING_MARKS)
NO_ANSWER = {"?", "-", "--", "—", "–", "nan", "na", "n/a", "#n/a", "null"}


def _one_hot(frame: pd.DataFrame, categorical: list, notes: list[str]) -> tuple[np.ndarray, list[str], list[str]]:
    """A table of categories and no numbers (UCI's mushrooms, congressional votes, car evaluations): each column of
    categories one-hot (``odor=foul``), its indicators the features, so rows that differ in more columns are farther
    apart; the columns still colour the map. An empty cell sets none of its column's indicators. Returns the
    indicators, their names, and the notes with one for them in place of the columns' "left out"."""
    blocks, columns, used = [], [], 0
    for column in categorical:
        cells = frame[column].map(lambda v: None if pd.isna(v) else str(v).strip())
        values = sorted({v for v in cells if v is not None and v.lower() not in NO_ANSWER})
        if not values:  # "?" and "-" alone: no answer in it
            continue
        blocks.append(np.stack([(cells == v).to_numpy(dtype=np.float64) for v in values], axis=1))
        columns += [f"{column}={v}" for v in values]
        used += 1
    if not blocks:
        raise DataError("no numeric column to cluster on, and no answer in its columns of categories: "
                        + "; ".join(notes))
    said = [n for n in notes if not any(n.startswith(f"“{c}” left out: ") for c in categorical)]
    said.append(f"no column of numbers: its {used} column{'s' * (used > 1)} of categories "
                f"{'are' if used > 1 else 'is'} the features, each one-hot ({len(columns):,} indicators: "
                f"“{columns[0]}”…), so rows that differ in more of them are farther apart; the map can be coloured by "
                "each")
    return np.concatenate(blocks, axis=1), columns, said


# Cells that say "no value" in a column of numbers (beyond the ones pandas knows, NA, N/A, null…): UCI writes "?"
MISSING_MARKS = {"?", "-", "--", "—", "–", ".", "missing", "unknown", "n.a.", "none", "nan", "na", "n/a", "null",
                 "#n/a", "#div/0!", "#value!", "#ref!", "#name?", "#num!", "#null!"}  # the last: formula errors
TYPESET_MINUS = "\u2212"  # the minus sign of typesetting (−), not the hyphen-minus (-) of keyboards
# A number as spreadsheets and reports write it: a currency sign, thousands separators, a percent sign
WRITTEN_NUMBER = re.compile(r"\s*[-+(]?\s*[$€£¥]?\s*[-+]?\d{1,3}(?:([,.' ])?\d{3})*(?:[.,]\d+)?\s*[%)]?\s*[$€£¥]?\s*"
                            r"|\s*[-+(]?\s*[$€£¥]?\s*[-+]?\d+(?:[.,]\d+)?\s*[%)]?\s*[$€£¥]?\s*")


HEADER_ROWS = 3  # at most this many rows under a header may continue it (TOA5 loggers write names, units, "Avg")


def _header_rows(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Rows right under the header that continue it, not data: a row of units (``mm, kg, °C``), as instruments and
    loggers write, or a row of names under a group's (a spreadsheet's merged ``size`` above ``length, width``). Such
    a row holds no number, and text over at least half of the columns that hold numbers below it; read as data, it
    made every one of those columns text, and the table had nothing to cluster. Its cells join the names: ``length
    (mm)``, or ``size length`` under a name that repeats or is blank."""
    names, notes, first = [str(c) for c in frame.columns], [], 0
    for _ in range(HEADER_ROWS):
        if len(frame) - first < 4:
            break
        row = frame.iloc[first]
        if not all(pd.api.types.is_scalar(v) for v in row.tolist()):
            break  # an embedding's vector in a cell: data
        cells = {c: str(v).strip() for c, v in row.items()
                 if not pd.isna(v) and str(v).strip() and str(v).strip().lower() not in MISSING_MARKS}
        if not cells or any(is_number(v) for v in cells.values()):
            break  # (every table's first row of data stops here, before its columns are read as numbers)
        below = frame.iloc[first + 1:first + 1001]
        numeric = [c for c in frame.columns if pd.to_numeric(below[c], errors="coerce").notna().mean() >= 0.95]
        if not numeric or sum(c in cells for c in numeric) < max(1, len(numeric) / 2) or any(
                (below[c].astype(str).str.strip() == v).sum() >= 2 for c, v in cells.items() if c not in numeric):
            break  # (a category that comes back below, "setosa" over more setosa rows: a row of data)
        blank = [n.startswith("Unnamed:") or not n.strip() for n in names]
        base = [re.sub(r"\.\d+$", "", n) for n in names]  # pandas' "size.1" for a second "size"
        repeated = [base.count(b) > 1 for b in base]
        names = [n if c not in cells else cells[c] if empty else f"{b} {cells[c]}" if again else f"{n} ({cells[c]})"
                 for n, c, empty, b, again in zip(names, frame.columns, blank, base, repeated)]
        notes.append(f"{['the', 'the second', 'the third'][first]} row under the header "
                     f"({', '.join(list(cells.values())[:4])}{'…' if len(cells) > 4 else ''}) read as part of it "
                     "(units, or names under a group's), not as data")
        first += 1
    if not first:
        return frame, []
    frame = frame.iloc[first:].reset_index(drop=True)
    for column in frame.columns:
        values = pd.to_numeric(frame[column], errors="coerce")
        if values.notna().sum() == frame[column].notna().sum():  # every filled cell a number: the numbers
            frame[column] = values
    frame.columns = names if len(set(names)) == len(names) else frame.columns
    return frame, notes


SUMMARY_WORDS = {"total", "totals", "grand total", "sum", "mean", "average", "avg", "summe", "gesamt", "totale",
                 "somme", "suma", "totaal", "σ", "all"}


def _summary_rows(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """A spreadsheet's last rows that sum or average the others (a cell ``Total``, ``Mean``… that no other row of
    its column holds): no item, and its sums lie far from every row. Left out, each with a note."""
    notes, drop, frame = [], [], frame.reset_index(drop=True)
    text = [c for c in frame.columns if frame[c].dtype == object or pd.api.types.is_string_dtype(frame[c])]
    for i in range(len(frame) - 1, max(len(frame) - 4, 3), -1):
        hits = [c for c in text if isinstance(frame.at[i, c], str) and frame.at[i, c].strip().lower() in SUMMARY_WORDS
                and (frame[c].astype(str).str.strip().str.lower() == frame.at[i, c].strip().lower()).sum() == 1]
        if not hits:
            break
        drop.append(i)
        notes.append(f"{['the last', 'the second last', 'the third last'][len(drop) - 1]} row "
                     f"(“{frame.at[i, hits[0]].strip()}”) left out: a summary of the rows above, not an item")
    return (frame.drop(index=drop).reset_index(drop=True), notes[::-1]) if drop else (frame, [])


def _written_numbers(frame: pd.DataFrame, decimal: str = ".") -> tuple[pd.DataFrame, list[str]]:
    """Text columns whose every filled cell is a number as people write one (``$1,200.50``, ``45%``, ``1.234,5``
    where the decimal mark is a comma, ``(300)`` for a negative amount) read as those numbers, with a note; a
    percentage stays in percent. Any cell that is not such a number (a date, an id, a word) keeps the column as
    text."""
    notes, frame = [], frame.reset_index(drop=True)  # a copy, its rows numbered 0… (a Parquet index may repeat)
    for column in frame.columns:
        values = frame[column]
        if not (values.dtype == object or pd.api.types.is_string_dtype(values)):
            continue
        stripped = values.dropna().astype(str).str.strip()
        typeset = stripped.str.contains(TYPESET_MINUS).any()  # "−5.2", as word processors and some exports write it
        stripped = stripped.str.replace(TYPESET_MINUS, "-", regex=False)
        marks = stripped.str.lower().isin(MISSING_MARKS)
        cells = stripped[(stripped != "") & ~marks]
        if not len(cells) or not all(WRITTEN_NUMBER.fullmatch(c) for c in cells):
            continue
        if not marks.any() and not typeset and not cells.str.contains(r"[$€£¥%(),']|\d[.,]\d{3}\b").any():
            continue  # plain numbers pandas left as text for a reason of its own: not ours to read
        mark = _decimal_mark(cells, decimal)
        group = "." if mark == "," else ","

        def number(cell: str) -> float:
            negative = cell.startswith("(") and cell.endswith(")")
            digits = re.sub(r"[\s$€£¥%()']", "", cell).replace(group, "")
            value = float(digits.replace(mark, "."))
            return -value if negative else value
        parsed = pd.Series(np.nan, index=frame.index, dtype=np.float64)  # empty and "no value" cells stay NaN
        try:
            parsed[cells.index] = [number(cell) for cell in cells]
        except ValueError:
            continue
        frame[column] = parsed
        kinds = [k for k, mark in (("currency signs", r"[$€£¥]"), ("percent signs", "%"),
                                   ("thousands separators", r"\d[.,' ]\d{3}\b")) if cells.str.contains(mark).any()]
        said = ([f"{', '.join(kinds)} set aside"] if kinds else []) + (["“−” read as a minus sign"] if typeset else [])
        if said:
            notes.append(f"“{column}” read as numbers ({'; '.join(said)})")
        if marks.any():
            notes.append(f"“{column}” read as numbers: its {int(marks.sum()):,} cell(s) of "
                         f"{', '.join(repr(m) for m in sorted(set(stripped[marks])))} "
                         "mean no value")
    return frame, notes


def _decimal_mark(cells: pd.Series, default: str) -> str:
    """A column's decimal mark: the later of the two marks in a cell that holds both (``1.234,50``), else a mark
    that is somewhere followed by other than three digits (``12,5``), else the file's own (``1,234`` is a thousand
    where the decimal mark is a point)."""
    both = cells[cells.str.contains(",") & cells.str.contains(r"\.")]
    if len(both):
        first = both.iloc[0]
        return "," if first.rfind(",") > first.rfind(".") else "."
    for mark in (",", "."):
        if cells.str.contains(re.escape(mark) + r"(?!\d{3}(?!\d))").any():
            return mark
    return default


def _vector_columns(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Columns whose every cell is a vector of one length (a Parquet file's ``embedding``, as Hugging Face datasets
    and Embedding Atlas keep them) spread into one numeric column per entry, ``embedding[0]`` …, with a note."""
    notes, parts = [], []
    for column in frame.columns:
        values = frame[column]
        if values.dtype != object or not len(values) or not all(isinstance(v, (list, tuple, np.ndarray))
                                                                  for v in values):
            parts.append(values.to_frame())
            continue
        lengths = {len(v) for v in values}
        if len(lengths) != 1 or lengths == {0}:
            parts.append(values.to_frame())
            continue
        try:
            matrix = np.asarray(values.tolist(), dtype=np.float64)
        except (TypeError, ValueError):
            parts.append(values.to_frame())
            continue
        width = matrix.shape[1]
        parts.append(pd.DataFrame(matrix, columns=[f"{column}[{j}]" for j in range(width)], index=frame.index))
        notes.append(f"“{column}” holds vectors of {width:,} numbers: each entry is a feature")
    return (pd.concat(parts, axis=1) if notes else frame), notes


def load_parquet(source: str | os.PathLike | BinaryIO, name: str | None = None,
                 originals: str | os.PathLike | None = None) -> Dataset:
    """A Parquet table, read as a CSV is (:func:`frame_dataset`); a column of vectors (an embedding) becomes its
    entries; a column of image files (Hugging Face's datasets) makes it a set of images, whose files are kept under
    ``originals`` as a zip's are."""
    try:
        frame = pd.read_parquet(source)
    except Exception as error:  # pyarrow raises several kinds for a file that is not Parquet
        raise DataError(f"not a readable Parquet file: {error}") from None
    column = image_column(frame)
    if column is not None:  # image files in a column (Hugging Face's datasets): the images, labelled
        return column_images(frame, column, name or _stem(source, "images"), _class_label_names(source),
                             originals)
    return frame_dataset(frame, name or _stem(source, "table"))


def _class_label_names(source) -> dict[str, list[str]]:
    """The class names Hugging Face writes into a Parquet file's metadata for each ``ClassLabel`` column (its
    codes 0, 1, 2… name them in order); none where the file has no such metadata."""
    import json

    import pyarrow.parquet as pq

    try:
        if hasattr(source, "seek"):
            source.seek(0)
        metadata = pq.read_schema(source).metadata or {}
        features = json.loads(metadata.get(b"huggingface", b"{}")).get("info", {}).get("features", {})
    except Exception:  # metadata is a courtesy: a file without it (or with another layout) reads the same
        return {}
    return {column: [str(n) for n in spec["names"]] for column, spec in features.items()
            if isinstance(spec, dict) and spec.get("_type") == "ClassLabel" and isinstance(spec.get("names"), list)}


def load_json(source: str | os.PathLike | BinaryIO, name: str | None = None) -> Dataset:
    """A JSON file: a graph in D3's / networkx's node-link layout (``{"nodes": […], "links": […]}``, or ``edges``),
    read as a GraphML file is; else a table, as a list of records (``[{"a": 1, …}, …]``), JSON Lines (a record a
    line: ``.jsonl``), or columns (``{"a": [1, 2], …}``), each record's nested fields flattened (``pos.x``) and
    then read as a CSV is (:func:`frame_dataset`)."""
    import json

    raw = source.read() if hasattr(source, "read") else Path(source).read_bytes()
    name = name or _stem(source, "table")
    text = decoded(raw).lstrip("\ufeff")
    try:
        document = json.loads(text)
    except json.JSONDecodeError:
        try:  # JSON Lines: a record a line
            document = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as error:
            raise DataError(f"not readable JSON (nor JSON Lines): {error}") from None
    if isinstance(document, dict) and isinstance(document.get("nodes"), list) and \
            isinstance(document.get("links", document.get("edges")), list):
        from engine.data.graphs import node_link_graph

        return node_link_graph(document, name)
    if isinstance(document, dict):
        lists = {k: v for k, v in document.items() if isinstance(v, list)}
        records = next((v for v in lists.values() if v and all(isinstance(r, dict) for r in v)), None)
        if records is not None:  # {"data": [{…}, …]}: the records under one key
            document = records
        elif lists and len({len(v) for v in lists.values()}) == 1:
            document = [dict(zip(lists, row)) for row in zip(*lists.values())]
    if not isinstance(document, list) or not document or not all(isinstance(r, dict) for r in document):
        raise DataError("this JSON holds no table (a list of records, or columns of one length) nor a graph "
                        "(nodes and links)")
    return frame_dataset(pd.json_normalize(document), name, ["read from JSON records"])


def load_excel(source: str | os.PathLike | BinaryIO, name: str | None = None) -> Dataset:
    """An Excel workbook's sheet holding the most cells (the others named in the report), read as a CSV is; a
    first row of numbers is data, not a header."""
    try:
        sheets = pd.read_excel(source, sheet_name=None, header=None)
    except Exception as error:  # openpyxl raises several kinds for a file that is not a workbook
        raise DataError(f"not a readable Excel workbook (.xlsx): {error}") from None
    sheets = {title: sheet.dropna(how="all").dropna(axis=1, how="all") for title, sheet in sheets.items()}
    title = max(sheets, key=lambda t: sheets[t].size) if sheets else None
    if title is None or sheets[title].empty:
        raise DataError("the workbook has no cells with values")
    raw = sheets[title]
    start = _table_start(raw.head(20).notna().sum(axis=1).tolist())
    raw = raw.iloc[start:].dropna(axis=1, how="all")  # a title and notes above the table
    headless = all(isinstance(v, (int, float, np.number)) and not isinstance(v, bool) for v in raw.iloc[0])
    if headless:
        frame = raw.reset_index(drop=True)
    else:
        frame = raw.iloc[1:].reset_index(drop=True)
        frame.columns = [str(v) if not pd.isna(v) else f"column {j + 1}" for j, v in enumerate(raw.iloc[0])]
        frame = frame.apply(_as_numbers)
    others = [t for t in sheets if t != title and not sheets[t].empty]
    said = [f"read from the sheet “{title}”" + (f" (the largest; also in the workbook: {', '.join(others)})"
                                                if others else "")]
    if start:
        said.append(f"its first {start} row(s) above the table (a title, notes) skipped")
    return frame_dataset(frame, name or _stem(source, "table"), said, headless)


def _as_numbers(column: pd.Series) -> pd.Series:
    """A sheet's column as numbers where every filled cell is one (cells under a header come as objects)."""
    converted = pd.to_numeric(column, errors="coerce")
    return converted if converted.notna().sum() == column.notna().sum() else column


def load_npy(source: str | os.PathLike | BinaryIO, name: str | None = None) -> Dataset:
    """A ``.npy`` holding one 2-D numeric array (embeddings saved by ``np.save``): its rows are the items."""
    try:
        matrix = np.load(source, allow_pickle=False)
    except (ValueError, OSError, EOFError, zipfile.BadZipFile) as error:
        raise DataError(f"not a readable .npy file: {error}") from None
    if not isinstance(matrix, np.ndarray):  # an .npz under another name
        matrix.close()
        raise DataError("this .npy holds several arrays (it is an .npz): save one 2-D array with np.save")
    images = image_array(matrix) if matrix.ndim in (3, 4) else None
    if images is not None:
        return array_dataset(images, None, name or _stem(source, "images"), [], "the .npy")
    if matrix.ndim != 2:
        raise DataError(f"a .npy must hold a 2-D array of features (rows × features) or images (n × height × width, "
                        f"or × channels, values 0-255 or 0-1); this one has shape {matrix.shape}")
    return _table_dataset(name or _stem(source, "features"), matrix, None)


def _class_code_column(frame: pd.DataFrame, roles: dict) -> str | None:
    """A headerless table's first or last column when it holds class codes (``class_codes``) while most of the
    other feature columns hold measurements (not whole numbers); None when there is a label already."""
    if "label" in roles.values():
        return None
    features = [c for c, role in roles.items() if role == "feature"]
    for column in (frame.columns[0], frame.columns[-1]):
        if column not in features or len(features) < 3 or frame[column].isna().any():
            continue
        others = [c for c in features if c != column]
        measured = sum(not whole_numbers(frame[c].to_numpy(dtype=np.float64)) for c in others)
        if measured > len(others) / 2 and class_codes(frame[column].tolist()):
            return column
    return None


SEPARATORS = {",": "comma", ";": "semicolon", "\t": "tab", "|": "bar", r"\s+": "space"}
SERIES_HINT = 20  # at least this many columns named alike with running numbers (t1, t2…) may be time steps


def numbered_steps(names: list[str]) -> bool:
    """Whether columns are named as time steps are: at least :data:`SERIES_HINT`, one name with a running number
    (``t1, t2…``; a headless file's ``column 2, column 3…``), the numbers rising, or numbers alone, rising or
    falling (times, wavelengths); pixel0…pixel99 are no time steps, square or not."""
    if len(names) < SERIES_HINT:
        return False
    if all(is_number(name) for name in names):  # times or wavelengths (0.0, 0.5, …; a spectrum's 4000 … 400 cm⁻¹)
        steps = np.diff([float(name) for name in names])
        return bool((steps > 0).all() or (steps < 0).all())
    found = [re.fullmatch(r"(.*?)(\d+)", name) for name in names]
    if not all(found) or len({m.group(1) for m in found}) != 1 or PIXEL_NAME.fullmatch(names[0]):
        return False
    numbers = [int(m.group(2)) for m in found]
    return all(b > a for a, b in zip(numbers, numbers[1:]))


def smoothness(matrix: np.ndarray) -> float:
    """How much each row changes smoothly from column to column, as a series does from step to step: the median over
    rows of their lag-1 autocorrelation, each column standardised first (so a few columns of large values are no
    shape). About 0 for columns in no order (a feature table, embeddings, white noise); see SERIES_SMOOTH."""
    X = np.asarray(matrix, dtype=np.float64)
    X = (X - X.mean(axis=0)) / np.where(X.std(axis=0) > 0, X.std(axis=0), 1.0)
    X -= X.mean(axis=1, keepdims=True)
    scale = (X ** 2).mean(axis=1)
    rows = scale > 0
    if rows.sum() < 2 or X.shape[1] < 3:
        return 0.0
    return float(np.median((X[rows, 1:] * X[rows, :-1]).mean(axis=1) / scale[rows]))


# A table whose columns are numbered as time steps (numbered_steps) is read as series, one a row, when its kind was
# not named and its rows are at least this smooth. Measured: generated Cylinder-Bell-Funnel 0.52-0.54, synthetic
# control 0.44-0.46, phase-free waves 0.91-0.92, Trace 0.97, random walks 0.90; the feature tables scikit-learn
# ships 0.14 (breast cancer) to -0.38, make_classification's 50 columns -0.03, 64-D blobs 0.00, 512-D embeddings 0.00,
# white noise -0.01; the digits' 64 pixels (no time steps, but rows that change smoothly) 0.28.
SERIES_SMOOTH = 0.35
# A table of whole numbers on a scale of at most this many values (a survey's Likert answers, Q1…Q30 from 1 to 5)
# is no series, though questions on one topic, asked one after another, make its rows smooth: 30 questions in blocks
# of 5 on one trait each scored 0.44-0.59
SCALE_VALUES = 10
SMOOTH_ROWS = 5000  # rows read for the smoothness and the scale: an even sample (a median, read in milliseconds)
NO_HEADER = "no header row: its columns are numbered"


def series_rows(dataset: Dataset) -> float | None:
    """How smooth a table's rows are along its columns where it reads as time series, one a row: columns numbered as
    time steps (:func:`numbered_steps`), rows at least :data:`SERIES_SMOOTH` smooth (:func:`smoothness`), and not
    whole numbers on a scale of at most :data:`SCALE_VALUES` values; else ``None``."""
    if dataset.kind != "table" or not numbered_steps(list(dataset.columns or [])):
        return None
    rows = dataset.table[::max(1, len(dataset) // SMOOTH_ROWS)]
    smooth = smoothness(rows)
    if smooth < SERIES_SMOOTH:
        return None
    values = np.unique(rows[np.isfinite(rows)])
    return None if len(values) <= SCALE_VALUES and np.all(values == np.round(values)) else smooth


ENCODINGS = {"utf-16": "UTF-16", "utf-16-le": "UTF-16", "utf-16-be": "UTF-16", "cp1252": "Windows-1252"}


def _read(source, options: dict) -> pd.DataFrame:
    at = None if isinstance(source, (str, os.PathLike)) else source.tell()
    try:
        return pd.read_csv(source, **options)
    except UnicodeDecodeError:  # UTF-8 in its first 64 KB, not past them: a Windows export after all
        if options.get("encoding", "utf-8") != "utf-8":
            raise DataError("not a readable CSV file: it is not UTF-8, UTF-16 or Windows-1252 text") from None
        if at is not None:
            source.seek(at)
        options["encoding"] = "cp1252"
        return _read(source, options)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as error:
        if re.search(r"Expected \d+ fields in line \d+, saw \d+", str(error)):
            raise RaggedRows(f"not a table: its rows hold different numbers of cells ({str(error).strip()}). If "
                             "each row is a time series, load it as time series (the Data page's “time series”, or "
                             "`--csv-kind series`)") from None
        if isinstance(error, pd.errors.EmptyDataError):
            raise DataError("the file is empty: no header and no rows") from None
        raise DataError(f"not a readable CSV file: {error}") from None


class RaggedRows(DataError):
    """A CSV whose rows hold different numbers of cells: no table, though they may be series of several lengths."""


def dialect(source) -> dict:
    """``pd.read_csv`` options for a CSV read from its first 64 KB: its text encoding where it is not UTF-8
    (:func:`~engine.data.dataset.text_encoding`); for one that is not comma-separated, the
    separator its header line holds most of (a semicolon, a tab, a bar) and, with a semicolon or a tab, decimal
    commas where its first rows hold numbers written so (``1,5``: European spreadsheets); ``header=None`` when its
    first line is all numbers, not names (a file with no header row). Empty for a plain comma-separated file with
    a header."""
    if isinstance(source, (str, os.PathLike)):
        with open(source, "rb") as handle:
            head = handle.read(65536)
    else:  # an upload's buffer: read its start and rewind
        at = source.tell()
        head = source.read(65536)
        source.seek(at)
    encoding = text_encoding(head) if isinstance(head, bytes) else "utf-8"
    text = head.decode(encoding, errors="replace") if isinstance(head, bytes) else head
    lines = text.splitlines()[:20]
    coded = {} if encoding in ("utf-8", "utf-8-sig") else {"encoding": encoding}
    start = _title_lines(lines)  # a report's title and notes above its table
    if lines and re.fullmatch(r"sep=.", lines[0].strip(), flags=re.I):  # Excel's own hint of its separator
        start = max(start, 1)
    lines = lines[start:]
    if start:
        coded["skiprows"] = start
    if not lines:
        return coded
    sep = separator_of(lines[0], ",;\t|")
    if sep is None:  # spaces between the columns (the UCR archive's older .txt, many scientific exports)
        sep = r"\s+" if len(lines[0].split()) > 1 else ","
    split = (lambda line: line.split()) if sep == r"\s+" else (lambda line: line.split(sep))
    decimal = sep not in ",|" and any(re.fullmatch(r"-?\d+,\d+", cell.strip())
                                      for line in lines[1:] for cell in split(line))
    rows = [line.split() for line in lines] if sep == r"\s+" else list(csv.reader(lines, delimiter=sep))
    headless = bool(rows) and (_numbers_row(rows[0], rows[1:]) or _first_row_is_data(rows))
    return {**({"sep": sep} if sep != "," else {}), **({"decimal": ","} if decimal else {}),
            **({"header": None} if headless else {}), **coded}


def _numbers_row(row: list[str], below: list[list[str]]) -> bool:
    """Whether a CSV's first row is a row of numbers, not a header: numbers, with empty cells among them (gaps) or
    after them (a short series padded to the others' width), but not a header of column numbers (pandas writes
    ``0,1,2,…`` above a frame it numbered, ``,0,1,2`` with its index: a count from 0 (:func:`column_numbers`), or
    a first cell left empty above the rows' names)."""
    cells = trimmed(row)
    filled = [cell for cell in cells if cell]
    if not cells or not cells[0] or not all(is_number(cell) for cell in filled):
        return False
    return not column_numbers(filled, below)


def _title_lines(lines: list[str]) -> int:
    """How many lines above a CSV's table are a title or notes (see :func:`_table_start`), from each line's count of
    fields; a line of words counts its filled ones, as a sheet's filled cells are counted: a title a spreadsheet saved
    over empty cells (``Measurements,,,,``) is one field, not five (a short row of numbers, a series padded with
    empty cells, keeps its width)."""
    def width(line: str) -> int:
        sep = separator_of(line, ",;\t|")
        if sep is None:
            return 1
        fields = next(csv.reader([line], delimiter=sep), [])
        filled = [field for field in fields if field.strip()]
        return len(fields) if all(is_number(field) for field in filled) else len(filled)

    if lines and re.match(r'"?TOA5"?[,\t]', lines[0]):  # Campbell Scientific's loggers: a line about the station
        return 1 + _table_start([width(line) for line in lines[1:]])  # first, then names, units and "Avg" rows
    return _table_start([width(line) for line in lines])


def _table_start(widths: list[int]) -> int:
    """How many rows above a table are a title or notes (an exported report's "Sales report 2024", "Generated by
    …", a blank line), from each first row's count of fields (a CSV's) or filled cells (a sheet's): the rows before
    the first that holds at least half as many as the widest, when that is three or more."""
    widest = max(widths, default=1)
    if widest < 3:
        return 0
    return next(i for i, width in enumerate(widths) if width >= (widest + 1) // 2)


def _first_row_is_data(rows: list[list[str]]) -> bool:
    """A first line of numbers and words that is a row like the others, not a header: most of its cells are
    numbers, and each word in it comes back in its own column below (``5.1,3.5,1.4,0.2,Iris-setosa`` above more
    Iris-setosa rows, as UCI's iris.data starts), or is written like the cells below it with a running number
    (``s0`` above ``s1``, ``s2``…: each row's name). A header's names do not come back as values (a header of years,
    ``country,1990,1991``, keeps ``country``, which no row holds; ``id`` above ``s1``, ``s2``)."""
    first, below = rows[0], rows[1:]
    words = [j for j, cell in enumerate(first) if cell.strip() and not is_number(cell)]
    if not below or not words or len(words) * 2 > len(first):
        return False

    def like_below(j: int) -> bool:
        column = [row[j].strip() for row in below if len(row) > j]
        if any(cell == first[j].strip() for cell in column):
            return True
        shape = _shape(first[j].strip())
        return any(c.isdigit() for c in shape) and sum(_shape(cell) == shape for cell in column) >= 0.9 * len(below)

    return all(like_below(j) for j in words)


def _shape(cell: str) -> str:
    """How a cell is written: each run of letters as ``a``, of digits as ``0`` (``s12`` and ``s3``: ``a0``)."""
    return re.sub(r"\d+", "0", re.sub(r"[^\W\d_]+", "a", cell))


# A text column with at most this many different values (and at most half as many as rows) holds categories.
CATEGORIES_MAX = 50
# A numeric column with more than this share of its cells empty is left out (filling most of it would invent it).
MOSTLY_EMPTY = 0.5
ID_NAMES = ("id", "index", "unnamed: 0", "", "record", "row", "#", "no", "no.", "nr", "obs")  # record: a logger's count


# Names of a column of categories that say "the class" (after LABEL_COLUMNS): among several such columns, the label;
# a numeric column so named is the label too when it holds a few whole-number codes (UCI's wine "cultivar" 1-3, the
# Pima diabetes "Outcome" 0/1, a "species" coded 0-2, UCI glass's "Type" 1-7, a "cluster" or "group" column an earlier
# analysis left), which as a feature would leak the class into the clusters; also in the languages whose files
# write decimal commas (read as such): a German "Klasse" coded 0-3 beside its measurements was a feature
CLASS_WORDS = ("species", "variety", "breed", "genre", "diagnosis", "category", "class_name", "classname",
               "cultivar", "outcome", "classification", "type", "cluster", "group", "segment",
               "klasse", "classe", "clase", "klass", "kategorie", "categoria", "categoría", "catégorie", "gruppe",
               "groupe", "grupo", "gruppo", "typ", "tipo", "espèce", "especie", "etikett", "etiqueta",
               "étiquette", "etichetta")


def _categorical(values: pd.Series, n: int) -> bool:
    """A text column of 2 to :data:`CATEGORIES_MAX` categories (at most one per two rows)."""
    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return False
    distinct = values.dropna().astype(str).nunique()
    return 2 <= distinct <= min(CATEGORIES_MAX, n // 2)


def column_roles(frame: pd.DataFrame, headless: bool = False) -> tuple[dict, list[str]]:
    """Each column's role in a table from the wild, and a sentence for each one that is not a plain feature:

    * ``label``: a column named like :data:`LABEL_COLUMNS` (by the names' order, not the columns': in "x, y,
      label" the label is "label" and y a coordinate), unless it holds a quantity (:func:`_quantity`: then it is
      left out, as the target of a regression is neither a feature nor a class; a quantity ``y`` is a coordinate,
      a feature); when none is, the column of a few text categories (at most :data:`CATEGORIES_MAX` values, each
      on two rows on average) named like :data:`CLASS_WORDS` (``species``, ``diagnosis``), or a numeric column so
      named holding a few whole-number codes (:func:`codes`), else the first text one; in a file with no header
      (``headless``), a first or last column of class codes beside measurements (:func:`_class_code_column`).
      Labels colour the map and score the clusters; they are never features, so a class column cannot leak into
      them.
    * ``names``: an identifier, the first text column whose values are all different (``name``, ``W0001``), or a
      numeric one named like an id (``id``, ``customer_id``, pandas' ``Unnamed: 0``) holding different integers:
      it names the rows (a running number as a feature would rank them by file order).
    * ``feature``: a numeric (or true/false) column, unless over :data:`MOSTLY_EMPTY` of it is empty or it holds one
      value (:func:`_two_valued_aside`).
    * ``categories``: other columns of a few text categories once the label is taken; not features (their one-hot
      columns would split the clusters by them: sex, region), kept to colour the map by; so are columns of two
      values beside measurements (:func:`_two_valued_aside`).
    * ``left out``: dates, free text, and empty or mostly empty columns.
    """
    roles, notes, emptied = {}, [], []
    named = {str(c).strip().lower(): c for c in frame.columns}
    label = next((named[n] for n in LABEL_COLUMNS if n in named), None)
    n = len(frame)
    if label is not None and _quantity(frame[label]):  # a number to predict, not classes
        if str(label).strip().lower() == "y":
            label = None  # "x, y": a coordinate, a feature like x
        else:
            roles[label] = "left out"
            notes.append(f"“{label}” left out: {frame[label].nunique():,} different values, a quantity to predict "
                         "rather than classes (neither a feature nor the label)")
    elif label is not None:
        roles[label] = "label"
        notes.append(f"“{label}” is the label: it colours the map and scores the clusters, and is not a feature")
    # among several columns of categories, one named like a class is the label (when none is named like a label)
    classy = next((c for c in frame.columns if str(c).strip().lower() in CLASS_WORDS and c not in roles
                   and (_categorical(frame[c], n) or ("label" not in roles.values() and codes(frame[c])))), None)
    for column in frame.columns:
        if column in roles:
            continue
        values = frame[column]
        present = values.dropna()
        key = str(column).strip().lower()
        numeric = pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)
        if numeric and column == classy and "label" not in roles.values():
            roles[column] = "label"
            notes.append(f"“{column}” ({present.nunique()} whole-number codes) is the label: it colours the map and "
                         "scores the clusters, and is not a feature (name a column “label” to choose another)")
            continue
        if numeric:
            idlike = named_like_an_id(re.sub(r"\s*\(.*\)$", "", key), ID_NAMES)  # "record (rn)": its units joined
            whole = len(present) == n and np.all(np.mod(present.to_numpy(dtype=np.float64), 1) == 0)
            if idlike and whole and present.is_unique and "names" not in roles.values():
                roles[column] = "names"
                notes.append(f"“{column}” names the rows (an identifier, not a feature)")
            elif 1 - len(present) / n > MOSTLY_EMPTY:
                roles[column] = "left out"
                emptied.append((column, "empty" if len(present) == 0 else f"{1 - len(present) / n:.0%} of it is empty"))
            else:
                roles[column] = "feature"
            continue
        text = present.astype(str)
        distinct = text.nunique()
        few = 2 <= distinct <= min(CATEGORIES_MAX, n // 2)  # a few categories, each on two rows or more
        if len(text) and _dates(text):
            roles[column] = "left out"
            notes.append(f"“{column}” left out: dates")
        elif distinct == n and len(text) == n and "names" not in roles.values():
            roles[column] = "names"
            notes.append(f"“{column}” names the rows (every value differs)")
        elif few and "label" not in roles.values() and classy in (None, column):
            roles[column] = "label"
            notes.append(f"“{column}” ({distinct} categories) is the label: it colours the map and scores the "
                         "clusters, and is not a feature (name a column “label” to choose another)")
        elif few:
            roles[column] = "categories"
            notes.append(f"“{column}” left out: {distinct} text categories (as features they would split the "
                         "clusters by them); the map can be coloured by it")
        else:
            roles[column] = "left out"
            notes.append(f"“{column}” left out: text")
    if len(emptied) <= SAID_BY_NAME:
        notes += [f"“{column}” left out: {held}" for column, held in emptied]
    else:  # a padded or sparse export's many empty columns: one note
        notes += _said_together([(column, held.replace(" of it is empty", "")) for column, held in emptied], "",
                                f"left out, empty or over {MOSTLY_EMPTY:.0%} empty")
    code = _class_code_column(frame, roles) if headless else None
    if code is not None:
        roles[code] = "label"
        notes.append(f"“{code}” ({frame[code].nunique()} whole-number codes beside measurements) is read as the "
                     "class, as headerless files often write it first or last (UCI's wine; the UCR archive): it "
                     "colours the map and scores the clusters, and is not a feature")
    return _two_valued_aside(frame, roles, notes)


FLAG_VALUES = {-1.0, 0.0, 1.0, 2.0}  # the two values a yes/no column is written with: 0/1, 1/2 (UCI), -1/1, true/false
SAID_BY_NAME = 3  # more columns than this set aside for one reason are said in one note, not one note each


def _two_valued_aside(frame: pd.DataFrame, roles: dict, notes: list[str]) -> tuple[dict, list[str]]:
    """Feature columns of one value are left out. Feature columns of two values written as a yes/no is
    (:data:`FLAG_VALUES`: true/false, 0/1 flags) become categories to colour by, as text categories are, where at
    least two other columns are measurements and outnumber them: standardised, a flag is two spikes a full unit
    apart, which cuts every cluster in two by it. Three groups in two measured columns (400 rows) plus one random
    true/false column: ARI 0.10 with it as a feature, 0.61 without. A table of mostly flags (Zoo's hair, feathers,
    eggs… and its legs) keeps them: there they are the data. Two other values (4 or 6 cylinders, a pixel that is
    blank or inked once) are a measurement that happens to take two values, and stay."""
    features = [c for c, role in roles.items() if role == "feature"]
    constant = []
    for column in features:
        present = frame[column].dropna()
        if len(present) > 1 and present.nunique() == 1:  # nothing to tell rows apart by
            roles[column] = "left out"
            constant.append((column, f"{present.iloc[0]}"))
    notes += _said_together(constant, "left out: one value throughout", "left out, each of one value throughout")
    features = [c for c in features if roles[c] == "feature"]
    two = [c for c in features if frame[c].dropna().nunique() == 2 and _flag(frame[c])]
    measured = len(features) - len(two)
    if not two or measured < 2 or len(two) >= measured:
        return roles, notes
    flags = []
    for column in two:
        roles[column] = "categories"
        values = sorted(frame[column].dropna().unique().tolist())
        flags.append((column, f"{values[0]} / {values[1]}"))
    notes += _said_together(flags, "left out: two values", "left out, each of two values",
                            "; as a feature it would cut the clusters in two by it); the map can be coloured by it")
    return roles, notes


def _flag(values: pd.Series) -> bool:
    present = values.dropna()
    return pd.api.types.is_bool_dtype(present) or set(present.astype(float).unique()) <= FLAG_VALUES


def _said_together(columns: list[tuple], one: str, many: str, why: str = ")") -> list[str]:
    """``(column, what it holds)`` pairs set aside for one reason: a note each (“a” left out: one value throughout
    (1)), or past :data:`SAID_BY_NAME` of them one note naming the first few."""
    if len(columns) <= SAID_BY_NAME:
        return [f"“{column}” {one} ({held}{why}" for column, held in columns]
    named = ", ".join(f"“{column}” ({held})" for column, held in columns[:SAID_BY_NAME])
    return [f"{len(columns):,} columns {many} ({named} and {len(columns) - SAID_BY_NAME:,} more{why}"]


def codes(values: pd.Series) -> bool:
    """A numeric column of class codes (:func:`~engine.data.dataset.code_problem`), none missing, if its name says
    so."""
    if not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return False
    return code_problem(values.to_numpy(dtype=np.float64)) is None


def _quantity(values: pd.Series) -> bool:
    """Whether a column named like a label holds a quantity rather than classes: numbers with fractions, or more
    than :data:`CATEGORIES_MAX` different ones (a regression target: diabetes progression, a price)."""
    present = values.dropna()
    if not pd.api.types.is_numeric_dtype(present) or pd.api.types.is_bool_dtype(present):
        return False
    numbers = present.to_numpy(dtype=np.float64)
    return bool(present.nunique() > CATEGORIES_MAX or np.any(np.mod(numbers, 1) != 0))


def _dates(text: pd.Series) -> bool:
    """Whether nine in ten of a text column's cells read as dates or times (and hold a digit: "north" is none)."""
    sample = text.iloc[:200]
    if not sample.str.contains(r"\d").all():
        return False
    with warnings.catch_warnings():  # "could not infer format": each cell is then parsed on its own
        warnings.simplefilter("ignore")
        parsed = pd.to_datetime(sample, errors="coerce", format="mixed")
    return bool(parsed.notna().mean() >= 0.9)


# Tables are kept in 32-bit floats (at most ±3.4e38, whose squares overflow past ±1.8e19): a column with values past
# this is rescaled to millions
FLOAT32_SAFE = 1e15
FLOAT32_TINY = 1e-30
# ... unless only a few of its cells are that large and the rest are not: a fill value (NetCDF's 9.96921e36, a GIS
# raster's -3.4e38 for "no data", a 1e300 typed by hand) sets no scale; rescaled by it, every other value of the column
# fell to zero in 32-bit floats. A cell past FLOAT32_SAFE and FILL_RATIO times its column's median size is empty.
FILL_RATIO = 1e6


# Empty cells are filled from the IMPUTE_NEIGHBOURS rows most alike in the row's other columns (standardised), found
# among up to IMPUTE_DONORS rows, where at most IMPUTE_MAX_ROWS rows have a gap (~10 s on 2 cores); past that, with
# the column's median. Median filling stacks every gap at one value, a pile that K-means reads as a cluster of its
# own or that drags rows out of theirs: with 25 % of cells emptied at random, the default run reached ARI 0.93
# against 0.37 (four 6-D blobs), 0.85 against 0.43 (wine) and 0.76 against 0.68 (breast cancer), and with 10 %
# emptied 1.00 / 0.85 / 0.79 against 0.82 / 0.88 / 0.78; one blob set at 25 % went the other way (0.65 against 0.80,
# its K 3 instead of 4). Mean over those eight cases: 0.85 against 0.72.
IMPUTE_NEIGHBOURS = 5
IMPUTE_DONORS = 10_000
IMPUTE_MAX_ROWS = 20_000


def _filled(matrix: np.ndarray, missing: np.ndarray, columns: list[str]) -> list[str]:
    """Fill ``matrix``'s ``missing`` cells in place (see :data:`IMPUTE_NEIGHBOURS`); a note per column."""
    gaps = missing.any(axis=1)
    counts = {j: int(missing[:, j].sum()) for j in np.flatnonzero(missing.any(axis=0))}
    if matrix.shape[1] > 1 and gaps.sum() <= IMPUTE_MAX_ROWS:
        from sklearn.impute import KNNImputer

        values = np.where(missing, np.nan, matrix)
        centre, scale = np.nanmean(values, axis=0), np.nanstd(values, axis=0)
        centre, scale = np.nan_to_num(centre), np.where(np.nan_to_num(scale) > 0, np.nan_to_num(scale), 1.0)
        values = (values - centre) / scale
        donors = values if len(values) <= IMPUTE_DONORS else \
            values[np.random.default_rng(0).choice(len(values), IMPUTE_DONORS, replace=False)]
        imputer = KNNImputer(n_neighbors=IMPUTE_NEIGHBOURS, keep_empty_features=True).fit(donors)
        matrix[gaps] = imputer.transform(values[gaps]) * scale + centre
        how = f"filled from the {IMPUTE_NEIGHBOURS} rows most alike in the other columns"
        if len(counts) > SAID_BY_NAME:
            return _said_together([(columns[j], f"{count:,}") for j, count in counts.items()], "",
                                  f"had empty or non-finite cells ({sum(counts.values()):,} in all), {how}")
        return [f"“{columns[j]}”: {count:,} empty or non-finite cells {how}" for j, count in counts.items()]
    notes = []
    for j, count in counts.items():
        column = matrix[:, j]
        fill = float(np.median(column[~missing[:, j]])) if (~missing[:, j]).any() else 0.0
        column[missing[:, j]] = fill
        why = f" ({int(gaps.sum()):,} rows have gaps: past {IMPUTE_MAX_ROWS:,}, medians, not the rows most alike)"
        notes.append(f"“{columns[j]}”: {count:,} empty or non-finite cells filled with the column's median "
                     f"({fill:g})" + (why if gaps.sum() > IMPUTE_MAX_ROWS else ""))
    return notes


def _fill_values_emptied(matrix: np.ndarray, columns: list[str]) -> list[str]:
    """Cells far past their column's size and 32-bit floats' safe range (:data:`FILL_RATIO`) made empty (NaN) in
    place, to be filled as empty cells are; a note per column."""
    size = np.abs(matrix)
    big = (size > FLOAT32_SAFE) & (size < np.inf)  # (NaN is neither: one pass over a table of ordinary numbers)
    if not big.any():
        return []
    with warnings.catch_warnings():  # a column of no finite number has no median: nothing in it to empty
        warnings.simplefilter("ignore", RuntimeWarning)
        typical = np.nanmedian(np.where(size < np.inf, size, np.nan), axis=0)
    far = big & (size > FILL_RATIO * np.nan_to_num(typical)[None, :])
    notes = []
    for j in np.flatnonzero(far.any(axis=0)):
        values = matrix[far[:, j], j]
        notes.append(f"“{columns[j]}”: {len(values):,} value(s) like {values[0]:.6g}, over {FILL_RATIO:g} times the "
                     f"column's typical size ({typical[j]:.3g}), read as a fill value for “no data”: treated as empty")
    matrix[far] = np.nan
    return notes


def _table_dataset(name: str, matrix: np.ndarray, raw_labels: list[str] | None, row_names: list[str] | None = None,
                   notes: list[str] | None = None, columns: list[str] | None = None,
                   attributes: dict[str, list[str]] | None = None, label_column: str | None = None) -> Dataset:
    """Missing or infinite numbers are filled from the rows most alike (:func:`_filled`; said per column); a row with
    none of its numbers is skipped (said per row), as a row cannot be placed from nothing."""
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[1] == 0:
        raise DataError(f"expected a 2-D table of features, got shape {matrix.shape}")
    if not np.issubdtype(matrix.dtype, np.number):
        raise DataError(f"features must be numeric, got dtype {matrix.dtype}")
    matrix = matrix.astype(np.float64)
    report = ValidationReport(n_found=len(matrix), notes=list(notes or []))
    named = columns is not None
    columns = columns or [f"column {j}" for j in range(matrix.shape[1])]
    report.notes.extend(_fill_values_emptied(matrix, columns))
    missing = ~np.isfinite(matrix)
    usable = ~missing.all(axis=1)
    for row in np.flatnonzero(~usable)[:1000]:
        report.skip(f"row {row}", "no number in it (empty, NaN or infinite)")
    if (~usable).sum() > 1000:
        report.notes.append(f"{int((~usable).sum())} rows with no number skipped in all")
    keep = np.flatnonzero(usable)
    if len(keep) < 2:
        raise DataError(f"need at least 2 usable rows, found {len(keep)}")
    matrix, missing = matrix[keep], missing[keep]
    if missing.any():
        report.notes.extend(_filled(matrix, missing, columns))
    largest = np.abs(matrix).max(axis=0)  # the table is kept in 32-bit floats, which hold about 1e-38 to 3e38:
    for j in np.flatnonzero((largest > FLOAT32_SAFE) | ((largest > 0) & (largest < FLOAT32_TINY))):
        power = int(np.ceil(np.log10(largest[j]))) - 6  # (a column of 1e-300s was all zeros, and still clustered)
        matrix[:, j] /= 10.0 ** power
        report.notes.append(f"“{columns[j]}” holds values too {'large' if power > 0 else 'small'} for 32-bit floats: "
                            f"shown and clustered in units of 1e{power} (its clusters are the same)")
    report.n_loaded = len(keep)
    labels, class_names = encode_labels([raw_labels[i] for i in keep] if raw_labels else [])
    names = [row_names[i] for i in keep] if row_names else [f"row {i}" for i in keep]
    return Dataset(name=name, item_names=names, table=matrix.astype(np.float32),
                   labels=labels, class_names=class_names, report=report, columns=columns if named else None,
                   attributes={a: [v[i] for i in keep] for a, v in attributes.items()} if attributes else None,
                   label_column=label_column if labels is not None else None)


def _stem(source: str | os.PathLike | BinaryIO, fallback: str) -> str:
    if isinstance(source, (str, os.PathLike)):
        return Path(source).stem
    return Path(getattr(source, "name", fallback)).stem


def table_frame(dataset: Dataset, indices) -> pd.DataFrame:
    """Rows ``indices`` of a table dataset as a frame: its column names, the rows named by their items."""
    indices = np.asarray(indices, dtype=np.int64)
    columns = dataset.columns or [f"column {j}" for j in range(dataset.table.shape[1])]
    return pd.DataFrame(dataset.table[indices], columns=columns, index=[dataset.item_names[i] for i in indices])


def attribute_groups(values: list[str]) -> tuple[np.ndarray, dict[int, str]]:
    """An attribute's values as map groups (its categories in natural order) and each group's name."""
    groups, names = categories(values)
    return groups, dict(enumerate(names))
