"""Time series: a CSV with one series a row (ragged lengths allowed), and tslearn's ``Trace`` demo.

A label column is optional: a first or last column whose header is ``label`` / ``class`` /
``y``, or whose cells are not all numbers. A first column named like an id (``id``, ``name``, ``sensor_id``), or
of text that differs on every row, names the series; a label may then be the last column. Rows may end early (empty
trailing cells): such series are shorter, and are padded with NaN here and resampled by the series features. An
empty or non-numeric cell *inside* a series is an error that names its row and column.
"""

from __future__ import annotations

import csv
import io
import os

import numpy as np

from engine.data.dataset import Dataset, DataError, ValidationReport, encode_labels, is_number, source_text

LABEL_HEADERS = ("label", "labels", "class", "y", "target")
ID_HEADERS = ("id", "name", "series", "index", "")
MIN_LENGTH = 4


def load_series_csv(source: str | os.PathLike | bytes, name: str | None = None) -> Dataset:
    text, name = source_text(source, name, "series")
    delimiter = "\t" if "\t" in text.split("\n", 1)[0] else ","
    rows = [row for row in csv.reader(io.StringIO(text), delimiter=delimiter) if any(c.strip() for c in row)]
    if not rows:
        raise DataError("the file is empty")
    header = None
    if not all(is_number(c) for c in rows[0] if c.strip()) and not any(
            is_number(c) for c in rows[0][1:-1] if c.strip()):
        header, rows = [c.strip().lower() for c in rows[0]], rows[1:]
    if not rows:
        raise DataError("the file has a header but no series")
    rows = [[c.strip() for c in row] for row in rows]
    label_at, id_at = None, None
    first = [row[0] for row in rows]
    text_first = not all(is_number(c) for c in first if c)
    named_id = bool(header) and (header[0] in ID_HEADERS or header[0].endswith(("_id", " id")))
    if header and header[0] in LABEL_HEADERS:
        label_at = 0
    elif header and header[-1] in LABEL_HEADERS:
        label_at = -1
        id_at = 0 if text_first or named_id else None
    elif named_id or (text_first and len(set(first)) == len(first) > 2):  # names a row each: an identifier
        id_at = 0
        label_at = -1 if not all(is_number(row[-1]) for row in rows if row[-1]) else None
    elif text_first:
        label_at = 0
    raw_labels, names = [], []
    values = []
    for number, row in enumerate(rows, start=2 if header else 1):
        if id_at is not None:
            names.append(row[0] or f"series {len(names)}")
            row = row[1:]
        if label_at is not None:
            raw_labels.append(row[label_at] or None)
            row = row[1:] if label_at == 0 else row[:-1]
        while row and not row[-1]:  # a shorter series: trailing empty cells
            row = row[:-1]
        series = []
        for column, cell in enumerate(row, start=1 + (id_at is not None) + (label_at == 0)):
            if not cell:
                raise DataError(f"row {number}, column {column}: an empty cell inside the series (only the end of "
                                "a row may be empty, for a shorter series)")
            try:
                value = float(cell)
            except ValueError:
                raise DataError(f"row {number}, column {column}: {cell!r} is not a number") from None
            if not np.isfinite(value):
                raise DataError(f"row {number}, column {column}: {cell!r} is not a finite number (NaN or infinite)")
            series.append(value)
        if len(series) < MIN_LENGTH:
            raise DataError(f"row {number}: a series needs at least {MIN_LENGTH} values, found {len(series)}")
        values.append(series)
    if len(values) < 2:
        raise DataError(f"need at least 2 series to cluster, found {len(values)}")
    longest = max(len(v) for v in values)
    table = np.full((len(values), longest), np.nan, dtype=np.float32)
    for i, series in enumerate(values):
        table[i, :len(series)] = series
    report = ValidationReport(n_found=len(values), n_loaded=len(values))
    lengths = sorted({len(v) for v in values})
    if len(lengths) > 1:
        report.notes.append(f"ragged: lengths from {lengths[0]} to {lengths[-1]} (resampled to one length for "
                            "clustering)")
    labels, class_names = encode_labels(raw_labels) if label_at is not None else (None, None)
    if id_at is not None:
        report.notes.append(f"the first column{f' (“{header[0]}”)' if header else ''} names the series")
    unique = id_at is not None and len(set(names)) == len(names)
    return Dataset(name=name, item_names=names if unique else [f"series {i}" for i in range(len(values))],
                   series=table, labels=labels,
                   class_names=class_names, report=report)


def trace() -> Dataset:
    """tslearn's ``Trace``: 200 simulated instrument traces of length 275 in 4 classes (it ships with tslearn)."""
    import warnings

    with warnings.catch_warnings():  # tslearn mentions h5py, which only its HDF5 helpers need
        warnings.simplefilter("ignore")
        from tslearn.datasets import CachedDatasets

    x_train, y_train, x_test, y_test = CachedDatasets().load_dataset("Trace")
    series = np.concatenate([x_train, x_test])[:, :, 0].astype(np.float32)
    labels = np.concatenate([y_train, y_test]).astype(np.int64)
    classes = sorted(np.unique(labels).tolist())
    report = ValidationReport(n_found=len(series), n_loaded=len(series),
                              notes=["Trace (tslearn's cached copy): transients in a nuclear plant's instruments"])
    return Dataset(name="trace", item_names=[f"trace {i}" for i in range(len(series))], series=series,
                   labels=np.searchsorted(classes, labels), class_names=[str(c) for c in classes], report=report)
