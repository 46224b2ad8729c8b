"""Feature tables: ``.npz`` (arrays ``X`` and optional ``y``) and CSV (numeric columns, optional label column)."""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import BinaryIO

import numpy as np
import pandas as pd

from engine.data.dataset import Dataset, DataError, ValidationReport, encode_labels

LABEL_COLUMNS = ("label", "labels", "class", "target", "y")


def load_npz(source: str | os.PathLike | BinaryIO, name: str | None = None) -> Dataset:
    """An ``.npz`` with a 2-D float array ``X`` (or the first 2-D array) and optional labels ``y``."""
    try:
        with np.load(source, allow_pickle=False) as archive:
            arrays = {key: archive[key] for key in archive.files}
    except (ValueError, OSError) as error:
        raise DataError(f"not a readable .npz file: {error}") from None
    matrix_key = "X" if "X" in arrays else next((k for k, a in arrays.items() if a.ndim == 2), None)
    if matrix_key is None:
        raise DataError(f".npz has no 2-D array (found {sorted(arrays)}); save features as X")
    labels_raw = arrays.get("y")
    n_rows = len(arrays[matrix_key])
    if labels_raw is not None and (labels_raw.ndim != 1 or len(labels_raw) != n_rows):
        shape = f"{len(labels_raw):,} rows" if labels_raw.ndim == 1 else f"shape {labels_raw.shape}"
        raise DataError(f"the labels y have {shape} but {matrix_key} has {n_rows:,} rows: each row of "
                        f"{matrix_key} needs exactly one label")
    raw = None if labels_raw is None else [str(v) for v in labels_raw.tolist()]
    return _table_dataset(name or _stem(source, "features"), arrays[matrix_key], raw)


def load_csv(source: str | os.PathLike | BinaryIO, name: str | None = None) -> Dataset:
    """A CSV with a header; numeric columns are features, a column named like ``label`` is the label."""
    try:
        frame = pd.read_csv(source)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as error:
        raise DataError(f"not a readable CSV file: {error}") from None
    # by the names' order, not the columns': in "x, y, label" the label is "label" and y a coordinate
    named = {str(c).strip().lower(): c for c in frame.columns}
    label_column = next((named[n] for n in LABEL_COLUMNS if n in named), None)
    raw = None
    if label_column is not None:
        raw = [None if pd.isna(v) else str(v) for v in frame.pop(label_column)]
    non_numeric = [c for c in frame.columns if not pd.api.types.is_numeric_dtype(frame[c])]
    if non_numeric:
        raise DataError(f"columns {non_numeric[:5]} are not numeric; name a label column 'label' "
                        "or remove text columns")
    return _table_dataset(name or _stem(source, "table"), frame.to_numpy(dtype=np.float64), raw)


def _table_dataset(name: str, matrix: np.ndarray, raw_labels: list[str] | None) -> Dataset:
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[1] == 0:
        raise DataError(f"expected a 2-D table of features, got shape {matrix.shape}")
    if not np.issubdtype(matrix.dtype, np.number):
        raise DataError(f"features must be numeric, got dtype {matrix.dtype}")
    matrix = matrix.astype(np.float32)
    report = ValidationReport(n_found=len(matrix))
    finite = np.isfinite(matrix).all(axis=1)
    for row in np.flatnonzero(~finite)[:1000]:
        report.skip(f"row {row}", "contains NaN or infinity")
    if (~finite).sum() > 1000:
        report.notes.append(f"{int((~finite).sum())} rows with NaN or infinity skipped in all")
    keep = np.flatnonzero(finite)
    if len(keep) < 2:
        raise DataError(f"need at least 2 usable rows, found {len(keep)}")
    report.n_loaded = len(keep)
    labels, class_names = encode_labels([raw_labels[i] for i in keep] if raw_labels else [])
    return Dataset(name=name, item_names=[f"row {i}" for i in keep], table=matrix[keep],
                   labels=labels, class_names=class_names, report=report)


def _stem(source: str | os.PathLike | BinaryIO, fallback: str) -> str:
    if isinstance(source, (str, os.PathLike)):
        return Path(source).stem
    return Path(getattr(source, "name", fallback)).stem
